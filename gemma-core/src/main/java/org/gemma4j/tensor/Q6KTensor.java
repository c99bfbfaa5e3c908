package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.BL;
import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;
import static org.gemma4j.tensor.Simd.PARTS;

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

    Q6KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q6_K, ne, data);
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
        float d = LittleEndian.f16(s, off + D);
        for (int half = 0; half < 2; half++) {
            long ql = off + 64 * half;
            long qh = off + QH + 32 * half;
            long sc = off + SCALES + 8 * half;
            for (int c = 0; c < 32; c += BL) {
                ByteVector lo0 = Simd.bytes(s, ql + c);
                ByteVector lo1 = Simd.bytes(s, ql + 32 + c);
                ByteVector h = Simd.bytes(s, qh + c);
                int is = c / 16; // BL divides 16: a load never straddles two scales
                float d1 = d * LittleEndian.i8(s, sc + is);
                float d2 = d * LittleEndian.i8(s, sc + is + 2);
                float d3 = d * LittleEndian.i8(s, sc + is + 4);
                float d4 = d * LittleEndian.i8(s, sc + is + 6);
                for (int p = 0; p < PARTS; p++) {
                    IntVector a = Simd.u8(lo0, p);
                    IntVector b = Simd.u8(lo1, p);
                    IntVector hb = Simd.u8(h, p);
                    int j = o + 128 * half + c + p * L;
                    Simd.toFloat(q1(a, hb)).mul(d1).intoArray(out, j);
                    Simd.toFloat(q2(b, hb)).mul(d2).intoArray(out, j + 32);
                    Simd.toFloat(q3(a, hb)).mul(d3).intoArray(out, j + 64);
                    Simd.toFloat(q4(b, hb)).mul(d4).intoArray(out, j + 96);
                }
            }
        }
    }

    /** Decodes in registers as {@link #decodeBlock} does and accumulates {@code w·x} in two accumulators. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long off = base + 210L * blk;
            float d = LittleEndian.f16(s, off + D);
            for (int half = 0; half < 2; half++) {
                long ql = off + 64 * half;
                long qh = off + QH + 32 * half;
                long sc = off + SCALES + 8 * half;
                int xo = xOff + 256 * blk + 128 * half;
                for (int c = 0; c < 32; c += BL) {
                    ByteVector lo0 = Simd.bytes(s, ql + c);
                    ByteVector lo1 = Simd.bytes(s, ql + 32 + c);
                    ByteVector h = Simd.bytes(s, qh + c);
                    int is = c / 16;
                    float d1 = d * LittleEndian.i8(s, sc + is);
                    float d2 = d * LittleEndian.i8(s, sc + is + 2);
                    float d3 = d * LittleEndian.i8(s, sc + is + 4);
                    float d4 = d * LittleEndian.i8(s, sc + is + 6);
                    for (int p = 0; p < PARTS; p++) {
                        IntVector a = Simd.u8(lo0, p);
                        IntVector b = Simd.u8(lo1, p);
                        IntVector hb = Simd.u8(h, p);
                        int j = xo + c + p * L;
                        acc1 = Simd.toFloat(q1(a, hb)).mul(d1).fma(FloatVector.fromArray(F, x, j), acc1);
                        acc2 = Simd.toFloat(q2(b, hb)).mul(d2).fma(FloatVector.fromArray(F, x, j + 32), acc2);
                        acc1 = Simd.toFloat(q3(a, hb)).mul(d3).fma(FloatVector.fromArray(F, x, j + 64), acc1);
                        acc2 = Simd.toFloat(q4(b, hb)).mul(d4).fma(FloatVector.fromArray(F, x, j + 96), acc2);
                    }
                }
            }
        }
        return acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }

    // The four 6-bit values of a (ql, qh) lane, minus 32: bits 0-1, 2-3, 4-5, 6-7 of qh become bits 4-5.
    private static IntVector q1(IntVector lo0, IntVector qh) {
        return lo0.and(0xF).or(qh.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32);
    }

    private static IntVector q2(IntVector lo1, IntVector qh) {
        return lo1.and(0xF).or(qh.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32);
    }

    private static IntVector q3(IntVector lo0, IntVector qh) {
        return lo0.lanewise(VectorOperators.LSHR, 4).or(qh.and(0x30)).sub(32);
    }

    private static IntVector q4(IntVector lo1, IntVector qh) {
        return lo1.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
    }
}
