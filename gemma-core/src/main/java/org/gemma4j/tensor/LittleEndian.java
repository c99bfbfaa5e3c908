package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Unaligned little-endian reads of the scalar fields inside ggml blocks. */
final class LittleEndian {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {}

    /** An fp16 field as float. */
    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(SHORT, off));
    }

    /** A byte field, unsigned. */
    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** A byte field, signed. */
    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    static int i32(MemorySegment s, long off) {
        return s.get(INT, off);
    }

    static long i64(MemorySegment s, long off) {
        return s.get(LONG, off);
    }

    /** The fp16 in the low half of {@code bits} as float (for two fp16 fields read with one {@link #i32}). */
    static float f16Low(int bits) {
        return Float.float16ToFloat((short) bits);
    }

    /** The fp16 in the high half of {@code bits} as float. */
    static float f16High(int bits) {
        return Float.float16ToFloat((short) (bits >>> 16));
    }
}
