package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RmsNormTest {
    @Test
    void vectorMatchesScalarTwin() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[] {1, 7, 16, 33, 128, 1000}) {
            float[] x = new float[n + 3];
            float[] w = new float[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * 5);
            }
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextDouble(0.5, 1.5);
            }
            for (float[] weight : new float[][] {w, null}) {
                float[] a = x.clone();
                float[] b = x.clone();
                RmsNorm.apply(a, 3, n, weight, 1e-6f);
                RmsNorm.applyScalar(b, 3, n, weight, 1e-6f);
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    assertEquals(b[3 + i], a[3 + i], 1e-5f * Math.max(1, Math.abs(b[3 + i])));
                    ss += b[3 + i] * (double) b[3 + i] / (weight == null ? 1 : weight[i] * (double) weight[i]);
                }
                assertEquals(1.0, ss / n, 1e-4, "unit mean square after the norm");
                assertEquals(x[0], a[0]);
            }
        }
    }
}
