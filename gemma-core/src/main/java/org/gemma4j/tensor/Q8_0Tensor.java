package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/** Q8_0: blocks of 32 values {@code q · d}: {@code d} fp16, then 32 int8 {@code q} (34 bytes). */
final class Q8_0Tensor extends BlockTensor {
    private static final int QS = 2;
    /** Columns from which {@link #matVec} takes rows four at a time. */
    private static final int LONG_ROW = 4096;

    Q8_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q8_0, ne, data);
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

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        return LittleEndian.i8(s, off + QS + i) * LittleEndian.f16(s, off);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        for (int j = 0; j < 32; j += L) {
            Simd.i8f(s, off + QS, j).mul(d).intoArray(out, o + j);
        }
    }

    /** Per block: {@code Σ q·x} in registers, then one fused multiply-add by {@code d}. */
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
            long off = base + 34L * b;
            int xo = xOff + 32 * b;
            if (L == 16) { // straight-line: C2 keeps a constant two-iteration loop as a loop
                acc = block(s, off, FloatVector.fromArray(F, x, xo), FloatVector.fromArray(F, x, xo + 16), acc);
                continue;
            }
            FloatVector qx = FloatVector.zero(F);
            if (L == 4) { // each 8-byte load widened in its two constant parts, not loaded once per part
                for (int j = 0; j < 32; j += 8) {
                    ByteVector q = Simd.bytes(s, off + QS + j);
                    qx = Simd.toFloat(q, 0).fma(FloatVector.fromArray(F, x, xo + j), qx);
                    qx = Simd.toFloat(q, 1).fma(FloatVector.fromArray(F, x, xo + j + 4), qx);
                }
            } else {
                for (int j = 0; j < 32; j += L) {
                    qx = Simd.i8f(s, off + QS, j).fma(FloatVector.fromArray(F, x, xo + j), qx);
                }
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return LaneSum.of(acc);
    }

    /**
     * Long rows (ffn_down: 6144 and 12288 columns) four at a time: their {@code x} (24–48 KB of floats) no longer
     * fits in L1 beside the weight stream, and one row at a time re-reads it from L2 for every 34-byte block.
     * Four neighbouring rows share each {@code x} load; each row's sum is formed in the same order as {@link #dot}.
     * E2B Q8_0, all ffn_down (551 MB), 2 threads: 12–16 → 21–23 GB/s. Rows of 2048 columns lose (15.8 → 13.9 GB/s)
     * and four rows spread apart are no better on average, so shorter rows keep the one-row kernel.
     */
    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        if (cols() < LONG_ROW || !Simd.BLOCK_KERNELS || L != 16) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = dot(r, x, 0);
            }
            return;
        }
        int r = rowFrom;
        for (; r + 4 <= rowTo; r += 4) {
            dot4(r, x, out, outOff + r);
        }
        for (; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0);
        }
    }

    /** {@code out[at + i] = dot(row + i)} for {@code i < 4}, with 16 float lanes (two per 32-value block). */
    private void dot4(int row, float[] x, float[] out, int at) {
        MemorySegment s = data();
        long b0 = row * rowBytes(), b1 = b0 + rowBytes(), b2 = b1 + rowBytes(), b3 = b2 + rowBytes();
        int blocks = cols() / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long o = 34L * b;
            FloatVector x0 = FloatVector.fromArray(F, x, 32 * b), x1 = FloatVector.fromArray(F, x, 32 * b + 16);
            a0 = block(s, b0 + o, x0, x1, a0);
            a1 = block(s, b1 + o, x0, x1, a1);
            a2 = block(s, b2 + o, x0, x1, a2);
            a3 = block(s, b3 + o, x0, x1, a3);
        }
        float[] lanes = KernelScratch.scales();
        a0.intoArray(lanes, 0);
        out[at] = LaneSum.ofStored(lanes);
        a1.intoArray(lanes, 0);
        out[at + 1] = LaneSum.ofStored(lanes);
        a2.intoArray(lanes, 0);
        out[at + 2] = LaneSum.ofStored(lanes);
        a3.intoArray(lanes, 0);
        out[at + 3] = LaneSum.ofStored(lanes);
    }

    /** One block of one row: {@code acc + d·Σ q·x}, the operations of {@link #dot} in its order. */
    private static FloatVector block(MemorySegment s, long off, FloatVector x0, FloatVector x1, FloatVector acc) {
        FloatVector qx = Simd.i8f(s, off + QS, 0).mul(x0);
        qx = Simd.i8f(s, off + QS, 16).fma(x1, qx);
        return qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
    }
}
