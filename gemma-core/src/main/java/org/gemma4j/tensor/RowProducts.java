package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** One float32 weight row against a batch of tokens: each weight vector is loaded once per four tokens. */
final class RowProducts {
    private RowProducts() {}

    /**
     * {@code out[t*outStride + r] = w · x[t]} for {@code t < n}; {@code w} has {@code cols} values, {@code x} is
     * {@code [n, cols]} row-major.
     */
    static void rowTimesTokens(float[] w, float[] x, int n, float[] out, int outStride, int r) {
        int cols = w.length;
        int upper = F.loopBound(cols);
        int t = 0;
        for (; t + 4 <= n; t += 4) {
            int x0 = t * cols;
            int x1 = x0 + cols;
            int x2 = x1 + cols;
            int x3 = x2 + cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int i = 0;
            for (; i < upper; i += F.length()) {
                FloatVector wv = FloatVector.fromArray(F, w, i);
                a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
                a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
                a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
                a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                s0 += w[i] * x[x0 + i];
                s1 += w[i] * x[x1 + i];
                s2 += w[i] * x[x2 + i];
                s3 += w[i] * x[x3 + i];
            }
            out[t * outStride + r] = s0;
            out[(t + 1) * outStride + r] = s1;
            out[(t + 2) * outStride + r] = s2;
            out[(t + 3) * outStride + r] = s3;
        }
        for (; t < n; t++) {
            int x0 = t * cols;
            FloatVector a0 = FloatVector.zero(F);
            int i = 0;
            for (; i < upper; i += F.length()) {
                a0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, x0 + i), a0);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) {
                s0 += w[i] * x[x0 + i];
            }
            out[t * outStride + r] = s0;
        }
    }
}
