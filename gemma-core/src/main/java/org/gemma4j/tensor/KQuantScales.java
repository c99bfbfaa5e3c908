package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The 12 bytes of packed 6-bit scales and mins of Q4_K and Q5_K super-blocks: eight (scale, min) pairs, one per
 * 32-value sub-block. Pairs 0-3 are the low 6 bits of bytes 0-3 (scales) and 4-7 (mins); pairs 4-7 take their low
 * 4 bits from the nibbles of bytes 8-11 and their high 2 bits from the top bits of bytes 0-3 / 4-7.
 */
final class KQuantScales {
    private KQuantScales() {}

    /** Scale of sub-block {@code j} ({@code 0..7}); {@code off} is the first of the 12 bytes. */
    static int scale(MemorySegment s, long off, int j) {
        if (j < 4) {
            return LittleEndian.u8(s, off + j) & 63;
        }
        return (LittleEndian.u8(s, off + j + 4) & 0xF) | ((LittleEndian.u8(s, off + j - 4) >>> 6) << 4);
    }

    /** Min of sub-block {@code j} ({@code 0..7}). */
    static int min(MemorySegment s, long off, int j) {
        if (j < 4) {
            return LittleEndian.u8(s, off + j + 4) & 63;
        }
        return (LittleEndian.u8(s, off + j + 4) >>> 4) | ((LittleEndian.u8(s, off + j) >>> 6) << 4);
    }
}
