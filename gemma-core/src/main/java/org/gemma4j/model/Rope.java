package org.gemma4j.model;

/**
 * NEOX ("rotate-half") rotary embedding (spec §2.4): element {@code i} pairs with {@code i + nRot/2}, and the
 * pair turns by {@code pos · base^(-2i/nRot) / freqFactor[i]}. Dimensions past {@code nRot} pass through.
 * Global layers of Gemma 4 use {@code rope_freqs} factors of 1e30 to leave most pairs unrotated
 * ("proportional" RoPE).
 */
final class Rope {
    private final int nRot;
    private final double[] invFreq; // [nRot/2]

    Rope(int nRot, float base, float[] freqFactors) {
        this.nRot = nRot;
        int half = nRot / 2;
        this.invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            double f = Math.pow(base, -2.0 * i / nRot);
            invFreq[i] = freqFactors == null ? f : f / freqFactors[i];
        }
    }

    int half() {
        return nRot / 2;
    }

    /** Fills {@code cos/sin[at .. at + nRot/2)} for position {@code pos} (angles in double, rounded once). */
    void angles(int pos, float[] cos, float[] sin, int at) {
        for (int i = 0; i < invFreq.length; i++) {
            double a = pos * invFreq[i];
            cos[at + i] = (float) Math.cos(a);
            sin[at + i] = (float) Math.sin(a);
        }
    }

    /** Rotates {@code x[off .. off + nRot)} in place with the angles precomputed at {@code cos/sin[at ..]}. */
    void rotate(float[] x, int off, float[] cos, float[] sin, int at) {
        int half = nRot / 2;
        for (int i = 0; i < half; i++) {
            float x0 = x[off + i];
            float x1 = x[off + i + half];
            x[off + i] = x0 * cos[at + i] - x1 * sin[at + i];
            x[off + i + half] = x0 * sin[at + i] + x1 * cos[at + i];
        }
    }
}
