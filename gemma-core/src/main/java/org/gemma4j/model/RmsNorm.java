package org.gemma4j.model;

/** {@code y = x · (mean(x²) + eps)^(-1/2) · w} (spec §2.1: Gemma 4 uses the stored weight as is, no {@code 1 + w}). */
final class RmsNorm {
    private RmsNorm() {}

    /** Normalizes {@code x[off .. off+n)} in place; {@code w} may be null for the weight-less norm. */
    static void apply(float[] x, int off, int n, float[] w, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            ss += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        if (w == null) {
            for (int i = 0; i < n; i++) {
                x[off + i] *= scale;
            }
        } else {
            for (int i = 0; i < n; i++) {
                x[off + i] = x[off + i] * scale * w[i];
            }
        }
    }

    /** Applies the norm to each of {@code count} consecutive vectors of length {@code n}. */
    static void applyEach(float[] x, int off, int count, int n, float[] w, float eps) {
        for (int i = 0; i < count; i++) {
            apply(x, off + i * n, n, w, eps);
        }
    }
}
