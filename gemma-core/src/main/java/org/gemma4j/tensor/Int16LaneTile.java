package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched product of 4-bit weights and tokens rounded to Q8_0 blocks, in 16-bit integers: eight weight rows
 * {@code q - 8} ({@code |q - 8| ≤ 8}) against 64 tokens' integers ({@code |q| ≤ 127}) held in the lanes of two
 * 32-lane short vectors ({@link TokenBatch#quants()}). A block's 32 products per lane sum to at most
 * {@code 32·8·127 = 32512}, inside a short, so each block is summed exactly in 16 bits, then converted and scaled
 * by {@code d_w·d_x} into float accumulators: llama.cpp's integer dot product, with the tokens in the lanes.
 *
 * <p>Why: a 512-bit {@code vpmullw} + {@code vpaddw} pair does 32 products where a fused multiply-add does 16, and
 * this Zen 4 issues one of each per cycle. The float lane tile runs at the FMA peak (~116 GFLOP/s); this one, block
 * epilogues included, at 1.3–1.5× its speed (8 rows × 64 tokens, 1536 columns, one thread: 125–155 vs 73–105
 * GFLOP/s of equivalent float work; 4 rows × 128 tokens the same, 4 × 64 ~10 % less).
 *
 * <p>Used where 512-bit vectors exist ({@link #AVAILABLE}) and the batch was laid out as integers; rows left over
 * past the last 8 and tokens past the last 64 go to the float row tiles.
 */
final class Int16LaneTile {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    /** Rows per tile. */
    static final int ROWS = 8;
    /** Tokens per tile: two vectors of 32 shorts. */
    static final int TOKENS = 64;
    /** 32 short lanes and 16 float lanes: AVX-512. */
    static final boolean AVAILABLE = F.length() == 16 && RowProducts.LANE_TILE_TOKENS % TOKENS == 0
            && ShortVector.SPECIES_PREFERRED.length() == 32;

    private Int16LaneTile() {}

    /**
     * {@code out[t, r] = W[r] · x[t]} for rows {@code [rowFrom, rowTo)} of {@code w}, a Q4_0 tensor, and a batch laid
     * out as integers. Results are staged per thread as {@code [laneTokens, 16]} and copied out every 16 rows, as in
     * {@link RowProducts#matMul}.
     */
    static void matMul(Q4_0Tensor w, TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        int cols = w.cols();
        int blocks = cols / 32;
        int laneTokens = in.laneTokens();
        short[][] rows = KernelScratch.shortRows(ROWS, cols);
        float[][] scales = KernelScratch.blockScales(ROWS, blocks);
        short[] sums = KernelScratch.shortSums(ROWS * TOKENS);
        float[] acc = KernelScratch.tileSums(ROWS * TOKENS);
        float[] stage = KernelScratch.stage(RowProducts.STAGED_ROWS * laneTokens);
        int staged = 0;
        int r = rowFrom;
        for (; rowTo - r >= ROWS; r += ROWS) {
            for (int i = 0; i < ROWS; i++) {
                w.decodeRowInt(r + i, rows[i], scales[i]);
            }
            for (int t0 = 0; t0 < laneTokens; t0 += TOKENS) {
                tile(rows, scales, blocks, in.quants(), in.quantScales(), laneTokens, t0, sums, acc);
                for (int t = 0; t < TOKENS; t++) {
                    for (int i = 0; i < ROWS; i++) {
                        stage[(t0 + t) * RowProducts.STAGED_ROWS + staged + i] = acc[i * TOKENS + t];
                    }
                }
            }
            staged += ROWS;
            if (staged == RowProducts.STAGED_ROWS || rowTo - (r + ROWS) < ROWS) {
                RowProducts.unstage(stage, staged, laneTokens, out, outStride, r + ROWS - staged);
                staged = 0;
            }
        }
        if (r < rowTo) { // the last rows, every token
            RowProducts.rowTiles(w, in, 0, out, outStride, r, rowTo);
        }
        if (laneTokens < in.n() && r > rowFrom) { // the tokens past the lane tiles, the rows done above
            RowProducts.rowTiles(w, in, laneTokens, out, outStride, rowFrom, r);
        }
    }

    /**
     * Eight rows ({@code w[i]}: {@code q - 8} per column; {@code d[i]}: scale per block) against tokens
     * {@code t0 .. t0 + 64} of {@code quants} ({@code [cols, stride]}, scales {@code [blocks, stride]}), into
     * {@code acc} ({@code [8, 64]}, tokens in order). Per block: 16 short accumulators over 32 columns, two token
     * loads and eight broadcast weights per column; then {@link #scaleBlock}.
     */
    static void tile(short[][] w, float[][] d, int blocks, short[] quants, float[] scales, int stride, int t0,
            short[] sums, float[] acc) {
        short[] a = w[0], b = w[1], c = w[2], e = w[3], f = w[4], g = w[5], h = w[6], j = w[7];
        Arrays.fill(acc, 0, ROWS * TOKENS, 0f);
        for (int blk = 0; blk < blocks; blk++) {
            ShortVector a0 = ShortVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            ShortVector f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0, j0 = a0, j1 = a0;
            int k0 = 32 * blk;
            for (int k = k0, o = k0 * stride + t0; k < k0 + 32; k++, o += stride) {
                ShortVector v0 = ShortVector.fromArray(S, quants, o);
                ShortVector v1 = ShortVector.fromArray(S, quants, o + 32);
                ShortVector x = ShortVector.broadcast(S, a[k]);
                a0 = x.mul(v0).add(a0);
                a1 = x.mul(v1).add(a1);
                x = ShortVector.broadcast(S, b[k]);
                b0 = x.mul(v0).add(b0);
                b1 = x.mul(v1).add(b1);
                x = ShortVector.broadcast(S, c[k]);
                c0 = x.mul(v0).add(c0);
                c1 = x.mul(v1).add(c1);
                x = ShortVector.broadcast(S, e[k]);
                e0 = x.mul(v0).add(e0);
                e1 = x.mul(v1).add(e1);
                x = ShortVector.broadcast(S, f[k]);
                f0 = x.mul(v0).add(f0);
                f1 = x.mul(v1).add(f1);
                x = ShortVector.broadcast(S, g[k]);
                g0 = x.mul(v0).add(g0);
                g1 = x.mul(v1).add(g1);
                x = ShortVector.broadcast(S, h[k]);
                h0 = x.mul(v0).add(h0);
                h1 = x.mul(v1).add(h1);
                x = ShortVector.broadcast(S, j[k]);
                j0 = x.mul(v0).add(j0);
                j1 = x.mul(v1).add(j1);
            }
            a0.intoArray(sums, 0);
            a1.intoArray(sums, 32);
            b0.intoArray(sums, 64);
            b1.intoArray(sums, 96);
            c0.intoArray(sums, 128);
            c1.intoArray(sums, 160);
            e0.intoArray(sums, 192);
            e1.intoArray(sums, 224);
            f0.intoArray(sums, 256);
            f1.intoArray(sums, 288);
            g0.intoArray(sums, 320);
            g1.intoArray(sums, 352);
            h0.intoArray(sums, 384);
            h1.intoArray(sums, 416);
            j0.intoArray(sums, 448);
            j1.intoArray(sums, 480);
            scaleBlock(sums, d, blk, scales, blk * stride + t0, acc);
        }
    }

    /**
     * {@code acc[i, t] += sums[i, t]·d[i][blk]·scales[so + t]}: each 32-bit lane of a short accumulator holds tokens
     * {@code l} (low half) and {@code l + 16} (high half) of its group, so the two halves, sign-extended and
     * converted, are tokens {@code 0..15} and {@code 16..31} in order.
     */
    private static void scaleBlock(short[] sums, float[][] d, int blk, float[] scales, int so, float[] acc) {
        for (int i = 0; i < ROWS; i++) {
            float di = d[i][blk];
            for (int v = 0; v < 2; v++) {
                int o = i * TOKENS + 32 * v;
                IntVector pairs = ShortVector.fromArray(S, sums, o).reinterpretAsInts();
                FloatVector low = (FloatVector) pairs.lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector high = (FloatVector) pairs.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                int x = so + 32 * v;
                low.mul(di).fma(FloatVector.fromArray(F, scales, x), FloatVector.fromArray(F, acc, o)).intoArray(acc, o);
                high.mul(di).fma(FloatVector.fromArray(F, scales, x + 16), FloatVector.fromArray(F, acc, o + 16))
                        .intoArray(acc, o + 16);
            }
        }
    }
}
