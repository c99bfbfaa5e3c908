package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_K: Q4_K with a fifth bit per value: {@code d, dmin} fp16, 12 bytes of scales ({@link KQuantScales}), 32 bytes
 * {@code qh} (bit {@code j} of byte {@code l} is bit 4 of value {@code l} of sub-block {@code j}), 128 bytes of
 * nibbles laid out as in Q4_K (176 bytes).
 */
final class Q5KTensor extends BlockTensor {
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;

    Q5KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q5_K, ne, data);
    }

    /** The batched product compiled for this class alone: see {@link BlockTensor#matMul}. */
    @Override
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        super.matMul(in, out, outStride, rowFrom, rowTo);
    }

    /** The row decoder, this class's own loop: see {@link Tensor#matVec(float[], float[], int, int, int)}. */
    @Override
    void decodeRow(long row, float[] out) {
        MemorySegment s = data();
        long base = row * rowBytes();
        for (int b = 0, n = cols() / blockSize; b < n; b++) {
            decodeBlock(s, base + (long) b * blockBytes, out, b * blockSize);
        }
    }

    /** One row at a time, this class's own loop: see {@link Tensor#matVec(float[], float[], int, int, int)}. */
    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0);
        }
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        int sub = i / 32;
        int l = i % 32;
        int b = LittleEndian.u8(s, off + QS + 32 * (sub / 2) + l);
        int q = (sub % 2 == 0 ? b & 0xF : b >>> 4) | ((LittleEndian.u8(s, off + QH + l) >>> sub) & 1) << 4;
        float d = LittleEndian.f16(s, off) * KQuantScales.scale(s, off + SCALES, sub);
        float m = LittleEndian.f16(s, off + 2) * KQuantScales.min(s, off + SCALES, sub);
        return d * q - m;
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        int dd = LittleEndian.i32(s, off);
        float d = LittleEndian.f16Low(dd);
        float dmin = LittleEndian.f16High(dd);
        long lo = LittleEndian.i64(s, off + SCALES);
        int hi = LittleEndian.i32(s, off + SCALES + 8);
        long scales = KQuantScales.packedScales(lo, hi);
        long mins = KQuantScales.packedMins(lo, hi);
        for (int sub = 0; sub < 8; sub++) {
            float dsc = d * KQuantScales.at(scales, sub);
            float m = dmin * KQuantScales.at(mins, sub);
            for (int j = 0; j < 32; j += L) {
                Simd.toFloat(q(s, off, sub, j)).mul(dsc).sub(m).intoArray(out, o + 32 * sub + j);
            }
        }
    }

    /**
     * Decodes in registers ({@code q·(d·sc) - dmin·m} fused) and accumulates {@code w·x}. One sub-block per outer
     * iteration keeps the loop body small enough for C2 to inline every vector operation.
     */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        if (Simd.L < 8) {
            float[] w = KernelScratch.rows(cols())[0]; // see floatDot: the fused kernel needs 8+ lanes
            decodeRow(row, w);
            return floatDot(w, x, xOff, cols());
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 176L * b;
            int xo = xOff + 256 * b;
            int dd = LittleEndian.i32(s, off);
            float d = LittleEndian.f16Low(dd);
            float dmin = LittleEndian.f16High(dd);
            long lo = LittleEndian.i64(s, off + SCALES);
            int hi = LittleEndian.i32(s, off + SCALES + 8);
            long scales = KQuantScales.packedScales(lo, hi);
            long mins = KQuantScales.packedMins(lo, hi);
            for (int sub = 0; sub < 8; sub++) {
                FloatVector dsc = FloatVector.broadcast(F, d * KQuantScales.at(scales, sub));
                FloatVector m = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, sub));
                for (int j = 0; j < 32; j += L) {
                    FloatVector w = Simd.toFloat(q(s, off, sub, j)).fma(dsc, m);
                    acc = w.fma(FloatVector.fromArray(F, x, xo + 32 * sub + j), acc);
                }
            }
        }
        return LaneSum.of(acc);
    }

    /** The 5-bit values {@code j .. j+L} of sub-block {@code sub}: its nibbles, and bit {@code sub} of {@code qh} as bit 4. */
    private static IntVector q(MemorySegment s, long off, int sub, int j) {
        IntVector nibbles = Simd.u8(s, off + QS + 32 * (sub / 2), j).lanewise(VectorOperators.LSHR, 4 * (sub % 2)).and(0xF);
        IntVector fifth = Simd.u8(s, off + QH, j).lanewise(VectorOperators.LSHR, sub).and(1).lanewise(VectorOperators.LSHL, 4);
        return nibbles.or(fifth);
    }
}
