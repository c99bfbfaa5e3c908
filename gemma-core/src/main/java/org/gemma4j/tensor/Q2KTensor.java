package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K: super-blocks of 256 values in 16 groups of 16, value {@code (d·sc)·q - dmin·m} with 2-bit {@code q}: 16
 * bytes of 4-bit (scale low, min high) pairs, 64 bytes {@code qs}, then {@code d, dmin} fp16 (84 bytes). Each half of
 * 128 values uses 32 {@code qs} bytes four times: value {@code 32j + l} of the half is bits {@code 2j, 2j+1} of byte
 * {@code l}; its group is {@code 8·half + 2j + l/16}.
 */
final class Q2KTensor extends BlockTensor {
    private static final int QS = 16;
    private static final int D = 80;

    Q2KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q2_K, ne, data);
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
        int half = i / 128;
        int j = i % 128 / 32;
        int l = i % 32;
        int q = (LittleEndian.u8(s, off + QS + 32 * half + l) >>> (2 * j)) & 3;
        int sc = LittleEndian.u8(s, off + 8 * half + 2 * j + l / 16);
        float dl = LittleEndian.f16(s, off + D) * (sc & 0xF);
        float ml = LittleEndian.f16(s, off + D + 2) * (sc >>> 4);
        return dl * q - ml;
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        int dd = LittleEndian.i32(s, off + D);
        float d = LittleEndian.f16Low(dd);
        float dmin = LittleEndian.f16High(dd);
        for (int half = 0; half < 2; half++) {
            long scales = LittleEndian.i64(s, off + 8 * half); // this half's 8 (scale, min) bytes
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 32; l += L) { // L divides 16: a vector stays in one group
                    int sc = KQuantScales.at(scales, 2 * j + l / 16);
                    float dl = d * (sc & 0xF);
                    float ml = dmin * (sc >>> 4);
                    Simd.toFloat(q(s, off, half, j, l)).mul(dl).sub(ml).intoArray(out, o + 128 * half + 32 * j + l);
                }
            }
        }
    }

    /** Decodes in registers ({@code q·(d·sc) - dmin·m} fused) and accumulates {@code w·x}. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 84L * b;
            int dd = LittleEndian.i32(s, off + D);
            float d = LittleEndian.f16Low(dd);
            float dmin = LittleEndian.f16High(dd);
            for (int half = 0; half < 2; half++) {
                long scales = LittleEndian.i64(s, off + 8 * half);
                for (int j = 0; j < 4; j++) {
                    int xo = xOff + 256 * b + 128 * half + 32 * j;
                    for (int l = 0; l < 32; l += L) {
                        int sc = KQuantScales.at(scales, 2 * j + l / 16);
                        FloatVector w = Simd.toFloat(q(s, off, half, j, l)).fma(d * (sc & 0xF), -dmin * (sc >>> 4));
                        acc = w.fma(FloatVector.fromArray(F, x, xo + l), acc);
                    }
                }
            }
        }
        return LaneSum.of(acc);
    }

    /** The 2-bit values {@code l .. l+L} of run {@code j} of a half: bits {@code 2j, 2j+1} of {@code qs} bytes {@code l..}. */
    private static IntVector q(MemorySegment s, long off, int half, int j, int l) {
        return Simd.u8(s, off + QS + 32 * half, l).lanewise(VectorOperators.LSHR, 2 * j).and(3);
    }
}
