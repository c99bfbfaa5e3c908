package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogitSoftcapTest {
    private static final float CAP = 30f;

    private static float[] logits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double scale = switch (i % 4) {
                case 0 -> 1e-4; // tiny: tanh(y) ≈ y
                case 1 -> 3;
                case 2 -> 40;   // past the cap
                default -> 1000; // saturated
            };
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    @Test
    void staysCloseToTanh() {
        float[] v = logits(100_003, 1);
        float[] capped = v.clone();
        LogitSoftcap.apply(capped, 0, capped.length, CAP);
        double worst = 0;
        for (int i = 0; i < v.length; i++) {
            double exact = CAP * Math.tanh((double) v[i] / CAP);
            worst = Math.max(worst, Math.abs(exact - capped[i]));
            assertTrue(Float.isFinite(capped[i]) && Math.abs(capped[i]) <= CAP, "within the cap: " + capped[i]);
        }
        assertTrue(worst <= 2.5e-7 * CAP, "worst error " + worst);
        float[] edges = {0f, -0f, 1e-30f, -1e-30f, 270f, -270f, Float.MAX_VALUE, -Float.MAX_VALUE};
        LogitSoftcap.apply(edges, 0, edges.length, CAP);
        assertEquals(0f, edges[0], 1e-12f);
        assertEquals(CAP, edges[4], 1e-5f);
        assertEquals(-CAP, edges[5], 1e-5f);
        assertEquals(CAP, edges[6], 1e-5f);
        assertEquals(-CAP, edges[7], 1e-5f);
    }

    /** The vector loop and its scalar twin agree bit for bit, so any split of a range gives the same logits. */
    @Test
    void everySplitGivesTheSameBits() {
        float[] v = logits(1000, 2);
        float[] whole = v.clone();
        LogitSoftcap.apply(whole, 0, whole.length, CAP);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(LogitSoftcap.applyScalar(v[i], CAP)), Float.floatToRawIntBits(whole[i]),
                    "scalar twin, logit " + i + " = " + v[i]);
        }
        float[] split = v.clone();
        for (int from = 0; from < split.length; from += 37) { // ranges not aligned to the vector length
            LogitSoftcap.apply(split, from, Math.min(split.length, from + 37), CAP);
        }
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(split[i]), "logit " + i);
        }
    }
}
