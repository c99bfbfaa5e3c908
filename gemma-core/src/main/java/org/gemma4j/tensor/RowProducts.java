package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;

import jdk.incubator.vector.FloatVector;

/**
 * The batched product {@code out[t, r] = W[r] · x[t]} on decoded float32 rows: rows are decoded four (or two) at a
 * time, then multiplied with the tokens in register tiles.
 * <ul>
 *   <li>The lane tile ({@link #laneTile}, AVX-512): four rows against {@code 4·L} tokens held in the lanes (the
 *       column layout of {@link TokenBatch}); each column broadcasts one weight per row into four token vectors.
 *       No lane sums at all; 1536-column rows, 128 tokens, one thread: 87 → 100 GFLOP/s (peak ~116).</li>
 *   <li>The row tile ({@link #fourRows}): 4 rows × 4 tokens with the columns in the lanes, every weight vector load
 *       serving four tokens and every activation load four rows; it takes the tokens the lane tile leaves
 *       (fewer than {@code 4·L}), and all of them where vectors are narrower than 512 bits (2×4 there).</li>
 * </ul>
 *
 * <p>The row tile's accumulators are summed through a small scratch array ({@link #lanes}): a tile's worth of
 * in-register {@link LaneSum}s overflowed C2's inlining budget and boxed vectors (2.4 MB per 1536x2048 product).
 * 1536x2048 Q8_0, 30 tokens, one thread, old and new alternating: 42, 32 → 57, 65 GFLOP/s.
 */
final class RowProducts {
    /** The 4×4 tiles need 21–24 vector registers: AVX-512 (and its 32 registers) only. */
    static final boolean WIDE_TILE = F.length() >= 16;
    /** Tokens per lane tile (four vectors), or 0 where the lane tile is not used. */
    static final int LANE_TILE_TOKENS = WIDE_TILE ? 4 * F.length() : 0;
    /**
     * Lane tiles write their results to a per-thread stage of {@code [laneTokens, 16]} floats, copied to the output
     * every 16 rows. Written straight to {@code out} ({@code [n, outStride]}), a tile's 4 rows × 64 tokens touched 64
     * lines whose addresses differ by {@code outStride} floats, a multiple of 4 KB for most Gemma widths (2048, 6144,
     * 12288 rows): all in one L1 set, so each line was evicted and fetched again by the next tile. E2B pp128, two
     * threads, old and new jars alternating (means of three runs): Q8_0 37.8 → 41.7 tok/s (40.7 with the tile's stores
     * merely ordered token by token), Q4_K_M 36.3–39.3 → 42.1–42.3, Q4_0 within the noise (38.7–40.1 → 37.1–41.9).
     */
    static final int STAGED_ROWS = 16;

    private RowProducts() {}

    /**
     * See {@link Tensor#matMul(TokenBatch, float[], int, int, int)}; {@code n > 1}. Rows are decoded at a single
     * call site: with one per tile shape, C2 inlined a row decoder seven times, overflowed its inlining budget and
     * boxed the decoders' vectors (E2B Q4_0 prefill: 90 MB of garbage per token).
     */
    static void matMul(Tensor w, TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        int cols = w.cols();
        float[] x = in.rows();
        int n = in.n();
        int laneTokens = in.quantBlock() > 0 ? 0 : in.laneTokens(); // integers are for Int16LaneTile: row tiles take them all
        float[][] rows = KernelScratch.rows(cols);
        float[] sums = KernelScratch.tileSums(16 * F.length()); // accumulator lanes on their way to the output
        float[] stage = KernelScratch.stage(STAGED_ROWS * laneTokens); // [laneTokens, STAGED_ROWS]
        int staged = 0; // rows in the stage, from row r - staged on
        int r = rowFrom;
        while (r < rowTo) {
            int left = rowTo - r;
            int count = WIDE_TILE && left >= 4 ? 4 : Math.min(left, 2);
            for (int i = 0; i < count; i++) {
                w.decodeRow(r + i, rows[i]);
            }
            if (count == 4) {
                for (int t = 0; t < laneTokens; t += LANE_TILE_TOKENS) {
                    laneTile(rows[0], rows[1], rows[2], rows[3], cols, in.columns(), laneTokens, t, stage, STAGED_ROWS, staged, sums);
                }
                staged += 4;
                if (staged == STAGED_ROWS || rowTo - (r + 4) < 4) {
                    unstage(stage, staged, laneTokens, out, outStride, r + 4 - staged);
                    staged = 0;
                }
                fourRows(rows[0], rows[1], rows[2], rows[3], cols, x, n, laneTokens, out, outStride, r, sums);
            } else {
                // one row left: the same row twice, the second result lands on row r again
                twoRows(rows[0], rows[count - 1], cols, x, n, 0, out, outStride, r, sums);
            }
            r += count;
        }
    }

    /**
     * Copies {@code rows} staged rows of every lane-tile token to {@code out}, starting at row {@code r}: each token's
     * rows land in one stretch of its output row instead of four stores per lane tile spread over 64 tokens.
     */
    static void unstage(float[] stage, int rows, int laneTokens, float[] out, int outStride, int r) {
        for (int t = 0; t < laneTokens; t++) {
            System.arraycopy(stage, t * STAGED_ROWS, out, t * outStride + r, rows);
        }
    }

    /**
     * Rows {@code r .. r+3} against tokens {@code t0 .. t0 + 4L} of the column layout {@code columns}
     * ({@code [cols, stride]}): 16 accumulators of {@code L} tokens each. Per column, four token-vector loads and four
     * broadcast weights feed 16 fused multiply-adds; each lane sums its token's products in column order. The results
     * go to {@code out[t*outStride + r .. r+3]} token by token (the matMul stage, {@link #STAGED_ROWS} wide).
     */
    static void laneTile(float[] a, float[] b, float[] c, float[] d, int cols, float[] columns, int stride, int t0,
            float[] out, int outStride, int r, float[] sums) {
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        for (int k = 0, o = t0; k < cols; k++, o += stride) {
            FloatVector v0 = FloatVector.fromArray(F, columns, o);
            FloatVector v1 = FloatVector.fromArray(F, columns, o + l);
            FloatVector v2 = FloatVector.fromArray(F, columns, o + 2 * l);
            FloatVector v3 = FloatVector.fromArray(F, columns, o + 3 * l);
            FloatVector w = FloatVector.broadcast(F, a[k]);
            a0 = w.fma(v0, a0);
            a1 = w.fma(v1, a1);
            a2 = w.fma(v2, a2);
            a3 = w.fma(v3, a3);
            w = FloatVector.broadcast(F, b[k]);
            b0 = w.fma(v0, b0);
            b1 = w.fma(v1, b1);
            b2 = w.fma(v2, b2);
            b3 = w.fma(v3, b3);
            w = FloatVector.broadcast(F, c[k]);
            c0 = w.fma(v0, c0);
            c1 = w.fma(v1, c1);
            c2 = w.fma(v2, c2);
            c3 = w.fma(v3, c3);
            w = FloatVector.broadcast(F, d[k]);
            d0 = w.fma(v0, d0);
            d1 = w.fma(v1, d1);
            d2 = w.fma(v2, d2);
            d3 = w.fma(v3, d3);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, l);
        a2.intoArray(sums, 2 * l);
        a3.intoArray(sums, 3 * l);
        b0.intoArray(sums, 4 * l);
        b1.intoArray(sums, 5 * l);
        b2.intoArray(sums, 6 * l);
        b3.intoArray(sums, 7 * l);
        c0.intoArray(sums, 8 * l);
        c1.intoArray(sums, 9 * l);
        c2.intoArray(sums, 10 * l);
        c3.intoArray(sums, 11 * l);
        d0.intoArray(sums, 12 * l);
        d1.intoArray(sums, 13 * l);
        d2.intoArray(sums, 14 * l);
        d3.intoArray(sums, 15 * l);
        for (int v = 0; v < 4; v++) { // token by token, its four rows side by side
            for (int i = 0; i < l; i++) {
                int o = (t0 + v * l + i) * outStride + r;
                out[o] = sums[v * l + i];
                out[o + 1] = sums[(4 + v) * l + i];
                out[o + 2] = sums[(8 + v) * l + i];
                out[o + 3] = sums[(12 + v) * l + i];
            }
        }
    }

    /**
     * Rows {@code r .. r+3} against the tokens {@code tFrom .. n}: a 4×4 tile of 16 accumulators, 8 loads per 16 fused
     * multiply-adds (the 2×4 tile needs 6 per 8). The 16 accumulators are summed through {@code sums}
     * ({@code 16 × L} floats), lane 0 first: sixteen in-register {@link LaneSum}s overflow C2's inlining budget.
     */
    static void fourRows(float[] a, float[] b, float[] c, float[] d, int cols, float[] x, int n, int tFrom, float[] out,
            int outStride, int r, float[] sums) {
        int upper = F.loopBound(cols);
        int t = tFrom;
        for (; t + 4 <= n; t += 4) {
            int x0 = t * cols;
            int x1 = x0 + cols;
            int x2 = x1 + cols;
            int x3 = x2 + cols;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;
            int i = 0;
            for (; i < upper; i += F.length()) {
                FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
                FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
                FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
                FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
                FloatVector w = FloatVector.fromArray(F, a, i);
                a0 = w.fma(v0, a0);
                a1 = w.fma(v1, a1);
                a2 = w.fma(v2, a2);
                a3 = w.fma(v3, a3);
                w = FloatVector.fromArray(F, b, i);
                b0 = w.fma(v0, b0);
                b1 = w.fma(v1, b1);
                b2 = w.fma(v2, b2);
                b3 = w.fma(v3, b3);
                w = FloatVector.fromArray(F, c, i);
                c0 = w.fma(v0, c0);
                c1 = w.fma(v1, c1);
                c2 = w.fma(v2, c2);
                c3 = w.fma(v3, c3);
                w = FloatVector.fromArray(F, d, i);
                d0 = w.fma(v0, d0);
                d1 = w.fma(v1, d1);
                d2 = w.fma(v2, d2);
                d3 = w.fma(v3, d3);
            }
            int l = F.length();
            a0.intoArray(sums, 0);
            a1.intoArray(sums, l);
            a2.intoArray(sums, 2 * l);
            a3.intoArray(sums, 3 * l);
            b0.intoArray(sums, 4 * l);
            b1.intoArray(sums, 5 * l);
            b2.intoArray(sums, 6 * l);
            b3.intoArray(sums, 7 * l);
            c0.intoArray(sums, 8 * l);
            c1.intoArray(sums, 9 * l);
            c2.intoArray(sums, 10 * l);
            c3.intoArray(sums, 11 * l);
            d0.intoArray(sums, 12 * l);
            d1.intoArray(sums, 13 * l);
            d2.intoArray(sums, 14 * l);
            d3.intoArray(sums, 15 * l);
            for (int k = 0; k < 16; k++) { // k = 4 * row + token
                float[] wk = k < 4 ? a : k < 8 ? b : k < 12 ? c : d;
                int xk = x0 + (k & 3) * cols;
                out[(t + (k & 3)) * outStride + r + (k >> 2)] = lanes(sums, k * l) + tail(wk, cols, x, xk, i);
            }
        }
        if (t < n) {
            twoRows(a, b, cols, x, n, t, out, outStride, r, sums);
            twoRows(c, d, cols, x, n, t, out, outStride, r + 2, sums);
        }
    }

    /**
     * The sum of the {@code L} floats at {@code a[off ..]}, lane 0 first. A fixed order (so results are
     * deterministic), but not {@link LaneSum}'s tree: folding the tree through memory stalls on store forwarding,
     * and the sequential sums of a tile's 16 accumulators run side by side (1536x2048 Q8_0, 32 tokens, one thread,
     * alternating: tree 44.7, 44.4, 52.6 → sequential 58.3, 74.0, 60.3 GFLOP/s). Batch and one-token products thus
     * differ in the last bits of each lane sum.
     */
    private static float lanes(float[] a, int off) {
        float s = 0f;
        for (int i = 0; i < F.length(); i++) {
            s += a[off + i];
        }
        return s;
    }

    /** Rows {@code r} ({@code a}) and {@code r + 1} ({@code b}) against the tokens {@code tFrom .. n} of {@code x} ({@code [n, cols]}). */
    static void twoRows(float[] a, float[] b, int cols, float[] x, int n, int tFrom, float[] out, int outStride, int r,
            float[] sums) {
        int upper = F.loopBound(cols);
        int rb = a == b ? r : r + 1;
        int t = tFrom;
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
            int l = F.length();
            a0.intoArray(sums, 0);
            a1.intoArray(sums, l);
            a2.intoArray(sums, 2 * l);
            a3.intoArray(sums, 3 * l);
            b0.intoArray(sums, 4 * l);
            b1.intoArray(sums, 5 * l);
            b2.intoArray(sums, 6 * l);
            b3.intoArray(sums, 7 * l);
            for (int k = 0; k < 8; k++) { // k = 4 * row + token
                float[] wk = k < 4 ? a : b;
                int rk = k < 4 ? r : rb;
                out[(t + (k & 3)) * outStride + rk] = lanes(sums, k * l) + tail(wk, cols, x, x0 + (k & 3) * cols, i);
            }
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
            out[t * outStride + r] = LaneSum.of(a0) + tail(a, cols, x, x0, i);
            out[t * outStride + rb] = LaneSum.of(b0) + tail(b, cols, x, x0, i);
        }
    }

    /** {@code Σ w[i]·x[xo + i]} for the columns {@code from .. cols} past the last whole vector. */
    private static float tail(float[] w, int cols, float[] x, int xo, int from) {
        float s = 0f;
        for (int i = from; i < cols; i++) {
            s += w[i] * x[xo + i];
        }
        return s;
    }
}
