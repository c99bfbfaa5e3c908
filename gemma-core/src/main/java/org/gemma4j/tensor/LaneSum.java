package org.gemma4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Sums the lanes of a vector in a fixed order (lane 0 first). {@code reduceLanes(ADD)} leaves the order open, and
 * HotSpot's interpreter and its compiled code really do add in different orders: the last bit of a dot product
 * would then depend on JIT state, and a seeded generation would not reproduce. Lane-wise arithmetic is exact
 * IEEE either way, so a fixed-order sum makes every kernel deterministic.
 */
public final class LaneSum {
    private LaneSum() {}

    public static float of(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0f;
        for (float x : lanes) {
            s += x;
        }
        return s;
    }
}
