package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Once compiled, the matrix-vector kernels allocate nothing. A kernel that grows past C2's inlining budget (~18 000
 * parsed nodes per compilation) leaves Vector API calls un-inlined, and those allocate every vector they pass or
 * return, while every result stays the same. That happened to Q4_K twice (88 MB of garbage per E2B decode token).
 * The test calls {@code matVec} until its allocation per call drops to (nearly) nothing, which it does once C2 has
 * compiled the kernel, or until a generous time limit passes on a slow machine; no timing is asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelAllocationTest {
    /** A few boxed vectors per call at most (a boxing kernel allocates one or more per row: 64 rows here). */
    private static final long LIMIT_BYTES_PER_CALL = AllocationOnceCompiled.LIMIT_BYTES_PER_CALL;
    private static final Arena ARENA = Arena.ofShared();
    @TempDir
    static Path files;

    @AfterAll
    static void close() {
        ARENA.close();
    }

    /**
     * The types of one Q4_K_M file interleaved, decode and prefill in turn, first in a fresh JVM (the 128- and
     * 256-bit runs start here): code shared by all types then sees exactly these types, in the order a model uses
     * them. A row-decoding loop shared by all block types took the bimorphic Q4_K/Q6_K profile, C2 inlined both
     * decoders into it and ran out of budget (128-bit vectors: 4 GB of garbage for four E2B layers); every type now
     * has its own loops. With 128-bit vectors the Q6_K row decoder boxed too (3.5–14 MB per batched product), but
     * only after ~1500 clean calls, once the batched product's shared row loop was compiled on its own with this
     * profile: hence mapped weights, both products in turn, and a second window after 3000 more calls. A third type
     * (the F32 this test used to include) makes that profile megamorphic and hides it.
     */
    @Test
    @Order(1)
    void decodeAndPrefillOfOneFilesTypesInterleavedAllocateNothingOnceCompiled() throws Throwable {
        int rows = 64;
        int n = 72; // lane tiles and row tiles
        Tensor[] types = { // mapped from files, as a model's weights are
            RandomTensors.mapped(ARENA, files, GgmlType.Q4_K, rows, 1536, 21),
            RandomTensors.mapped(ARENA, files, GgmlType.Q6_K, rows, 1536, 22),
            RandomTensors.mapped(ARENA, files, GgmlType.Q6_K, rows, 6144, 24), // an ffn_down
        };
        float[][] x = new float[types.length][];
        TokenBatch[] batches = new TokenBatch[types.length];
        for (int i = 0; i < types.length; i++) {
            int cols = types[i].cols();
            x[i] = RandomTensors.gaussian(cols, 4);
            batches[i] = TokenBatch.of(RandomTensors.gaussian(n * cols, 5), n, cols);
        }
        float[] out = new float[n * rows];
        AllocationOnceCompiled a = AllocationOnceCompiled.of(i -> { // each tensor decodes a token, then prefills a batch
            int k = i / 2 % types.length;
            if (i % 2 == 0) {
                types[k].matVec(x[k], out, 0, rows);
            } else {
                types[k].matMul(batches[k], out, rows, 0, rows);
            }
        }, 200, 80, 3000);
        assertTrue(a.perCall() <= LIMIT_BYTES_PER_CALL, "Q4_K and Q6_K decode and prefill interleaved still"
                + " allocate " + a.perCall() + " bytes per call after " + a.millis() + " ms");
    }

    /**
     * Q4_0's, Q4_K's and Q6_K's batched products in both of their forms (on a batch of Q8_0 / Q8_K integers: the
     * 16-bit lane tile, its float row tiles for 8 tokens past the lane tiles and for the rows past the last 8, or
     * Q6_K's float tiles; and on a float batch), with both forms of decode in between (on floats, and on a vector of
     * integers: the row groups, 64 rows of them and the float product for the other 4), as a model under either
     * numerics runs them; all of it must stay within C2's budget.
     */
    @ParameterizedTest
    @CsvSource({"Q4_0", "Q4_K", "Q6_K"})
    @Order(2)
    void decodeAndBothPrefillsInterleavedAllocateNothingOnceCompiled(GgmlType type) throws Throwable {
        int rows = 68; // eight 8-row tiles and four rows for the row tiles
        int n = 104; // a 64-token tile, a 32-token half tile, 8 tokens for the row tiles
        Tensor t = RandomTensors.mapped(ARENA, files, type, rows, 1536, 25);
        float[] x = RandomTensors.gaussian(1536, 4);
        float[] raw = RandomTensors.gaussian(n * 1536, 5);
        boolean k = type != GgmlType.Q4_0;
        float[] rounded = k ? TokenBatchTest.roundedToQ8_K(raw) : TokenBatchTest.roundedToQ8_0(raw);
        TokenBatch integers = k ? new TokenBatch().prepareQ8_K(rounded, n, 1536) : new TokenBatch().prepareQ8_0(rounded, n, 1536);
        integers.layOut(0, n);
        TokenBatch floats = TokenBatch.of(rounded, n, 1536);
        QuantizedVector vector = k ? new QuantizedVector().prepareQ8_K(rounded, 1536) : new QuantizedVector().prepareQ8_0(rounded, 1536);
        float[] out = new float[n * rows];
        AllocationOnceCompiled a = AllocationOnceCompiled.of(i -> {
            switch (i % 4) {
                case 0 -> t.matVec(x, out, 0, rows);
                case 1 -> t.matMul(integers, out, rows, 0, rows);
                case 2 -> t.matVec(vector, out, 0, 0, rows);
                default -> t.matMul(floats, out, rows, 0, rows);
            }
        }, 150, 60, 1500);
        assertTrue(a.perCall() <= LIMIT_BYTES_PER_CALL, type + " decode and both prefills interleaved still allocate "
                + a.perCall() + " bytes per call after " + a.millis() + " ms");
    }

    /**
     * A decode step's inputs as integers, in the model's pattern (Q8_0 and Q8_K blocks, 1536 and 6144 columns), and a
     * prefill batch's, which share the rounding recovery. Written with the Vector API, that recovery boxed in the
     * model (8.6 MB per E2B Q4_K_M decode token, seen in `gemma bench`) but not here; it is plain loops now, and this
     * checks that they stay allocation-free.
     */
    @Test
    void quantizedVectorsAllocateNothingOnceCompiled() throws Throwable {
        float[] narrow = TokenBatchTest.roundedToQ8_K(RandomTensors.gaussian(1536, 5));
        float[] wide = TokenBatchTest.roundedToQ8_0(RandomTensors.gaussian(6144, 6));
        float[] batch = TokenBatchTest.roundedToQ8_K(RandomTensors.gaussian(64 * 1536, 7));
        QuantizedVector v = new QuantizedVector();
        TokenBatch b = new TokenBatch();
        AllocationOnceCompiled a = AllocationOnceCompiled.of(i -> {
            switch (i % 5) {
                case 0 -> v.prepareQ8_K(narrow, 1536);
                case 1 -> v.prepareQ8_0(wide, 6144);
                case 2 -> v.prepareQ8_0(narrow, 1536);
                case 3 -> v.prepareQ8_K(wide, 6144);
                default -> b.prepareQ8_K(batch, 64, 1536).layOut(0, 64); // prefill shares the rounding recovery
            }
        }, 500, 200);
        assertTrue(a.perCall() <= LIMIT_BYTES_PER_CALL, "QuantizedVector.prepare still allocates " + a.perCall()
                + " bytes per call after " + a.millis() + " ms");
    }

    @ParameterizedTest
    @CsvSource({"F32, 1536", "F16, 1536", "BF16, 1536", "Q8_0, 1536", "Q8_0, 6144", "Q4_0, 1536", "Q4_0, 6144",
            "Q5_0, 1536", "Q4_K, 1536", "Q4_K, 6144", "Q5_K, 1536", "Q6_K, 1536", "Q6_K, 6144", "Q4_1, 1536",
            "Q5_1, 1536", "Q2_K, 1536", "Q3_K, 1536", "IQ4_NL, 1536", "IQ4_XS, 1536"})
    void matVecAllocatesNothingOnceCompiled(GgmlType type, int cols) throws Throwable {
        int rows = 64;
        Tensor t = RandomTensors.mapped(ARENA, files, type, rows, cols, 11);
        float[] x = new float[cols];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] out = new float[rows];
        AllocationOnceCompiled a = AllocationOnceCompiled.of(i -> t.matVec(x, out, 0, rows), 500, 200);
        assertTrue(a.perCall() <= LIMIT_BYTES_PER_CALL, type + " " + rows + "x" + cols + " matVec still allocates "
                + a.perCall() + " bytes per call after " + a.millis() + " ms");
    }

    /**
     * The batched product (prefill): rows decoded once, then register tiles over 72 tokens (on AVX-512 the lane tile
     * takes 64 of them, the row tile the other 8).
     */
    @ParameterizedTest
    @CsvSource({"F32, 1536", "F16, 1536", "BF16, 1536", "Q8_0, 1536", "Q4_0, 1536", "Q5_0, 1536", "Q4_K, 1536",
            "Q5_K, 1536", "Q6_K, 1536", "Q4_1, 1536", "Q5_1, 1536", "Q2_K, 1536", "Q3_K, 1536", "IQ4_NL, 1536",
            "IQ4_XS, 1536"})
    void matMulAllocatesNothingOnceCompiled(GgmlType type, int cols) throws Throwable {
        int rows = 64;
        int n = 72;
        Tensor t = RandomTensors.mapped(ARENA, files, type, rows, cols, 12);
        TokenBatch x = TokenBatch.of(RandomTensors.gaussian(n * cols, 5), n, cols);
        float[] out = new float[n * rows];
        AllocationOnceCompiled a = AllocationOnceCompiled.of(i -> t.matMul(x, out, rows, 0, rows), 100, 50);
        assertTrue(a.perCall() <= LIMIT_BYTES_PER_CALL, type + " " + rows + "x" + cols + " matMul of " + n
                + " tokens still allocates " + a.perCall() + " bytes per call after "
                + a.millis() + " ms");
    }
}
