package org.gemma4j.tensor;

/**
 * Per-thread float buffers the kernels reuse across calls: sums of {@code x} per block, a super-block's scales,
 * decoded weight rows and tile sums for batched products. Decode calls the kernels thousands of times per token;
 * allocating these per call cost up to 1.6 MB of garbage per token (E2B Q4_0). A caller may hold buffers of
 * several kinds at once; code it calls meanwhile must not use those kinds (batched products hold rows, tile sums
 * and the stage while the row decoders run, which use none; the 16-bit product holds integer rows, block scales,
 * offsets, short sums, tile sums and the stage, and is done with the tile sums before it calls the row tiles; a
 * row-group layout holds the two layout buffers and calls nothing that uses them).
 */
final class KernelScratch {
    private static final ThreadLocal<KernelScratch> CURRENT = ThreadLocal.withInitial(KernelScratch::new);

    private float[] sums = new float[0];
    private final float[] scales = new float[Math.max(16, Simd.L)]; // 16 scales, or one vector's lanes
    private final float[][] rows = new float[4][0];
    private float[] tileSums = new float[0];
    private float[] stage = new float[0];
    private short[][] shortRows = new short[0][0];
    private float[][] blockScales = new float[0][0];
    private float[][] blockOffsets = new float[0][0];
    private short[] shortSums = new short[0];
    private byte[] layoutSource = new byte[0];
    private byte[] layoutTarget = new byte[0];

    private KernelScratch() {}

    /** This thread's buffer of at least {@code n} floats for sums of {@code x} (contents undefined). */
    static float[] sums(int n) {
        KernelScratch s = CURRENT.get();
        if (s.sums.length < n) {
            s.sums = new float[n];
        }
        return s.sums;
    }

    /** This thread's four buffers of at least {@code cols} floats for decoded weight rows (contents undefined). */
    static float[][] rows(int cols) {
        float[][] rows = CURRENT.get().rows;
        if (rows[0].length < cols) {
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new float[cols];
            }
        }
        return rows;
    }

    /** This thread's buffer of at least {@code n} floats for a register tile's accumulator lanes. */
    static float[] tileSums(int n) {
        KernelScratch s = CURRENT.get();
        if (s.tileSums.length < n) {
            s.tileSums = new float[n];
        }
        return s.tileSums;
    }

    /** This thread's buffer of at least {@code n} floats for a batched product's staged results (contents undefined). */
    static float[] stage(int n) {
        KernelScratch s = CURRENT.get();
        if (s.stage.length < n) {
            s.stage = new float[n];
        }
        return s.stage;
    }

    /** This thread's {@code count} buffers of at least {@code cols} shorts for weight rows decoded to integers. */
    static short[][] shortRows(int count, int cols) {
        KernelScratch s = CURRENT.get();
        if (s.shortRows.length < count || s.shortRows[0].length < cols) {
            s.shortRows = new short[count][cols];
        }
        return s.shortRows;
    }

    /** This thread's {@code count} buffers of at least {@code blocks} floats for those rows' block scales. */
    static float[][] blockScales(int count, int blocks) {
        KernelScratch s = CURRENT.get();
        if (s.blockScales.length < count || s.blockScales[0].length < blocks) {
            s.blockScales = new float[count][blocks];
        }
        return s.blockScales;
    }

    /** This thread's {@code count} buffers of at least {@code blocks} floats for those rows' block offsets. */
    static float[][] blockOffsets(int count, int blocks) {
        KernelScratch s = CURRENT.get();
        if (s.blockOffsets.length < count || s.blockOffsets[0].length < blocks) {
            s.blockOffsets = new float[count][blocks];
        }
        return s.blockOffsets;
    }

    /** This thread's buffer of at least {@code n} shorts for a 16-bit register tile's accumulators. */
    static short[] shortSums(int n) {
        KernelScratch s = CURRENT.get();
        if (s.shortSums.length < n) {
            s.shortSums = new short[n];
        }
        return s.shortSums;
    }

    /** This thread's buffer of 16 floats (at least) for a super-block's scales, or a vector's lanes (contents undefined). */
    static float[] scales() {
        return CURRENT.get().scales;
    }

    /**
     * This thread's buffer of at least {@code n} bytes for a row group's rows as the file has them, while they are
     * laid out again (contents undefined). Fresh arrays per group made ~2 GB of garbage for E2B's layout, and the heap
     * grew by ~1 GB of resident memory for it.
     */
    static byte[] layoutSource(int n) {
        KernelScratch s = CURRENT.get();
        if (s.layoutSource.length < n) {
            s.layoutSource = new byte[n];
        }
        return s.layoutSource;
    }

    /** This thread's buffer of at least {@code n} bytes for a row group laid out again (contents undefined). */
    static byte[] layoutTarget(int n) {
        KernelScratch s = CURRENT.get();
        if (s.layoutTarget.length < n) {
            s.layoutTarget = new byte[n];
        }
        return s.layoutTarget;
    }
}
