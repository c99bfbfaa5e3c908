package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/** Q5_1: blocks of 32 values {@code d · q + m} with 5-bit {@code q}: {@code d, m} fp16, {@code qh}, nibbles (24 bytes). */
final class Q5_1Tensor extends BlockTensor {
    Q5_1Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q5_1, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        float m = LittleEndian.f16(s, off + 2);
        int qh = LittleEndian.i32(s, off + 4);
        for (int j = 0; j < 16; j++) {
            int q = LittleEndian.u8(s, off + 8 + j);
            int lo = (q & 0xF) | (((qh >>> j) & 1) << 4);
            int hi = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
            out[o + j] = d * lo + m;
            out[o + j + 16] = d * hi + m;
        }
    }
}
