package org.gemma4j.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.gemma4j.tensor.GgmlType;

/**
 * Rounds matmul activations the way llama.cpp quantizes them to the weight's {@code vec_dot_type} before a
 * product ({@link Numerics#GGML}); the rounded values, multiplied as floats, reproduce ggml's integer dot
 * products up to float rounding.
 */
final class ActivationRounding {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** {@code 1.5·2^23}: {@code (v + R) - R} is {@code v} rounded to an integer, ties to even, for {@code |v| < 2^22}. */
    private static final float ROUNDING = 12582912f;

    private ActivationRounding() {}

    /** How a weight type's product rounds its input: products of one kind can share a rounded input. */
    enum Kind {
        NONE, F16, BF16, Q8_0, Q8_K
    }

    static Kind kindOf(GgmlType type) {
        return switch (type) {
            case F32 -> Kind.NONE;
            case F16 -> Kind.F16;
            case BF16 -> Kind.BF16;
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL -> Kind.Q8_0;
            default -> Kind.Q8_K;
        };
    }

    /**
     * {@code x} ({@code n} rows of {@code cols}) rounded for a product with weights of {@code type}, written into
     * {@code scratch} when it is long enough (else a new array); {@code x} itself if no rounding applies.
     */
    static float[] forWeights(GgmlType type, float[] x, int n, int cols, float[] scratch) {
        Kind kind = kindOf(type);
        if (kind == Kind.NONE) {
            return x;
        }
        int len = n * cols;
        float[] y = scratch != null && scratch.length >= len && scratch != x ? scratch : new float[len];
        roundRows(kind, x, 0, n, cols, y);
        return y;
    }

    /**
     * Rows {@code [from, to)} of {@code x} ({@code cols} values each, a multiple of the kind's block) rounded into the
     * same rows of {@code y}. Rows are independent: disjoint ranges may be rounded on different threads at once.
     */
    static void roundRows(Kind kind, float[] x, int from, int to, int cols, float[] y) {
        int start = from * cols;
        int end = to * cols;
        switch (kind) {
            case NONE -> System.arraycopy(x, start, y, start, end - start);
            case F16 -> map(x, start, end, v -> Float.float16ToFloat(Float.floatToFloat16(v)), y);
            case BF16 -> map(x, start, end, ActivationRounding::bf16, y);
            case Q8_0 -> blocks(x, start, end, 32, false, y);
            case Q8_K -> blocks(x, start, end, 256, true, y);
        }
    }

    private interface FloatOp {
        float apply(float v);
    }

    private static void map(float[] x, int from, int to, FloatOp op, float[] y) {
        for (int i = from; i < to; i++) {
            y[i] = op.apply(x[i]);
        }
    }

    static float bf16(float v) {
        int u = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16) << 16);
    }

    private static void blocks(float[] x, int from, int to, int block, boolean q8k, float[] y) {
        for (int off = from; off < to; off += block) {
            if (q8k) {
                q8k(x, y, off, block);
            } else if (block % L == 0) {
                q80Vector(x, y, off, block);
            } else {
                q80(x, y, off, block);
            }
        }
    }

    /**
     * {@link #q80} with the Vector API, the same values: {@code |v| ≤ 127}, so adding and subtracting
     * {@code 1.5·2^23} rounds to the nearest integer, ties to even, exactly as {@code rint} (only the sign of a zero
     * may differ). It runs on the calling thread for every product's input, while the other threads wait.
     */
    static void q80Vector(float[] x, float[] y, int off, int block) {
        FloatVector max = FloatVector.zero(F);
        for (int i = 0; i < block; i += L) {
            max = max.max(FloatVector.fromArray(F, x, off + i).abs());
        }
        float amax = max.reduceLanes(VectorOperators.MAX); // max is exact in any order
        float d = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        float dh = Float.float16ToFloat(Float.floatToFloat16(d));
        for (int i = 0; i < block; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(id).add(ROUNDING).sub(ROUNDING).mul(dh).intoArray(y, off + i);
        }
    }

    /** Q8_0 (AVX path): {@code d = amax/127}, {@code q = rint(x·(127/amax))}, value {@code fp16(d)·q}. */
    static void q80(float[] x, float[] y, int off, int block) {
        float amax = 0f;
        for (int i = 0; i < block; i++) {
            amax = Math.max(amax, Math.abs(x[off + i]));
        }
        float d = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        float dh = Float.float16ToFloat(Float.floatToFloat16(d));
        for (int i = 0; i < block; i++) {
            y[off + i] = dh * (float) Math.rint(x[off + i] * id);
        }
    }

    /** Q8_K: {@code m} = the element of largest |x|, {@code iscale = -127/m}, {@code q = min(127, rint(iscale·x))}, value {@code (1/iscale)·q}. */
    private static void q8k(float[] x, float[] y, int off, int block) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < block; i++) {
            float a = Math.abs(x[off + i]);
            if (a > amax) {
                amax = a;
                max = x[off + i];
            }
        }
        if (amax == 0f) {
            java.util.Arrays.fill(y, off, off + block, 0f); // all zero
            return;
        }
        float iscale = -127f / max;
        float d = 1f / iscale;
        for (int i = 0; i < block; i++) {
            y[off + i] = d * Math.min(127f, (float) Math.rint(iscale * x[off + i]));
        }
    }
}
