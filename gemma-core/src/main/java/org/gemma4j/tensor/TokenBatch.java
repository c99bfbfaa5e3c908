package org.gemma4j.tensor;

/**
 * The input of a batched product ({@link Tensor#matMul(TokenBatch, float[], int, int, int)}): {@code n} activation
 * rows {@code [n, cols]}, and the first {@link #laneTokens()} of them once more column by column
 * ({@code [cols, laneTokens]}), so that one vector load holds one column of consecutive tokens. With the tokens in
 * the lanes the product's register tile multiplies a broadcast weight into four token vectors and never sums lanes
 * (the row-major tile sums the 16 lanes of each of its 16 accumulators, ~10 % of its time on 1536-column rows);
 * see {@code RowProducts#laneTile}. One transposition serves every worker thread and every row of the weight.
 *
 * <p>Thread safety: {@link #set} and {@link #prepare} must not run concurrently with anything else on the same batch;
 * {@link #layOut} may, for disjoint ranges (see there). Once laid out, any number of threads may read the batch (the
 * worker pool's hand-off publishes it). The rows array is referenced, not copied: it must not change while products
 * run.
 */
public final class TokenBatch {
    private float[] rows;
    private int n;
    private int cols;
    private float[] columns = new float[0];
    private int laneTokens;

    /** An empty batch, to be {@link #set} (and reused: its column buffer only grows). */
    public TokenBatch() {}

    /** A batch of {@code n} rows of {@code cols} values from {@code x} ({@code [n, cols]} row-major). */
    public static TokenBatch of(float[] x, int n, int cols) {
        return new TokenBatch().set(x, n, cols);
    }

    /**
     * Makes this batch {@code n} rows of {@code cols} values from {@code x}, and lays the largest multiple of
     * {@link RowProducts#LANE_TILE_TOKENS} of them out column by column (none where the lane tile is not used).
     */
    public TokenBatch set(float[] x, int n, int cols) {
        prepare(x, n, cols);
        layOut(0, n);
        return this;
    }

    /**
     * {@link #set} without the layout: sizes the column buffer; {@link #layOut} then fills it, possibly in parts on
     * several threads. {@code x} may still be written (rows not yet laid out) until their {@code layOut}.
     */
    public TokenBatch prepare(float[] x, int n, int cols) {
        if (n < 1 || cols < 1) {
            throw new IllegalArgumentException("a token batch needs n ≥ 1 and cols ≥ 1, got n=" + n + ", cols=" + cols);
        }
        if ((long) n * cols > x.length) {
            throw new IllegalArgumentException(n + " rows of " + cols + " values do not fit in " + x.length + " floats");
        }
        this.rows = x;
        this.n = n;
        this.cols = cols;
        int tile = RowProducts.LANE_TILE_TOKENS;
        this.laneTokens = tile > 0 ? n / tile * tile : 0;
        long len = (long) laneTokens * cols;
        if (columns.length < len) {
            columns = new float[Math.toIntExact(len)];
        }
        return this;
    }

    /**
     * Lays out tokens {@code [from, to)} (those of them below {@link #laneTokens()}) column by column. Calls for
     * disjoint ranges may run on different threads at once (ranges of whole 16-token blocks keep them off each
     * other's cache lines, mostly).
     */
    public void layOut(int from, int to) {
        int end = Math.min(to, laneTokens);
        for (int t0 = from; t0 < end; t0 += 16) { // 16×16 blocks: both sides stay in cache
            int t1 = Math.min(end, t0 + 16);
            for (int k0 = 0; k0 < cols; k0 += 16) {
                int k1 = Math.min(cols, k0 + 16);
                for (int t = t0; t < t1; t++) {
                    for (int k = k0; k < k1; k++) {
                        columns[k * laneTokens + t] = rows[t * cols + k];
                    }
                }
            }
        }
    }

    /** The number of tokens (rows of {@link #rows()}). */
    public int n() {
        return n;
    }

    /** Values per token. */
    public int cols() {
        return cols;
    }

    /** The activations, {@code [n, cols]} row-major. */
    public float[] rows() {
        return rows;
    }

    /** Tokens {@code 0 .. laneTokens} are also in {@link #columns()}; a multiple of the lane tile, possibly 0. */
    int laneTokens() {
        return laneTokens;
    }

    /** {@code [cols, laneTokens]}: value {@code k} of token {@code t} at {@code k·laneTokens + t}. */
    float[] columns() {
        return columns;
    }
}
