package org.gemma4j.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.gemma4j.tensor.GgmlType;
import org.gemma4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    private Path writeSmall(String name) throws IOException {
        Path p = dir.resolve(name);
        new GgufWriter()
                .putString("general.architecture", "test")
                .putU32("test.count", 7)
                .putI32("test.neg", -3)
                .putF32("test.f", 1.5f)
                .putBool("test.b", true)
                .putArray("test.bools", GgufValueType.BOOL, new boolean[] {true, false, true})
                .putArray("test.ints", GgufValueType.INT32, new int[] {1, -2, 3})
                .putArray("test.u32s", GgufValueType.UINT32, new long[] {4_000_000_000L, 5})
                .putArray("test.floats", GgufValueType.FLOAT32, new float[] {0.5f, -1f})
                .putArray("test.strings", GgufValueType.STRING, new String[] {"a", "▁b", ""})
                .put("test.u8", GgufValueType.UINT8, 200)
                .put("test.i64", GgufValueType.INT64, -5L)
                .put("test.f64", GgufValueType.FLOAT64, 2.25)
                .addF32("a.weight", new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})
                .addF32("b.weight", new long[] {5}, new float[] {9, 8, 7, 6, 5})
                .write(p);
        return p;
    }

    @Test
    void roundTripsEveryValueTypeAndTensor() throws IOException {
        try (GgufFile f = GgufFile.open(writeSmall("ok.gguf"))) {
            assertEquals(3, f.version());
            var md = f.metadata();
            assertEquals("test", md.get("general.architecture"));
            assertEquals(7L, md.get("test.count"));
            assertEquals(-3, md.get("test.neg"));
            assertEquals(1.5f, md.get("test.f"));
            assertEquals(true, md.get("test.b"));
            assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) md.get("test.bools"));
            assertArrayEquals(new int[] {1, -2, 3}, (int[]) md.get("test.ints"));
            assertArrayEquals(new long[] {4_000_000_000L, 5}, (long[]) md.get("test.u32s"));
            assertArrayEquals(new float[] {0.5f, -1f}, (float[]) md.get("test.floats"));
            assertArrayEquals(new String[] {"a", "▁b", ""}, (String[]) md.get("test.strings"));
            assertEquals(200, md.get("test.u8"));
            assertEquals(-5L, md.get("test.i64"));
            assertEquals(2.25, md.get("test.f64"));
            Tensor a = f.tensor("a.weight");
            assertEquals(2, a.rows());
            assertEquals(3, a.cols());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloatArray());
            assertEquals(0, f.dataStart() % 32);
            assertEquals(0, f.tensorInfo("b.weight").offset() % 32);
            assertArrayEquals(new float[] {9, 8, 7, 6, 5}, f.tensor("b.weight").toFloatArray());
            assertEquals(5 * 2 + 6 * 4, f.tensor("a.weight").dot(1, new float[] {0, 2, 4}, 0), 0f);
            assertSame(a, f.tensor("a.weight"), "one view per name (one set of layouts, freed on close)");
        }
    }

    @Test
    void writerNeverOverwrites() throws IOException {
        Path p = writeSmall("x.gguf");
        byte[] before = Files.readAllBytes(p);
        assertThrows(FileAlreadyExistsException.class, () -> new GgufWriter().write(p));
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void readsNestedArrays() throws IOException {
        // Hand-built: one key holding [[1, 2], [3]] as arrays of INT32 arrays.
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(0).putLong(1);
        byte[] key = "nested".getBytes(StandardCharsets.UTF_8);
        b.putLong(key.length).put(key).putInt(GgufValueType.ARRAY.id());
        b.putInt(GgufValueType.ARRAY.id()).putLong(2);
        b.putInt(GgufValueType.INT32.id()).putLong(2).putInt(1).putInt(2);
        b.putInt(GgufValueType.INT32.id()).putLong(1).putInt(3);
        Path p = dir.resolve("nested.gguf");
        Files.write(p, Arrays.copyOf(b.array(), b.position()));
        try (GgufFile f = GgufFile.open(p)) {
            Object[] v = (Object[]) f.metadata().get("nested");
            assertArrayEquals(new int[] {1, 2}, (int[]) v[0]);
            assertArrayEquals(new int[] {3}, (int[]) v[1]);
        }
    }

    private Path corrupt(String name, java.util.function.Consumer<byte[]> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(writeSmall(name + ".src"));
        edit.accept(bytes);
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static String failure(Path p) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badMagic() throws IOException {
        String m = failure(corrupt("magic.gguf", b -> b[0] = 'X'));
        assertTrue(m.contains("not a GGUF file"), m);
    }

    @Test
    void unsupportedVersion() throws IOException {
        String m = failure(corrupt("version.gguf", b -> b[4] = 9));
        assertTrue(m.contains("unsupported GGUF version 9"), m);
        String v1 = failure(corrupt("v1.gguf", b -> b[4] = 1));
        assertTrue(v1.contains("version 1"), v1);
    }

    @Test
    void truncatedHeader() throws IOException {
        Path full = writeSmall("full.gguf");
        byte[] bytes = Files.readAllBytes(full);
        for (int cut : new int[] {0, 10, 30, 100, 200}) {
            Path p = dir.resolve("cut" + cut + ".gguf");
            Files.write(p, Arrays.copyOf(bytes, cut));
            String m = failure(p);
            assertTrue(m.contains("truncated") || m.contains("not a GGUF") || m.contains("more than a file"), m);
        }
    }

    @Test
    void tensorRunningPastTheEnd() throws IOException {
        Path full = writeSmall("full.gguf");
        byte[] bytes = Files.readAllBytes(full);
        Path p = dir.resolve("short.gguf");
        Files.write(p, Arrays.copyOf(bytes, bytes.length - 16)); // 12 bytes of padding + 4 of data
        String m = failure(p);
        assertTrue(m.contains("tensor b.weight") && m.contains("runs past the end"), m);
    }

    @Test
    void unknownTensorType() throws IOException {
        Path p = corrupt("type.gguf", b -> {
            int at = indexOf(b, "b.weight".getBytes(StandardCharsets.UTF_8)) + 8 + 4 + 8; // name, n_dims, ne[0]
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 99);
        });
        String m = failure(p);
        assertTrue(m.contains("tensor b.weight") && m.contains("unknown ggml type id 99"), m);
    }

    @Test
    void hugeCountsAreRejectedWithoutAllocating() throws IOException {
        Path p = corrupt("count.gguf", b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2));
        String m = failure(p);
        assertTrue(m.contains("more than a file"), m);
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        try (GgufFile f = GgufFile.open(writeSmall("m.gguf"))) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.tensor("nope.weight"));
            assertTrue(e.getMessage().contains("missing tensor nope.weight"), e.getMessage());
            assertFalse(f.hasTensor("nope.weight"));
        }
    }

    @Test
    void tensorsFailCleanlyAfterClose() throws IOException {
        Tensor t;
        try (GgufFile f = GgufFile.open(writeSmall("c.gguf"))) {
            t = f.tensor("a.weight");
        }
        assertThrows(IllegalStateException.class, t::toFloatArray);
    }

    @Test
    void typeSizes() {
        assertEquals(34, GgmlType.Q8_0.bytesFor(32));
        assertEquals(210, GgmlType.Q6_K.bytesFor(256));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_K.bytesFor(128));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
