package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivationRoundingTest {
    @Test
    void vectorQ8RoundingGivesTheScalarValues() {
        SplittableRandom r = new SplittableRandom(9);
        float[] x = new float[32];
        float[] scalar = new float[32];
        float[] vector = new float[32];
        for (int trial = 0; trial < 20_000; trial++) {
            boolean ties = trial % 5 == 0;
            double scale = ties ? Math.scalb(1.0, r.nextInt(-20, 10)) : Math.pow(10, r.nextInt(-8, 6));
            for (int i = 0; i < 32; i++) {
                x[i] = trial % 97 == 0 ? 0f : ties ? (float) ((r.nextInt(-253, 254) / 2.0) * scale) : (float) (r.nextGaussian() * scale);
            }
            if (ties && trial % 97 != 0) {
                x[0] = (float) (127 * scale); // amax 127·2^e: x·(127/amax) is exact, so the odd halves are real ties
            }
            ActivationRounding.q80(x, scalar, 0, 32);
            ActivationRounding.q80Vector(x, vector, 0, 32);
            for (int i = 0; i < 32; i++) {
                assertEquals(scalar[i], vector[i], 0f, "trial " + trial + " lane " + i + " x " + x[i]);
            }
        }
    }
}
