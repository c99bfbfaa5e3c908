package org.gemma4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] logits(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    private static int[] histogram(SamplingOptions o, float[] logits, int draws) {
        Sampler s = new Sampler(o, new int[0]);
        int[] h = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            h[s.sample(logits.clone(), new int[0], 0)]++;
        }
        return h;
    }

    @Test
    void greedyTakesTheLowestIdAmongTies() {
        Sampler s = new Sampler(SamplingOptions.greedy(), new int[0]);
        assertEquals(1, s.sample(new float[] {0f, 3f, 3f, -1f}, new int[0], 0));
    }

    @Test
    void topIdsMatchAFullSort() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            float[] l = new float[1 + r.nextInt(300)];
            for (int i = 0; i < l.length; i++) {
                l[i] = r.nextInt(20) / 4f; // many ties
            }
            int k = 1 + r.nextInt(l.length);
            int[] expected = IntStream.range(0, l.length).boxed()
                    .sorted((a, b) -> l[a] != l[b] ? Float.compare(l[b], l[a]) : Integer.compare(a, b))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, Sampler.topIds(l, k));
        }
    }

    @Test
    void drawsFollowTheDistribution() {
        SamplingOptions o = SamplingOptions.builder().topK(0).topP(1).seed(1).build();
        int[] h = histogram(o, logits(0.5, 0.3, 0.2), 20000);
        assertEquals(0.5, h[0] / 20000.0, 0.02);
        assertEquals(0.3, h[1] / 20000.0, 0.02);
        assertEquals(0.2, h[2] / 20000.0, 0.02);
    }

    @Test
    void temperatureSharpens() {
        SamplingOptions o = SamplingOptions.builder().temperature(0.5).topK(0).topP(1).seed(2).build();
        int[] h = histogram(o, logits(0.5, 0.3, 0.2), 20000);
        // p^2 normalized: .25/.38, .09/.38, .04/.38
        assertEquals(0.25 / 0.38, h[0] / 20000.0, 0.02);
        assertEquals(0.04 / 0.38, h[2] / 20000.0, 0.02);
    }

    @Test
    void topKTopPAndMinPCutTheTail() {
        float[] l = logits(0.5, 0.3, 0.15, 0.05);
        int[] k2 = histogram(SamplingOptions.builder().topK(2).topP(1).seed(3).build(), l, 2000);
        assertEquals(0, k2[2] + k2[3]);
        int[] p = histogram(SamplingOptions.builder().topK(0).topP(0.7).seed(4).build(), l, 2000);
        assertEquals(0, p[2] + p[3]);
        assertTrue(p[1] > 0);
        int[] m = histogram(SamplingOptions.builder().topK(0).topP(1).minP(0.5).seed(5).build(), l, 2000);
        assertEquals(0, m[2] + m[3]);
        assertTrue(m[1] > 0);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        float[] l = new float[500];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) r.nextGaussian();
        }
        SamplingOptions a = SamplingOptions.builder().seed(42).build();
        int[] x = histogramSequence(a, l);
        assertArrayEquals(x, histogramSequence(a, l));
        assertNotEquals(Arrays.toString(x), Arrays.toString(histogramSequence(a.toBuilder().seed(43).build(), l)));
    }

    private static int[] histogramSequence(SamplingOptions o, float[] l) {
        Sampler s = new Sampler(o, new int[0]);
        int[] out = new int[50];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(l.clone(), new int[0], 0);
        }
        return out;
    }

    @Test
    void biasBansAndPenaltiesDemote() {
        Sampler banned = new Sampler(SamplingOptions.builder().temperature(0).logitBias(0, Float.NEGATIVE_INFINITY).build(), new int[0]);
        assertEquals(1, banned.sample(new float[] {5f, 4f, 1f}, new int[0], 0));
        Sampler suppressed = new Sampler(SamplingOptions.greedy(), new int[] {0});
        assertEquals(1, suppressed.sample(new float[] {5f, 4f, 1f}, new int[0], 0));
        Sampler rep = new Sampler(SamplingOptions.builder().temperature(0).repetitionPenalty(2).build(), new int[0]);
        assertEquals(1, rep.sample(new float[] {5f, 4f, 1f}, new int[] {0}, 1)); // 5/2 < 4
        Sampler freq = new Sampler(SamplingOptions.builder().temperature(0).frequencyPenalty(0.6).build(), new int[0]);
        assertEquals(1, freq.sample(new float[] {5f, 4f, 1f}, new int[] {0, 0}, 2)); // 5 - 1.2 < 4
        float[] l = {5f, 4f, 1f};
        new Sampler(SamplingOptions.builder().temperature(0).presencePenalty(0.5).build(), new int[0]).sample(l, new int[] {0, 0, 2}, 3);
        assertArrayEquals(new float[] {4.5f, 4f, 0.5f}, l);
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().temperature(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().topP(0).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.builder().topK(-2).build());
    }
}
