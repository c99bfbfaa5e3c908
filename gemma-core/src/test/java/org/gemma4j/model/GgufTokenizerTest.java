package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.TextMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer built from GGUF metadata, against llama-tokenize on the golden models' synthetic vocabulary. */
class GgufTokenizerTest {
    @Test
    void matchesLlamaTokenize() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(GoldenSet.resourceDir().resolve("tokenizer-synthetic-vocab.json").toFile());
        try (GgufFile f = GgufFile.open(GoldenSet.resourceDir().resolve("tiny-e2b-Q8_0.gguf"))) {
            GemmaTokenizer t = GemmaTokenizer.fromGgufMetadata(f.metadata());
            int n = 0;
            for (JsonNode c : cases.get("tests")) {
                TextMode mode = c.get("parse_special").asBoolean() ? TextMode.TRUSTED : TextMode.USER;
                int[] ids = t.encode(c.get("text").asText(), mode, c.get("add_bos").asBoolean());
                assertArrayEquals(GoldenSet.ints(c.get("ids")), ids, c.get("text").asText());
                n++;
            }
            assertEquals(8, n);
        }
    }

    @Test
    void acceptsTheLlamaPlusPreGemma4Spelling(@TempDir Path dir) throws Exception {
        try (GgufFile f = GgufFile.open(GoldenSet.resourceDir().resolve("tiny-e2b-Q8_0.gguf"))) {
            Map<String, Object> md = new HashMap<>(f.metadata());
            md.put("tokenizer.ggml.model", "llama");
            md.put("tokenizer.ggml.pre", "gemma4");
            GemmaTokenizer t = GemmaTokenizer.fromGgufMetadata(md);
            assertArrayEquals(new int[] {2, 283, 280, 287, 287, 290, 441}, t.encode("hello world", TextMode.TRUSTED, true));
            md.put("tokenizer.ggml.pre", "default");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmaTokenizer.fromGgufMetadata(md));
            assertTrue(e.getMessage().contains("not a Gemma 4 tokenizer"), e.getMessage());
            md.remove("tokenizer.ggml.tokens");
            md.put("tokenizer.ggml.model", "gemma4");
            e = assertThrows(IllegalArgumentException.class, () -> GemmaTokenizer.fromGgufMetadata(md));
            assertTrue(e.getMessage().contains("missing key tokenizer.ggml.tokens"), e.getMessage());
        }
    }
}
