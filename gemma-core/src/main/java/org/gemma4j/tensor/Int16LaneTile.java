package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched product of 4-bit weights and tokens rounded to Q8_0 or Q8_K blocks, in 16-bit integers: eight weight
 * rows of integers {@code q - 8} ({@code |q - 8| ≤ 8}) against 64 tokens' integers ({@code |q| ≤ 127}) held in the
 * lanes of two 32-lane short vectors ({@link TokenBatch#quants()}). 32 products per lane sum to at most
 * {@code 32·8·127 = 32512}, inside a short, so each run of 32 columns is summed exactly in 16 bits, then converted
 * and scaled into float accumulators: llama.cpp's integer dot product, with the tokens in the lanes. A weight row
 * gives, per 32 columns, a scale {@code a} and (K-quants) an offset {@code b}, its values being {@code a·(q-8) + b};
 * a token its scale {@code d} and {@code d·Σq}; their product is {@code d·(a·Σ(q-8)q_x + b·Σq_x)}.
 *
 * <p>Why: a 512-bit {@code vpmullw} + {@code vpaddw} pair does 32 products where a fused multiply-add does 16, and
 * this Zen 4 issues one of each per cycle. The float lane tile runs at the FMA peak (~116 GFLOP/s); this one, block
 * epilogues included, at 1.3–1.5× its speed (8 rows × 64 tokens, 1536 columns, one thread: 125–155 vs 73–105
 * GFLOP/s of equivalent float work; 4 rows × 128 tokens the same, 4 × 64 ~10 % less).
 *
 * <p>Used where 512-bit vectors exist ({@link #AVAILABLE}) and the batch was laid out as integers; rows past the
 * last 8 and tokens past the tiles go to the float row tiles.
 */
final class Int16LaneTile {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    /** 16 shorts: one float vector's worth. */
    private static final VectorSpecies<Short> HALF = ShortVector.SPECIES_256;
    /** Rows per tile. */
    static final int ROWS = 8;
    /** Tokens per tile: two vectors of 32 shorts ({@link #halfTile}: one, for the last 32 of a batch). */
    static final int TOKENS = 64;
    /** 32 short lanes and 16 float lanes: AVX-512. */
    static final boolean AVAILABLE = F.length() == 16 && RowProducts.LANE_TILE_TOKENS % TOKENS == 0
            && ShortVector.SPECIES_PREFERRED.length() == 32;

    private Int16LaneTile() {}

    /*
     * The row loop of the product {@code out[t, r] = W[r] · x[t]} is each type's own (Q4_0Tensor, Q4KTensor
     * integerMatMul): it decodes eight rows with its decodeRowInt, then calls group(). A loop shared by the types,
     * calling decodeRowInt virtually, inlined Q4_0's and Q4_K's decoders side by side once both had run, and in some
     * runs Q4_K's then boxed its byte-to-short conversion (245 KB of garbage per 68-row product).
     */

    /**
     * Rows {@code r .. r + 8}, decoded to integers in {@code q}, {@code a}, {@code b} (see {@link #tile}), against a
     * batch laid out as integers: the lane tokens in tiles, staged per thread as {@code [laneTokens, 16]} and copied
     * to {@code out} every 16 rows (or when fewer than 8 rows are left before {@code rowTo}), as in
     * {@link RowProducts#matMul}; the tokens past the tiles with the float row tiles. Returns the rows now staged,
     * {@code staged} the rows staged before.
     */
    static int group(short[][] q, float[][] a, float[][] b, int cols, TokenBatch in, float[] out, int outStride,
            int r, int rowTo, int staged) {
        int blocks = cols / 32;
        int laneTokens = in.laneTokens();
        short[] sums = KernelScratch.shortSums(ROWS * TOKENS);
        float[] acc = KernelScratch.tileSums(ROWS * TOKENS);
        float[] stage = KernelScratch.stage(RowProducts.STAGED_ROWS * laneTokens);
        for (int t0 = 0; t0 < laneTokens; t0 += TOKENS) {
            int width = Math.min(TOKENS, laneTokens - t0);
            if (width == TOKENS) {
                tile(q, a, b, blocks, in, t0, sums, acc);
            } else {
                halfTile(q, a, b, blocks, in, t0, sums, acc);
            }
            for (int t = 0; t < width; t++) {
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
        if (laneTokens < in.n()) { // the tokens past the lane tiles
            rowTiles(q, a, b, ROWS, cols, in, laneTokens, out, outStride, r);
        }
        return staged;
    }

    /** The last {@code count < 8} rows from {@code r} on, decoded to integers, against every token: the row tiles. */
    static void lastRows(short[][] q, float[][] a, float[][] b, int count, int cols, TokenBatch in, float[] out,
            int outStride, int r) {
        if (count > 0) {
            rowTiles(q, a, b, count, cols, in, 0, out, outStride, r);
        }
    }

    /**
     * Rows {@code r .. r + count} (decoded to integers in {@code q}, {@code a}, {@code b}) against the tokens
     * {@code tFrom .. n} with the float row tiles of {@link RowProducts}, on floats made from the integers. Rows are
     * not decoded again through the virtual {@link BlockTensor#decodeRow}: this code is shared by the types.
     */
    private static void rowTiles(short[][] q, float[][] a, float[][] b, int count, int cols, TokenBatch in, int tFrom,
            float[] out, int outStride, int r) {
        float[][] rows = KernelScratch.rows(cols);
        float[] sums = KernelScratch.tileSums(16 * F.length());
        float[] x = in.rows();
        int n = in.n();
        for (int i = 0; i < count; ) {
            int take = count - i >= 4 ? 4 : Math.min(count - i, 2);
            for (int j = 0; j < take; j++) {
                toFloats(q[i + j], a[i + j], b == null ? null : b[i + j], cols, rows[j]);
            }
            if (take == 4) {
                RowProducts.fourRows(rows[0], rows[1], rows[2], rows[3], cols, x, n, tFrom, out, outStride, r + i, sums);
            } else {
                RowProducts.twoRows(rows[0], rows[take - 1], cols, x, n, tFrom, out, outStride, r + i, sums);
            }
            i += take;
        }
    }

    /** {@code out[k] = a·q[k] + b} per 32 values ({@code b} 0 where {@code b == null}). */
    private static void toFloats(short[] q, float[] a, float[] b, int cols, float[] out) {
        for (int k = 0, blk = 0; k < cols; k += 32, blk++) {
            float offset = b == null ? 0f : b[blk]; // before any vector: see the note above scaleVectors
            FloatVector ak = FloatVector.broadcast(F, a[blk]);
            FloatVector bk = FloatVector.broadcast(F, offset);
            ((FloatVector) ShortVector.fromArray(HALF, q, k).convertShape(VectorOperators.S2F, F, 0)).fma(ak, bk)
                    .intoArray(out, k);
            ((FloatVector) ShortVector.fromArray(HALF, q, k + 16).convertShape(VectorOperators.S2F, F, 0)).fma(ak, bk)
                    .intoArray(out, k + 16);
        }
    }

    /**
     * Eight rows ({@code w[i]}: {@code q - 8} per column; {@code a[i]}, {@code b[i]} or {@code b == null}: scale
     * and offset per 32 columns) against tokens {@code t0 .. t0 + 64} of {@code in}, into {@code acc}
     * ({@code [8, 64]}, tokens in order). Per 32 columns: 16 short accumulators, two token loads and eight broadcast
     * weights per column; then {@link #scaleBlock}.
     */
    static void tile(short[][] w, float[][] a, float[][] b, int blocks, TokenBatch in, int t0, short[] sums,
            float[] acc) {
        short[] quants = in.quants();
        int stride = in.laneTokens();
        short[] r0 = w[0], r1 = w[1], r2 = w[2], r3 = w[3], r4 = w[4], r5 = w[5], r6 = w[6], r7 = w[7];
        Arrays.fill(acc, 0, ROWS * TOKENS, 0f);
        for (int blk = 0; blk < blocks; blk++) {
            ShortVector s00 = ShortVector.zero(S), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;
            ShortVector s30 = s00, s31 = s00, s40 = s00, s41 = s00, s50 = s00, s51 = s00, s60 = s00, s61 = s00;
            ShortVector s70 = s00, s71 = s00;
            int k0 = 32 * blk;
            for (int k = k0, o = k0 * stride + t0; k < k0 + 32; k++, o += stride) {
                ShortVector v0 = ShortVector.fromArray(S, quants, o);
                ShortVector v1 = ShortVector.fromArray(S, quants, o + 32);
                ShortVector x = ShortVector.broadcast(S, r0[k]);
                s00 = x.mul(v0).add(s00);
                s01 = x.mul(v1).add(s01);
                x = ShortVector.broadcast(S, r1[k]);
                s10 = x.mul(v0).add(s10);
                s11 = x.mul(v1).add(s11);
                x = ShortVector.broadcast(S, r2[k]);
                s20 = x.mul(v0).add(s20);
                s21 = x.mul(v1).add(s21);
                x = ShortVector.broadcast(S, r3[k]);
                s30 = x.mul(v0).add(s30);
                s31 = x.mul(v1).add(s31);
                x = ShortVector.broadcast(S, r4[k]);
                s40 = x.mul(v0).add(s40);
                s41 = x.mul(v1).add(s41);
                x = ShortVector.broadcast(S, r5[k]);
                s50 = x.mul(v0).add(s50);
                s51 = x.mul(v1).add(s51);
                x = ShortVector.broadcast(S, r6[k]);
                s60 = x.mul(v0).add(s60);
                s61 = x.mul(v1).add(s61);
                x = ShortVector.broadcast(S, r7[k]);
                s70 = x.mul(v0).add(s70);
                s71 = x.mul(v1).add(s71);
            }
            s00.intoArray(sums, 0);
            s01.intoArray(sums, 32);
            s10.intoArray(sums, 64);
            s11.intoArray(sums, 96);
            s20.intoArray(sums, 128);
            s21.intoArray(sums, 160);
            s30.intoArray(sums, 192);
            s31.intoArray(sums, 224);
            s40.intoArray(sums, 256);
            s41.intoArray(sums, 288);
            s50.intoArray(sums, 320);
            s51.intoArray(sums, 352);
            s60.intoArray(sums, 384);
            s61.intoArray(sums, 416);
            s70.intoArray(sums, 448);
            s71.intoArray(sums, 480);
            scaleBlock(sums, a, b, blk, in.quantScales(), in.quantSums(), blk * stride + t0, acc);
        }
    }

    /**
     * {@link #tile} for 32 tokens, one short vector per row: the last 32 of a batch (a 32–63-token prompt, or the 32
     * past the last 64), which would otherwise take the float row tiles. E2B Q4_0, 2 threads, old/new alternating:
     * pp32 30.0, 33.1, 34.6, 34.7 → 42.0, 43.1, 39.4, 44.6 tok/s; pp48 36.4, 37.3 → 40.7, 41.8; pp100, pp128 unchanged.
     */
    static void halfTile(short[][] w, float[][] a, float[][] b, int blocks, TokenBatch in, int t0, short[] sums,
            float[] acc) {
        short[] quants = in.quants();
        int stride = in.laneTokens();
        short[] r0 = w[0], r1 = w[1], r2 = w[2], r3 = w[3], r4 = w[4], r5 = w[5], r6 = w[6], r7 = w[7];
        Arrays.fill(acc, 0, ROWS * TOKENS, 0f);
        for (int blk = 0; blk < blocks; blk++) {
            ShortVector s0 = ShortVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            int k0 = 32 * blk;
            for (int k = k0, o = k0 * stride + t0; k < k0 + 32; k++, o += stride) {
                ShortVector v = ShortVector.fromArray(S, quants, o);
                s0 = ShortVector.broadcast(S, r0[k]).mul(v).add(s0);
                s1 = ShortVector.broadcast(S, r1[k]).mul(v).add(s1);
                s2 = ShortVector.broadcast(S, r2[k]).mul(v).add(s2);
                s3 = ShortVector.broadcast(S, r3[k]).mul(v).add(s3);
                s4 = ShortVector.broadcast(S, r4[k]).mul(v).add(s4);
                s5 = ShortVector.broadcast(S, r5[k]).mul(v).add(s5);
                s6 = ShortVector.broadcast(S, r6[k]).mul(v).add(s6);
                s7 = ShortVector.broadcast(S, r7[k]).mul(v).add(s7);
            }
            s0.intoArray(sums, 0);
            s1.intoArray(sums, 64);
            s2.intoArray(sums, 128);
            s3.intoArray(sums, 192);
            s4.intoArray(sums, 256);
            s5.intoArray(sums, 320);
            s6.intoArray(sums, 384);
            s7.intoArray(sums, 448);
            scaleHalfBlock(sums, a, b, blk, in.quantScales(), in.quantSums(), blk * stride + t0, acc);
        }
    }

    /** The block epilogue of {@link #tile}: both of its 32-token vectors. */
    private static void scaleBlock(short[] sums, float[][] a, float[][] b, int blk, float[] scales, float[] tokenSums,
            int so, float[] acc) {
        if (b != null) {
            addOffsets(b, blk, tokenSums, so, 0, acc);
            addOffsets(b, blk, tokenSums, so + 32, 32, acc);
        }
        scaleVectors(sums, a, blk, scales, so, 0, acc);
        scaleVectors(sums, a, blk, scales, so + 32, 32, acc);
    }

    /** The block epilogue of {@link #halfTile}: its one 32-token vector. */
    private static void scaleHalfBlock(short[] sums, float[][] a, float[][] b, int blk, float[] scales,
            float[] tokenSums, int so, float[] acc) {
        if (b != null) {
            addOffsets(b, blk, tokenSums, so, 0, acc);
        }
        scaleVectors(sums, a, blk, scales, so, 0, acc);
    }

    /*
     * The epilogue's methods take no vectors and branch on nothing while vectors are live: a branch a type never
     * takes compiles to a trap, and vectors live at a trap were boxed. Token sums loaded once for all rows inside
     * an offsets-only branch cost Q4_0 1.5 MB of garbage per 68-row product; later, with the offsets branch inside
     * the row loop, Q4_K's products after Q4_0's (one JVM) boxed 30–245 KB per product in some runs.
     */

    /**
     * For the eight rows {@code i} and tokens {@code t < 32} of vector {@code v} (at {@code o = i·64 + v}):
     * {@code acc[o + t] += sums[o + t]·a[i][blk]·scales[so + t]}. Each 32-bit lane of a short accumulator holds
     * tokens {@code l} (low half) and {@code l + 16} (high half) of its group, so the two halves, sign-extended and
     * converted, are tokens {@code 0..15} and {@code 16..31} in order. Each token scale vector serves all eight rows.
     */
    private static void scaleVectors(short[] sums, float[][] a, int blk, float[] scales, int so, int v, float[] acc) {
        FloatVector lowScale = FloatVector.fromArray(F, scales, so);
        FloatVector highScale = FloatVector.fromArray(F, scales, so + 16);
        for (int i = 0; i < ROWS; i++) {
            int o = i * TOKENS + v;
            float ai = a[i][blk];
            IntVector pairs = ShortVector.fromArray(S, sums, o).reinterpretAsInts();
            FloatVector lowSums = (FloatVector) pairs.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, F, 0);
            FloatVector highSums = (FloatVector) pairs.lanewise(VectorOperators.ASHR, 16).convertShape(VectorOperators.I2F, F, 0);
            lowSums.mul(ai).fma(lowScale, FloatVector.fromArray(F, acc, o)).intoArray(acc, o);
            highSums.mul(ai).fma(highScale, FloatVector.fromArray(F, acc, o + 16)).intoArray(acc, o + 16);
        }
    }

    /** {@code acc[o + t] += b[i][blk]·tokenSums[so + t]} for the rows and tokens of {@link #scaleVectors}. */
    private static void addOffsets(float[][] b, int blk, float[] tokenSums, int so, int v, float[] acc) {
        FloatVector lowSum = FloatVector.fromArray(F, tokenSums, so);
        FloatVector highSum = FloatVector.fromArray(F, tokenSums, so + 16);
        for (int i = 0; i < ROWS; i++) {
            int o = i * TOKENS + v;
            FloatVector bi = FloatVector.broadcast(F, b[i][blk]);
            lowSum.fma(bi, FloatVector.fromArray(F, acc, o)).intoArray(acc, o);
            highSum.fma(bi, FloatVector.fromArray(F, acc, o + 16)).intoArray(acc, o + 16);
        }
    }
}
