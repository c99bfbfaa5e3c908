package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The 12 bytes of packed 6-bit scales and mins of Q4_K and Q5_K super-blocks: eight (scale, min) pairs,
 * one per 32-value sub-block.
 */
final class KQuantScales {
    private KQuantScales() {}

    /** Unpacks into {@code scales[0..8)} and {@code mins[0..8)}. */
    static void unpack(MemorySegment s, long off, int[] scales, int[] mins) {
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                scales[j] = LittleEndian.u8(s, off + j) & 63;
                mins[j] = LittleEndian.u8(s, off + j + 4) & 63;
            } else {
                scales[j] = (LittleEndian.u8(s, off + j + 4) & 0xF) | ((LittleEndian.u8(s, off + j - 4) >>> 6) << 4);
                mins[j] = (LittleEndian.u8(s, off + j + 4) >>> 4) | ((LittleEndian.u8(s, off + j) >>> 6) << 4);
            }
        }
    }
}
