package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K: super-blocks of 256 values in 8 sub-blocks of 32, value {@code (d·sc_j)·q - dmin·m_j}: {@code d, dmin}
 * fp16, 12 bytes of 6-bit (sc, m) pairs ({@link KQuantScales}), 128 bytes of 4-bit {@code q} (144 bytes). Each
 * 32-byte run of nibbles holds two sub-blocks: the low nibbles sub-block {@code 2k}, the high ones {@code 2k+1}.
 */
final class Q4KTensor extends BlockTensor {
    private static final int SCALES = 4;
    private static final int QS = 16;
    /** Two longs: a super-block's packed scales and mins, as 16 bytes. */
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_128;
    /** Lanes 0-7 of a 16-lane scale vector: the scales (the other 8 are the mins). */
    private static final VectorMask<Float> FIRST_EIGHT = F.indexInRange(0, 8);
    /** 32 nibble bytes, widened to 32 shorts for {@link #decodeRowInt}. */
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S32 = ShortVector.SPECIES_512;

    private final LazyRowGroups<Q4KRowGroups> rowGroups = new LazyRowGroups<>(() -> new Q4KRowGroups(data(), rows(), cols()));

    Q4KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_K, ne, data);
    }

    @Override
    public boolean takesIntegerVectors() {
        return Q4KRowGroups.AVAILABLE && rows() >= Q4KRowGroups.ROWS;
    }

    /**
     * The rows of whole groups in {@code [rowFrom, rowTo)} with {@link Q4KRowGroups} (laid out on first use), the
     * others with the float product of the rounded values. Each row-group type has this
     * method of its own, so that its kernel is compiled into it alone (see
     * {@link Tensor#matVec(float[], float[], int, int, int)}).
     */
    @Override
    public void matVec(QuantizedVector x, float[] out, int outOff, int rowFrom, int rowTo) {
        int n = Q4KRowGroups.ROWS;
        int g0 = (rowFrom + n - 1) / n;
        int g1 = rowTo / n;
        if (!takesIntegerVectors() || x.quantBlock() != 256 || x.cols() != cols() || g0 >= g1) {
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

    Q4KRowGroups rowGroups() {
        return rowGroups.get();
    }

    /**
     * The batched product compiled for this class alone (see {@link BlockTensor#matMul}); on a batch laid out as Q8_K
     * integers, {@link Int16LaneTile}.
     */
    @Override
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        if (in.quantBlock() == 256 && in.laneTokens() > 0 && in.cols() == cols() && Int16LaneTile.AVAILABLE) {
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
        float[][] b = KernelScratch.blockOffsets(Int16LaneTile.ROWS, blocks);
        int staged = 0;
        int r = rowFrom;
        for (; rowTo - r >= Int16LaneTile.ROWS; r += Int16LaneTile.ROWS) {
            for (int i = 0; i < Int16LaneTile.ROWS; i++) {
                decodeRowInt(r + i, q[i], a[i], b[i]);
            }
            staged = Int16LaneTile.group(q, a, b, cols(), in, out, outStride, r, rowTo, staged);
        }
        for (int i = 0; i < rowTo - r; i++) {
            decodeRowInt(r + i, q[i], a[i], b[i]);
        }
        Int16LaneTile.lastRows(q, a, b, rowTo - r, cols(), in, out, outStride, r);
    }

    @Override
    public boolean takesIntegerBatches() {
        return Int16LaneTile.AVAILABLE;
    }

    /**
     * {@link BlockTensor#decodeRowInt}: {@code q - 8} per value; per sub-block the scale {@code a = d·sc} and the
     * offset {@code 8a - dmin·m}, so that {@code a·(q - 8) + b = d·sc·q - dmin·m}.
     */
    @Override
    void decodeRowInt(long row, short[] q, float[] scale, float[] offset) {
        MemorySegment s = data();
        long base = row * rowBytes();
        for (int b = 0, n = cols() / 256; b < n; b++) {
            long off = base + 144L * b;
            int dd = LittleEndian.i32(s, off);
            float d = LittleEndian.f16Low(dd);
            float dmin = LittleEndian.f16High(dd);
            long lo = LittleEndian.i64(s, off + SCALES);
            int hi = LittleEndian.i32(s, off + SCALES + 8);
            long scales = KQuantScales.packedScales(lo, hi);
            long mins = KQuantScales.packedMins(lo, hi);
            for (int j = 0; j < 8; j++) {
                float a = d * KQuantScales.at(scales, j);
                scale[8 * b + j] = a;
                offset[8 * b + j] = 8f * a - dmin * KQuantScales.at(mins, j);
            }
            for (int k = 0; k < 4; k++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B32, s, off + QS + 32 * k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S32, 0);
                int o = 256 * b + 64 * k;
                v.and((short) 0xF).sub((short) 8).intoArray(q, o);
                v.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8).intoArray(q, o + 32);
            }
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
        int sub = i / 32;
        int b = LittleEndian.u8(s, off + QS + 32 * (sub / 2) + i % 32);
        int q = sub % 2 == 0 ? b & 0xF : b >>> 4;
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
        for (int k = 0; k < 4; k++) {
            float d1 = d * KQuantScales.at(scales, 2 * k);
            float m1 = dmin * KQuantScales.at(mins, 2 * k);
            float d2 = d * KQuantScales.at(scales, 2 * k + 1);
            float m2 = dmin * KQuantScales.at(mins, 2 * k + 1);
            for (int j = 0; j < 32; j += L) {
                IntVector q = Simd.u8(s, off + QS + 32 * k, j);
                int y = o + 64 * k + j;
                Simd.toFloat(q.and(0xF)).mul(d1).sub(m1).intoArray(out, y);
                Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(out, y + 32);
            }
        }
    }

    /** One row; {@link #matVec} computes the sub-block sums of {@code x} once for all its rows. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        if (L == 4) {
            return narrowDot(row, x, xOff, subBlockSums(x, xOff, cols()));
        }
        if (Simd.L < 8) {
            float[] w = KernelScratch.rows(cols())[0]; // 2 lanes (no SIMD): decode the row, then floatDot
            decodeRow(row, w);
            return floatDot(w, x, xOff, cols());
        }
        return dot(row, x, xOff, subBlockSums(x, xOff, cols()), KernelScratch.scales());
    }

    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        if (Simd.BLOCK_KERNELS && L == 4) {
            float[] sums = subBlockSums(x, 0, cols());
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = narrowDot(r, x, 0, sums);
            }
            return;
        }
        if (!Simd.BLOCK_KERNELS || Simd.L < 8) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = dot(r, x, 0);
            }
            return;
        }
        float[] sums = subBlockSums(x, 0, cols());
        float[] scales = KernelScratch.scales();
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0, sums, scales);
        }
    }

    /**
     * Per super-block 16 floats: 0 eight times, then {@code Σ x} of each of its 8 sub-blocks. Lined up with the
     * scale vector {@code [d·sc_0..7, -dmin·m_0..7]}, one fused multiply-add per super-block gives the min terms.
     * Q5_K's 16-lane kernel uses it too (same sub-blocks, same scales).
     */
    static float[] subBlockSums(float[] x, int xOff, int cols) {
        int blocks = cols / 256;
        float[] sums = KernelScratch.sums(16 * blocks);
        for (int b = 0; b < blocks; b++) {
            Arrays.fill(sums, 16 * b, 16 * b + 8, 0f); // the lanes that meet the scales
            for (int sub = 0; sub < 8; sub++) {
                float t = 0f;
                for (int i = 0; i < 32; i++) {
                    t += x[xOff + 256 * b + 32 * sub + i];
                }
                sums[16 * b + 8 + sub] = t;
            }
        }
        return sums;
    }

    /**
     * The fused kernel for 4 float lanes (128-bit vectors, ARM NEON's width), smaller than {@link #dot}'s so that C2
     * inlines all of it: a super-block's scales and min terms stay scalar, and each 8-byte load of nibbles is widened
     * in its two constant parts. The 16-lane kernel's scale vector would need a part index C2 cannot see as a
     * constant at this width, which it does not intrinsify.
     */
    private float narrowDot(long row, float[] x, int xOff, float[] sums) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        float minTerms = 0f;
        for (int b = 0; b < blocks; b++) {
            long off = base + 144L * b;
            long head = LittleEndian.i64(s, off);
            long tail = LittleEndian.i64(s, off + 8);
            float d = LittleEndian.f16Low((int) head);
            long scales = KQuantScales.scalesOf(head, tail);
            minTerms += KQuantScales.minTerms(KQuantScales.minsOf(head, tail), LittleEndian.f16High((int) head), sums, 16 * b + 8);
            for (int k = 0; k < 4; k++) {
                int y = xOff + 256 * b + 64 * k;
                FloatVector low = FloatVector.zero(F);
                FloatVector high = FloatVector.zero(F);
                for (int j = 0; j < 32; j += 8) {
                    ByteVector q = Simd.bytes(s, off + QS + 32 * k + j);
                    IntVector q0 = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
                    IntVector q1 = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 1);
                    low = Simd.toFloat(q0.and(0xF)).fma(FloatVector.fromArray(F, x, y + j), low);
                    low = Simd.toFloat(q1.and(0xF)).fma(FloatVector.fromArray(F, x, y + j + 4), low);
                    high = Simd.toFloat(q0.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, y + 32 + j), high);
                    high = Simd.toFloat(q1.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, y + 36 + j), high);
                }
                acc = low.fma(FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * k)), acc);
                acc = high.fma(FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * k + 1)), acc);
            }
        }
        float[] lanes = KernelScratch.scales();
        acc.intoArray(lanes, 0);
        return LaneSum.ofStored(lanes) - minTerms;
    }

    /**
     * {@code Σ_j d·sc_j·Σ q·x - dmin·m_j·Σ x} over the sub-blocks {@code j}: the nibbles times {@code x} sum in
     * registers per sub-block and take their scale once; the min terms come from the precomputed sums of {@code x}.
     * A super-block's 8 scales and 8 mins are converted as one vector and stored to {@code scales}, so the sub-blocks
     * broadcast them from memory. 1536-column rows in L2, one thread: 104–118 → 74 ps per weight (the old kernel
     * formed every weight as {@code q·(d·sc) - dmin·m}, a fused multiply-add per 16 values more).
     */
    private float dot(long row, float[] x, int xOff, float[] sums, float[] scales) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 144L * b;
            int xo = xOff + 256 * b;
            long head = LittleEndian.i64(s, off);     // d, dmin, scale bytes 0-3
            long tail = LittleEndian.i64(s, off + 8); // scale bytes 4-11; two reads, not three: C2's budget
            float d = LittleEndian.f16Low((int) head);
            float dmin = LittleEndian.f16High((int) head);
            ByteVector packed = LongVector.zero(LONGS).withLane(0, KQuantScales.scalesOf(head, tail))
                    .withLane(1, KQuantScales.minsOf(head, tail)).reinterpretAsBytes();
            if (L == 16) {
                FloatVector factor = FloatVector.broadcast(F, -dmin).blend(d, FIRST_EIGHT);
                FloatVector sc = ((FloatVector) packed.convertShape(VectorOperators.B2F, F, 0)).mul(factor);
                sc.intoArray(scales, 0);
                acc1 = sc.fma(FloatVector.fromArray(F, sums, 16 * b), acc1); // min terms; the scales meet zeros
            } else {
                for (int p = 0; p < 16; p += L) {
                    FloatVector factor = FloatVector.broadcast(F, p < 8 ? d : -dmin); // all scales or all mins
                    FloatVector sc = ((FloatVector) packed.convertShape(VectorOperators.B2F, F, p / L)).mul(factor);
                    sc.intoArray(scales, p);
                    acc1 = sc.fma(FloatVector.fromArray(F, sums, 16 * b + p), acc1);
                }
            }
            for (int k = 0; k < 4; k++) {
                int y = xo + 64 * k;
                FloatVector low;
                FloatVector high;
                if (L == 16) {
                    IntVector q = Simd.u8(s, off + QS + 32 * k, 0);
                    low = Simd.toFloat(q.and(0xF)).mul(FloatVector.fromArray(F, x, y));
                    high = Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).mul(FloatVector.fromArray(F, x, y + 32));
                    q = Simd.u8(s, off + QS + 32 * k, 16);
                    low = Simd.toFloat(q.and(0xF)).fma(FloatVector.fromArray(F, x, y + 16), low);
                    high = Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, y + 48), high);
                } else {
                    // One loop body, no peeled first step: a second copy took the AVX2 build of this kernel past
                    // C2's inlining budget (every vector operation then ran as allocating Java code).
                    low = FloatVector.zero(F);
                    high = FloatVector.zero(F);
                    for (int j = 0; j < 32; j += L) {
                        IntVector q = Simd.u8(s, off + QS + 32 * k, j);
                        low = Simd.toFloat(q.and(0xF)).fma(FloatVector.fromArray(F, x, y + j), low);
                        high = Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, y + 32 + j), high);
                    }
                }
                acc1 = low.fma(FloatVector.broadcast(F, scales[2 * k]), acc1);
                acc2 = high.fma(FloatVector.broadcast(F, scales[2 * k + 1]), acc2);
            }
        }
        // One lane sum per row, not two: in L2, one thread, alternating in one JVM, 110 → 90 ps per weight. Summed
        // from memory: LaneSum.of's shuffles would pass C2's inlining budget and allocate their vector every row.
        acc1.add(acc2).intoArray(scales, 0);
        return LaneSum.ofStored(scales);
    }
}
