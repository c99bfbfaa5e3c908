package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.BL;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K: super-blocks of 256 values {@code (d·sc)·(q - 32)} with 6-bit {@code q}: 128 bytes {@code ql} of low
 * nibbles, 64 bytes {@code qh} of 2-bit high parts, 16 int8 scales (one per 16 values), {@code d} fp16 (210 bytes).
 * Each half of 128 values uses 64 {@code ql}, 32 {@code qh} and 8 scales: for {@code l < 32} the values
 * {@code l, l+32, l+64, l+96} take the low nibble of {@code ql[l]}, of {@code ql[l+32]}, the high nibble of
 * {@code ql[l]}, of {@code ql[l+32]}, and bits 0-1, 2-3, 4-5, 6-7 of {@code qh[l]}.
 */
final class Q6KTensor extends BlockTensor {
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    private final LazyRowGroups<Q6KRowGroups> rowGroups = new LazyRowGroups<>(() -> new Q6KRowGroups(data(), rows(), cols()));

    Q6KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q6_K, ne, data);
    }

    @Override
    public boolean takesIntegerVectors() {
        return Q6KRowGroups.AVAILABLE && rows() >= Q6KRowGroups.ROWS;
    }

    /**
     * The rows of whole groups in {@code [rowFrom, rowTo)} with {@link Q6KRowGroups} (laid out on first use), the
     * others with the float product of the rounded values. Each row-group type has this
     * method of its own, so that its kernel is compiled into it alone (see
     * {@link Tensor#matVec(float[], float[], int, int, int)}).
     */
    @Override
    public void matVec(QuantizedVector x, float[] out, int outOff, int rowFrom, int rowTo) {
        int n = Q6KRowGroups.ROWS;
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

    Q6KRowGroups rowGroups() {
        return rowGroups.get();
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
        int half = i / 128;
        int quarter = i % 128 / 32;
        int l = i % 32;
        int lo = LittleEndian.u8(s, off + 64 * half + l + 32 * (quarter & 1));
        int nibble = quarter < 2 ? lo & 0xF : lo >>> 4;
        int high = (LittleEndian.u8(s, off + QH + 32 * half + l) >>> (2 * quarter)) & 3;
        int q = (nibble | high << 4) - 32;
        float dsc = LittleEndian.f16(s, off + D) * LittleEndian.i8(s, off + SCALES + 8 * half + l / 16 + 2 * quarter);
        return dsc * q;
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        if (L == 4) {
            decodeBlockNarrow(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off + D);
        for (int half = 0; half < 2; half++) {
            long sc = LittleEndian.i64(s, off + SCALES + 8 * half); // this half's 8 int8 scales
            for (int quarter = 0; quarter < 4; quarter++) {
                for (int j = 0; j < 32; j += L) { // L divides 16: a vector never straddles two scales
                    float dsc = d * scale(sc, j / 16 + 2 * quarter);
                    Simd.toFloat(q(s, off, half, quarter, j).sub(32)).mul(dsc).intoArray(out, o + 128 * half + 32 * quarter + j);
                }
            }
        }
    }

    /** One row, with this thread's 16-float scale buffer. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        if (L == 4) {
            return narrowDot(row, x, xOff);
        }
        if (Simd.L < 8) {
            float[] w = KernelScratch.rows(cols())[0]; // 2 lanes (no SIMD): decode the row, then floatDot
            decodeRow(row, w);
            return floatDot(w, x, xOff, cols());
        }
        return dot(row, x, xOff, KernelScratch.scales());
    }

    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        if (Simd.BLOCK_KERNELS && L == 4) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = narrowDot(r, x, 0);
            }
            return;
        }
        if (!Simd.BLOCK_KERNELS || Simd.L < 8) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = dot(r, x, 0);
            }
            return;
        }
        float[] dsc = KernelScratch.scales();
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0, dsc);
        }
    }

    /**
     * Decodes in registers and accumulates {@code w·x}. The 6-bit values are assembled from their nibble and 2-bit
     * parts on bytes and only then widened to floats; one {@code ql} load feeds two quarters, one {@code qh} load
     * four. x86 has no byte shifts (the Vector API emulates them by widening), so the parts are shifted as 32-bit
     * lanes and masked per byte. The 16 scales {@code d·sc} of a super-block are formed as one vector and stored to
     * {@code dsc}, so each 16-value group broadcasts its scale straight from memory instead of converting it on the
     * vector ports. 1536-column rows in L2, one thread: 163 → 122 ps per weight (shifts), → 102 (scale buffer).
     */
    private float dot(long row, float[] x, int xOff, float[] dsc) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long off = base + 210L * blk;
            float d = LittleEndian.f16(s, off + D);
            if (L == 16) { // straight-line: C2 keeps a one-iteration loop as a loop
                Simd.i8f(s, off + SCALES, 0).mul(d).intoArray(dsc, 0);
            } else {
                for (int g = 0; g < 16; g += L) {
                    Simd.i8f(s, off + SCALES, g).mul(d).intoArray(dsc, g);
                }
            }
            for (int half = 0; half < 2; half++) {
                long ql = off + 64 * half;
                long qh = off + QH + 32 * half;
                int xo = xOff + 256 * blk + 128 * half;
                for (int j = 0; j < 32; j += BL) { // BL divides 16: a byte vector never straddles two scales
                    ByteVector h = Simd.bytes(s, qh + j);
                    int g = 8 * half + j / 16;
                    // k = 0: quarters 0 and 2 (ql[l], qh bits 0-1 and 4-5); k = 1: quarters 1 and 3 (ql[l+32], bits 2-3, 6-7)
                    for (int k = 0; k < 2; k++) {
                        ByteVector a = Simd.bytes(s, ql + 32 * k + j);
                        ByteVector low = a.and((byte) 0xF).or(Simd.shiftBytesLeft(h, 4 - 2 * k).and((byte) 0x30));
                        ByteVector high = Simd.shiftBytesRight(a, 4).and((byte) 0xF).or(Simd.shiftBytesRight(h, 2 * k).and((byte) 0x30));
                        acc = scaledDot(low, x, xo + 32 * k + j, dsc[g + 2 * k], acc);
                        acc = scaledDot(high, x, xo + 64 + 32 * k + j, dsc[g + 4 + 2 * k], acc);
                    }
                }
            }
        }
        // Summed from memory: in a full test run (profiles from the other tests first) LaneSum.of's shuffles were
        // left un-inlined past C2's budget and boxed the accumulator, 96 bytes per row (KernelAllocationTest).
        acc.intoArray(dsc, 0);
        return LaneSum.ofStored(dsc);
    }

    /**
     * The decoder for 4 float lanes, built like {@link #narrowDot}: the general one above, with two widening loads
     * per 4 values, passed C2's node budget at this width when compiled on its own (every vector op then ran as
     * allocating Java code: 3.5 MB per 64-row batched product of 72 tokens).
     */
    private static void decodeBlockNarrow(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off + D);
        for (int half = 0; half < 2; half++) {
            long sc = LittleEndian.i64(s, off + SCALES + 8 * half);
            for (int quarter = 0; quarter < 4; quarter++) {
                for (int j = 0; j < 32; j += 8) {
                    ByteVector q = narrowValues(s, off, half, quarter, j);
                    float dsc = d * scale(sc, j / 16 + 2 * quarter);
                    int y = o + 128 * half + 32 * quarter + j;
                    Simd.toFloat(q, 0).mul(dsc).intoArray(out, y);
                    Simd.toFloat(q, 1).mul(dsc).intoArray(out, y + 4);
                }
            }
        }
    }

    /** Values {@code j .. j+8} of a quarter as signed bytes {@code q - 32}, assembled on an 8-byte vector. */
    private static ByteVector narrowValues(MemorySegment s, long off, int half, int quarter, int j) {
        ByteVector a = Simd.bytes(s, off + 64 * half + 32 * (quarter & 1) + j);
        ByteVector h = Simd.bytes(s, off + QH + 32 * half + j);
        return Simd.shiftBytesRight(a, 4 * (quarter >> 1)).and((byte) 0xF)
                .or(Simd.shiftBytesLeft(Simd.shiftBytesRight(h, 2 * quarter).and((byte) 3), 4)).sub((byte) 32);
    }

    /**
     * The fused kernel for 4 float lanes (128-bit vectors, ARM NEON's width): the values are assembled on 8-byte
     * vectors as in {@link #dot}, widened in two constant parts, and each 8 values take their scale {@code d·sc} as a
     * scalar (the 16-lane kernel's scale vector would need a part index C2 cannot see as a constant here).
     */
    private float narrowDot(long row, float[] x, int xOff) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long off = base + 210L * blk;
            float d = LittleEndian.f16(s, off + D);
            for (int half = 0; half < 2; half++) {
                long sc = LittleEndian.i64(s, off + SCALES + 8 * half);
                int xo = xOff + 256 * blk + 128 * half;
                for (int quarter = 0; quarter < 4; quarter++) {
                    // One quarter per step, its shift counts from the loop: two quarters per step passed C2's
                    // node budget at this width (every vector boxed, 167 MB per pass over four E2B layers).
                    for (int j = 0; j < 32; j += 8) {
                        ByteVector q = narrowValues(s, off, half, quarter, j);
                        int y = xo + 32 * quarter + j;
                        FloatVector qx = Simd.toFloat(q, 0).mul(FloatVector.fromArray(F, x, y));
                        qx = Simd.toFloat(q, 1).fma(FloatVector.fromArray(F, x, y + 4), qx);
                        acc = qx.fma(FloatVector.broadcast(F, d * scale(sc, j / 16 + 2 * quarter)), acc);
                    }
                }
            }
        }
        float[] lanes = KernelScratch.scales();
        acc.intoArray(lanes, 0);
        return LaneSum.ofStored(lanes);
    }

    /** {@code acc + dsc·Σ (q - 32)·x} over the {@code BL} values of {@code q} (6-bit, unsigned) and {@code x[xo ..]}. */
    private static FloatVector scaledDot(ByteVector q, float[] x, int xo, float dsc, FloatVector acc) {
        // One part: this kernel runs with 8+ float lanes only (4 lanes take narrowDot), where a byte vector of BL = L
        // bytes widens to one float vector.
        FloatVector qx = Simd.toFloat(q.sub((byte) 32), 0).mul(FloatVector.fromArray(F, x, xo));
        return qx.fma(FloatVector.broadcast(F, dsc), acc);
    }

    /** Signed byte {@code k} of the 8 scales read as one long. */
    private static int scale(long scales, int k) {
        return (byte) (scales >>> (8 * k));
    }

    /**
     * The unsigned 6-bit values {@code j .. j+L} of a quarter: low nibbles of {@code ql[l]}, of {@code ql[l+32]}, then
     * high nibbles of both; bits {@code 2·quarter, 2·quarter+1} of {@code qh[l]} on top.
     */
    private static IntVector q(MemorySegment s, long off, int half, int quarter, int j) {
        IntVector low = Simd.u8(s, off + 64 * half + 32 * (quarter & 1), j).lanewise(VectorOperators.LSHR, 4 * (quarter >> 1)).and(0xF);
        IntVector high = Simd.u8(s, off + QH + 32 * half, j).lanewise(VectorOperators.LSHR, 2 * quarter).and(3).lanewise(VectorOperators.LSHL, 4);
        return low.or(high);
    }
}
