package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;

import jdk.incubator.vector.FloatVector;

/**
 * The batched product {@code out[t, r] = W[r] · x[t]} on decoded float32 rows: rows are decoded two at a time and
 * multiplied with four tokens at a time, so every weight vector load serves four tokens and every activation load
 * two rows (a 2×4 register tile of accumulators).
 */
final class RowProducts {
    private RowProducts() {}

    /** See {@link Tensor#matMul}; {@code n > 1}. */
    static void matMul(Tensor w, float[] x, int n, float[] out, int outStride, int rowFrom, int rowTo) {
        int cols = w.cols();
        float[] w0 = new float[cols];
        float[] w1 = new float[cols];
        int r = rowFrom;
        for (; r + 2 <= rowTo; r += 2) {
            w.decodeRow(r, w0);
            w.decodeRow(r + 1, w1);
            twoRows(w0, w1, x, n, out, outStride, r);
        }
        if (r < rowTo) {
            w.decodeRow(r, w0);
            twoRows(w0, w0, x, n, out, outStride, r); // the same row twice: the second result lands on row r again
        }
    }

    /** Rows {@code r} ({@code a}) and {@code r + 1} ({@code b}) against all {@code n} tokens of {@code x} ({@code [n, cols]}). */
    static void twoRows(float[] a, float[] b, float[] x, int n, float[] out, int outStride, int r) {
        int cols = a.length;
        int upper = F.loopBound(cols);
        int rb = a == b ? r : r + 1;
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
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector b2 = FloatVector.zero(F);
            FloatVector b3 = FloatVector.zero(F);
            int i = 0;
            for (; i < upper; i += F.length()) {
                FloatVector wa = FloatVector.fromArray(F, a, i);
                FloatVector wb = FloatVector.fromArray(F, b, i);
                FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
                FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
                FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
                FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
                a0 = wa.fma(v0, a0);
                a1 = wa.fma(v1, a1);
                a2 = wa.fma(v2, a2);
                a3 = wa.fma(v3, a3);
                b0 = wb.fma(v0, b0);
                b1 = wb.fma(v1, b1);
                b2 = wb.fma(v2, b2);
                b3 = wb.fma(v3, b3);
            }
            out[t * outStride + r] = LaneSum.of(a0) + tail(a, x, x0, i);
            out[(t + 1) * outStride + r] = LaneSum.of(a1) + tail(a, x, x1, i);
            out[(t + 2) * outStride + r] = LaneSum.of(a2) + tail(a, x, x2, i);
            out[(t + 3) * outStride + r] = LaneSum.of(a3) + tail(a, x, x3, i);
            out[t * outStride + rb] = LaneSum.of(b0) + tail(b, x, x0, i);
            out[(t + 1) * outStride + rb] = LaneSum.of(b1) + tail(b, x, x1, i);
            out[(t + 2) * outStride + rb] = LaneSum.of(b2) + tail(b, x, x2, i);
            out[(t + 3) * outStride + rb] = LaneSum.of(b3) + tail(b, x, x3, i);
        }
        for (; t < n; t++) {
            int x0 = t * cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            int i = 0;
            for (; i < upper; i += F.length()) {
                FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
                a0 = FloatVector.fromArray(F, a, i).fma(v0, a0);
                b0 = FloatVector.fromArray(F, b, i).fma(v0, b0);
            }
            out[t * outStride + r] = LaneSum.of(a0) + tail(a, x, x0, i);
            out[t * outStride + rb] = LaneSum.of(b0) + tail(b, x, x0, i);
        }
    }

    /** {@code Σ w[i]·x[xo + i]} for the columns {@code from .. w.length} past the last whole vector. */
    private static float tail(float[] w, float[] x, int xo, int from) {
        float s = 0f;
        for (int i = from; i < w.length; i++) {
            s += w[i] * x[xo + i];
        }
        return s;
    }
}
