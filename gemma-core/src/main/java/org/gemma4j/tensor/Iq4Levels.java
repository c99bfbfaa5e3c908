package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.I;
import static org.gemma4j.tensor.Simd.L;

import jdk.incubator.vector.IntVector;

/** The 16 non-linear levels an IQ4_NL / IQ4_XS nibble indexes (ggml's {@code kvalues_iq4nl}), and their vector lookup. */
final class Iq4Levels {
    static final int[] LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    /** A lookup needs the 16 levels in two vectors: true from 8 int lanes up. */
    static final boolean VECTOR = Simd.BLOCK_KERNELS && 2 * L >= 16;
    // Levels 0..2L-1 (the table repeated to fill both vectors when L = 16).
    private static final IntVector FIRST = table(0);
    private static final IntVector SECOND = table(L);

    private Iq4Levels() {}

    /** {@code LEVELS[nibble]} per lane; lanes hold 0..15. */
    static IntVector lookup(IntVector nibbles) {
        return nibbles.selectFrom(FIRST, SECOND);
    }

    private static IntVector table(int from) {
        int[] t = new int[L];
        for (int i = 0; i < L; i++) {
            t[i] = LEVELS[(from + i) % 16];
        }
        return IntVector.fromArray(I, t, 0);
    }
}
