package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 values {@code d · sc · (q - 32)} with 6-bit {@code q}: 128 bytes of low nibbles,
 * 64 bytes of 2-bit highs, 16 int8 scales (one per 16 values), {@code d} fp16 (210 bytes). Each half of
 * 128 values takes 64 low bytes, 32 high bytes and 8 scales.
 */
final class Q6KTensor extends BlockTensor {
    Q6KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q6_K, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off + 208);
        for (int half = 0; half < 2; half++) {
            long ql = off + 64L * half;
            long qh = off + 128 + 32L * half;
            long sc = off + 192 + 8L * half;
            int y = o + 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo0 = LittleEndian.u8(s, ql + l);
                int lo1 = LittleEndian.u8(s, ql + l + 32);
                int h = LittleEndian.u8(s, qh + l);
                int q1 = ((lo0 & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((lo1 & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo0 >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo1 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                out[y + l] = d * LittleEndian.i8(s, sc + is) * q1;
                out[y + l + 32] = d * LittleEndian.i8(s, sc + is + 2) * q2;
                out[y + l + 64] = d * LittleEndian.i8(s, sc + is + 4) * q3;
                out[y + l + 96] = d * LittleEndian.i8(s, sc + is + 6) * q4;
            }
        }
    }
}
