package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import org.gemma4j.gguf.GgufFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every tensor of every golden model dequantizes bit-exactly as ggml's {@code to_float} (sha256 of the float32 bytes). */
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
