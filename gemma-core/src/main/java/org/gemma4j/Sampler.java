package org.gemma4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits with {@link SamplingOptions}. One sampler per generation (it owns the
 * seeded generator); not thread-safe.
 */
final class Sampler {
    private final SamplingOptions options;
    private final SplittableRandom random;
    private final int[] suppressed;

    Sampler(SamplingOptions options, int[] suppressedTokens) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
        this.suppressed = suppressedTokens.clone();
    }

    /**
     * Chooses a token. {@code logits} is modified (biases, penalties); {@code history} holds the tokens so far
     * (prompt and generated), of which the last {@code historyLength} are valid.
     */
    int sample(float[] logits, int[] history, int historyLength) {
        for (int id : suppressed) {
            if (id >= 0 && id < logits.length) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
        options.logitBias().forEach((id, bias) -> {
            if (id >= 0 && id < logits.length) {
                logits[id] += bias;
            }
        });
        applyPenalties(logits, history, historyLength);
        if (options.isGreedy()) {
            return argmax(logits);
        }
        return draw(logits);
    }

    private void applyPenalties(float[] logits, int[] history, int historyLength) {
        boolean any = options.repetitionPenalty() != 1f || options.presencePenalty() != 0f || options.frequencyPenalty() != 0f;
        if (!any || options.penaltyLastN() == 0 || historyLength == 0) {
            return;
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = Math.max(0, historyLength - options.penaltyLastN()); i < historyLength; i++) {
            counts.merge(history[i], 1, Integer::sum);
        }
        counts.forEach((id, count) -> {
            if (id < 0 || id >= logits.length) {
                return;
            }
            float l = logits[id];
            float rp = options.repetitionPenalty();
            l = l > 0 ? l / rp : l * rp;
            l -= options.presencePenalty() + count * options.frequencyPenalty();
            logits[id] = l;
        });
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Temperature, top-k, top-p, min-p, then one draw. */
    private int draw(float[] logits) {
        int k = options.topK() > 0 ? Math.min(options.topK(), logits.length) : logits.length;
        int[] ids = topIds(logits, k); // sorted by logit, descending; ties: lower id first
        float invT = 1f / options.temperature();
        double max = logits[ids[0]];
        if (max == Double.NEGATIVE_INFINITY) {
            return ids[0]; // everything banned: nothing sensible to draw
        }
        double[] p = new double[ids.length];
        double sum = 0;
        for (int i = 0; i < ids.length; i++) {
            p[i] = Math.exp((logits[ids[i]] - max) * invT);
            sum += p[i];
        }
        int keep = ids.length;
        if (options.topP() < 1f) {
            double cum = 0;
            for (int i = 0; i < ids.length; i++) {
                cum += p[i] / sum;
                if (cum >= options.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (options.minP() > 0f) {
            double floor = options.minP() * p[0];
            int i = 1;
            while (i < keep && p[i] >= floor) {
                i++;
            }
            keep = i;
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += p[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) {
                return ids[i];
            }
        }
        return ids[keep - 1];
    }

    /** The ids of the {@code k} largest logits, largest first (lowest id first among equals). */
    static int[] topIds(float[] logits, int k) {
        if (k >= logits.length) {
            Integer[] all = new Integer[logits.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            Arrays.sort(all, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            return Arrays.stream(all).mapToInt(Integer::intValue).toArray();
        }
        // Min-heap of the best k seen so far: O(n log k), no boxing over the whole vocabulary.
        int[] heap = new int[k];
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, logits);
            } else if (better(i, heap[0], logits)) {
                heap[0] = i;
                siftDown(heap, k, logits);
            }
        }
        int[] out = new int[k];
        for (int i = k - 1; i >= 0; i--) {
            out[i] = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, logits);
        }
        return out;
    }

    private static boolean better(int a, int b, float[] l) {
        return l[a] > l[b] || (l[a] == l[b] && a < b);
    }

    private static void siftUp(int[] h, int i, float[] l) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(h[parent], h[i], l)) {
                break;
            }
            int t = h[parent];
            h[parent] = h[i];
            h[i] = t;
            i = parent;
        }
    }

    private static void siftDown(int[] h, int size, float[] l) {
        int i = 0;
        while (true) {
            int a = 2 * i + 1;
            int b = a + 1;
            int worst = i;
            if (a < size && better(h[worst], h[a], l)) {
                worst = a;
            }
            if (b < size && better(h[worst], h[b], l)) {
                worst = b;
            }
            if (worst == i) {
                return;
            }
            int t = h[worst];
            h[worst] = h[i];
            h[i] = t;
            i = worst;
        }
    }
}
