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

    /** The fp16 value at {@code a[off]}, as a float. */
    static float f16(byte[] a, int off) {
        return Float.float16ToFloat((short) (a[off] & 0xFF | a[off + 1] << 8));
    }

    /** The int at {@code a[off]}. */
    static int i32(byte[] a, int off) {
        return a[off] & 0xFF | (a[off + 1] & 0xFF) << 8 | (a[off + 2] & 0xFF) << 16 | a[off + 3] << 24;
    }

    /** The long at {@code a[off]}. */
    static long i64(byte[] a, int off) {
        return i32(a, off) & 0xFFFFFFFFL | (long) i32(a, off + 4) << 32;
    }

    /** Writes {@code v} at {@code a[off]}. */
    static void putFloat(byte[] a, int off, float v) {
        int bits = Float.floatToRawIntBits(v);
        a[off] = (byte) bits;
        a[off + 1] = (byte) (bits >>> 8);
        a[off + 2] = (byte) (bits >>> 16);
        a[off + 3] = (byte) (bits >>> 24);
    }
}
