package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K: super-blocks of 256 values in 8 sub-blocks of 32, value {@code (d·sc_j)·q - dmin·m_j}: {@code d, dmin}
 * fp16, 12 bytes of 6-bit (sc, m) pairs ({@link KQuantScales}), 128 bytes of 4-bit {@code q} (144 bytes). Each
 * 32-byte run of nibbles holds two sub-blocks: the low nibbles sub-block {@code 2k}, the high ones {@code 2k+1}.
 */
final class Q4KTensor extends BlockTensor {
    private static final int SCALES = 4;
    private static final int QS = 16;

    Q4KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_K, ne, data);
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

    /**
     * Decodes in registers ({@code q·(d·sc) - dmin·m} fused) and accumulates {@code w·x}; the low- and high-nibble
     * sub-blocks go to separate accumulators so the two fused multiply-add chains overlap.
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
            long off = base + 144L * b;
            int xo = xOff + 256 * b;
            int dd = LittleEndian.i32(s, off);
            float d = LittleEndian.f16Low(dd);
            float dmin = LittleEndian.f16High(dd);
            long lo = LittleEndian.i64(s, off + SCALES);
            int hi = LittleEndian.i32(s, off + SCALES + 8);
            long scales = KQuantScales.packedScales(lo, hi);
            long mins = KQuantScales.packedMins(lo, hi);
            for (int k = 0; k < 4; k++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * k));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, 2 * k));
                FloatVector d2 = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * k + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, 2 * k + 1));
                for (int j = 0; j < 32; j += L) {
                    IntVector q = Simd.u8(s, off + QS + 32 * k, j);
                    int y = xo + 64 * k + j;
                    FloatVector w1 = Simd.toFloat(q.and(0xF)).fma(d1, m1);
                    FloatVector w2 = Simd.toFloat(q.lanewise(VectorOperators.LSHR, 4)).fma(d2, m2);
                    acc1 = w1.fma(FloatVector.fromArray(F, x, y), acc1);
                    acc2 = w2.fma(FloatVector.fromArray(F, x, y + 32), acc2);
                }
            }
        }
        return LaneSum.of(acc1.add(acc2));
    }
}
