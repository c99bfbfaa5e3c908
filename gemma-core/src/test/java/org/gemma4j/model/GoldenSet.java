package org.gemma4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The llama.cpp golden references of one synthetic model: from the test resources (13 models, first 4
 * sequences), or with {@code -Pgolden-full} from {@code ../shared/golden} (16 models, all sequences).
 */
record GoldenSet(String name, Path gguf, JsonNode index, float[] logits, float[] floatRef, int nVocab) {

    static final String[] RESOURCE_MODELS = {
        "tiny-e2b-f16", "tiny-e2b-bf16", "tiny-e2b-Q8_0", "tiny-e2b-Q4_0", "tiny-e2b-Q4_K_M", "tiny-e2b-Q6_K",
        "tiny-31b-Q8_0", "tiny-31b-Q4_0", "tiny-31b-Q4_K_M", "tiny-31b-Q6_K",
        "tiny-moe-Q8_0", "tiny-moe-Q4_0", "tiny-moe-Q4_K_M",
    };
    static final String[] FULL_ONLY_MODELS = {"tiny-e2b-f32", "tiny-31b-f32", "tiny-moe-f32"};

    /** The models to test: the resource set, plus the F32 models when the full golden folder is enabled. */
    static List<String> available() {
        List<String> names = new ArrayList<>(List.of(RESOURCE_MODELS));
        if (fullDir() != null) {
            names.addAll(List.of(FULL_ONLY_MODELS));
        }
        return names;
    }

    /** {@code ../shared/golden} when {@code -Pgolden-full} passed its path and it exists; else null. */
    static Path fullDir() {
        String dir = System.getProperty("gemma.golden.full");
        if (dir == null || dir.isBlank()) {
            return null;
        }
        Path p = Path.of(dir);
        return Files.isDirectory(p) ? p : null;
    }

    static GoldenSet load(String name) throws IOException {
        Path dir = fullDir();
        if (dir == null) {
            dir = resourceDir();
        }
        JsonNode index = new ObjectMapper().readTree(dir.resolve(name + ".json").toFile());
        int nVocab = index.get("n_vocab").asInt();
        float[] logits = readFloats(dir.resolve(name + ".logits.f32"));
        float[] ref = readFloats(dir.resolve(name + ".float-ref.f32"));
        return new GoldenSet(name, dir.resolve(name + ".gguf"), index, logits, ref, nVocab);
    }

    static Path resourceDir() {
        URL url = GoldenSet.class.getResource("/golden/tiny-e2b-Q8_0.json");
        if (url == null) {
            throw new IllegalStateException("golden test resources missing (run scripts/copy-golden.py)");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static float[] readFloats(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Sequences that have llama.cpp logits here (all in the full set, the first 4 in resources). */
    int sequenceCount() {
        int rows = logits.length / nVocab;
        int count = 0;
        for (JsonNode s : index.get("sequences")) {
            if (s.get("offset_rows").asInt() + s.get("n").asInt() <= rows) {
                count++;
            }
        }
        return count;
    }

    /** Sequences covered by the float64 reference. */
    int floatRefSequenceCount() {
        int rows = floatRef.length / nVocab;
        int count = 0;
        for (JsonNode s : index.get("sequences")) {
            if (s.get("offset_rows").asInt() + s.get("n").asInt() <= rows) {
                count++;
            }
        }
        return count;
    }

    JsonNode sequence(int i) {
        return index.get("sequences").get(i);
    }

    int[] tokens(int i) {
        return ints(sequence(i).get("tokens"));
    }

    int offsetRows(int i) {
        return sequence(i).get("offset_rows").asInt();
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = array.get(j).asInt();
        }
        return out;
    }

    boolean isF32() {
        return name.endsWith("-f32");
    }

    boolean isMoe() {
        return name.startsWith("tiny-moe");
    }
}
