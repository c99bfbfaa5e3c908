package org.gemma4j.model;

/**
 * Keys and values of every layer that computes its own K/V (spec §2.5). Sliding-window layers keep a ring
 * of {@code window + maxBatch} positions (a batch of new tokens must not overwrite keys its first query still
 * sees); global layers keep the whole context. KV-shared layers have no storage: they read their donor's.
 * Entries are stored as F32 or, at half the memory, F16.
 *
 * <p>Thread safety: a cache belongs to one sequence; use it from one thread at a time.
 */
public final class KvCache {
    /** Storage precision of keys and values. */
    public enum Precision {
        F32(Float.BYTES), F16(Short.BYTES);

        final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One layer's storage: position {@code p} lives in slot {@code p % capacity}, {@code kvDim} values per slot. */
    static final class Layer {
        final int capacity;
        final int kvDim;
        final float[] k; // [capacity, kvDim] when F32, else null
        final float[] v;
        final short[] k16; // [capacity, kvDim] when F16, else null
        final short[] v16;

        Layer(int capacity, int kvDim, Precision precision) {
            this.capacity = capacity;
            this.kvDim = kvDim;
            int n = Math.multiplyExact(capacity, kvDim);
            boolean half = precision == Precision.F16;
            this.k = half ? null : new float[n];
            this.v = half ? null : new float[n];
            this.k16 = half ? new short[n] : null;
            this.v16 = half ? new short[n] : null;
        }

        int offset(int pos) {
            return (pos % capacity) * kvDim;
        }

        /** Stores {@code kvDim} keys and values for position {@code pos}. */
        void write(int pos, float[] keys, int kOff, float[] values, int vOff) {
            int o = offset(pos);
            if (k != null) {
                System.arraycopy(keys, kOff, k, o, kvDim);
                System.arraycopy(values, vOff, v, o, kvDim);
            } else {
                for (int i = 0; i < kvDim; i++) {
                    k16[o + i] = Float.floatToFloat16(keys[kOff + i]);
                    v16[o + i] = Float.floatToFloat16(values[vOff + i]);
                }
            }
        }
    }

    /** The model's one-token activations for this sequence, kept between steps so decoding allocates nothing. */
    Object decodeScratch;
    private final Layer[] layers;
    private final int contextLength;
    private final int maxRewind;
    private final Precision precision;
    private int position;

    KvCache(Gemma4Config c, int contextLength, int maxBatch, Precision precision) {
        this.contextLength = contextLength;
        this.precision = precision;
        this.layers = new Layer[c.nLayer()];
        int rewind = Integer.MAX_VALUE;
        for (int l = 0; l < c.firstSharedLayer(); l++) {
            int cap = capacity(c, l, contextLength, maxBatch);
            layers[l] = new Layer(cap, c.kvDim(l), precision);
            if (cap < contextLength) {
                // A ring of W + B slots still holds the window of any position at most B back.
                rewind = Math.min(rewind, cap - c.slidingWindow());
            }
        }
        this.maxRewind = rewind;
    }

    private static int capacity(Gemma4Config c, int layer, int contextLength, int maxBatch) {
        return c.isSliding(layer) ? Math.min(contextLength, c.slidingWindow() + maxBatch) : contextLength;
    }

    /** Bytes a cache of this shape takes. */
    static long bytesFor(Gemma4Config c, int contextLength, int maxBatch, Precision precision) {
        long total = 0;
        for (int l = 0; l < c.firstSharedLayer(); l++) {
            total += 2L * capacity(c, l, contextLength, maxBatch) * c.kvDim(l) * precision.bytes;
        }
        return total;
    }

    Layer layer(int l) {
        return layers[l];
    }

    public Precision precision() {
        return precision;
    }

    /** The number of positions processed so far (the next token goes here). */
    public int position() {
        return position;
    }

    public int contextLength() {
        return contextLength;
    }

    void advance(int n) {
        position += n;
    }

    /**
     * Forgets everything from {@code pos} on, so the sequence continues from there. Sliding layers keep only
     * their window plus one batch, so a rewind may not reach back further than {@link Gemma4Model#DEFAULT_MAX_BATCH}
     * positions (unless the context fits entirely).
     */
    public void rewindTo(int pos) {
        if (pos < 0 || pos > position) {
            throw new IllegalArgumentException("cannot rewind to " + pos + " (position " + position + ")");
        }
        if (position - pos > maxRewind) {
            throw new IllegalArgumentException("cannot rewind " + (position - pos) + " positions: the sliding-window"
                    + " layers keep only " + maxRewind + " positions beyond their window; reset and prefill again");
        }
        position = pos;
    }

    /**
     * How far back {@link #rewindTo} may go from the current position: {@link Integer#MAX_VALUE} when every layer
     * keeps the whole context, else the positions the sliding-window layers keep beyond their window.
     */
    public int maxRewind() {
        return maxRewind;
    }

    /** Clears the sequence. */
    public void reset() {
        position = 0;
    }
}
