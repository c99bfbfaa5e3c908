package org.gemma4j.tokenizer;

/**
 * BPE merges: the pair {@code (left id, right id)} → its rank (position in the merge list, lower merges first)
 * and the id of the merged token. Open addressing over primitive arrays: half a million merges without boxing.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int[] ranks;
    private final int[] results;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        ranks = new int[cap];
        results = new int[cap];
        mask = cap - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Adds a merge unless the pair already has one (the first, lowest-rank entry wins). */
    void put(int left, int right, int rank, int result) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("merge table full");
        }
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) {
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = k;
        ranks[i] = rank;
        results[i] = result;
        size++;
    }

    /** The rank of merging {@code left} and {@code right}, or -1 if they do not merge. */
    int rank(int left, int right) {
        int i = find(left, right);
        return i < 0 ? -1 : ranks[i];
    }

    /** The token the pair merges into (only valid when {@link #rank} is not -1). */
    int result(int left, int right) {
        return results[find(left, right)];
    }

    private int find(int left, int right) {
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    int size() {
        return size;
    }
}
