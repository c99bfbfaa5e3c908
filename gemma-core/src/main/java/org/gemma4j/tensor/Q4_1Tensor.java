package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/** Q4_1: blocks of 32 values {@code d · q + m}, {@code d, m} fp16, nibbles as in Q4_0 (20 bytes). */
final class Q4_1Tensor extends BlockTensor {
    Q4_1Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_1, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        float m = LittleEndian.f16(s, off + 2);
        for (int j = 0; j < 16; j++) {
            int q = LittleEndian.u8(s, off + 4 + j);
            out[o + j] = d * (q & 0xF) + m;
            out[o + j + 16] = d * (q >>> 4) + m;
        }
    }
}
