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
        float d = LittleEndian.f16(s, off);
        float dmin = LittleEndian.f16(s, off + 2);
        for (int k = 0; k < 4; k++) {
            float d1 = d * KQuantScales.scale(s, off + SCALES, 2 * k);
            float m1 = dmin * KQuantScales.min(s, off + SCALES, 2 * k);
            float d2 = d * KQuantScales.scale(s, off + SCALES, 2 * k + 1);
            float m2 = dmin * KQuantScales.min(s, off + SCALES, 2 * k + 1);
            for (int c = 0; c < 32; c += BL) {
                ByteVector q = Simd.bytes(s, off + QS + 32 * k + c);
                ByteVector h = Simd.bytes(s, off + QH + c);
                for (int p = 0; p < PARTS; p++) {
                    IntVector qi = Simd.u8(q, p);
                    IntVector hi = Simd.u8(h, p);
                    int j = o + 64 * k + c + p * L;
                    Simd.toFloat(low(qi, hi, 2 * k)).mul(d1).sub(m1).intoArray(out, j);
                    Simd.toFloat(high(qi, hi, 2 * k + 1)).mul(d2).sub(m2).intoArray(out, j + 32);
                }
            }
        }
    }

    /**
     * Decodes in registers ({@code q·(d·sc) - dmin·m} fused) and accumulates {@code w·x}, the two sub-blocks of a
     * nibble run in separate accumulators.
     */
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
        for (int b = 0; b < blocks; b++) {
            long off = base + 176L * b;
            int xo = xOff + 256 * b;
            float d = LittleEndian.f16(s, off);
            float dmin = LittleEndian.f16(s, off + 2);
            for (int k = 0; k < 4; k++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KQuantScales.scale(s, off + SCALES, 2 * k));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * KQuantScales.min(s, off + SCALES, 2 * k));
                FloatVector d2 = FloatVector.broadcast(F, d * KQuantScales.scale(s, off + SCALES, 2 * k + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * KQuantScales.min(s, off + SCALES, 2 * k + 1));
                for (int c = 0; c < 32; c += BL) {
                    ByteVector q = Simd.bytes(s, off + QS + 32 * k + c);
                    ByteVector h = Simd.bytes(s, off + QH + c);
                    for (int p = 0; p < PARTS; p++) {
                        IntVector qi = Simd.u8(q, p);
                        IntVector hi = Simd.u8(h, p);
                        int j = xo + 64 * k + c + p * L;
                        FloatVector w1 = Simd.toFloat(low(qi, hi, 2 * k)).fma(d1, m1);
                        FloatVector w2 = Simd.toFloat(high(qi, hi, 2 * k + 1)).fma(d2, m2);
                        acc1 = w1.fma(FloatVector.fromArray(F, x, j), acc1);
                        acc2 = w2.fma(FloatVector.fromArray(F, x, j + 32), acc2);
                    }
                }
            }
        }
        return acc1.add(acc2).reduceLanes(VectorOperators.ADD);
    }

    /** Low nibbles with bit {@code sub} of {@code qh} as their fifth bit. */
    private static IntVector low(IntVector q, IntVector qh, int sub) {
        return q.and(0xF).or(fifthBit(qh, sub));
    }

    /** High nibbles with bit {@code sub} of {@code qh} as their fifth bit. */
    private static IntVector high(IntVector q, IntVector qh, int sub) {
        return q.lanewise(VectorOperators.LSHR, 4).or(fifthBit(qh, sub));
    }

    private static IntVector fifthBit(IntVector qh, int sub) {
        return qh.lanewise(VectorOperators.LSHR, sub).and(1).lanewise(VectorOperators.LSHL, 4);
    }
}
