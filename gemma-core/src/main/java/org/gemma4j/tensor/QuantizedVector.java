package org.gemma4j.tensor;

/**
 * One token's activations already rounded to Q8_0 or Q8_K blocks (as llama.cpp rounds a product's input), kept both as
 * those floats and as the blocks' integers: per value {@code q} ({@code |q| ≤ 127}), per 32 values the block scale
 * {@code d} and {@code Σq}. The one-token twin of {@link TokenBatch#prepareQ8_0}: tensors whose
 * {@link Tensor#takesIntegerVectors()} multiply the integers ({@link Tensor#matVec(QuantizedVector, float[], int, int, int)}),
 * every other tensor the floats.
 *
 * <p>Thread safety: a {@code prepare} method must not run while products read the vector; once prepared, any number of
 * threads may read it (the worker pool's hand-off publishes it). The float array is referenced, not copied.
 */
public final class QuantizedVector {
    /** {@code 1.5·2^23}: {@code (v + R) - R} is {@code v} rounded to an integer, ties to even, for {@code |v| < 2^22}. */
    private static final float ROUNDING = 12582912f;
    private float[] values = new float[0];
    private int cols;
    private int quantBlock;
    private short[] quants = new short[0];
    private float[] scales = new float[0];
    private int[] sums = new int[0];
    private int[] sums8 = new int[0];

    /** An empty vector, to be prepared (and reused: its buffers only grow). */
    public QuantizedVector() {}

    /**
     * Takes {@code rounded[0 .. cols)}, already rounded to Q8_0 blocks ({@code fp16(d)·q} per 32 values), and recovers
     * the integers and scales exactly. Values that are not so rounded would be rounded here, silently: pass only
     * rounded values.
     */
    public QuantizedVector prepareQ8_0(float[] rounded, int cols) {
        return prepare(rounded, cols, 32);
    }

    /** {@link #prepareQ8_0} for values rounded to Q8_K blocks (256 values {@code d·q}, {@code d} a float). */
    public QuantizedVector prepareQ8_K(float[] rounded, int cols) {
        return prepare(rounded, cols, 256);
    }

    private QuantizedVector prepare(float[] rounded, int cols, int quantBlock) {
        return expect(rounded, cols, quantBlock).takeIntegers(0, cols);
    }

    /**
     * Takes {@code rounded[0 .. cols)} as {@link #prepareQ8_0} does, but only sizes the buffers: the values may still
     * be being rounded, and their integers are taken by {@link #takeIntegers}, range by range (so on several threads).
     */
    public QuantizedVector expectQ8_0(float[] rounded, int cols) {
        return expect(rounded, cols, 32);
    }

    /** {@link #expectQ8_0} for values rounded to Q8_K blocks. */
    public QuantizedVector expectQ8_K(float[] rounded, int cols) {
        return expect(rounded, cols, 256);
    }

    private QuantizedVector expect(float[] rounded, int cols, int quantBlock) {
        if (cols < 1 || cols % quantBlock != 0 || cols > rounded.length) {
            throw new IllegalArgumentException("blocks of " + quantBlock + " need a positive multiple of " + quantBlock
                    + " columns within the " + rounded.length + " values, got " + cols);
        }
        this.values = rounded;
        this.cols = cols;
        this.quantBlock = quantBlock;
        if (quants.length < cols) {
            quants = new short[cols];
            scales = new float[cols / 32];
            sums = new int[cols / 32];
            sums8 = new int[cols / 8];
        }
        return this;
    }

    /**
     * The integers, scales and sums of the values {@code [from, to)}, whole blocks (32 values for Q8_0, 256 for Q8_K),
     * once they are rounded. Disjoint ranges may be taken on different threads at once.
     */
    public QuantizedVector takeIntegers(int from, int to) {
        if (from < 0 || to > cols || from > to || from % quantBlock != 0 || to % quantBlock != 0) {
            throw new IllegalArgumentException("values [" + from + ", " + to + ") are not whole blocks of " + quantBlock
                    + " within " + cols);
        }
        float[] rounded = values;
        // Integers straight into shorts, then summed from there: 2.7 → 1.7 µs for 1536 values (one thread, Q8_K), with
        // the float integers of #integers converted and summed in one loop before.
        for (int x0 = from; x0 < to; x0 += quantBlock) {
            float d = scale(rounded, x0, quantBlock);
            float id = d != 0f ? 1f / d : 0f;
            for (int i = x0; i < x0 + quantBlock; i++) {
                quants[i] = (short) (int) (rounded[i] * id + ROUNDING - ROUNDING);
            }
            for (int sub = x0; sub < x0 + quantBlock; sub += 32) {
                int sum = 0;
                for (int eighth = sub; eighth < sub + 32; eighth += 8) {
                    int sum8 = 0;
                    for (int i = eighth; i < eighth + 8; i++) {
                        sum8 += quants[i];
                    }
                    sums8[eighth / 8] = sum8;
                    sum += sum8;
                }
                scales[sub / 32] = d;
                sums[sub / 32] = sum;
            }
        }
        return this;
    }

    /**
     * The integers {@code q} of one block of {@code len} rounded values from {@code x[x0]} into {@code q[0 .. len)}
     * (as floats), returning the block's scale {@code d}. The block's largest value has {@code |q| = 127}, so
     * {@code max|x| / 127} is {@code d} (exactly for Q8_0's fp16 {@code d}: {@code 127·d} is exact in a float) and
     * {@code x·(1/d)}, within a few ulps of {@code q}, rounds to it.
     */
    static float integers(float[] x, int x0, int len, float[] q) {
        // Plain loops (C2 vectorizes them): with the Vector API this small shared method was, in some compilations,
        // left boxing its vectors (E2B Q4_K_M decode: 8.6 MB of garbage per token, 2.5 % of the time).
        float d = scale(x, x0, len);
        float id = d != 0f ? 1f / d : 0f;
        for (int i = 0; i < len; i++) {
            q[i] = x[x0 + i] * id + ROUNDING - ROUNDING;
        }
        return d;
    }

    /** The scale {@code d = max|x| / 127} of one block of {@code len} rounded values from {@code x[x0]}. */
    private static float scale(float[] x, int x0, int len) {
        float amax = 0f;
        for (int i = 0; i < len; i++) {
            amax = Math.max(amax, Math.abs(x[x0 + i]));
        }
        return amax / 127f;
    }

    /** The rounded values, {@code [cols]}. */
    public float[] values() {
        return values;
    }

    /** The number of values. */
    public int cols() {
        return cols;
    }

    /** 32 (Q8_0) or 256 (Q8_K). */
    int quantBlock() {
        return quantBlock;
    }

    /** {@code [cols]} integers {@code q}. */
    short[] quants() {
        return quants;
    }

    /** {@code [cols/32]}: the scale {@code d} of the block holding each 32 values. */
    float[] scales() {
        return scales;
    }

    /** {@code [cols/32]}: {@code Σq} over each 32 values. */
    int[] sums() {
        return sums;
    }

    /** {@code [cols/8]}: {@code Σq} over each 8 values. */
    int[] sums8() {
        return sums8;
    }
}
