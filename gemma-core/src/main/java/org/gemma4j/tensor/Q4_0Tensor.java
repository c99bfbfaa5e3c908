package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0: blocks of 32 values {@code (q - 8) · d}: {@code d} fp16, then 16 bytes of 4-bit {@code q} (18 bytes).
 * Byte {@code j} holds value {@code j} in its low nibble and value {@code j + 16} in its high nibble.
 */
final class Q4_0Tensor extends BlockTensor {
    private static final int QS = 2;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

    private final LazyRowGroups<Q4_0RowGroups> rowGroups = new LazyRowGroups<>(() -> new Q4_0RowGroups(data(), rows(), cols()));

    Q4_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_0, ne, data);
    }

    @Override
    public boolean takesIntegerVectors() {
        return Q4_0RowGroups.AVAILABLE && rows() >= Q4_0RowGroups.ROWS;
    }

    /**
     * The rows of whole groups in {@code [rowFrom, rowTo)} with {@link Q4_0RowGroups} (laid out on first use), the
     * others with the float product of the rounded values.
     */
    @Override
    public void matVec(QuantizedVector x, float[] out, int outOff, int rowFrom, int rowTo) {
        int n = Q4_0RowGroups.ROWS;
        int g0 = (rowFrom + n - 1) / n;
        int g1 = rowTo / n;
        if (!takesIntegerVectors() || x.quantBlock() != 32 || x.cols() != cols() || g0 >= g1) {
            matVec(x.values(), out, outOff, rowFrom, rowTo);
            return;
        }
        if (rowFrom < g0 * n) {
            matVec(x.values(), out, outOff, rowFrom, g0 * n);
        }
        rowGroups().matVec(x, out, outOff, g0, g1);
        if (g1 * n < rowTo) {
            matVec(x.values(), out, outOff, g1 * n, rowTo);
        }
    }

    @Override
    public void releaseLayouts() {
        rowGroups.release();
    }

    Q4_0RowGroups rowGroups() {
        return rowGroups.get();
    }

    /**
     * The batched product compiled for this class alone (see {@link BlockTensor#matMul}); on a batch laid out as Q8_0
     * integers, {@link Int16LaneTile}.
     */
    @Override
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        if (in.quantBlock() == 32 && in.laneTokens() > 0 && in.cols() == cols() && Int16LaneTile.AVAILABLE) {
            integerMatMul(in, out, outStride, rowFrom, rowTo);
        } else {
            super.matMul(in, out, outStride, rowFrom, rowTo);
        }
    }

    /** {@link Int16LaneTile}'s product, with this class's own row loop (see there why). */
    private void integerMatMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        int blocks = cols() / 32;
        short[][] q = KernelScratch.shortRows(Int16LaneTile.ROWS, cols());
        float[][] a = KernelScratch.blockScales(Int16LaneTile.ROWS, blocks);
        int staged = 0;
        int r = rowFrom;
        for (; rowTo - r >= Int16LaneTile.ROWS; r += Int16LaneTile.ROWS) {
            for (int i = 0; i < Int16LaneTile.ROWS; i++) {
                decodeRowInt(r + i, q[i], a[i], null);
            }
            staged = Int16LaneTile.group(q, a, null, cols(), in, out, outStride, r, rowTo, staged); // no offsets
        }
        for (int i = 0; i < rowTo - r; i++) {
            decodeRowInt(r + i, q[i], a[i], null);
        }
        Int16LaneTile.lastRows(q, a, null, rowTo - r, cols(), in, out, outStride, r);
    }

    @Override
    public boolean takesIntegerBatches() {
        return Int16LaneTile.AVAILABLE;
    }

    /** {@link BlockTensor#decodeRowInt}: {@code q - 8} per value, the fp16 scale {@code d} of each block, no offsets. */
    @Override
    void decodeRowInt(long row, short[] q, float[] d, float[] offset) {
        MemorySegment s = data();
        long base = row * rowBytes();
        for (int b = 0, n = cols() / 32; b < n; b++) {
            long off = base + 18L * b;
            d[b] = LittleEndian.f16(s, off);
            ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B16, s, off + QS, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, S16, 0);
            v.and((short) 0xF).sub((short) 8).intoArray(q, 32 * b);
            v.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8).intoArray(q, 32 * b + 16);
        }
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
        int b = LittleEndian.u8(s, off + QS + (i & 15));
        int q = i < 16 ? b & 0xF : b >>> 4;
        return (q - 8) * LittleEndian.f16(s, off);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        for (int j = 0; j < 16; j += L) {
            IntVector q = Simd.u8(s, off + QS, j);
            Simd.toFloat(lo(q)).mul(d).intoArray(out, o + j);
            Simd.toFloat(hi(q)).mul(d).intoArray(out, o + j + 16);
        }
    }

    /** One row; {@link #matVec} computes the block sums of {@code x} once for all its rows. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        return dot(row, x, xOff, blockSums(x, xOff));
    }

    /**
     * One row at a time, with the block sums of {@code x} computed once. (Three rows at a time sharing the {@code x}
     * loads, which pays for Q8_0's long rows, did not for these: all E2B Q4_0 ffn_down, 2 threads, 30 → 33–38 ms; a
     * fourth row took the kernel past C2's inlining budget.)
     */
    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        if (!Simd.BLOCK_KERNELS) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = dot(r, x, 0);
            }
            return;
        }
        float[] sums = blockSums(x, 0);
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0, sums);
        }
    }

    /** {@code 8·Σ x} per 32-value block: the offset 8 of the unsigned nibbles, taken out once per block. */
    private float[] blockSums(float[] x, int xOff) {
        int blocks = cols() / 32;
        float[] sums = KernelScratch.sums(blocks);
        for (int b = 0; b < blocks; b++) {
            float t = 0f;
            for (int i = 0; i < 32; i++) {
                t += x[xOff + 32 * b + i];
            }
            sums[b] = 8f * t;
        }
        return sums;
    }

    /**
     * Per block: {@code Σ q·x} over the unsigned nibbles in registers, one fused multiply-add by {@code d}, and
     * {@code d·8·Σx} subtracted at the end (two vector subtractions per block fewer; 1536-column rows in L2, one
     * thread: 71–78 → 66–67 ps per weight; E2B Q4_0 ffn_gate+ffn_up, 2 threads, back to back: 51–57 → 41–44 ms).
     */
    private float dot(long row, float[] x, int xOff, float[] sums) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 32;
        FloatVector acc = FloatVector.zero(F);
        float offset = 0f;
        for (int b = 0; b < blocks; b++) {
            long off = base + 18L * b;
            int xo = xOff + 32 * b;
            float d = LittleEndian.f16(s, off);
            acc = blockDot(s, off, x, xo).fma(FloatVector.broadcast(F, d), acc);
            offset += d * sums[b];
        }
        return LaneSum.of(acc) - offset;
    }

    /** {@code Σ q·x} of one block, in {@code L} lanes: {@code q} the unsigned nibbles. */
    private static FloatVector blockDot(MemorySegment s, long off, float[] x, int xo) {
        if (L == 16) { // straight-line: C2 keeps a one-iteration loop as a loop
            IntVector q = Simd.u8(s, off + QS, 0);
            FloatVector qx = Simd.toFloat(q.and(0xF)).mul(FloatVector.fromArray(F, x, xo));
            return Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xo + 16), qx);
        }
        FloatVector qx = FloatVector.zero(F);
        for (int j = 0; j < 16; j += L) {
            IntVector q = Simd.u8(s, off + QS, j);
            qx = Simd.toFloat(q.and(0xF)).fma(FloatVector.fromArray(F, x, xo + j), qx);
            qx = Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xo + j + 16), qx);
        }
        return qx;
    }

    private static IntVector lo(IntVector q) {
        return q.and(0xF).sub(8);
    }

    private static IntVector hi(IntVector q) {
        return q.lanewise(VectorOperators.LSHR, 4).sub(8);
    }
}
