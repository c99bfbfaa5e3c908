package org.gemma4j.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gemma4j.tensor.GgmlType;

/**
 * Writes GGUF v3 files: metadata in insertion order, then tensors, each aligned to {@code general.alignment}
 * (32). Tensor data is streamed, so multi-gigabyte files can be written without holding them in memory.
 *
 * <p>Used by tests to build small models and by {@code gemma synth}. Never overwrites an existing file.
 * Not thread-safe.
 */
public final class GgufWriter {
    /** Produces a tensor's bytes on demand, exactly {@code byteSize} of them. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(GgufValueType type, GgufValueType elementType, Object value) {}

    private record PendingTensor(String name, GgmlType type, long[] ne, long byteSize, TensorBytes bytes) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final int alignment = GgufFile.DEFAULT_ALIGNMENT;

    public GgufWriter putString(String key, String value) {
        return put(key, new Entry(GgufValueType.STRING, null, value));
    }

    public GgufWriter putU32(String key, long value) {
        return put(key, new Entry(GgufValueType.UINT32, null, value));
    }

    public GgufWriter putI32(String key, int value) {
        return put(key, new Entry(GgufValueType.INT32, null, value));
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, new Entry(GgufValueType.FLOAT32, null, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new Entry(GgufValueType.BOOL, null, value));
    }

    /**
     * An array of scalars or strings. {@code values} is a {@code String[]}, {@code boolean[]}, {@code float[]},
     * {@code int[]} (for 8/16/32-bit element types) or {@code long[]} (for u32/64-bit element types).
     */
    public GgufWriter putArray(String key, GgufValueType elementType, Object values) {
        return put(key, new Entry(GgufValueType.ARRAY, elementType, values));
    }

    /** Writes a raw metadata entry of any scalar type ({@code value} a Number, Boolean or String). */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        if (type == GgufValueType.ARRAY) {
            throw new IllegalArgumentException("use putArray for arrays");
        }
        return put(key, new Entry(type, null, value));
    }

    private GgufWriter put(String key, Entry e) {
        metadata.put(key, e);
        return this;
    }

    /** Adds a tensor whose {@code type.bytesFor(elements)} bytes come from {@code bytes}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, TensorBytes bytes) {
        long elements = 1;
        for (long d : ne) {
            elements = Math.multiplyExact(elements, d);
        }
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": row length " + ne[0] + " not a multiple of " + type.blockSize());
        }
        tensors.add(new PendingTensor(name, type, ne.clone(), type.bytesFor(elements), bytes));
        return this;
    }

    /** Adds a tensor from bytes in memory. */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, byte[] data) {
        long expected = type.bytesFor(elements(ne));
        if (data.length != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.length + " bytes given, " + expected + " expected");
        }
        return addTensor(name, type, ne, out -> out.write(data));
    }

    /** Adds an F32 tensor. */
    public GgufWriter addF32(String name, long[] ne, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return addTensor(name, GgmlType.F32, ne, b.array());
    }

    private static long elements(long[] ne) {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Writes the file. Writes to a temporary file beside {@code target} and moves it into place, so a failure
     * leaves nothing half-written.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     */
    public void write(Path target) throws IOException {
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite");
        }
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".partial");
        try {
            try (OutputStream raw = Files.newOutputStream(tmp);
                 CountingOutput out = new CountingOutput(new BufferedOutputStream(raw, 1 << 20))) {
                writeTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeTo(CountingOutput out) throws IOException {
        out.i32(GgufFile.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Map.Entry<String, Entry> kv : metadata.entrySet()) {
            out.string(kv.getKey());
            Entry e = kv.getValue();
            out.i32(e.type().id());
            if (e.type() == GgufValueType.ARRAY) {
                writeArray(out, e.elementType(), e.value());
            } else {
                writeScalar(out, e.type(), e.value());
            }
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            out.string(t.name());
            out.i32(t.ne().length);
            for (long d : t.ne()) {
                out.i64(d);
            }
            out.i32(t.type().id());
            out.i64(offset);
            offset = align(offset + t.byteSize());
        }
        out.pad(align(out.count()) - out.count());
        for (PendingTensor t : tensors) {
            long start = out.count();
            t.bytes().writeTo(out);
            long written = out.count() - start;
            if (written != t.byteSize()) {
                throw new IOException("tensor " + t.name() + ": wrote " + written + " bytes, expected " + t.byteSize());
            }
            out.pad(align(out.count()) - out.count());
        }
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void writeScalar(CountingOutput out, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.write(((Number) v).intValue());
            case UINT16, INT16 -> out.i16(((Number) v).intValue());
            case UINT32, INT32 -> out.i32(((Number) v).intValue());
            case UINT64, INT64 -> out.i64(((Number) v).longValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) v).floatValue()));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            case BOOL -> out.write((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> throw new IllegalArgumentException("nested array");
        }
    }

    private static void writeArray(CountingOutput out, GgufValueType et, Object values) throws IOException {
        out.i32(et.id());
        switch (values) {
            case String[] a -> {
                out.i64(a.length);
                for (String s : a) {
                    out.string(s);
                }
            }
            case boolean[] a -> {
                out.i64(a.length);
                for (boolean b : a) {
                    out.write(b ? 1 : 0);
                }
            }
            case float[] a -> {
                out.i64(a.length);
                for (float f : a) {
                    writeScalar(out, et, f);
                }
            }
            case int[] a -> {
                out.i64(a.length);
                for (int i : a) {
                    writeScalar(out, et, i);
                }
            }
            case long[] a -> {
                out.i64(a.length);
                for (long l : a) {
                    writeScalar(out, et, l);
                }
            }
            default -> throw new IllegalArgumentException("unsupported array " + values.getClass());
        }
    }

    /** Little-endian output that counts bytes (for alignment). */
    private static final class CountingOutput extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        long count() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        void i16(int v) throws IOException {
            write(v & 0xff);
            write((v >>> 8) & 0xff);
        }

        void i32(int v) throws IOException {
            for (int i = 0; i < 4; i++) {
                write((v >>> (8 * i)) & 0xff);
            }
        }

        void i64(long v) throws IOException {
            for (int i = 0; i < 8; i++) {
                write((int) ((v >>> (8 * i)) & 0xff));
            }
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void pad(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                write(0);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
