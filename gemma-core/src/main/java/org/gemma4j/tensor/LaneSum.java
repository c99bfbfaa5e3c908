package org.gemma4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums the lanes of a vector in a fixed order: a tree of lane-wise adds, each folding the upper half of the
 * remaining lanes onto the lower half. {@code reduceLanes(ADD)} leaves the order open, and HotSpot's interpreter
 * and its compiled code really do add in different orders: the last bit of a dot product would then depend on JIT
 * state, and a seeded generation would not reproduce. Lane-wise arithmetic is exact IEEE either way, so a fixed
 * tree makes every kernel deterministic.
 *
 * <p>The folds are in-register shuffles: an earlier version copied the lanes to a {@code float[]}, which escape
 * analysis did not remove; at one sum per weight row that was ~100 MB of garbage per E2B decode step.
 */
public final class LaneSum {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    // FOLD_n moves lane i + n to lane i; static finals (not an array) so C2 sees constant shuffles.
    private static final VectorShuffle<Float> FOLD_8 = VectorShuffle.iota(F, 8, 1, true);
    private static final VectorShuffle<Float> FOLD_4 = VectorShuffle.iota(F, 4, 1, true);
    private static final VectorShuffle<Float> FOLD_2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> FOLD_1 = VectorShuffle.iota(F, 1, 1, true);

    private LaneSum() {}

    /** The sum of {@code v}'s lanes, always added in the same order. {@code v} must be of the preferred species. */
    public static float of(FloatVector v) {
        if (L > 16) {
            return sequential(v); // vectors wider than 512 bits: no such x86 hardware yet
        }
        if (L == 16) {
            v = v.add(v.rearrange(FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(FOLD_2));
        }
        if (L >= 2) {
            v = v.add(v.rearrange(FOLD_1));
        }
        return v.lane(0);
    }

    /**
     * {@link #of} for a vector already stored to {@code lanes[0 .. L)}, in the same order, in scalar code (the array
     * is overwritten). Kernels that finish several rows at once use it: four {@link #of} calls after their loop
     * pushed them past C2's inlining budget, and a vector passed to a call that is not inlined is allocated.
     */
    static float ofStored(float[] lanes) {
        if (L > 16) {
            float s = 0f;
            for (int i = 0; i < L; i++) {
                s += lanes[i];
            }
            return s;
        }
        for (int n = L / 2; n >= 1; n /= 2) {
            for (int i = 0; i < n; i++) {
                lanes[i] += lanes[i + n];
            }
        }
        return lanes[0];
    }

    private static float sequential(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
