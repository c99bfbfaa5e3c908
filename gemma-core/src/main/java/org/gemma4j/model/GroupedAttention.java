package org.gemma4j.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.gemma4j.tensor.HalfFloats;
import org.gemma4j.tensor.LaneSum;

/**
 * Attention of one query token over the cache (spec §2.5) for a run of query heads that share one KV head:
 * {@code out_h = Σ_j softmax_j(q_h · k_j) · v_j} over the visible positions {@code first .. last}, scale 1 (the q/k
 * norms carry the temperature).
 *
 * <p>Why a kernel of its own: a dot product of one head with one key is a chain of dependent fused multiply-adds (16
 * for 256 values), as is a value lane summed over the positions; one at a time, each waits on the adder's latency.
 * Here four keys are scored at once against the query loaded once, and four value vectors summed at once in
 * registers (the per-position load, multiply-add and store of the output before left the store unit the bottleneck).
 * Every sum keeps its order (a head's score over its lanes, then the lane sum; an output lane over the positions in
 * order), so a head's result does not depend on the heads beside it. An F16 cache's
 * keys and values become floats once per block of positions, for every head of the run. Four heads, 64 positions of
 * 256, cache in L2, one thread: 6–7 µs (F16 9), 12.8 with the output stored per position; in a decode step, where
 * the cache comes from memory, 8 heads on two threads ~30 µs per layer, 34.7 with one head at a time (E2B Q4_0,
 * ~75 positions).
 *
 * <p>Thread safety: stateless; the scratch is per thread.
 */
final class GroupedAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Positions per block: an F16 block of 512-value rows as floats is 128 KB, within L2. */
    private static final int BLOCK = 64;
    /** Visible positions from which one token's attention is split by positions ({@link #attendAcross}). */
    static final int ACROSS_FROM = 4 * BLOCK;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private GroupedAttention() {}

    /** Per-thread buffers, grown on demand. */
    private static final class Scratch {
        /** {@code [heads, positions]}: scores, then probabilities. */
        float[] scores = new float[1024];
        /** Per position of a block: where its row starts (in the cache, or in {@link #block}). */
        final int[] rows = new int[BLOCK];
        /** {@code [BLOCK, hd]}: an F16 block's rows as floats. */
        float[] block = new float[0];

        float[] scores(int n) {
            if (scores.length < n) {
                scores = new float[Math.max(n, 2 * scores.length)];
            }
            return scores;
        }

        float[] block(int n) {
            if (block.length < n) {
                block = new float[n];
            }
            return block;
        }

        /** {@link #attendAcross}'s per-block results, on the calling thread's scratch. */
        float[] partial = new float[0];
        float[] blockMax = new float[0];
        float[] blockSum = new float[0];

        float[] partial(int n) {
            if (partial.length < n) {
                partial = new float[n];
            }
            return partial;
        }

        float[] blockMax(int n) {
            if (blockMax.length < n) {
                blockMax = new float[n];
            }
            return blockMax;
        }

        float[] blockSum(int n) {
            if (blockSum.length < n) {
                blockSum = new float[n];
            }
            return blockSum;
        }
    }

    /**
     * Heads {@code 0 .. heads} of the run: query {@code h} at {@code q[qOff + h·hd ..]}, output at
     * {@code out[outOff + h·hd ..]}; their KV head at {@code kvOff} within each cached position's {@code kvDim}
     * values; positions {@code first .. last} inclusive.
     */
    static void attend(float[] q, int qOff, int heads, int hd, KvCache.Layer kv, int kvOff, int first, int last,
            float[] out, int outOff) {
        Scratch s = SCRATCH.get();
        int count = last - first + 1;
        float[] scores = s.scores(heads * count);
        int[] rows = s.rows;
        float[] block = kv.k == null ? s.block(BLOCK * hd) : null;
        for (int j0 = 0; j0 < count; j0 += BLOCK) {
            int n = Math.min(BLOCK, count - j0);
            float[] k = rowsOf(kv, kv.k, kv.k16, kvOff, first + j0, n, hd, rows, block);
            scores(q, qOff, heads, hd, k, rows, n, scores, j0, count);
        }
        for (int h = 0; h < heads; h++) {
            softmax(scores, h * count, count);
        }
        java.util.Arrays.fill(out, outOff, outOff + heads * hd, 0f);
        for (int j0 = 0; j0 < count; j0 += BLOCK) {
            int n = Math.min(BLOCK, count - j0);
            float[] v = rowsOf(kv, kv.v, kv.v16, kvOff, first + j0, n, hd, rows, block);
            weightedValues(scores, j0, count, heads, n, v, rows, hd, out, outOff, hd);
        }
    }

    /**
     * One query token's attention for all {@code nHead} heads ({@code group} of them per KV head, KV head {@code g}
     * at {@code g·hd} in the cache), over positions {@code first .. last}, split across the pool by blocks of
     * {@link #BLOCK} positions rather than by heads: each block gives per head its largest score, the sum of
     * {@code e^(score - max)} and the output weighted by those, and the blocks are then merged in order. Every cache
     * row is read once, by one thread, for all the heads of its group (split by heads, each thread read the whole
     * cache for its heads: a global E2B layer at 2048 positions took ~1.2–1.5 ms so). The blocks are fixed, so the
     * result does not depend on the number of threads; it differs from {@link #attend} by rounding only.
     */
    static void attendAcross(WorkerPool pool, float[] q, int nHead, int group, int hd, KvCache.Layer kv, int first,
            int last, float[] out) {
        int count = last - first + 1;
        int blocks = (count + BLOCK - 1) / BLOCK;
        int kvHeads = nHead / group;
        Scratch caller = SCRATCH.get();
        float[] partial = caller.partial(nHead * blocks * hd); // [nHead, blocks, hd]
        float[] max = caller.blockMax(nHead * blocks);          // [nHead, blocks]
        float[] sum = caller.blockSum(nHead * blocks);
        pool.forRange(kvHeads * blocks, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            float[] scores = s.scores(group * BLOCK);
            float[] block = kv.k == null ? s.block(BLOCK * hd) : null;
            for (int item = from; item < to; item++) {
                int g = item / blocks;
                int blk = item % blocks;
                int j0 = blk * BLOCK;
                int n = Math.min(BLOCK, count - j0);
                float[] k = rowsOf(kv, kv.k, kv.k16, g * hd, first + j0, n, hd, s.rows, block);
                scores(q, g * group * hd, group, hd, k, s.rows, n, scores, 0, BLOCK);
                for (int h = 0; h < group; h++) {
                    int at = (g * group + h) * blocks + blk;
                    max[at] = exponentials(scores, h * BLOCK, n);
                    sum[at] = total(scores, h * BLOCK, n);
                    java.util.Arrays.fill(partial, at * hd, at * hd + hd, 0f);
                }
                float[] v = rowsOf(kv, kv.v, kv.v16, g * hd, first + j0, n, hd, s.rows, block);
                weightedValues(scores, 0, BLOCK, group, n, v, s.rows, hd, partial, (g * group * blocks + blk) * hd, blocks * hd);
            }
        });
        for (int h = 0; h < nHead; h++) { // merge the blocks in order
            float m = Float.NEGATIVE_INFINITY;
            for (int blk = 0; blk < blocks; blk++) {
                m = Math.max(m, max[h * blocks + blk]);
            }
            float total = 0f;
            java.util.Arrays.fill(out, h * hd, h * hd + hd, 0f);
            for (int blk = 0; blk < blocks; blk++) {
                int at = h * blocks + blk;
                float w = (float) Math.exp(max[at] - m);
                total += sum[at] * w;
                addScaled(partial, at * hd, hd, w, out, h * hd);
            }
            for (int d = 0; d < hd; d++) {
                out[h * hd + d] /= total;
            }
        }
    }

    /** {@code x[from .. from+n)} becomes {@code e^(x - max)}; returns the max. */
    private static float exponentials(float[] x, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = from; j < from + n; j++) {
            max = Math.max(max, x[j]);
        }
        for (int j = from; j < from + n; j++) {
            x[j] = (float) Math.exp(x[j] - max);
        }
        return max;
    }

    /** {@code Σ x[from .. from+n)}, in order. */
    private static float total(float[] x, int from, int n) {
        float sum = 0f;
        for (int j = from; j < from + n; j++) {
            sum += x[j];
        }
        return sum;
    }

    /** {@code out[o + d] += w · x[from + d]} for {@code d < n}. */
    private static void addScaled(float[] x, int from, int n, float w, float[] out, int o) {
        for (int d = 0; d < n; d++) {
            out[o + d] += w * x[from + d];
        }
    }

    /**
     * The rows of positions {@code p0 .. p0+n}, KV head at {@code kvOff}: their starts in the cache's float array, or
     * (F16 cache) the rows turned to floats in {@code block} and their starts there. Returns the array they are in.
     */
    private static float[] rowsOf(KvCache.Layer kv, float[] f32, short[] f16, int kvOff, int p0, int n, int hd,
            int[] rows, float[] block) {
        for (int j = 0; j < n; j++) {
            int o = kv.offset(p0 + j) + kvOff;
            if (f32 != null) {
                rows[j] = o;
            } else {
                HalfFloats.toFloats(f16, o, hd, block, j * hd);
                rows[j] = j * hd;
            }
        }
        return f32 != null ? f32 : block;
    }

    /**
     * {@code scores[at + h·stride + j] = q[q0 + h·hd ..] · k[rows[j] ..]} for the {@code heads} queries and the
     * {@code n} rows, four rows at a time, each four scored against every head while they are in L1 (head by head
     * over all the rows, a block of 64 rows of 512 values came from L2 once per head: a global E2B layer at 2048
     * positions, F16 cache, one thread, its scores 389 → 337 µs, all of it 1362, 1385 → 1329, 1291 µs; on
     * two threads 720, 767 → 701, 630); a last group of fewer rows repeats its last row and
     * keeps only its own scores. One loop of vector code on purpose: C2 compiles this method on its own, and a kernel
     * past its inlining budget leaves vector calls un-inlined, boxing every vector they pass (see
     * KernelAllocationTest); a second loop for the last rows took this kernel near that budget.
     */
    private static void scores(float[] q, int q0, int heads, int hd, float[] k, int[] rows, int n, float[] scores,
            int at, int stride) {
        int upper = F.loopBound(hd);
        for (int j = 0; j < n; j += 4) {
            int k0 = rows[j];
            int k1 = rows[Math.min(j + 1, n - 1)];
            int k2 = rows[Math.min(j + 2, n - 1)];
            int k3 = rows[Math.min(j + 3, n - 1)];
            for (int h = 0, qh = q0, sh = at + j; h < heads; h++, qh += hd, sh += stride) {
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                int d = 0;
                for (; d < upper; d += L) {
                    FloatVector x = FloatVector.fromArray(F, q, qh + d);
                    a0 = x.fma(FloatVector.fromArray(F, k, k0 + d), a0);
                    a1 = x.fma(FloatVector.fromArray(F, k, k1 + d), a1);
                    a2 = x.fma(FloatVector.fromArray(F, k, k2 + d), a2);
                    a3 = x.fma(FloatVector.fromArray(F, k, k3 + d), a3);
                }
                float s0 = LaneSum.of(a0);
                float s1 = LaneSum.of(a1);
                float s2 = LaneSum.of(a2);
                float s3 = LaneSum.of(a3);
                for (; d < hd; d++) {
                    s0 += q[qh + d] * k[k0 + d];
                    s1 += q[qh + d] * k[k1 + d];
                    s2 += q[qh + d] * k[k2 + d];
                    s3 += q[qh + d] * k[k3 + d];
                }
                scores[sh] = s0;
                if (j + 3 < n) {
                    scores[sh + 1] = s1;
                    scores[sh + 2] = s2;
                    scores[sh + 3] = s3;
                } else if (j + 2 < n) {
                    scores[sh + 1] = s1;
                    scores[sh + 2] = s2;
                } else if (j + 1 < n) {
                    scores[sh + 1] = s1;
                }
            }
        }
    }

    /**
     * {@code x[from .. from+count)} becomes {@code softmax(x)}. Scalar on purpose: with {@code lanewise(EXP)} here,
     * some runs' compilations boxed vectors in this and other kernels (the logit soft-cap's), 0.9 MB of garbage per
     * E2B decode step in two runs of five; the exponentials are ~5 % of this kernel's time.
     */
    static void softmax(float[] x, int from, int count) {
        exponentials(x, from, count);
        float sum = total(x, from, count);
        for (int j = from; j < from + count; j++) {
            x[j] = x[j] / sum;
        }
    }

    /**
     * {@code out[o + h·outStride + d] += Σ_j p[at + h·stride + j] · v[rows[j] + d]} for the {@code heads} and the
     * {@code n} rows, in order: four output vectors of a head at a time, held in registers over the rows, every head
     * in turn on the same four vectors' worth of columns of the rows while those are in L1 (head by head, the whole
     * block came from L2 once per head: the layer above, 468 → 326 µs). (Zeros loaded from {@code out} rather than a
     * vector picked by a flag: a vector merged from two paths is one more thing for C2 to keep unboxed.)
     */
    private static void weightedValues(float[] p, int at, int stride, int heads, int n, float[] v, int[] rows, int hd,
            float[] out, int o, int outStride) {
        int upper = F.loopBound(hd);
        int d = 0;
        for (; d + 4 * L <= upper; d += 4 * L) {
            for (int h = 0, ph = at, oh = o + d; h < heads; h++, ph += stride, oh += outStride) {
                FloatVector a0 = FloatVector.fromArray(F, out, oh);
                FloatVector a1 = FloatVector.fromArray(F, out, oh + L);
                FloatVector a2 = FloatVector.fromArray(F, out, oh + 2 * L);
                FloatVector a3 = FloatVector.fromArray(F, out, oh + 3 * L);
                for (int j = 0; j < n; j++) {
                    FloatVector pj = FloatVector.broadcast(F, p[ph + j]);
                    int r = rows[j] + d;
                    a0 = FloatVector.fromArray(F, v, r).fma(pj, a0);
                    a1 = FloatVector.fromArray(F, v, r + L).fma(pj, a1);
                    a2 = FloatVector.fromArray(F, v, r + 2 * L).fma(pj, a2);
                    a3 = FloatVector.fromArray(F, v, r + 3 * L).fma(pj, a3);
                }
                a0.intoArray(out, oh);
                a1.intoArray(out, oh + L);
                a2.intoArray(out, oh + 2 * L);
                a3.intoArray(out, oh + 3 * L);
            }
        }
        for (; d < upper; d += L) {
            for (int h = 0, ph = at, oh = o + d; h < heads; h++, ph += stride, oh += outStride) {
                FloatVector a0 = FloatVector.fromArray(F, out, oh);
                for (int j = 0; j < n; j++) {
                    a0 = FloatVector.fromArray(F, v, rows[j] + d).fma(FloatVector.broadcast(F, p[ph + j]), a0);
                }
                a0.intoArray(out, oh);
            }
        }
        for (; d < hd; d++) {
            for (int h = 0, ph = at, oh = o + d; h < heads; h++, ph += stride, oh += outStride) {
                float a = out[oh];
                for (int j = 0; j < n; j++) {
                    a += p[ph + j] * v[rows[j] + d];
                }
                out[oh] = a;
            }
        }
    }

    /** Plain scalar twin of {@link #attend}: one head at a time, every sum in index order. */
    static void attendScalar(float[] q, int qOff, int heads, int hd, KvCache.Layer kv, int kvOff, int first, int last,
            float[] out, int outOff) {
        int count = last - first + 1;
        float[] p = new float[count];
        for (int h = 0; h < heads; h++) {
            int qh = qOff + h * hd;
            for (int j = 0; j < count; j++) {
                int o = kv.offset(first + j) + kvOff;
                float s = 0f;
                for (int d = 0; d < hd; d++) {
                    s += q[qh + d] * (kv.k != null ? kv.k[o + d] : Float.float16ToFloat(kv.k16[o + d]));
                }
                p[j] = s;
            }
            softmax(p, 0, count);
            int oh = outOff + h * hd;
            java.util.Arrays.fill(out, oh, oh + hd, 0f);
            for (int j = 0; j < count; j++) {
                int o = kv.offset(first + j) + kvOff;
                for (int d = 0; d < hd; d++) {
                    out[oh + d] += p[j] * (kv.v != null ? kv.v[o + d] : Float.float16ToFloat(kv.v16[o + d]));
                }
            }
        }
    }
}
