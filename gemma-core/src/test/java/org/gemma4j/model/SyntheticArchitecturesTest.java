package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.gemma4j.gguf.GgufFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every architecture variant the synthesizer writes loads, and its batch, chunked and one-token paths agree
 * over sequences that cross the sliding window several times (other dimensions than the golden models).
 */
class SyntheticArchitecturesTest {
    @TempDir
    Path dir;

    static Stream<Arguments> specs() {
        SyntheticGemma4.Spec moe = SyntheticGemma4.Spec.tinyMoe();
        SyntheticGemma4.Spec splitExperts = new SyntheticGemma4.Spec("split", 400, 512, 64, 4, 4, 2, 1, 16, 32,
                SyntheticGemma4.Spec.ff(4, 96, 4), SyntheticGemma4.Spec.pattern(1, 4), 8, 0, 0, false, true, 6, 3, 32, false);
        SyntheticGemma4.Spec odd = new SyntheticGemma4.Spec("odd", 448, 512, 96, 7, 6, 3, 2, 16, 48,
                SyntheticGemma4.Spec.ff(7, 160, 5), new boolean[] {true, false, true, true, false, true, false}, 5,
                16, 2, false, false, 0, 0, 0, true);
        return Stream.of(
                Arguments.of(SyntheticGemma4.Spec.tinyE2b()),
                Arguments.of(SyntheticGemma4.Spec.tiny31b()),
                Arguments.of(moe),
                Arguments.of(splitExperts),
                Arguments.of(odd));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void batchChunkedAndStepwiseAgree(SyntheticGemma4.Spec spec) throws IOException {
        Path p = dir.resolve(spec.name() + ".gguf");
        SyntheticGemma4.write(p, spec, SyntheticGemma4.FileType.F32, 11);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(spec.layers(), Gemma4Config.from(f).nLayer());
        }
        // EXACT: batch, chunked and one-token products differ only in the order of a few float additions. GGML:
        // such last-bit differences can move a value across an fp16 rounding boundary of the GELU table, a jump of
        // one fp16 step (~1e-3 relative) that the next layers carry along: 0.005 on a logit of -5.46 ("odd", position
        // 2, once its batch of 70 tokens went through the lane tile, which sums each token in column order).
        for (Numerics numerics : Numerics.values()) {
            float tolerance = numerics == Numerics.EXACT ? 1e-4f : 1e-2f;
            try (Gemma4Model m = Gemma4Model.load(p, 2, numerics)) {
                int n = Math.max(3 * spec.window() + 5, 70); // 70+: a lane tile of 64 tokens (AVX-512), then row tiles
                int[] tokens = new int[n];
                java.util.SplittableRandom r = new java.util.SplittableRandom(5);
                for (int i = 0; i < n; i++) {
                    tokens[i] = 3 + r.nextInt(spec.vocab() - 3);
                }
                int v = m.vocabSize();
                float[] batch = m.forwardAll(m.newCache(n), tokens);
                KvCache step = m.newCache(n);
                for (int i = 0; i < n; i++) {
                    float[] l = m.forward(step, new int[] {tokens[i]});
                    float[] row = java.util.Arrays.copyOfRange(batch, i * v, (i + 1) * v);
                    assertArrayEquals(row, l, tolerance, spec.name() + " " + numerics + " position " + i);
                }
                double spread = 0;
                for (float x : batch) {
                    spread += x * x;
                }
                assertTrue(Math.sqrt(spread / batch.length) > 0.1, "logits are not degenerate");
            }
        }
    }

    /**
     * Integer one-token products on a model with inputs as wide as E2B's ffn_down (4096 and 8192 columns), whose
     * rounding and integers are taken across the pool, and q, k, v and gate, up taken in one pass: on two threads
     * exactly as on one, and as the float products of the same rounded inputs ({@code repackWeights(false)}), which
     * differ only in the order of float additions, until an activation lands on the other side of a rounding boundary
     * and the cache carries the jump on (Q4_K_M at position 3: 0.045, then ~0.2; the same before these paths were
     * shared).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = SyntheticGemma4.FileType.class, names = {"Q4_0", "Q4_K_M"})
    void wideIntegerInputsOnTwoThreadsAsOnOne(SyntheticGemma4.FileType type) throws IOException {
        SyntheticGemma4.Spec wide = new SyntheticGemma4.Spec("wide", 512, 512, 256, 2, 4, 2, 1, 64, 128,
                SyntheticGemma4.Spec.ff(2, 4096, 1), SyntheticGemma4.Spec.pattern(1, 2), 16, 0, 0, false, true, 0, 0, 0,
                true);
        Path p = dir.resolve("wide-" + type + ".gguf");
        SyntheticGemma4.write(p, wide, type, 12);
        try (Gemma4Model two = Gemma4Model.load(p, 2, Numerics.GGML);
                Gemma4Model one = Gemma4Model.load(p, 1, Numerics.GGML);
                Gemma4Model floats = Gemma4Model.load(p, 2, Numerics.GGML)) {
            floats.repackWeights(false);
            int n = 24;
            java.util.SplittableRandom r = new java.util.SplittableRandom(6);
            KvCache a = two.newCache(n);
            KvCache b = one.newCache(n);
            KvCache c = floats.newCache(n);
            double spread = 0;
            for (int i = 0; i < n; i++) {
                int[] token = {3 + r.nextInt(wide.vocab() - 3)};
                float[] actual = two.forward(a, token);
                assertArrayEquals(one.forward(b, token), actual, type + " position " + i);
                float[] expected = floats.forward(c, token);
                if (i < 3) { // 4e-6 apart here; at position 3 (Q4_K_M) one activation rounds the other way
                    assertArrayEquals(expected, actual, 1e-4f, type + " position " + i + " (floats)");
                }
                for (float x : actual) {
                    spread += x * x;
                }
            }
            assertTrue(Math.sqrt(spread / (n * two.vocabSize())) > 0.1, "logits are not degenerate");
        }
    }
}
