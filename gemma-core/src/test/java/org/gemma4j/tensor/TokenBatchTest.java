package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
