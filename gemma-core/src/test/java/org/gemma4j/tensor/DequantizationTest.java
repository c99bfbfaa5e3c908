package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import org.gemma4j.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every tensor of every golden model (and random blocks of every block type) dequantizes bit-exactly as ggml's {@code to_float} (sha256 of the float32 bytes). */
class DequantizationTest {
    static Path resource(String name) throws Exception {
        return Path.of(DequantizationTest.class.getResource("/golden/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-e2b-f16", "tiny-e2b-bf16", "tiny-e2b-Q8_0", "tiny-e2b-Q4_0", "tiny-e2b-Q4_K_M",
        "tiny-e2b-Q6_K", "tiny-31b-Q8_0", "tiny-31b-Q4_0", "tiny-31b-Q4_K_M", "tiny-31b-Q6_K", "tiny-moe-Q8_0",
        "tiny-moe-Q4_0", "tiny-moe-Q4_K_M"})
    void bitExactWithGgml(String model) throws Exception {
        JsonNode ref = new ObjectMapper().readTree(resource(model + ".dequant.json").toFile());
        Set<String> types = new TreeSet<>();
        try (GgufFile f = GgufFile.open(resource(model + ".gguf"))) {
            for (JsonNode t : ref.get("tensors")) {
                String name = t.get("name").asText();
                Tensor tensor = f.tensor(name);
                assertEquals(t.get("type").asText().toUpperCase(java.util.Locale.ROOT), tensor.type().name(), name);
                String expected = t.get("sha256_f32").asText();
                assertEquals(expected, sha256(tensor, tensor::dequantizeRow), model + " " + name + " " + tensor.type());
                if (tensor instanceof BlockTensor bt) { // the vector decoder matMul uses
                    assertEquals(expected, sha256(tensor, (r, row, off) -> bt.decodeRow(r, row)),
                            model + " " + name + " " + tensor.type() + " (vector decoder)");
                }
                types.add(tensor.type().name());
            }
        }
        assertTrue(types.size() >= 2, "covers several storage types: " + types);
    }

    /**
     * Seeded random blocks of every block type (including those no golden model holds), dequantized by two numpy
     * references that agree with each other and with ggml (scripts/block-refs.py).
     */
    @Test
    void randomBlocksOfEveryBlockTypeBitExact() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(resource("random-blocks.dequant.json").toFile());
        Set<String> types = new TreeSet<>();
        try (Arena arena = Arena.ofConfined()) {
            for (JsonNode b : ref.get("blocks")) {
                GgmlType type = GgmlType.valueOf(b.get("type").asText());
                byte[] raw = HexFormat.of().parseHex(b.get("hex").asText());
                MemorySegment seg = arena.allocate(raw.length);
                seg.copyFrom(MemorySegment.ofArray(raw));
                Tensor t = Tensor.of("random." + type, type, new long[] {b.get("ne").get(0).asLong()}, seg);
                float[] row = new float[t.cols()];
                t.dequantizeRow(0, row, 0);
                for (int i = 0; i < 4; i++) {
                    assertEquals(b.get("first").get(i).floatValue(), row[i], type + " value " + i);
                }
                String expected = b.get("sha256_f32").asText();
                assertEquals(expected, sha256(t, t::dequantizeRow), type.toString());
                BlockTensor bt = (BlockTensor) t;
                assertEquals(expected, sha256(t, (r, out, off) -> bt.decodeRow(r, out)), type + " (vector decoder)");
                types.add(type.name());
            }
        }
        assertEquals(Set.of("Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"), types);
    }

    private interface RowDecoder {
        void decode(long row, float[] out, int off);
    }

    /** sha256 of the whole tensor as float32 little-endian, row after row. */
    private static String sha256(Tensor tensor, RowDecoder decoder) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        float[] row = new float[tensor.cols()];
        ByteBuffer bytes = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < tensor.rows(); r++) {
            decoder.decode(r, row, 0);
            bytes.clear();
            bytes.asFloatBuffer().put(row);
            sha.update(bytes.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
