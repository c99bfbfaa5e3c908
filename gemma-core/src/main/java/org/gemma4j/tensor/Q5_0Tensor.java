package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 values {@code d · (q - 16)} with 5-bit {@code q}: {@code d} fp16, 32 high bits {@code qh}
 * (bit {@code j} for value {@code j}), then nibbles as in Q4_0 (22 bytes).
 */
final class Q5_0Tensor extends BlockTensor {
    Q5_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q5_0, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        int qh = LittleEndian.i32(s, off + 2);
        for (int j = 0; j < 16; j++) {
            int q = LittleEndian.u8(s, off + 6 + j);
            int lo = (q & 0xF) | (((qh >>> j) & 1) << 4);
            int hi = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
            out[o + j] = d * (lo - 16);
            out[o + j + 16] = d * (hi - 16);
        }
    }
}
