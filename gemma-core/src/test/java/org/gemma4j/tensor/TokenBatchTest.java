package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TokenBatchTest {
    /** {@code [cols, tokens]} from {@code [tokens, cols]}, the plain way. */
    static float[] transposed(float[] x, int tokens, int cols) {
        float[] c = new float[tokens * cols];
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < cols; k++) {
                c[k * tokens + t] = x[t * cols + k];
            }
        }
        return c;
    }

    @Test
    void laysOutWholeLaneTilesColumnByColumn() {
        int tile = RowProducts.LANE_TILE_TOKENS;
        for (int n : new int[] {1, 2, 63, 64, 65, 130, 200}) {
            int cols = 19; // not a multiple of the 16×16 transposition blocks
            float[] x = RandomTensors.gaussian(n * cols, n);
            TokenBatch b = TokenBatch.of(x, n, cols);
            assertSame(x, b.rows());
            assertEquals(n, b.n());
            assertEquals(cols, b.cols());
            int lane = tile > 0 ? n / tile * tile : 0;
            assertEquals(lane, b.laneTokens(), "n " + n);
            float[] expected = transposed(x, lane, cols);
            assertArrayEquals(expected, Arrays.copyOf(b.columns(), lane * cols), "n " + n);
        }
    }

    /** {@code x} rounded to Q8_0 blocks the way llama.cpp quantizes a product's input: {@code fp16(amax/127)·rint(x·127/amax)}. */
    static float[] roundedToQ8_0(float[] x) {
        float[] y = new float[x.length];
        for (int off = 0; off < x.length; off += 32) {
            float amax = 0f;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[off + i]));
            }
            float id = amax != 0f ? 127f / amax : 0f;
            float dh = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            for (int i = 0; i < 32; i++) {
                y[off + i] = dh * (float) Math.rint(x[off + i] * id);
            }
        }
        return y;
    }

    /**
     * {@code x} rounded to Q8_K blocks as llama.cpp quantizes a K-quant product's input: {@code m} the value of
     * largest magnitude, {@code iscale = -127/m}, {@code q = min(127, rint(iscale·x))}, value {@code q/iscale}.
     */
    static float[] roundedToQ8_K(float[] x) {
        float[] y = new float[x.length];
        for (int off = 0; off < x.length; off += 256) {
            float amax = 0f;
            float max = 0f;
            for (int i = 0; i < 256; i++) {
                if (Math.abs(x[off + i]) > amax) {
                    amax = Math.abs(x[off + i]);
                    max = x[off + i];
                }
            }
            if (amax == 0f) {
                continue;
            }
            float iscale = -127f / max;
            for (int i = 0; i < 256; i++) {
                y[off + i] = (1f / iscale) * Math.min(127, (int) Math.rint(iscale * x[off + i]));
            }
        }
        return y;
    }

    @Test
    void laysOutQ8_KIntegersThatGiveBackTheRoundedValues() {
        int tile = RowProducts.LANE_TILE_TOKENS;
        int cols = 512;
        int n = Math.max(70, tile + 6);
        float[] x = roundedToQ8_K(RandomTensors.gaussian(n * cols, 8));
        java.util.Arrays.fill(x, 256, 512, 0f); // an all-zero block: scale 0
        TokenBatch b = new TokenBatch().prepareQ8_K(x, n, cols);
        b.layOut(0, n);
        int lane = b.laneTokens();
        assertEquals(256, b.quantBlock());
        for (int t = 0; t < lane; t++) {
            int l = t / 32 * 32 + TokenBatch.quantLane(t % 32);
            for (int sub = 0; sub < cols / 32; sub++) {
                float d = b.quantScales()[sub * lane + t];
                int sum = 0;
                for (int k = 32 * sub; k < 32 * sub + 32; k++) {
                    short q = b.quants()[k * lane + l];
                    assertTrue(Math.abs(q) <= 127, "q " + q);
                    assertEquals(x[t * cols + k], d * q, 1e-6f * Math.abs(x[t * cols + k]), "token " + t + " column " + k);
                    sum += q;
                }
                assertEquals(d * sum, b.quantSums()[sub * lane + t], "token " + t + " sub-block " + sub);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new TokenBatch().prepareQ8_K(new float[64 * 288], 64, 288));
    }

    @Test
    void laysOutQ8_0IntegersThatGiveBackTheRoundedValues() {
        int tile = RowProducts.LANE_TILE_TOKENS;
        int cols = 96;
        for (int n : new int[] {3, 31, 32, 64, 130}) {
            float[] x = roundedToQ8_0(RandomTensors.gaussian(n * cols, n));
            java.util.Arrays.fill(x, 0, 32, 0f); // an all-zero block: scale 0
            TokenBatch b = new TokenBatch().prepareQ8_0(x, n, cols);
            b.layOut(0, n);
            int lane = tile > 0 ? n / 32 * 32 : 0; // integers in steps of half a lane tile
            assertEquals(lane, b.laneTokens(), "n " + n);
            assertEquals(32, b.quantBlock());
            for (int t = 0; t < lane; t++) {
                int l = t / 32 * 32 + TokenBatch.quantLane(t % 32);
                for (int k = 0; k < cols; k++) {
                    short q = b.quants()[k * lane + l];
                    float d = b.quantScales()[k / 32 * lane + t];
                    assertTrue(Math.abs(q) <= 127, "q " + q);
                    assertEquals(x[t * cols + k], d * q, 0f, "token " + t + " column " + k); // -0 and 0 alike
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new TokenBatch().prepareQ8_0(new float[64 * 40], 64, 40));
    }

    @Test
    void aQuantizedVectorRecoversItsIntegers() {
        float[] x = roundedToQ8_0(RandomTensors.gaussian(96, 8));
        x[40] = 0f; // a block of one value
        for (int i = 64; i < 96; i++) {
            x[i] = 0f; // and a block of none
        }
        x[70] = -3f;
        QuantizedVector v = new QuantizedVector().prepareQ8_0(x, 96);
        assertSame(x, v.values());
        assertEquals(96, v.cols());
        assertEquals(32, v.quantBlock());
        for (int b = 0; b < 3; b++) {
            int sum = 0;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                assertTrue(Math.abs(v.quants()[i]) <= 127);
                assertEquals(x[i], v.scales()[b] * v.quants()[i], 0f, "value " + i);
                sum += v.quants()[i];
            }
            assertEquals(sum, v.sums()[b], "block " + b);
        }
        float[] k = roundedToQ8_K(RandomTensors.gaussian(512, 9));
        v.prepareQ8_K(k, 512);
        assertEquals(256, v.quantBlock());
        for (int i = 0; i < 512; i++) {
            assertEquals(k[i], v.scales()[i / 32] * v.quants()[i], Math.ulp(k[i]) * 2, "Q8_K value " + i);
            assertEquals(v.scales()[i / 256 * 8], v.scales()[i / 32], "one scale per 256 values");
        }
        assertThrows(IllegalArgumentException.class, () -> new QuantizedVector().prepareQ8_0(new float[40], 40));
        assertThrows(IllegalArgumentException.class, () -> new QuantizedVector().prepareQ8_0(new float[32], 64));
    }

    @Test
    void everyTensorTakesAQ8_0Batch() {
        // A Q8_0 weight does not multiply integers; it must still see the batch's rows (its lane tile would read
        // float columns that were never laid out).
        int n = Math.max(70, RowProducts.LANE_TILE_TOKENS + 6);
        int cols = 64;
        float[] x = roundedToQ8_0(RandomTensors.gaussian(n * cols, 5));
        Tensor t = RandomTensors.random(java.lang.foreign.Arena.ofAuto(), GgmlType.Q8_0, 5, cols, 9);
        TokenBatch b = new TokenBatch().prepareQ8_0(x, n, cols);
        b.layOut(0, n);
        float[] out = new float[n * 5];
        t.matMul(b, out, 5, 0, 5);
        for (int tok = 0; tok < n; tok++) {
            for (int r = 0; r < 5; r++) {
                assertEquals(t.dot(r, x, tok * cols), out[tok * 5 + r], 1e-4f, "token " + tok + " row " + r);
            }
        }
    }

    @Test
    void reusedBatchesTakeTheNewInput() {
        TokenBatch b = new TokenBatch();
        int n = Math.max(2, 2 * RowProducts.LANE_TILE_TOKENS);
        b.set(RandomTensors.gaussian(n * 40, 1), n, 40);
        float[] x = RandomTensors.gaussian(n * 9, 2);
        b.set(x, n, 9);
        assertEquals(9, b.cols());
        assertArrayEquals(transposed(x, b.laneTokens(), 9), Arrays.copyOf(b.columns(), b.laneTokens() * 9));
    }

    @Test
    void rejectsShapesThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> TokenBatch.of(new float[10], 3, 4));
        assertThrows(IllegalArgumentException.class, () -> TokenBatch.of(new float[10], 0, 4));
    }

    @Test
    void aProductRejectsABatchOfAnotherWidth() {
        Tensor t = RandomTensors.random(java.lang.foreign.Arena.ofAuto(), GgmlType.Q8_0, 4, 64, 3);
        TokenBatch b = TokenBatch.of(new float[3 * 32], 3, 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.matMul(b, new float[12], 4, 0, 4));
        assertEquals(true, e.getMessage().contains("64 columns"), e.getMessage());
    }
}
