package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class LaneSumTest {
    @Test
    void sumIsTheSumOfTheLanes() {
        int l = FloatVector.SPECIES_PREFERRED.length();
        float[] lanes = new float[l];
        for (int i = 0; i < l; i++) {
            lanes[i] = i + 1;
        }
        assertEquals(l * (l + 1) / 2f, LaneSum.of(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 0)));
    }

    @Test
    void lanesAreAddedInTheFixedTreeOrder() {
        int l = FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 10_000; trial++) {
            float[] lanes = new float[l];
            for (int i = 0; i < l; i++) {
                lanes[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-6, 7)));
            }
            float sum = LaneSum.of(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 0));
            assertEquals(Float.floatToRawIntBits(sum), Float.floatToRawIntBits(LaneSum.ofStored(lanes.clone())),
                    "stored lanes, trial " + trial);
            if (l <= 16) { // the tree: lane i + half folded onto lane i, halves 8, 4, 2, 1
                for (int half = l / 2; half >= 1; half /= 2) {
                    for (int i = 0; i < half; i++) {
                        lanes[i] += lanes[i + half];
                    }
                }
                assertEquals(Float.floatToRawIntBits(lanes[0]), Float.floatToRawIntBits(sum), "trial " + trial);
            }
        }
    }
}
