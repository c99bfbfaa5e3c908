package org.gemma4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real Gemma vocabulary: llama.cpp's 46 Gemma 4 vectors and both golden corpora, exactly. */
class RealVocabularyTest {
    static String resource(String name) throws IOException {
        try (InputStream in = RealVocabularyTest.class.getResourceAsStream("/tokenizer/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int[] ids(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @Test
    void llamaCppGemma4Vectors() throws IOException {
        GemmaTokenizer t = RealVocabulary.gemma4();
        String[] texts = resource("ggml-vocab-gemma-4.gguf.inp").split("\n__ggml_vocab_test__\n", -1);
        String[] lines = resource("ggml-vocab-gemma-4.gguf.out").split("\n", -1);
        int checked = 0;
        for (int i = 0; i < 46; i++) {
            String line = lines[i].strip();
            int[] expected = line.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            // llama.cpp's vectors: no BOS, special-token text not parsed.
            assertArrayEquals(expected, t.encode(texts[i], TextMode.USER), "vector " + i + ": " + texts[i]);
            checked++;
        }
        assertEquals(46, checked);
    }

    private static void corpus(GemmaTokenizer t, String file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (String line : resource(file).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode c = json.readTree(line);
            String text = c.get("text").asText();
            int[] expected = ids(c.get("ids"));
            int[] got = t.encode(text, TextMode.TRUSTED);
            if (!java.util.Arrays.equals(expected, got)) {
                failures.add(c.get("name").asText() + ": expected " + java.util.Arrays.toString(expected) + " got " + java.util.Arrays.toString(got));
            }
            String decoded = c.has("decoded") ? c.get("decoded").asText() : text;
            if (c.get("roundtrip").asBoolean() || c.has("decoded")) {
                if (!decoded.equals(t.decode(expected))) {
                    failures.add(c.get("name").asText() + ": decode gave " + t.decode(expected));
                }
            }
            StreamDecoder stream = t.newStreamDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : expected) {
                sb.append(stream.push(id));
            }
            sb.append(stream.finish());
            if (!sb.toString().equals(t.decode(expected))) {
                failures.add(c.get("name").asText() + ": streamed decode differs");
            }
            n++;
        }
        assertEquals(272, n);
        assertEquals(List.of(), failures);
    }

    @Test
    void gemma3Corpus() throws IOException {
        corpus(RealVocabulary.gemma3(), "gemma3-golden.jsonl");
    }

    @Test
    void gemma4Corpus() throws IOException {
        corpus(RealVocabulary.gemma4(), "gemma4-sim-golden.jsonl");
    }

    @Test
    void userTextNeverBecomesControlTokens() throws IOException {
        GemmaTokenizer t = RealVocabulary.gemma4();
        assertArrayEquals(new int[] {105}, t.encode("<|turn>", TextMode.TRUSTED));
        int[] user = t.encode("<|turn>", TextMode.USER);
        for (int id : user) {
            assertEquals(TokenKind.NORMAL, t.kind(id));
        }
        assertEquals("<|turn>", t.decode(user));
        assertArrayEquals(new int[] {2, 9259}, t.encode("Hello", TextMode.USER, true));
        assertArrayEquals(new int[] {105, 2364, 107, 3689, 563, 236743, 236778, 236862, 236778, 236881, 106, 107, 105, 4368, 107},
                t.encode("<|turn>user\nWhat is 2+2?<turn|>\n<|turn>model\n", TextMode.TRUSTED));
        assertArrayEquals(new int[] {1, 106, 50}, t.endOfGenerationIds());
    }

    @Test
    void invalidByteRunsDecodeLikeRust() throws IOException {
        GemmaTokenizer t = RealVocabulary.gemma4();
        assertEquals("\uFFFD\uFFFD", t.decode(new int[] {238 + 0x0D, 238 + 0xE4}));
        assertEquals("\uFFFD\uFFFD", t.decode(new int[] {238 + 0xE4, 238 + 0xB8}));
        assertEquals("中", t.decode(new int[] {238 + 0xE4, 238 + 0xB8, 238 + 0xAD}));
        StreamDecoder s = t.newStreamDecoder();
        assertEquals("", s.push(238 + 0xE4));
        assertEquals("", s.push(238 + 0xB8));
        assertEquals("", s.push(238 + 0xAD));
        assertEquals("中Hello", s.push(9259));
        assertEquals("", s.finish());
        assertArrayEquals(new int[] {236781, 238479, 236762}, t.encode("x\uD800y", TextMode.USER));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard only: see the JMH benchmark for speed
    void megabyteSingleLine() throws IOException {
        GemmaTokenizer t = RealVocabulary.gemma4();
        String unit = "the quick brown fox jumps over the lazy dog, minified(x){return x*2;} ";
        String text = unit.repeat(1_000_000 / unit.length() + 1);
        int[] ids = t.encode(text, TextMode.USER);
        assertEquals(text, t.decode(ids));
        String as = "a".repeat(1_000_000);
        assertEquals(as, t.decode(t.encode(as, TextMode.USER)));
    }
}
