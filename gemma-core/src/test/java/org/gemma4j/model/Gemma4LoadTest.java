package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.gemma4j.gguf.GgufFormatException;
import org.gemma4j.gguf.GgufTensorInfo;
import org.gemma4j.tensor.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading synthetic models: what must load, and every way a file can be wrong. */
class Gemma4LoadTest {
    @TempDir
    static Path dir;
    static Path e2b;

    @BeforeAll
    static void writeModel() throws IOException {
        e2b = dir.resolve("e2b.gguf");
        SyntheticGemma4.write(e2b, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.F32, 7);
    }

    private static String loadError(String name, BiFunction<String, Object, Object> md,
            Function<GgufTensorInfo, GgufTensorInfo> tensors) throws IOException {
        Path p = dir.resolve(name);
        GgufRewriter.rewrite(e2b, p, md, tensors);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Gemma4Model.load(p, 1).close());
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void wrongArchitecture() throws IOException {
        String m = loadError("llama.gguf", (k, v) -> k.equals("general.architecture") ? "llama" : v, t -> t);
        assertTrue(m.contains("general.architecture is 'llama', expected 'gemma4'"), m);
    }

    @Test
    void missingKey() throws IOException {
        String m = loadError("nokey.gguf", (k, v) -> k.equals("gemma4.block_count") ? null : v, t -> t);
        assertTrue(m.contains("missing key gemma4.block_count"), m);
    }

    @Test
    void perLayerArrayOfWrongLength() throws IOException {
        String m = loadError("ff.gguf", (k, v) -> k.equals("gemma4.feed_forward_length") ? new int[] {256, 256} : v, t -> t);
        assertTrue(m.contains("feed_forward_length has 2 entries, expected one per layer (8)"), m);
    }

    @Test
    void missingTensor() throws IOException {
        String m = loadError("notensor.gguf", (k, v) -> v, t -> t.name().equals("blk.1.attn_q.weight") ? null : t);
        assertTrue(m.contains("missing tensor blk.1.attn_q.weight"), m);
    }

    @Test
    void wronglyShapedTensor() throws IOException {
        String m = loadError("shape.gguf", (k, v) -> v, t -> t.name().equals("blk.0.attn_q_norm.weight")
                ? new GgufTensorInfo(t.name(), t.type(), new long[] {16}, 0, 64) : t);
        assertTrue(m.contains("tensor blk.0.attn_q_norm.weight has shape [16], expected [32]"), m);
    }

    @Test
    void unsupportedTensorType() throws IOException {
        String m = loadError("iq.gguf", (k, v) -> v, t -> t.name().equals("blk.0.ffn_down.weight")
                ? new GgufTensorInfo(t.name(), GgmlType.IQ2_XXS, new long[] {256, 128}, 0, 0) : t);
        assertTrue(m.contains("blk.0.ffn_down.weight") && m.contains("IQ2_XXS is not supported"), m);
    }

    @Test
    void acceptsFilesWithoutTheUnusedSharedKvWeights() throws IOException {
        Path p = dir.resolve("noshared.gguf");
        GgufRewriter.rewrite(e2b, p, (k, v) -> v, t -> {
            int layer = t.name().startsWith("blk.") ? Integer.parseInt(t.name().split("\\.")[1]) : -1;
            boolean unused = layer >= 4 && (t.name().contains("attn_k") || t.name().contains("attn_v"));
            return unused ? null : t;
        });
        try (Gemma4Model with = Gemma4Model.load(e2b, 1); Gemma4Model without = Gemma4Model.load(p, 1)) {
            assertNull(without.weights().layers()[5].attnK());
            int[] tokens = {2, 5, 300, 301, 302};
            float[] a = with.forward(with.newCache(16), tokens);
            float[] b = without.forward(without.newCache(16), tokens);
            org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 0f);
        }
    }

    @Test
    void contextOverflowIsReportedBeforeComputing() throws IOException {
        try (Gemma4Model m = Gemma4Model.load(e2b, 1)) {
            KvCache cache = m.newCache(4);
            m.forward(cache, new int[] {2, 5, 6});
            ContextOverflowException e = assertThrows(ContextOverflowException.class, () -> m.forward(cache, new int[] {7, 8}));
            assertEquals(3, e.position());
            assertEquals(3, cache.position(), "nothing was computed");
            m.forward(cache, new int[] {7});
            assertEquals(4, cache.position());
        }
    }

    @Test
    void tokenOutsideTheVocabulary() throws IOException {
        try (Gemma4Model m = Gemma4Model.load(e2b, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(m.newCache(8), new int[] {2, 512}));
            assertTrue(e.getMessage().contains("token 512 at index 1"), e.getMessage());
        }
    }

    @Test
    void rewindContinuesAsIfTheTokensWereNeverFed() throws IOException {
        try (Gemma4Model m = Gemma4Model.load(e2b, 2)) {
            int[] prefix = new int[40];
            for (int i = 0; i < prefix.length; i++) {
                prefix[i] = 300 + i;
            }
            KvCache a = m.newCache(64);
            m.forward(a, prefix);
            float[] expected = m.forward(a, new int[] {400});
            KvCache b = m.newCache(64);
            m.forward(b, prefix);
            m.forward(b, new int[] {401, 402, 403});
            b.rewindTo(40);
            float[] got = m.forward(b, new int[] {400});
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, got, 1e-5f);
        }
    }

    @Test
    void f16CacheTakesHalfTheMemoryAndStaysClose() throws IOException {
        try (Gemma4Model m = Gemma4Model.load(e2b, 2)) {
            assertEquals(m.cacheBytes(100, KvCache.Precision.F32), 2 * m.cacheBytes(100, KvCache.Precision.F16));
            // E2B shape: 4 own-KV layers (3 sliding with ring 16+256 capped at 100, 1 global), 1 head of 32/64.
            assertEquals(2L * 4 * (3 * 100 * 32 + 100 * 64), m.cacheBytes(100, KvCache.Precision.F32));
            int[] tokens = new int[40];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = 280 + i;
            }
            float[] full = m.forwardAll(m.newCache(64, KvCache.Precision.F32), tokens);
            float[] half = m.forwardAll(m.newCache(64, KvCache.Precision.F16), tokens);
            double max = 0;
            for (int i = 0; i < full.length; i++) {
                max = Math.max(max, Math.abs(full[i] - half[i]));
            }
            assertTrue(max > 0 && max < 0.05, "F16 cache differs by " + max);
        }
    }
}
