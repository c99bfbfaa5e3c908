package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 values in 8 sub-blocks of 32, {@code d·sc_j·q - dmin·m_j}: {@code d, dmin} fp16,
 * 12 bytes of 6-bit (sc, m), 128 bytes of nibbles (144 bytes). Each 32-byte run of nibbles holds two
 * sub-blocks: the low nibbles the first, the high nibbles the second.
 */
final class Q4KTensor extends BlockTensor {
    Q4KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_K, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        float dmin = LittleEndian.f16(s, off + 2);
        int[] sc = new int[8];
        int[] mn = new int[8];
        KQuantScales.unpack(s, off + 4, sc, mn);
        long q = off + 16;
        for (int j = 0; j < 4; j++) {
            float d1 = d * sc[2 * j];
            float m1 = dmin * mn[2 * j];
            float d2 = d * sc[2 * j + 1];
            float m2 = dmin * mn[2 * j + 1];
            for (int l = 0; l < 32; l++) {
                int b = LittleEndian.u8(s, q + 32L * j + l);
                out[o + 64 * j + l] = d1 * (b & 0xF) - m1;
                out[o + 64 * j + 32 + l] = d2 * (b >>> 4) - m2;
            }
        }
    }
}
