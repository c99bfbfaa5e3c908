package org.gemma4j.model;

/**
 * Keys and values of every layer that computes its own K/V (spec §2.5). Sliding-window layers keep a ring
 * of {@code window + maxBatch} positions (a batch of new tokens must not overwrite keys its first query still
 * sees); global layers keep the whole context. KV-shared layers have no storage: they read their donor's.
 *
 * <p>Thread safety: a cache belongs to one sequence; use it from one thread at a time.
 */
public final class KvCache {
    /** One layer's storage: position {@code p} lives in slot {@code p % capacity}. */
    static final class Layer {
        final int capacity;
        final int kvDim;
        final float[] k; // [capacity, kvDim]
        final float[] v; // [capacity, kvDim]

        Layer(int capacity, int kvDim) {
            this.capacity = capacity;
            this.kvDim = kvDim;
            this.k = new float[Math.multiplyExact(capacity, kvDim)];
            this.v = new float[Math.multiplyExact(capacity, kvDim)];
        }

        int offset(int pos) {
            return (pos % capacity) * kvDim;
        }
    }

    private final Layer[] layers;
    private final int contextLength;
    private final int maxRewind;
    private int position;

    KvCache(Gemma4Config c, int contextLength, int maxBatch) {
        this.contextLength = contextLength;
        this.layers = new Layer[c.nLayer()];
        int rewind = Integer.MAX_VALUE;
        for (int l = 0; l < c.firstSharedLayer(); l++) {
            int cap = c.isSliding(l) ? Math.min(contextLength, c.slidingWindow() + maxBatch) : contextLength;
            layers[l] = new Layer(cap, c.kvDim(l));
            if (cap < contextLength) {
                // A ring of W + B slots still holds the window of any position at most B back.
                rewind = Math.min(rewind, cap - c.slidingWindow());
            }
        }
        this.maxRewind = rewind;
    }

    /** Bytes a cache of this shape takes (F32 keys and values). */
    static long bytesFor(Gemma4Config c, int contextLength, int maxBatch) {
        long total = 0;
        for (int l = 0; l < c.firstSharedLayer(); l++) {
            long cap = c.isSliding(l) ? Math.min(contextLength, c.slidingWindow() + maxBatch) : contextLength;
            total += 2L * cap * c.kvDim(l) * Float.BYTES;
        }
        return total;
    }

    Layer layer(int l) {
        return layers[l];
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
     * Forgets everything from {@code pos} on, so the sequence continues from there. Sliding layers only keep
     * their window, so a rewind may not reach back further than that.
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

    /** Clears the sequence. */
    public void reset() {
        position = 0;
    }
}
