package org.gemma4j.model;

/**
 * The tanh approximation of GELU, {@code 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))} (spec §2.6), exactly or as
 * llama.cpp's fp16 lookup table ({@link Numerics#GGML}).
 */
final class GeluTanh {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    /** ggml_table_gelu_f16, bit-exact: indexed by the fp16 bits of x (golden README, numerics 1). */
    private static final short[] TABLE = new short[1 << 16];

    static {
        final float s = 0.7978845608f;
        final float a = 0.044715f;
        for (int i = 0; i < TABLE.length; i++) {
            float f = Float.float16ToFloat((short) i);
            float inner = (s * f) * Math.fma(a * f, f, 1f);
            float t = (float) Math.tanh(inner);
            TABLE[i] = Float.floatToFloat16(0.5f * f * (1f + t));
        }
    }

    private GeluTanh() {}

    static float apply(float x) {
        double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
        return (float) (0.5 * x * (1.0 + Math.tanh(inner)));
    }

    /** llama.cpp's GELU: 0 below -10, identity above 10, the fp16 table in between. */
    static float table(float x) {
        if (x <= -10f) {
            return 0f;
        }
        if (x >= 10f) {
            return x;
        }
        return Float.float16ToFloat(TABLE[Float.floatToFloat16(x) & 0xFFFF]);
    }

    static float apply(float x, Numerics numerics) {
        return numerics == Numerics.GGML ? table(x) : apply(x);
    }

    /** {@code gate[i] = gelu(gate[i]) * up[i]} over {@code n} values: the GeGLU product. */
    static void gatedInPlace(float[] gate, int gateOff, float[] up, int upOff, int n, Numerics numerics) {
        for (int i = 0; i < n; i++) {
            gate[gateOff + i] = apply(gate[gateOff + i], numerics) * up[upOff + i];
        }
    }
}
