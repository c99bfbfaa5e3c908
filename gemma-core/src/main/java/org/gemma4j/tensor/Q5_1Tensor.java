package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Q5_1: blocks of 32 values {@code q · d + m} with 5-bit {@code q}: {@code d, m} fp16, {@code qh}, nibbles as in Q5_0 (24 bytes). */
final class Q5_1Tensor extends BlockTensor {
    private static final int QH = 4;
    private static final int QS = 8;

    Q5_1Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q5_1, ne, data);
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
        int b = LittleEndian.u8(s, off + QS + (i & 15));
        int q = (i < 16 ? b & 0xF : b >>> 4) | ((LittleEndian.i32(s, off + QH) >>> i) & 1) << 4;
        return q * LittleEndian.f16(s, off) + LittleEndian.f16(s, off + 2);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        float m = LittleEndian.f16(s, off + 2);
        int qh = LittleEndian.i32(s, off + QH);
        for (int i = 0; i < 32; i += L) {
            Simd.toFloat(q(s, off, qh, i)).mul(d).add(m).intoArray(out, o + i);
        }
    }

    /** Per block: {@code Σ q·x} and {@code Σ x} in registers, then {@code d·Σqx + m·Σx}. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 24L * b;
            int xo = xOff + 32 * b;
            int qh = LittleEndian.i32(s, off + QH);
            FloatVector qx = FloatVector.zero(F);
            FloatVector xs = FloatVector.zero(F);
            for (int i = 0; i < 32; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + i);
                qx = Simd.toFloat(q(s, off, qh, i)).fma(xv, qx);
                xs = xs.add(xv);
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
            acc = xs.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off + 2)), acc);
        }
        return LaneSum.of(acc);
    }

    /** The 5-bit values {@code i .. i+L}, as in Q5_0. */
    private static IntVector q(MemorySegment s, long off, int qh, int i) {
        IntVector nibbles = Simd.u8(s, off + QS, i & 15).lanewise(VectorOperators.LSHR, (i & 16) >> 2).and(0xF);
        return nibbles.or(Simd.bit4(qh, i));
    }
}
