package org.gemma4j.tokenizer;

/**
 * Byte-pair encoding of one chunk of normalized text: start from one symbol per code point (code points not in
 * the vocabulary become their UTF-8 byte tokens, which never merge), then repeatedly merge the adjacent pair with
 * the lowest merge rank, leftmost first among equals. A binary heap of {@code (rank, position)} keys over a
 * doubly linked list of symbols keeps it O(n log n), so long inputs without newlines stay fast.
 */
final class BytePairEncoder {
    private final java.util.Map<String, Integer> vocab;
    private final MergeTable merges;
    private final int[] byteIds;

    BytePairEncoder(java.util.Map<String, Integer> vocab, MergeTable merges, int[] byteIds) {
        this.vocab = vocab;
        this.merges = merges;
        this.byteIds = byteIds;
    }

    /** Encodes {@code text[from, to)} (already normalized) and appends the ids to {@code out}. */
    void encode(String text, int from, int to, IdBuffer out) {
        int n = text.codePointCount(from, to);
        int[] id = new int[n + 8];
        int count = 0;
        for (int i = from; i < to; ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            Integer t = vocab.get(text.substring(i, i + len));
            if (t != null) {
                id = ensure(id, count + 1);
                id[count++] = t;
            } else {
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                id = ensure(id, count + utf8.length);
                for (byte b : utf8) {
                    id[count++] = byteIds[b & 0xFF];
                }
            }
            i += len;
        }
        if (count == 1) {
            out.add(id[0]);
            return;
        }
        int[] prev = new int[count];
        int[] next = new int[count];
        for (int i = 0; i < count; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        long[] heap = new long[Math.max(4, count)];
        int size = 0;
        for (int i = 0; i + 1 < count; i++) {
            int r = merges.rank(id[i], id[i + 1]);
            if (r >= 0) {
                heap = ensure(heap, size + 1);
                size = push(heap, size, ((long) r << 32) | i);
            }
        }
        while (size > 0) {
            long top = heap[0];
            size = pop(heap, size);
            int rank = (int) (top >>> 32);
            int left = (int) top;
            int right = next[left];
            // Stale entry: the left symbol was merged away or its neighbour changed.
            if (id[left] < 0 || right < 0 || merges.rank(id[left], id[right]) != rank) {
                continue;
            }
            id[left] = merges.result(id[left], id[right]);
            id[right] = -1;
            int after = next[right];
            next[left] = after;
            if (after >= 0) {
                prev[after] = left;
                int r = merges.rank(id[left], id[after]);
                if (r >= 0) {
                    heap = ensure(heap, size + 1);
                    size = push(heap, size, ((long) r << 32) | left);
                }
            }
            int before = prev[left];
            if (before >= 0) {
                int r = merges.rank(id[before], id[left]);
                if (r >= 0) {
                    heap = ensure(heap, size + 1);
                    size = push(heap, size, ((long) r << 32) | before);
                }
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(id[i]);
        }
    }

    private static int[] ensure(int[] a, int n) {
        return n <= a.length ? a : java.util.Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    private static long[] ensure(long[] a, int n) {
        return n <= a.length ? a : java.util.Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    private static int push(long[] h, int size, long v) {
        int i = size;
        h[i] = v;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (h[p] <= h[i]) {
                break;
            }
            long t = h[p];
            h[p] = h[i];
            h[i] = t;
            i = p;
        }
        return size + 1;
    }

    private static int pop(long[] h, int size) {
        size--;
        h[0] = h[size];
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                break;
            }
            int m = l + 1 < size && h[l + 1] < h[l] ? l + 1 : l;
            if (h[i] <= h[m]) {
                break;
            }
            long t = h[m];
            h[m] = h[i];
            h[i] = t;
            i = m;
        }
        return size;
    }
}
