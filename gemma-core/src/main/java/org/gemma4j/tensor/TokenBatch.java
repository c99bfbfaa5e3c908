package org.gemma4j.tensor;

/**
 * The input of a batched product ({@link Tensor#matMul(TokenBatch, float[], int, int, int)}): {@code n} activation
 * rows {@code [n, cols]}, and the first {@link #laneTokens()} of them once more column by column
 * ({@code [cols, laneTokens]}), so that one vector load holds one column of consecutive tokens. With the tokens in
 * the lanes the product's register tile multiplies a broadcast weight into four token vectors and never sums lanes
 * (the row-major tile sums the 16 lanes of each of its 16 accumulators, ~10 % of its time on 1536-column rows);
 * see {@code RowProducts#laneTile}. One transposition serves every worker thread and every row of the weight.
 *
 * <p>A batch of activations already rounded to Q8_0 or Q8_K blocks ({@link #prepareQ8_0}, {@link #prepareQ8_K}) lays
 * its lane tokens out as those blocks' integers instead, for the 16-bit integer product of 4-bit weights
 * ({@code Int16LaneTile}).
 *
 * <p>Thread safety: {@link #set} and the {@code prepare} methods must not run concurrently with anything else on the
 * same batch; {@link #layOut} may, for disjoint ranges (see there). Once laid out, any number of threads may read the batch (the
 * worker pool's hand-off publishes it). The rows array is referenced, not copied: it must not change while products
 * run.
 */
public final class TokenBatch {
    private float[] rows;
    private int n;
    private int cols;
    private float[] columns = new float[0];
    private int laneTokens;
    private int quantBlock; // 32 (Q8_0) or 256 (Q8_K) when laid out as integers, else 0
    private short[] quants = new short[0];
    private float[] quantScales = new float[0];
    private float[] quantSums = new float[0];

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
        return prepare(x, n, cols, 0);
    }

    /**
     * {@link #prepare} for rows already rounded to Q8_0 blocks (each 32-value block {@code fp16(d)·q},
     * {@code |q| ≤ 127}, as llama.cpp quantizes a product's input for Q4_0, Q8_0 and the like): {@link #layOut} then
     * lays the lane tokens out as their integers {@code q} and scales {@code d}, recovered exactly from the rounded
     * values, instead of floats. Rows that are not so rounded would be rounded here, silently: pass only rounded rows.
     */
    public TokenBatch prepareQ8_0(float[] x, int n, int cols) {
        return prepare(x, n, cols, 32);
    }

    /**
     * {@link #prepareQ8_0} for rows rounded to Q8_K blocks (256 values {@code d·q}, {@code d} a float,
     * {@code |q| ≤ 127}: the input of the K-quants' products); {@code d} is recovered to within a rounding.
     */
    public TokenBatch prepareQ8_K(float[] x, int n, int cols) {
        return prepare(x, n, cols, 256);
    }

    private TokenBatch prepare(float[] x, int n, int cols, int quantBlock) {
        if (quantBlock > 0 && cols % quantBlock != 0) {
            throw new IllegalArgumentException("blocks of " + quantBlock + " need a multiple of " + quantBlock
                    + " columns, got " + cols);
        }
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
        // integers go in 32-token steps: the 16-bit product ends on a half tile (Int16LaneTile#halfTile)
        int step = quantBlock > 0 ? tile / 2 : tile;
        this.laneTokens = tile > 0 ? n / step * step : 0;
        this.quantBlock = quantBlock;
        long len = (long) laneTokens * cols;
        if (quantBlock > 0) {
            if (quants.length < len) {
                quants = new short[Math.toIntExact(len)];
                quantScales = new float[Math.toIntExact(len / 32)];
                quantSums = new float[Math.toIntExact(len / 32)];
            }
        } else if (columns.length < len) {
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
        if (quantBlock > 0) {
            layOutQuants(from, end);
            return;
        }
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

    /**
     * Tokens {@code [from, to)} as integers: {@code q} of token {@code t}, column {@code k} at
     * {@code k·laneTokens + 32·(t/32) + lane(t % 32)}, where tokens {@code i} and {@code i + 16} of a group of 32
     * share the 32-bit lane {@code i} ({@link #quantLane}), so that the two halves of a 32-bit lane, converted to floats,
     * hold tokens in order. Per 32 columns {@code b} of token {@code t}, at {@code b·laneTokens + t}: the scale
     * {@code d} of the block holding them ({@link #quantScales()}) and {@code d·Σq} over the 32 ({@link #quantSums()}).
     * The integers are recovered from the rounded values with {@link QuantizedVector#integers}.
     */
    private void layOutQuants(int from, int to) {
        float[] q = KernelScratch.sums(256);
        for (int t = from; t < to; t++) {
            int lane = t / 32 * 32 + quantLane(t % 32);
            for (int x0 = t * cols, end = x0 + cols, b = 0; x0 < end; x0 += quantBlock) {
                float d = QuantizedVector.integers(rows, x0, quantBlock, q);
                for (int sub = 0; sub < quantBlock; sub += 32, b++) {
                    float sum = 0f; // of integers below 2^24: exact in any order
                    for (int i = 0, o = 32 * b * laneTokens + lane; i < 32; i++, o += laneTokens) {
                        quants[o] = (short) q[sub + i];
                        sum += q[sub + i];
                    }
                    quantScales[b * laneTokens + t] = d;
                    quantSums[b * laneTokens + t] = d * sum;
                }
            }
        }
    }

    /** The 16-bit lane of token {@code i} of a group of 32: {@code 2i} for the first 16, {@code 2(i-16)+1} after. */
    static int quantLane(int i) {
        return i < 16 ? 2 * i : 2 * (i - 16) + 1;
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

    /**
     * Tokens {@code 0 .. laneTokens} are also in {@link #columns()} (a multiple of the lane tile, possibly 0), or in
     * {@link #quants()} (a multiple of half of it).
     */
    int laneTokens() {
        return laneTokens;
    }

    /** {@code [cols, laneTokens]}: value {@code k} of token {@code t} at {@code k·laneTokens + t}. */
    float[] columns() {
        return columns;
    }

    /**
     * 32 (Q8_0) or 256 (Q8_K) when the lane tokens are laid out as integers ({@link #quants()}) instead of
     * {@link #columns()}; 0 for floats.
     */
    int quantBlock() {
        return quantBlock;
    }

    /** {@code [cols, laneTokens]} integers, the tokens of each group of 32 interleaved (see {@link #layOutQuants}). */
    short[] quants() {
        return quants;
    }

    /** {@code [cols/32, laneTokens]}: the scale {@code d} of each lane token's 32 values (that of their block). */
    float[] quantScales() {
        return quantScales;
    }

    /** {@code [cols/32, laneTokens]}: {@code d·Σq} over each lane token's 32 values. */
    float[] quantSums() {
        return quantSums;
    }
}
