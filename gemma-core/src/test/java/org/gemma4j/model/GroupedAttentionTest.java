package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gemma4j.tensor.AllocationOnceCompiled;
import org.junit.jupiter.api.Test;

class GroupedAttentionTest {
    /** A layer of {@code capacity} slots holding positions {@code 0 .. written}, one KV head after another. */
    private static KvCache.Layer cache(KvCache.Precision precision, int capacity, int kvHeads, int hd, int written,
            SplittableRandom r) {
        KvCache.Layer kv = new KvCache.Layer(capacity, kvHeads * hd, precision);
        for (int pos = 0; pos < written; pos++) {
            kv.write(pos, random(kvHeads * hd, r), 0, random(kvHeads * hd, r), 0);
        }
        return kv;
    }

    private static float[] random(int n, SplittableRandom r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    @Test
    void matchesTheScalarTwinForEveryCacheTypeHeadCountAndWidth() {
        SplittableRandom r = new SplittableRandom(7);
        for (KvCache.Precision precision : KvCache.Precision.values()) {
            for (int hd : new int[] {16, 100, 256, 512}) {
                for (int heads : new int[] {1, 3, 4, 5, 8}) {
                    // a ring of 100 slots holding positions 0..169: positions 70..169 wrap around its end, and span two
                    // blocks of positions
                    KvCache.Layer kv = cache(precision, 100, 2, hd, 170, r);
                    float[] q = random(heads * hd, r);
                    for (int[] span : new int[][] {{169, 169}, {70, 169}, {120, 150}, {160, 166}}) {
                        float[] fast = new float[heads * hd + 3];
                        float[] plain = new float[heads * hd + 3];
                        GroupedAttention.attend(q, 0, heads, hd, kv, hd, span[0], span[1], fast, 3);
                        GroupedAttention.attendScalar(q, 0, heads, hd, kv, hd, span[0], span[1], plain, 3);
                        for (int i = 0; i < plain.length; i++) {
                            assertEquals(plain[i], fast[i], 2e-5f,
                                    precision + " hd " + hd + " heads " + heads + " positions " + span[0] + ".." + span[1] + " at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneSoftmaxPerHeadTheOutputAWeightedMeanOfTheValues() {
        // one position: softmax 1, the output is that position's value exactly
        SplittableRandom r = new SplittableRandom(3);
        KvCache.Layer kv = new KvCache.Layer(8, 32, KvCache.Precision.F32);
        float[] value = random(32, r);
        kv.write(5, random(32, r), 0, value, 0);
        float[] out = new float[64];
        GroupedAttention.attend(random(64, r), 0, 2, 32, kv, 0, 5, 5, out, 0);
        for (int h = 0; h < 2; h++) {
            assertArrayEquals(value, java.util.Arrays.copyOfRange(out, 32 * h, 32 * h + 32));
        }
        // equal keys: equal weights, the output is the mean of the values
        KvCache.Layer same = new KvCache.Layer(4, 16, KvCache.Precision.F32);
        float[] key = random(16, r);
        float[][] values = {random(16, r), random(16, r), random(16, r)};
        for (int pos = 0; pos < 3; pos++) {
            same.write(pos, key, 0, values[pos], 0);
        }
        float[] mean = new float[16];
        GroupedAttention.attend(random(16, r), 0, 1, 16, same, 0, 0, 2, mean, 0);
        for (int d = 0; d < 16; d++) {
            assertEquals((values[0][d] + values[1][d] + values[2][d]) / 3, mean[d], 1e-6f);
        }
    }

    @Test
    void aHeadsResultDoesNotDependOnTheHeadsBesideIt() {
        SplittableRandom r = new SplittableRandom(11);
        for (KvCache.Precision precision : KvCache.Precision.values()) {
            KvCache.Layer kv = cache(precision, 64, 1, 256, 50, r);
            float[] q = random(8 * 256, r);
            float[] together = new float[8 * 256];
            GroupedAttention.attend(q, 0, 8, 256, kv, 0, 0, 49, together, 0);
            float[] alone = new float[8 * 256];
            for (int h = 0; h < 8; h++) {
                GroupedAttention.attend(q, h * 256, 1, 256, kv, 0, 0, 49, alone, h * 256);
            }
            assertArrayEquals(alone, together, precision.toString());
        }
    }

    /** Once compiled, the kernel allocates nothing (a kernel past C2's inlining budget boxes its vectors). */
    @Test
    void allocatesNothingOnceCompiled() throws Throwable {
        SplittableRandom r = new SplittableRandom(5);
        KvCache.Layer f32 = cache(KvCache.Precision.F32, 200, 2, 256, 160, r);
        KvCache.Layer f16 = cache(KvCache.Precision.F16, 200, 1, 512, 160, r);
        float[] q = random(8 * 512, r);
        float[] out = new float[8 * 512];
        AllocationOnceCompiled a = AllocationOnceCompiled.of(i -> {
            int last = 20 + i % 140; // one and three blocks of positions, every remainder of four
            GroupedAttention.attend(q, 0, 4, 256, f32, 256, 0, last, out, 0);
            GroupedAttention.attend(q, 0, 8, 512, f16, 0, last / 2, last, out, 0);
        }, 300, 100, 2000);
        assertTrue(a.perCall() <= AllocationOnceCompiled.LIMIT_BYTES_PER_CALL,
                "attention still allocates " + a.perCall() + " bytes per call after " + a.millis() + " ms");
    }

    @Test
    void aLongContextSplitByPositionsMatchesTheScalarTwinOnAnyNumberOfThreads() {
        SplittableRandom r = new SplittableRandom(17);
        for (KvCache.Precision precision : KvCache.Precision.values()) {
            for (int hd : new int[] {64, 100}) {
                // 8 heads in 2 groups of 4; a ring of 400 slots holding positions 0..599: positions 200..599 wrap
                KvCache.Layer kv = cache(precision, 400, 2, hd, 600, r);
                float[] q = random(8 * hd, r);
                for (int[] span : new int[][] {{200, 599}, {330, 599}, {344, 599}}) {
                    float[] one = new float[8 * hd];
                    float[] two = new float[8 * hd];
                    try (WorkerPool pool1 = new WorkerPool(1); WorkerPool pool2 = new WorkerPool(2)) {
                        GroupedAttention.attendAcross(pool1, q, 8, 4, hd, kv, span[0], span[1], one);
                        GroupedAttention.attendAcross(pool2, q, 8, 4, hd, kv, span[0], span[1], two);
                    }
                    assertArrayEquals(one, two, "the same bits on one thread and on two");
                    float[] plain = new float[8 * hd];
                    for (int g = 0; g < 2; g++) {
                        GroupedAttention.attendScalar(q, 4 * g * hd, 4, hd, kv, g * hd, span[0], span[1], plain, 4 * g * hd);
                    }
                    for (int i = 0; i < plain.length; i++) {
                        assertEquals(plain[i], one[i], 2e-5f, precision + " hd " + hd + " positions " + span[0] + ".." + span[1] + " at " + i);
                    }
                }
            }
        }
    }
}
