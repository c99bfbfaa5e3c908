package org.gemma4j.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gemma4j.tensor.GgmlType;
import org.gemma4j.tensor.Tensor;

/**
 * A GGUF v2/v3 file, memory-mapped read-only. Metadata and the tensor table are parsed on open (every
 * offset and count checked against the file); tensor data is never copied: {@link #tensor} returns a view
 * into the mapping.
 *
 * <p>Metadata values: integer scalars are {@code Integer} (8-, 16-bit and i32) or {@code Long} (u32, i64,
 * u64); {@code Float}, {@code Double}, {@code Boolean}, {@code String}. Arrays are {@code int[]} (8-, 16-bit,
 * i32), {@code long[]} (u32, 64-bit), {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]},
 * or {@code Object[]} of those for nested arrays.
 *
 * <p>Thread safety: safe to share between threads once opened. {@link #close()} unmaps the file; tensors
 * taken from it must not be used afterwards (they then throw {@link IllegalStateException}).
 */
public final class GgufFile implements AutoCloseable {
    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    /** The tensors handed out, one per name, so that each keeps one set of layouts and close() can free them. */
    private final Map<String, Tensor> handedOut = new LinkedHashMap<>();
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensorInfos;
    private final long dataStart;

    private GgufFile(Path path, Arena arena, MemorySegment file, int version, Map<String, Object> metadata,
            Map<String, GgufTensorInfo> tensorInfos, long dataStart) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.version = version;
        this.metadata = metadata;
        this.tensorInfos = tensorInfos;
        this.dataStart = dataStart;
    }

    /** Maps and parses {@code path}. */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                segment = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            return parse(path, arena, segment);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment seg) throws GgufFormatException {
        Cursor c = new Cursor(path, seg);
        if (seg.byteSize() < 24) {
            throw new GgufFormatException(path, "not a GGUF file: only " + seg.byteSize() + " bytes");
        }
        int magic = c.i32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException(path, String.format("not a GGUF file: magic 0x%08x, expected 0x%08x (\"GGUF\")", magic, MAGIC));
        }
        int version = c.i32("version");
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw new GgufFormatException(path, "big-endian GGUF files are not supported");
            }
            throw new GgufFormatException(path, "unsupported GGUF version " + version + " (supported: 2, 3)");
        }
        long tensorCount = c.u64("tensor count");
        long kvCount = c.u64("metadata count");
        // Each KV takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least 8 + 4 + 4 + 8.
        if (kvCount > c.remaining() / 13 || tensorCount > c.remaining() / 24) {
            throw new GgufFormatException(path, "header claims " + kvCount + " metadata entries and " + tensorCount
                    + " tensors, more than a file of " + seg.byteSize() + " bytes can hold");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = c.string("metadata key #" + i);
            int typeId = c.i32("type of key " + key);
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw new GgufFormatException(path, "key " + key + ": unknown value type " + typeId + " at offset " + (c.pos - 4));
            }
            if (metadata.put(key, c.value(type, key)) != null) {
                throw new GgufFormatException(path, "duplicate metadata key " + key);
            }
        }
        long alignment = DEFAULT_ALIGNMENT;
        Object a = metadata.get("general.alignment");
        if (a != null) {
            if (!(a instanceof Number n) || n.longValue() <= 0 || Long.bitCount(n.longValue()) != 1) {
                throw new GgufFormatException(path, "general.alignment must be a power of two, got " + a);
            }
            alignment = n.longValue();
        }
        Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = c.string("name of tensor #" + i);
            int nDims = c.i32("dimension count of tensor " + name);
            if (nDims < 1 || nDims > 4) {
                throw new GgufFormatException(path, "tensor " + name + ": " + nDims + " dimensions (expected 1 to 4)");
            }
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = c.u64("dimension " + d + " of tensor " + name);
                if (ne[d] <= 0 || ne[d] > (1L << 40)) {
                    throw new GgufFormatException(path, "tensor " + name + ": bad dimension ne[" + d + "] = " + ne[d]);
                }
            }
            int typeId = c.i32("type of tensor " + name);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new GgufFormatException(path, "tensor " + name + ": unknown ggml type id " + typeId);
            }
            long offset = c.u64("offset of tensor " + name);
            long elements = 1;
            for (long d : ne) {
                elements = Math.multiplyHigh(elements, d) != 0 ? -1 : elements * d;
                if (elements < 0) {
                    throw new GgufFormatException(path, "tensor " + name + ": element count overflows");
                }
            }
            if (ne[0] % type.blockSize() != 0) {
                throw new GgufFormatException(path, "tensor " + name + ": row length " + ne[0] + " is not a multiple of the "
                        + type + " block size " + type.blockSize());
            }
            long bytes = type.bytesFor(elements);
            if (offset % alignment != 0) {
                throw new GgufFormatException(path, "tensor " + name + ": data offset " + offset + " is not aligned to " + alignment);
            }
            if (infos.put(name, new GgufTensorInfo(name, type, ne, offset, bytes)) != null) {
                throw new GgufFormatException(path, "duplicate tensor " + name);
            }
        }
        long dataStart = (c.pos + alignment - 1) / alignment * alignment;
        long dataSize = seg.byteSize() - dataStart;
        for (GgufTensorInfo t : infos.values()) {
            if (dataStart > seg.byteSize() || t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                throw new GgufFormatException(path, "tensor " + t.name() + " (" + t.type() + ", " + t.byteSize()
                        + " bytes at data offset " + t.offset() + ") runs past the end of the file ("
                        + seg.byteSize() + " bytes, data section starts at " + dataStart + "): truncated file?");
            }
        }
        return new GgufFile(path, arena, seg, version, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(infos), dataStart);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** All metadata, in file order (value types: see the class comment). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** All tensor infos, in file order. */
    public Collection<GgufTensorInfo> tensorInfos() {
        return tensorInfos.values();
    }

    /** The tensor info of {@code name}, or {@code null}. */
    public GgufTensorInfo tensorInfo(String name) {
        return tensorInfos.get(name);
    }

    public boolean hasTensor(String name) {
        return tensorInfos.containsKey(name);
    }

    /** Byte offset of the data section in the file. */
    public long dataStart() {
        return dataStart;
    }

    /** The raw bytes of a tensor (a view into the mapping). */
    public MemorySegment tensorData(String name) throws GgufFormatException {
        GgufTensorInfo info = require(name);
        return file.asSlice(dataStart + info.offset(), info.byteSize());
    }

    /**
     * A view of tensor {@code name}, the same instance on every call; {@link #close()} releases what it allocates
     * ({@link Tensor#releaseLayouts()}).
     */
    public Tensor tensor(String name) throws GgufFormatException {
        GgufTensorInfo info = require(name);
        try {
            synchronized (handedOut) {
                Tensor t = handedOut.get(name);
                if (t == null) {
                    t = Tensor.of(name, info.type(), info.shape(), tensorData(name));
                    handedOut.put(name, t);
                }
                return t;
            }
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(path, e.getMessage());
        }
    }

    private GgufTensorInfo require(String name) throws GgufFormatException {
        GgufTensorInfo info = tensorInfos.get(name);
        if (info == null) {
            throw new GgufFormatException(path, "missing tensor " + name);
        }
        return info;
    }

    /** Releases the tensors' layouts, then unmaps the file. No tensor of this file may be used afterwards. */
    @Override
    public void close() {
        synchronized (handedOut) {
            handedOut.values().forEach(Tensor::releaseLayouts);
            handedOut.clear();
        }
        arena.close();
    }

    /** Bounds-checked little-endian reader over the header. */
    private static final class Cursor {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final int MAX_DEPTH = 8;

        private final Path path;
        private final MemorySegment seg;
        private long pos;

        Cursor(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        long remaining() {
            return seg.byteSize() - pos;
        }

        private long take(long n, String what) throws GgufFormatException {
            if (n < 0 || n > remaining()) {
                throw new GgufFormatException(path, "truncated file: " + what + " needs " + n + " bytes at offset " + pos
                        + ", but the file has " + seg.byteSize() + " bytes");
            }
            long p = pos;
            pos += n;
            return p;
        }

        int i32(String what) throws GgufFormatException {
            return seg.get(I32, take(4, what));
        }

        long u64(String what) throws GgufFormatException {
            long v = seg.get(I64, take(8, what));
            if (v < 0) {
                throw new GgufFormatException(path, what + ": value " + Long.toUnsignedString(v) + " at offset " + (pos - 8) + " is out of range");
            }
            return v;
        }

        String string(String what) throws GgufFormatException {
            long len = u64("length of " + what);
            if (len > Integer.MAX_VALUE - 16) {
                throw new GgufFormatException(path, what + ": string length " + len + " at offset " + (pos - 8) + " is out of range");
            }
            long p = take(len, what);
            // Malformed UTF-8 becomes U+FFFD rather than failing the whole file.
            return new String(seg.asSlice(p, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }

        Object value(GgufValueType type, String key) throws GgufFormatException {
            return value(type, key, 0);
        }

        private Object value(GgufValueType type, String key, int depth) throws GgufFormatException {
            return switch (type) {
                case UINT8 -> Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, take(1, key)));
                case INT8 -> (int) seg.get(ValueLayout.JAVA_BYTE, take(1, key));
                case UINT16 -> Short.toUnsignedInt(seg.get(I16, take(2, key)));
                case INT16 -> (int) seg.get(I16, take(2, key));
                case INT32 -> seg.get(I32, take(4, key));
                case UINT32 -> Integer.toUnsignedLong(seg.get(I32, take(4, key)));
                case INT64, UINT64 -> seg.get(I64, take(8, key));
                case FLOAT32 -> seg.get(F32, take(4, key));
                case FLOAT64 -> seg.get(F64, take(8, key));
                case BOOL -> {
                    byte b = seg.get(ValueLayout.JAVA_BYTE, take(1, key));
                    if (b != 0 && b != 1) {
                        throw new GgufFormatException(path, "key " + key + ": bool value " + b + " at offset " + (pos - 1));
                    }
                    yield b == 1;
                }
                case STRING -> string("value of " + key);
                case ARRAY -> array(key, depth);
            };
        }

        private Object array(String key, int depth) throws GgufFormatException {
            if (depth >= MAX_DEPTH) {
                throw new GgufFormatException(path, "key " + key + ": arrays nested deeper than " + MAX_DEPTH);
            }
            int typeId = i32("element type of " + key);
            GgufValueType et = GgufValueType.byId(typeId);
            if (et == null) {
                throw new GgufFormatException(path, "key " + key + ": unknown array element type " + typeId + " at offset " + (pos - 4));
            }
            long n = u64("length of array " + key);
            long minBytes = et.size() > 0 ? et.size() : (et == GgufValueType.STRING ? 8 : 12);
            if (n > remaining() / minBytes || n > Integer.MAX_VALUE - 16) {
                throw new GgufFormatException(path, "key " + key + ": array of " + n + " " + et
                        + " values at offset " + (pos - 8) + " does not fit in the file");
            }
            int len = (int) n;
            switch (et) {
                case UINT8, INT8, UINT16, INT16, INT32 -> {
                    int[] out = new int[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = ((Number) value(et, key, depth + 1)).intValue();
                    }
                    return out;
                }
                case UINT32, INT64, UINT64 -> {
                    long[] out = new long[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = ((Number) value(et, key, depth + 1)).longValue();
                    }
                    return out;
                }
                case FLOAT32 -> {
                    float[] out = new float[len];
                    MemorySegment.copy(seg, F32, take(4L * len, key), out, 0, len);
                    return out;
                }
                case FLOAT64 -> {
                    double[] out = new double[len];
                    MemorySegment.copy(seg, F64, take(8L * len, key), out, 0, len);
                    return out;
                }
                case BOOL -> {
                    boolean[] out = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = (Boolean) value(et, key, depth + 1);
                    }
                    return out;
                }
                case STRING -> {
                    String[] out = new String[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = string(key + "[" + i + "]");
                    }
                    return out;
                }
                case ARRAY -> {
                    Object[] out = new Object[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = array(key + "[" + i + "]", depth + 1);
                    }
                    return out;
                }
                default -> throw new AssertionError(et);
            }
        }
    }
}
