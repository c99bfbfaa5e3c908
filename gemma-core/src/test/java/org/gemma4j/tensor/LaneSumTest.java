package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class LaneSumTest {
    @Test
    void storedSumHasTheBitsOfTheRegisterSum() {
        SplittableRandom r = new SplittableRandom(3);
        int l = FloatVector.SPECIES_PREFERRED.length();
        for (int trial = 0; trial < 10_000; trial++) {
            float[] lanes = new float[l + 3];
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-6, 7)));
            }
            float inRegisters = LaneSum.of(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 3));
            float stored = LaneSum.ofStored(lanes, 3);
            assertEquals(Float.floatToRawIntBits(inRegisters), Float.floatToRawIntBits(stored), "trial " + trial);
        }
    }

    @Test
    void sumIsTheSumOfTheLanes() {
        int l = FloatVector.SPECIES_PREFERRED.length();
        float[] lanes = new float[l];
        for (int i = 0; i < l; i++) {
            lanes[i] = i + 1;
        }
        assertEquals(l * (l + 1) / 2f, LaneSum.of(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 0)));
    }
}
