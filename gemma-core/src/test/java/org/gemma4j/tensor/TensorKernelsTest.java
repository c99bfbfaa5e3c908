package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * For every storage type, on seeded random blocks: the scalar twin against the dequantized row, the Vector API
 * dot against the scalar twin, the vector row decoder bit for bit against the scalar one, and matVec / matMul
 * against per-row dots.
 */
class TensorKernelsTest {
    private static final Arena ARENA = Arena.ofShared();
    static final String[] TYPES = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"};

    @AfterAll
    static void close() {
        ARENA.close();
    }

    /**
     * Row lengths: odd ones for the float types (vector tails), one to many blocks for the block types; 6144 reaches
     * the long-row kernels (several rows at a time).
     */
    private static int[] widths(GgmlType type) {
        return type.blockSize() == 1
                ? new int[] {1, 3, 15, 17, 64, 257, 1536}
                : new int[] {type.blockSize(), 3 * type.blockSize(), 1536, 6144};
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void dotsAgreeWithTheDequantizedRows(GgmlType type) {
        for (int cols : widths(type)) {
            int rows = 5;
            Tensor t = RandomTensors.random(ARENA, type, rows, cols, cols * 31L + type.ordinal());
            float[] x = RandomTensors.gaussian(3 * cols, cols);
            float[] w = new float[cols];
            for (int r = 0; r < rows; r++) {
                t.dequantizeRow(r, w, 0);
                double exact = 0;
                double mag = 0;
                for (int i = 0; i < cols; i++) {
                    exact += (double) w[i] * x[cols + i];
                    mag += Math.abs((double) w[i] * x[cols + i]);
                }
                assertTrue(mag > 0, "random row is not all zero");
                String where = type + " row " + r + " of " + cols;
                float scalar = t.dotScalar(r, x, cols);
                assertEquals(exact, scalar, 1e-5 * mag, where + ": scalar twin vs dequantized row");
                assertEquals(scalar, t.dot(r, x, cols), 1e-5 * mag, where + ": vector dot vs scalar twin");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void vectorRowDecoderIsBitExact(GgmlType type) {
        for (int cols : widths(type)) {
            BlockTensor t = (BlockTensor) RandomTensors.random(ARENA, type, 4, cols, cols * 7L + type.ordinal());
            float[] scalar = new float[cols];
            float[] vector = new float[cols];
            for (int r = 0; r < 4; r++) {
                t.dequantizeRow(r, scalar, 0);
                t.decodeRow(r, vector);
                for (int i = 0; i < cols; i++) {
                    assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(vector[i]),
                            type + " row " + r + " value " + i + ": " + scalar[i] + " vs " + vector[i]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void matVecAndMatMulEqualPerRowDots(GgmlType type) {
        // 38 rows: the batched product stages 16 rows twice, then 4, then takes the last row on its own
        for (int cols : widths(type)) for (int rows : new int[] {9, 38}) {
            Tensor t = RandomTensors.random(ARENA, type, rows, cols, cols * 13L + type.ordinal() + rows);
            float[] x = RandomTensors.gaussian(69 * cols, 11);
            float[] mv = new float[rows];
            t.matVec(x, mv, 2, rows); // a sub-range: rows 0, 1 stay untouched
            assertEquals(0f, mv[0]);
            assertEquals(0f, mv[1]);
            for (int r = 2; r < rows; r++) {
                assertEquals(t.dot(r, x, 0), mv[r], "matVec " + type + " row " + r);
            }
            float[] shifted = new float[rows];
            t.matVec(x, shifted, -3, 3, rows); // out[r - 3] = row r
            for (int r = 3; r < rows; r++) {
                assertEquals(mv[r], shifted[r - 3], "matVec with an output offset, " + type + " row " + r);
            }
            for (int n : new int[] {1, 2, 5, 6, 69}) { // four-token tiles and remainders; 69: lane tiles first (AVX-512)
                int stride = rows + 3;
                float[] mm = new float[n * stride];
                t.matMul(x, n, mm, stride, 1, rows);
                assertProductOfRowsOneOnEqualsDots(t, x, n, mm, stride, "matMul " + type + " n " + n);
            }
        }
    }

    /**
     * Q4_0 and Q4_K on a batch laid out as Q8_0 / Q8_K integers ({@link Int16LaneTile} on AVX-512, the float tiles
     * elsewhere) against per-row dots of the same rounded input: 8-row tiles and the rows left over (9, 38 rows),
     * 64-token tiles, 32-token half tiles and the tokens past them (40, 64, 69, 100, 133 tokens), too few tokens for
     * any tile (20), one block to many per row.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K"})
    void productOnIntegerBatchesEqualsPerRowDots(GgmlType type) {
        boolean k = type == GgmlType.Q4_K;
        for (int cols : k ? new int[] {256, 1536} : new int[] {32, 96, 1536}) for (int rows : new int[] {9, 38}) {
            Tensor t = RandomTensors.random(ARENA, type, rows, cols, cols * 17L + rows);
            float[] raw = RandomTensors.gaussian(133 * cols, 12);
            float[] x = k ? TokenBatchTest.roundedToQ8_K(raw) : TokenBatchTest.roundedToQ8_0(raw);
            assertTrue(t.takesIntegerBatches() == Int16LaneTile.AVAILABLE);
            for (int n : new int[] {20, 40, 64, 69, 100, 133}) { // no tile; half; whole; whole + half + rest
                TokenBatch b = k ? new TokenBatch().prepareQ8_K(x, n, cols) : new TokenBatch().prepareQ8_0(x, n, cols);
                b.layOut(0, n);
                int stride = rows + 3;
                float[] mm = new float[n * stride];
                t.matMul(b, mm, stride, 1, rows);
                assertProductOfRowsOneOnEqualsDots(t, x, n, mm, stride, type + " cols " + cols + " n " + n);
            }
        }
    }

    /**
     * Q4_0's, Q4_K's and Q6_K's one-token products on a vector given as Q8_0 / Q8_K integers (row groups for whole
     * groups, the float product for the rows around them) against per-row dots of the same rounded input: fewer rows
     * than a group (9), groups and rows past them (38, 100), a range starting and ending inside groups; and the groups'
     * vector kernels against their scalar twins, value for value.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q6_K"})
    void oneTokenProductOnIntegerVectorsEqualsPerRowDots(GgmlType type) {
        boolean k = type != GgmlType.Q4_0;
        int g = switch (type) {
            case Q4_0 -> Q4_0RowGroups.ROWS;
            case Q4_K -> Q4KRowGroups.ROWS;
            default -> Q6KRowGroups.ROWS;
        };
        boolean available = switch (type) {
            case Q4_0 -> Q4_0RowGroups.AVAILABLE;
            case Q4_K -> Q4KRowGroups.AVAILABLE;
            default -> Q6KRowGroups.AVAILABLE;
        };
        for (int cols : k ? new int[] {256, 1536} : new int[] {32, 96, 1536}) for (int rows : new int[] {9, 70, 100}) {
            Tensor t = RandomTensors.random(ARENA, type, rows, cols, cols * 31L + rows);
            float[] raw = RandomTensors.gaussian(cols, 13);
            float[] x = k ? TokenBatchTest.roundedToQ8_K(raw) : TokenBatchTest.roundedToQ8_0(raw);
            QuantizedVector v = k ? new QuantizedVector().prepareQ8_K(x, cols) : new QuantizedVector().prepareQ8_0(x, cols);
            assertEquals(available && rows >= g, t.takesIntegerVectors(), "rows " + rows);
            float[] out = new float[rows + 3];
            t.matVec(v, out, 0, 1, rows);
            assertProductOfRowsOneOnEqualsDots(t, x, 1, out, rows + 3, type + " cols " + cols + " rows " + rows);
            float[] part = new float[rows];
            int from = Math.min(rows - 1, g + 3);
            t.matVec(v, part, 0, from, rows);
            for (int r = 0; r < rows; r++) {
                // rows of a group cut by the range take the float product: equal to a rounding
                double tol = r < from ? 0 : 1e-5 * magnitude(t, r, x, 0);
                assertEquals(r < from ? 0f : out[r], part[r], tol, "rows " + from + ".." + rows + ", row " + r);
            }
            if (rows >= g && available) {
                float[] vector = new float[rows];
                float[] scalar = new float[rows];
                switch (t) {
                    case Q4_0Tensor q -> {
                        q.rowGroups().matVec(v, vector, 0, 0, rows / g);
                        q.rowGroups().matVecScalar(v, scalar, 0, 0, rows / g);
                    }
                    case Q4KTensor q -> {
                        q.rowGroups().matVec(v, vector, 0, 0, rows / g);
                        q.rowGroups().matVecScalar(v, scalar, 0, 0, rows / g);
                    }
                    case Q6KTensor q -> {
                        q.rowGroups().matVec(v, vector, 0, 0, rows / g);
                        q.rowGroups().matVecScalar(v, scalar, 0, 0, rows / g);
                    }
                    default -> throw new AssertionError(t);
                }
                for (int r = 0; r < rows / g * g; r++) {
                    assertEquals(scalar[r], vector[r], "scalar twin, cols " + cols + " row " + r);
                }
            }
        }
    }

    /**
     * Q4_0's row groups multiply by d_x·2^112 (see {@link Q4_0RowGroups}): the largest scale an fp16 input block can
     * have keeps that finite and the products right, against float64 products of the dequantized rows (the float
     * kernel's offset term cancels badly here: a row whose weight at the huge input is 0 came out -2.5 there, -3.01
     * in float64 and in the integers).
     */
    @Test
    void q4_0RowGroupsTakeTheLargestInputScales() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Q4_0RowGroups.AVAILABLE, "no row groups at this vector width");
        Tensor t = RandomTensors.random(ARENA, GgmlType.Q4_0, 64, 96, 5);
        float[] raw = RandomTensors.gaussian(96, 6);
        raw[40] = 8.3e6f; // the second block's d: fp16(8.3e6 / 127) = 65 344 (fp16 reaches 65 504)
        float[] x = TokenBatchTest.roundedToQ8_0(raw);
        QuantizedVector v = new QuantizedVector().prepareQ8_0(x, 96);
        assertEquals(65344f, v.scales()[1]);
        float[] out = new float[64];
        t.matVec(v, out, 0, 0, 64);
        float[] w = new float[96];
        for (int r = 0; r < 64; r++) {
            t.dequantizeRow(r, w, 0);
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < 96; i++) {
                exact += (double) w[i] * x[i];
                magnitude += Math.abs((double) w[i] * x[i]);
            }
            assertEquals(exact, out[r], 1e-6 * magnitude + 1e-4, "row " + r);
        }
    }

    /**
     * The 16-bit sums at their limits. Q4_0 with every nibble 15 against inputs of 127: {@code Σ q·x_q = 60 960} wraps
     * a short, {@code Σ (q-8)·x_q = 28 448} once {@code 8·Σx_q} is out; every nibble 0: {@code -32 512}. Q6_K with every
     * {@code q - 32 = -32} against inputs of -127: eight products sum to {@code 32 512}, the most an 8-column unit's
     * 16-bit sum holds; every {@code q - 32 = 31} against 127: {@code 31 496}, the most on the other side (the unsigned
     * {@code Σ q·x_q = 64 008} wraps a short until {@code 32·Σx_q} is out).
     */
    @Test
    void rowGroupSumsAtTheirLimitsAreExact() {
        org.junit.jupiter.api.Assumptions.assumeTrue(RowGroups.AVAILABLE, "no row groups at this vector width");
        int rows = RowGroups.ROWS;
        for (int nibbles : new int[] {0xFF, 0x00}) {
            MemorySegment q4 = ARENA.allocate(18L * 8 * rows);
            for (long b = 0; b < 8L * rows; b++) {
                q4.set(ValueLayout.JAVA_SHORT_UNALIGNED, 18 * b, Float.floatToFloat16(0.5f));
                q4.asSlice(18 * b + 2, 16).fill((byte) nibbles);
            }
            Tensor t = Tensor.of("q4", GgmlType.Q4_0, new long[] {256, rows}, q4);
            float[] x = new float[256];
            java.util.Arrays.fill(x, 127f); // d = 1
            QuantizedVector v = new QuantizedVector().prepareQ8_0(x, 256);
            float[] out = new float[rows];
            t.matVec(v, out, 0, 0, rows);
            float expected = 0.5f * 127f * 256 * (nibbles == 0xFF ? 7 : -8);
            for (int r = 0; r < rows; r++) {
                assertEquals(expected, out[r], "Q4_0 nibbles " + Integer.toHexString(nibbles) + ", row " + r);
            }
        }
        for (int bits : new int[] {0x00, 0xFF}) { // every q - 32 is -32 (against -1), or 31 (against 1)
            MemorySegment q6 = ARENA.allocate(210L * rows);
            for (long r = 0; r < rows; r++) {
                q6.asSlice(210 * r, 192).fill((byte) bits);
                q6.asSlice(210 * r + 192, 16).fill((byte) 127);
                q6.set(ValueLayout.JAVA_SHORT_UNALIGNED, 210 * r + 208, Float.floatToFloat16(1f));
            }
            Tensor t = Tensor.of("q6", GgmlType.Q6_K, new long[] {256, rows}, q6);
            float[] x = new float[256];
            java.util.Arrays.fill(x, bits == 0 ? -1f : 1f);
            QuantizedVector v = new QuantizedVector().prepareQ8_K(x, 256);
            float[] out = new float[rows];
            t.matVec(v, out, 0, 0, rows);
            float expected = 127f * (bits == 0 ? 32 : 31) * 256;
            for (int r = 0; r < rows; r++) {
                assertEquals(expected, out[r], 1e-3f * expected, "Q6_K bits " + Integer.toHexString(bits) + ", row " + r);
            }
        }
    }

    /** Released layouts are made again by the next product, with the same results. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q6_K"})
    void releasedLayoutsAreMadeAgain(GgmlType type) {
        int rows = 2 * RowGroups.ROWS;
        boolean k = type != GgmlType.Q4_0;
        float[] raw = RandomTensors.gaussian(512, 8);
        float[] x = k ? TokenBatchTest.roundedToQ8_K(raw) : TokenBatchTest.roundedToQ8_0(raw);
        QuantizedVector v = k ? new QuantizedVector().prepareQ8_K(x, 512) : new QuantizedVector().prepareQ8_0(x, 512);
        Tensor t = RandomTensors.random(ARENA, type, rows, 512, 9);
        float[] before = new float[rows];
        float[] after = new float[rows];
        t.matVec(v, before, 0, 0, rows);
        t.releaseLayouts();
        t.releaseLayouts(); // twice is fine
        t.matVec(v, after, 0, 0, rows);
        for (int r = 0; r < rows; r++) {
            assertEquals(before[r], after[r], type + " row " + r);
        }
    }

    /** Two threads laying out and multiplying the same fresh row groups at once get the one-thread result, exactly. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q6_K"})
    void rowGroupsLaidOutByTwoThreadsAtOnceGiveOneResult(GgmlType type) throws Exception {
        int rows = 16 * Q4_0RowGroups.ROWS;
        float[] raw = RandomTensors.gaussian(1536, 3);
        boolean k = type != GgmlType.Q4_0;
        float[] x = k ? TokenBatchTest.roundedToQ8_K(raw) : TokenBatchTest.roundedToQ8_0(raw);
        QuantizedVector v = k ? new QuantizedVector().prepareQ8_K(x, 1536) : new QuantizedVector().prepareQ8_0(x, 1536);
        float[] expected = new float[rows];
        RandomTensors.random(ARENA, type, rows, 1536, 77).matVec(v, expected, 0, 0, rows);
        for (int round = 0; round < 5; round++) {
            Tensor t = RandomTensors.random(ARENA, type, rows, 1536, 77);
            float[][] out = new float[2][rows];
            Thread[] threads = new Thread[2];
            for (int i = 0; i < 2; i++) {
                float[] o = out[i];
                threads[i] = Thread.ofPlatform().start(() -> t.matVec(v, o, 0, 0, rows));
            }
            for (Thread th : threads) {
                th.join();
            }
            for (int r = 0; r < rows; r++) {
                assertEquals(expected[r], out[0][r], "first thread, row " + r);
                assertEquals(expected[r], out[1][r], "second thread, row " + r);
            }
        }
    }

    /**
     * {@code mm} ({@code [n, stride]}) from a product of rows {@code 1 .. rows} of {@code t}: row 0 and the column
     * past the last row untouched, every other value the row's {@link Tensor#dot} with the token, to 1e-5 of the
     * products' magnitude.
     */
    private static void assertProductOfRowsOneOnEqualsDots(Tensor t, float[] x, int n, float[] mm, int stride, String where) {
        int rows = (int) t.rows();
        int cols = t.cols();
        for (int tok = 0; tok < n; tok++) {
            assertEquals(0f, mm[tok * stride], "row 0 untouched");
            assertEquals(0f, mm[tok * stride + rows], "column past rowTo untouched");
            for (int r = 1; r < rows; r++) {
                float d = t.dot(r, x, tok * cols);
                double tol = 1e-5 * magnitude(t, r, x, tok * cols);
                assertEquals(d, mm[tok * stride + r], tol, where + " token " + tok + " row " + r);
            }
        }
    }

    /**
     * The lane tile (tokens in the lanes) against float64 products, at whatever vector width the build runs (it is
     * used on AVX-512 only; the 128- and 256-bit test runs still check its arithmetic): each lane sums its token's
     * products in column order, so the result is the float sum in that order, not just close to it.
     */
    @Test
    void laneTileSumsEachTokenInColumnOrder() {
        int l = Simd.L;
        int cols = 37;
        int tokens = 8 * l; // two tiles side by side; the second one is computed
        int t0 = 4 * l;
        float[][] w = new float[4][];
        for (int i = 0; i < 4; i++) {
            w[i] = RandomTensors.gaussian(cols, 100 + i);
        }
        float[] x = RandomTensors.gaussian(tokens * cols, 7); // [tokens, cols]
        float[] columns = TokenBatchTest.transposed(x, tokens, cols);
        int outStride = 6;
        float[] out = new float[tokens * outStride];
        RowProducts.laneTile(w[0], w[1], w[2], w[3], cols, columns, tokens, t0, out, outStride, 1, new float[16 * l]);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < outStride; r++) {
                float expected = 0f;
                if (t >= t0 && r >= 1 && r <= 4) {
                    for (int k = 0; k < cols; k++) {
                        expected = Math.fma(w[r - 1][k], x[t * cols + k], expected);
                    }
                }
                assertEquals(expected, out[t * outStride + r], "token " + t + " row " + r);
            }
        }
    }

    /** {@code Σ |w_i·x_i|}: the scale of the rounding error of any summation order. */
    private static double magnitude(Tensor t, long row, float[] x, int xOff) {
        float[] w = new float[t.cols()];
        t.dequantizeRow(row, w, 0);
        double mag = 0;
        for (int i = 0; i < w.length; i++) {
            mag += Math.abs((double) w[i] * x[xOff + i]);
        }
        return mag;
    }

    /** The vector fp16 conversion against {@link Float#float16ToFloat} for all 65536 bit patterns. */
    @Test
    void f16VectorConversionCoversEveryBitPattern() {
        MemorySegment seg = ARENA.allocate(2 * 65536);
        for (int h = 0; h < 65536; h++) {
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * h, (short) h);
        }
        BlockTensor t = (BlockTensor) Tensor.of("all-f16", GgmlType.F16, new long[] {65536}, seg);
        float[] v = new float[65536];
        t.decodeRow(0, v);
        for (int h = 0; h < 65536; h++) {
            float expected = Float.float16ToFloat((short) h);
            if (Float.isNaN(expected)) {
                assertTrue(Float.isNaN(v[h]), "NaN pattern " + Integer.toHexString(h));
            } else {
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(v[h]), "fp16 " + Integer.toHexString(h));
            }
        }
        float[] one = new float[65536];
        java.util.Arrays.fill(one, 1f);
        float[] finite = v.clone();
        assertTrue(Float.isNaN(t.dot(0, one, 0)), "NaN weights propagate through the vector dot");
        assertEquals(0x1p-24f, finite[1]); // smallest subnormal
        assertEquals(65504f, finite[0x7BFF]); // largest normal
        assertEquals(Float.NEGATIVE_INFINITY, finite[0xFC00]);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K", "Q6_K", "Q5_0"})
    void rejectsRowsThatAreNotWholeBlocks(GgmlType type) {
        MemorySegment seg = ARENA.allocate(4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of("blk.0.attn_q.weight", type, new long[] {type.blockSize() + 1, 2}, seg));
        assertTrue(e.getMessage().contains("blk.0.attn_q.weight") && e.getMessage().contains("not a multiple"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of("blk.0.ffn_up.weight", type, new long[] {type.blockSize(), 1000}, seg));
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight") && e.getMessage().contains("needs"), e.getMessage());
    }
}
