package org.gemma4j.model;

import jdk.incubator.vector.FloatVector;
import org.gemma4j.tensor.LaneSum;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@code y = x · (mean(x²) + eps)^(-1/2) · w} (spec §2.1: Gemma 4 uses the stored weight as is, no {@code 1 + w}). */
final class RmsNorm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private RmsNorm() {}

    /** Normalizes {@code x[off .. off+n)} in place; {@code w} may be null for the weight-less norm. */
    static void apply(float[] x, int off, int n, float[] w, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = v.fma(v, acc);
        }
        float ss = LaneSum.of(acc);
        for (; i < n; i++) {
            ss += x[off + i] * x[off + i];
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        i = 0;
        if (w == null) {
            for (; i < upper; i += F.length()) {
                FloatVector.fromArray(F, x, off + i).mul(scale).intoArray(x, off + i);
            }
            for (; i < n; i++) {
                x[off + i] *= scale;
            }
        } else {
            for (; i < upper; i += F.length()) {
                FloatVector.fromArray(F, x, off + i).mul(scale).mul(FloatVector.fromArray(F, w, i)).intoArray(x, off + i);
            }
            for (; i < n; i++) {
                x[off + i] = x[off + i] * scale * w[i];
            }
        }
    }

    /** Scalar twin of {@link #apply} (the test reference). */
    static void applyScalar(float[] x, int off, int n, float[] w, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (double) x[off + i] * x[off + i];
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            x[off + i] = w == null ? x[off + i] * scale : x[off + i] * scale * w[i];
        }
    }

    /** Applies the norm to each of {@code count} consecutive vectors of length {@code n}. */
    static void applyEach(float[] x, int off, int count, int n, float[] w, float eps) {
        for (int i = 0; i < count; i++) {
            apply(x, off + i * n, n, w, eps);
        }
    }
}
