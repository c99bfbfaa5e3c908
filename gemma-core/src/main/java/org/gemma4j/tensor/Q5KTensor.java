package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q5_K: Q4_K with a fifth bit per value: {@code d, dmin} fp16, 12 bytes of scales ({@link KQuantScales}), 32 bytes
 * {@code qh} (bit {@code j} of byte {@code l} is bit 4 of value {@code l} of sub-block {@code j}), 128 bytes of
 * nibbles laid out as in Q4_K (176 bytes).
 */
final class Q5KTensor extends BlockTensor {
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;
    /** Two longs: a super-block's packed scales and mins, as 16 bytes. */
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_128;
    /** Lanes 0-7 of a 16-lane scale vector: the scales (the other 8 are the mins). */
    private static final VectorMask<Float> FIRST_EIGHT = F.indexInRange(0, 8);

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
        if (Simd.BLOCK_KERNELS && L == 16) { // the sub-block sums of x once for all rows: see wideDot
            float[] sums = Q4KTensor.subBlockSums(x, 0, cols());
            float[] scales = KernelScratch.scales();
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = wideDot(r, x, 0, sums, scales);
            }
            return;
        }
        if (Simd.BLOCK_KERNELS && L == 4) {
            float[] sums = Q4KTensor.subBlockSums(x, 0, cols());
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + r] = narrowDot(r, x, 0, sums);
            }
            return;
        }
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
            if (L == 4) { // see narrowValues
                for (int j = 0; j < 32; j += 8) {
                    ByteVector q = narrowValues(s, off, sub, j);
                    Simd.toFloat(q, 0).mul(dsc).sub(m).intoArray(out, o + 32 * sub + j);
                    Simd.toFloat(q, 1).mul(dsc).sub(m).intoArray(out, o + 32 * sub + j + 4);
                }
                continue;
            }
            for (int j = 0; j < 32; j += L) {
                Simd.toFloat(q(s, off, sub, j)).mul(dsc).sub(m).intoArray(out, o + 32 * sub + j);
            }
        }
    }

    /**
     * Values {@code j .. j+8} of sub-block {@code sub} (0..31), assembled on an 8-byte vector: the 4-lane kernels'
     * form. The general one, two widening loads per 4 values, passed C2's node budget at that width (every vector
     * op ran as allocating Java code: 2.4 MB per 64-row batched product of 72 tokens).
     */
    private static ByteVector narrowValues(MemorySegment s, long off, int sub, int j) {
        ByteVector a = Simd.bytes(s, off + QS + 32 * (sub / 2) + j);
        ByteVector h = Simd.bytes(s, off + QH + j);
        return Simd.shiftBytesRight(a, 4 * (sub % 2)).and((byte) 0xF)
                .or(Simd.shiftBytesLeft(Simd.shiftBytesRight(h, sub).and((byte) 1), 4));
    }

    /**
     * Decodes in registers ({@code q·(d·sc) - dmin·m} fused) and accumulates {@code w·x}. One sub-block per outer
     * iteration keeps the loop body small enough for C2 to inline every vector operation. This is the 8-lane
     * (AVX2) kernel; 16 lanes take {@link #wideDot}.
     */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        if (L == 4) {
            return narrowDot(row, x, xOff, Q4KTensor.subBlockSums(x, xOff, cols()));
        }
        if (Simd.L < 8) {
            float[] w = KernelScratch.rows(cols())[0]; // 2 lanes (no SIMD): decode the row, then floatDot
            decodeRow(row, w);
            return floatDot(w, x, xOff, cols());
        }
        if (L == 16) { // a static final: the other kernel is not even parsed
            return wideDot(row, x, xOff, Q4KTensor.subBlockSums(x, xOff, cols()), KernelScratch.scales());
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

    /**
     * The fused kernel for 4 float lanes (128-bit vectors, ARM NEON's width), like Q4_K's: scalar scales and min
     * terms, one sub-block per step with its values assembled on 8-byte vectors (nibble and fifth bit, shift counts
     * from the loop) and widened in two constant parts.
     */
    private float narrowDot(long row, float[] x, int xOff, float[] sums) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        float minTerms = 0f;
        for (int b = 0; b < blocks; b++) {
            long off = base + 176L * b;
            long head = LittleEndian.i64(s, off);
            long tail = LittleEndian.i64(s, off + 8);
            float d = LittleEndian.f16Low((int) head);
            long scales = KQuantScales.scalesOf(head, tail);
            minTerms += KQuantScales.minTerms(KQuantScales.minsOf(head, tail), LittleEndian.f16High((int) head), sums, 16 * b + 8);
            for (int sub = 0; sub < 8; sub++) {
                int y = xOff + 256 * b + 32 * sub;
                FloatVector qx = FloatVector.zero(F);
                for (int j = 0; j < 32; j += 8) {
                    ByteVector q = narrowValues(s, off, sub, j);
                    qx = Simd.toFloat(q, 0).fma(FloatVector.fromArray(F, x, y + j), qx);
                    qx = Simd.toFloat(q, 1).fma(FloatVector.fromArray(F, x, y + j + 4), qx);
                }
                acc = qx.fma(FloatVector.broadcast(F, d * KQuantScales.at(scales, sub)), acc);
            }
        }
        float[] lanes = KernelScratch.scales();
        acc.intoArray(lanes, 0);
        return LaneSum.ofStored(lanes) - minTerms;
    }

    /**
     * The Q4_K kernel with the fifth bits, for 16 lanes: {@code Σ_j d·sc_j·Σ q·x - dmin·m_j·Σ x} over the sub-blocks
     * {@code j}, the values times {@code x} summed in registers per sub-block and scaled once, the min terms from the
     * precomputed sums of {@code x} (see {@code Q4KTensor}). Each 32-byte run of nibbles holds sub-blocks {@code 2k}
     * (low) and {@code 2k+1} (high); their fifth bits are bits {@code 2k}, {@code 2k+1} of the {@code qh} bytes,
     * moved to bit 4 per lane. E2B Q5_K_M layers 3-9, one thread: 157 → 144 ps per weight. With 8 lanes the same
     * kernel passed C2's inlining budget (786 KB of garbage per 64-row matVec), so AVX2 keeps {@link #dot}'s.
     */
    private float wideDot(long row, float[] x, int xOff, float[] sums, float[] scales) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 176L * b;
            int xo = xOff + 256 * b;
            long head = LittleEndian.i64(s, off);     // d, dmin, scale bytes 0-3
            long tail = LittleEndian.i64(s, off + 8); // scale bytes 4-11
            float d = LittleEndian.f16Low((int) head);
            float dmin = LittleEndian.f16High((int) head);
            ByteVector packed = LongVector.zero(LONGS).withLane(0, KQuantScales.scalesOf(head, tail))
                    .withLane(1, KQuantScales.minsOf(head, tail)).reinterpretAsBytes();
            FloatVector factor = FloatVector.broadcast(F, -dmin).blend(d, FIRST_EIGHT);
            FloatVector sc = ((FloatVector) packed.convertShape(VectorOperators.B2F, F, 0)).mul(factor);
            sc.intoArray(scales, 0);
            acc1 = sc.fma(FloatVector.fromArray(F, sums, 16 * b), acc1); // min terms; the scales meet zeros
            for (int k = 0; k < 4; k++) {
                int y = xo + 64 * k;
                FloatVector low = FloatVector.zero(F);
                FloatVector high = FloatVector.zero(F);
                for (int j = 0; j < 32; j += L) { // one body: written out twice it passes C2's budget
                    IntVector q = Simd.u8(s, off + QS + 32 * k, j);
                    IntVector h = Simd.u8(s, off + QH, j).lanewise(VectorOperators.LSHL, 4); // qh bit i at bit 4 + i
                    IntVector q0 = q.and(0xF).or(h.lanewise(VectorOperators.LSHR, 2 * k).and(0x10));
                    IntVector q1 = q.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2 * k + 1).and(0x10));
                    low = Simd.toFloat(q0).fma(FloatVector.fromArray(F, x, y + j), low);
                    high = Simd.toFloat(q1).fma(FloatVector.fromArray(F, x, y + 32 + j), high);
                }
                acc1 = low.fma(FloatVector.broadcast(F, scales[2 * k]), acc1);
                acc2 = high.fma(FloatVector.broadcast(F, scales[2 * k + 1]), acc2);
            }
        }
        acc1.add(acc2).intoArray(scales, 0); // summed from memory, as in Q4KTensor
        return LaneSum.ofStored(scales);
    }

    /** The 5-bit values {@code j .. j+L} of sub-block {@code sub}: its nibbles, and bit {@code sub} of {@code qh} as bit 4. */
    private static IntVector q(MemorySegment s, long off, int sub, int j) {
        IntVector nibbles = Simd.u8(s, off + QS + 32 * (sub / 2), j).lanewise(VectorOperators.LSHR, 4 * (sub % 2)).and(0xF);
        IntVector fifth = Simd.u8(s, off + QH, j).lanewise(VectorOperators.LSHR, sub).and(1).lanewise(VectorOperators.LSHL, 4);
        return nibbles.or(fifth);
    }
}
