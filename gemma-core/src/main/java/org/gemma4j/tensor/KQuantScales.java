package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The 12 bytes of packed 6-bit scales and mins of Q4_K and Q5_K super-blocks: eight (scale, min) pairs, one per
 * 32-value sub-block. Pairs 0-3 are the low 6 bits of bytes 0-3 (scales) and 4-7 (mins); pairs 4-7 take their low
 * 4 bits from the nibbles of bytes 8-11 and their high 2 bits from the top bits of bytes 0-3 / 4-7.
 */
final class KQuantScales {
    private KQuantScales() {}

    /**
     * The eight scales as the bytes of one long (byte {@code j} = scale of sub-block {@code j}), from the 12 bytes read
     * as a long {@code lo} (bytes 0-7) and an int {@code hi} (bytes 8-11): the kernels unpack a super-block's scales
     * with two loads and a few bit operations instead of 16 byte reads.
     */
    static long packedScales(long lo, int hi) {
        long low = lo & 0x3F3F3F3FL;                                           // sub-blocks 0-3: bytes 0-3, low 6 bits
        long high = (hi & 0x0F0F0F0FL) | ((lo & 0xC0C0C0C0L) >>> 2);           // 4-7: nibbles of 8-11, top bits of 0-3
        return low | high << 32;
    }

    /** The eight mins as the bytes of one long; see {@link #packedScales}. */
    static long packedMins(long lo, int hi) {
        long low = (lo >>> 32) & 0x3F3F3F3FL;                                  // sub-blocks 0-3: bytes 4-7, low 6 bits
        long high = ((hi >>> 4) & 0x0F0F0F0FL) | (((lo >>> 32) & 0xC0C0C0C0L) >>> 2); // 4-7: high nibbles of 8-11, top bits of 4-7
        return low | high << 32;
    }

    /**
     * {@link #packedScales} from the first 16 bytes of a super-block read as two longs: {@code head} holds
     * {@code d, dmin} and scale bytes 0-3, {@code tail} scale bytes 4-11.
     */
    static long scalesOf(long head, long tail) {
        return packedScales((head >>> 32) | (tail << 32), (int) (tail >>> 32));
    }

    /** {@link #packedMins} from the first 16 bytes of a super-block; see {@link #scalesOf}. */
    static long minsOf(long head, long tail) {
        return packedMins((head >>> 32) | (tail << 32), (int) (tail >>> 32));
    }

    /**
     * {@code Σ_j dmin·m_j·Σx_j} over a super-block's 8 sub-blocks: its min terms, from the sums of {@code x} per
     * sub-block at {@code sums[at .. at+8)}.
     */
    static float minTerms(long mins, float dmin, float[] sums, int at) {
        float t = 0f;
        for (int j = 0; j < 8; j++) {
            t += dmin * at(mins, j) * sums[at + j];
        }
        return t;
    }

    /** Byte {@code j} of a packed long. */
    static int at(long packed, int j) {
        return (int) (packed >>> (8 * j)) & 0xFF;
    }

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
