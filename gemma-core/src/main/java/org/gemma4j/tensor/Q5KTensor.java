package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: like Q4_K with a fifth bit per value: {@code d, dmin} fp16, 12 bytes of scales, 32 bytes of high bits
 * (bit {@code j} of byte {@code l} belongs to value {@code l} of sub-block {@code j}), 128 bytes of nibbles
 * (176 bytes).
 */
final class Q5KTensor extends BlockTensor {
    Q5KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q5_K, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        float dmin = LittleEndian.f16(s, off + 2);
        int[] sc = new int[8];
        int[] mn = new int[8];
        KQuantScales.unpack(s, off + 4, sc, mn);
        long qh = off + 16;
        long ql = off + 48;
        for (int j = 0; j < 4; j++) {
            float d1 = d * sc[2 * j];
            float m1 = dmin * mn[2 * j];
            float d2 = d * sc[2 * j + 1];
            float m2 = dmin * mn[2 * j + 1];
            for (int l = 0; l < 32; l++) {
                int b = LittleEndian.u8(s, ql + 32L * j + l);
                int h = LittleEndian.u8(s, qh + l);
                out[o + 64 * j + l] = d1 * ((b & 0xF) | (((h >>> (2 * j)) & 1) << 4)) - m1;
                out[o + 64 * j + 32 + l] = d2 * ((b >>> 4) | (((h >>> (2 * j + 1)) & 1) << 4)) - m2;
            }
        }
    }
}
