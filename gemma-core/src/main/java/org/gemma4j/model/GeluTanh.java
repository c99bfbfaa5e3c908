package org.gemma4j.model;

/** The tanh approximation of GELU, {@code 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))} (spec §2.6). */
final class GeluTanh {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private GeluTanh() {}

    static float apply(float x) {
        double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
        return (float) (0.5 * x * (1.0 + Math.tanh(inner)));
    }

    /** {@code gate[i] = gelu(gate[i]) * up[i]} over {@code n} values: the GeGLU product. */
    static void gatedInPlace(float[] gate, int gateOff, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            gate[gateOff + i] = apply(gate[gateOff + i]) * up[upOff + i];
        }
    }
}
