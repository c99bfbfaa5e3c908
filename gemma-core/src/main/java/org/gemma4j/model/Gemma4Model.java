package org.gemma4j.model;

import java.io.IOException;
import java.nio.file.Path;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.tensor.QuantizedVector;
import org.gemma4j.tensor.Tensor;
import org.gemma4j.tensor.TokenBatch;

/**
 * The Gemma 4 text decoder (spec §2): tokens in, logits out, one {@link KvCache} per sequence.
 *
 * <p>The forward pass follows the spec step by step: {@link #embed}, {@link #perLayerInputs} (PLE), then per
 * layer {@link #attentionBlock}, {@link #feedForwardBlock} or {@link #mixtureOfExpertsBlock},
 * {@link #perLayerEmbeddingBlock}, the layer output scale, and finally {@link #logits}. A batch of tokens
 * (prefill) and a single token (decode) take the same path.
 *
 * <p>Thread safety: the model (weights, config) is immutable and may be shared by many sequences; calls are
 * serialized on the shared {@link WorkerPool}, so concurrent sequences interleave but never corrupt each other.
 * Each {@link KvCache} must be used by one thread at a time.
 */
public final class Gemma4Model implements AutoCloseable {
    /** Prefill runs in chunks of at most this many tokens (bounds scratch memory and the sliding rings). */
    public static final int DEFAULT_MAX_BATCH = 256;

    private final Gemma4Config config;
    private final Gemma4Weights weights;
    private final WorkerPool pool;
    /** {@link #expertRows}' slices of each stacked expert tensor. */
    private final java.util.concurrent.ConcurrentHashMap<Tensor, Tensor[]> expertSlices = new java.util.concurrent.ConcurrentHashMap<>();
    private final GgufFile source;
    private final int maxBatch;
    private final Rope ropeSliding;
    private final Rope ropeGlobal;
    private final Numerics numerics;
    /** Default: on, unless the system property {@code gemma4j.repackWeights} is {@code false} when the model is made. */
    private volatile boolean repackWeights = !"false".equals(System.getProperty("gemma4j.repackWeights"));

    public Gemma4Model(Gemma4Config config, Gemma4Weights weights, WorkerPool pool, int maxBatch, Numerics numerics) {
        this(config, weights, pool, maxBatch, numerics, null);
    }

    private Gemma4Model(Gemma4Config config, Gemma4Weights weights, WorkerPool pool, int maxBatch, Numerics numerics,
            GgufFile source) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive");
        }
        this.config = config;
        this.weights = weights;
        this.pool = pool;
        this.maxBatch = maxBatch;
        this.source = source;
        this.numerics = numerics;
        this.ropeSliding = new Rope(config.nRotSwa(), config.ropeBaseSwa(), null);
        this.ropeGlobal = new Rope(config.nRotFull(), config.ropeBaseFull(), weights.ropeFreqs());
    }

    /** {@link #load(Path, int, Numerics)} with llama.cpp-compatible numerics. */
    public static Gemma4Model load(Path file, int threads) throws IOException {
        return load(file, threads, Numerics.GGML);
    }

    /**
     * Maps a {@code gemma4} GGUF and binds its weights. The returned model owns the mapping and a worker pool
     * of {@code threads} threads; {@link #close()} releases both.
     */
    public static Gemma4Model load(Path file, int threads, Numerics numerics) throws IOException {
        GgufFile gguf = GgufFile.open(file);
        try {
            Gemma4Config config = Gemma4Config.from(gguf);
            Gemma4Weights weights = Gemma4Weights.load(gguf, config);
            return new Gemma4Model(config, weights, new WorkerPool(threads), DEFAULT_MAX_BATCH, numerics, gguf);
        } catch (IOException | RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    /** The metadata of the GGUF this model was loaded from (tokenizer, chat template, ...); empty if none. */
    public java.util.Map<String, Object> metadata() {
        return source != null ? source.metadata() : java.util.Map.of();
    }

    public Gemma4Config config() {
        return config;
    }

    public Gemma4Weights weights() {
        return weights;
    }

    public Numerics numerics() {
        return numerics;
    }

    /**
     * Whether one-token products (decode) lay Q4_0, Q4_K and Q6_K weights out again for a 16-bit integer product
     * ({@link Tensor#takesIntegerVectors()}; default true, unless the system property {@code gemma4j.repackWeights} is
     * {@code false}). The copy lives off the heap beside the mapped file, about as large as those weights (Q6_K a
     * third larger), and is made during the first decode after load: E2B Q4_0 decodes 1.3–1.7× faster, at the price
     * of ~1.6 GB more memory and a first request a few seconds slower. Set it before the model's first product; with
     * {@code false} no copy is ever made.
     */
    public void repackWeights(boolean on) {
        repackWeights = on;
    }

    public int vocabSize() {
        return weights.vocabSize();
    }

    /** A fresh F32 cache for a sequence of up to {@code contextLength} tokens. */
    public KvCache newCache(int contextLength) {
        return newCache(contextLength, KvCache.Precision.F32);
    }

    /** A fresh cache for a sequence of up to {@code contextLength} tokens. */
    public KvCache newCache(int contextLength, KvCache.Precision precision) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be positive, got " + contextLength);
        }
        return new KvCache(config, contextLength, maxBatch, precision);
    }

    /** Bytes {@link #newCache} will allocate for {@code contextLength}. */
    public long cacheBytes(int contextLength, KvCache.Precision precision) {
        return KvCache.bytesFor(config, contextLength, maxBatch, precision);
    }

    /** Appends {@code tokens} to the sequence in {@code cache}; returns the logits after the last one, {@code [vocab]}. */
    public float[] forward(KvCache cache, int[] tokens) {
        return run(cache, tokens, false, null);
    }

    /**
     * Like {@link #forward(KvCache, int[])}, writing the logits into {@code logits} when it has {@code vocab} floats
     * (else into a new array); returns the array written. A decode loop that passes back what it got allocates
     * nothing per step.
     */
    public float[] forward(KvCache cache, int[] tokens, float[] logits) {
        return run(cache, tokens, false, logits);
    }

    /** Appends {@code tokens}; returns the logits after every one of them, {@code [tokens.length, vocab]} row-major. */
    public float[] forwardAll(KvCache cache, int[] tokens) {
        return run(cache, tokens, true, null);
    }

    private float[] run(KvCache cache, int[] tokens, boolean allPositions, float[] reuse) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens");
        }
        int vocab = vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token " + tokens[i] + " at index " + i + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if ((long) cache.position() + tokens.length > cache.contextLength()) {
            throw new ContextOverflowException(cache.position(), tokens.length, cache.contextLength());
        }
        int outLength = (allPositions ? tokens.length : 1) * vocab;
        float[] out = reuse != null && reuse.length == outLength ? reuse : new float[outLength];
        for (int start = 0; start < tokens.length; start += maxBatch) {
            int n = Math.min(maxBatch, tokens.length - start);
            Batch b = n == 1 ? decodeBatch(cache) : new Batch(config, n);
            int pos0 = cache.position();
            embed(b, tokens, start);
            if (config.hasPerLayerEmbeddings()) {
                perLayerInputs(b, tokens, start);
            }
            for (int l = 0; l < config.nLayer(); l++) {
                attentionBlock(b, l, cache, pos0);
                if (config.isMoe()) {
                    mixtureOfExpertsBlock(b, l);
                } else {
                    feedForwardBlock(b, l);
                }
                if (config.hasPerLayerEmbeddings()) {
                    perLayerEmbeddingBlock(b, l);
                }
                scale(b.x, n * config.nEmbd(), weights.layers()[l].layerOutputScale());
            }
            cache.advance(n);
            if (allPositions) {
                for (int t = 0; t < n; t++) {
                    logits(b, t, out, (start + t) * vocab);
                }
            } else if (start + n == tokens.length) {
                logits(b, n - 1, out, 0);
            }
        }
        return out;
    }

    /** The cache's one-token activations: a sequence decodes one step at a time, so they are reused. */
    private Batch decodeBatch(KvCache cache) {
        if (cache.decodeScratch instanceof Batch b && b.config == config) {
            return b;
        }
        Batch b = new Batch(config, 1);
        cache.decodeScratch = b;
        return b;
    }

    /** Activations of one batch of {@code n} tokens. */
    private static final class Batch {
        final Gemma4Config config;
        final int n;
        final float[] x;    // [n, H] residual stream
        final float[] xb;   // [n, H] normed input of a block
        final float[] tmp;  // [n, H] block output
        final float[] q;    // [n, nHead * hdMax]
        final float[] k;    // [n, kvMax]
        final float[] v;    // [n, kvMax]
        final float[] att;  // [n, nHead * hdMax]
        final float[] gate; // [n, ffMax]
        final float[] up;   // [n, ffMax]
        final float[] ple;  // [n, L * P]
        final float[] proj; // [n, L * P] per-layer projection
        final Experts experts; // MoE layers' buffers, or null
        final float[][] cos = new float[2][]; // per RoPE (sliding, global): [n, its half] for positions pos0 ..
        final float[][] sin = new float[2][];
        final int[] anglesAt = {-1, -1};      // ... the pos0 they hold, or -1
        float[] rounded = new float[0]; // activations rounded for the current product (GGML numerics)
        final TokenBatch tokens = new TokenBatch(); // the current product's input, laid out for the batched kernels
        final QuantizedVector vector = new QuantizedVector(); // one token's input as integers (Tensor#takesIntegerVectors)
        float[] preparedFrom; // the activations tokens was prepared from, and how they were rounded
        ActivationRounding.Kind preparedKind;
        boolean preparedInts; // laid out as integers (TokenBatch#prepareQ8_0, prepareQ8_K)
        float[] vectorFrom; // one token's activations the current vector product's input was prepared from
        float[] vectorIn;   // ... as that product takes them: rounded (or as they are), and in vector if vectorInts
        ActivationRounding.Kind vectorKind;
        boolean vectorInts;
        int vectorCols;

        Batch(Gemma4Config c, int n) {
            this.config = c;
            this.n = n;
            int h = c.nEmbd();
            int hdMax = Math.max(c.headDimSwa(), c.headDimFull());
            int kvMax = 0;
            int ffMax = Math.max(2 * c.nFfExpert(), c.nEmbdPerLayer());
            for (int l = 0; l < c.nLayer(); l++) {
                kvMax = Math.max(kvMax, c.kvDim(l));
                ffMax = Math.max(ffMax, c.nFf()[l]);
            }
            x = new float[n * h];
            xb = new float[n * h];
            tmp = new float[n * h];
            q = new float[n * c.nHead() * hdMax];
            k = new float[n * kvMax];
            v = new float[n * kvMax];
            att = new float[n * c.nHead() * hdMax];
            gate = new float[n * ffMax];
            up = new float[n * ffMax];
            ple = new float[n * c.nLayer() * c.nEmbdPerLayer()];
            proj = new float[n * c.nLayer() * c.nEmbdPerLayer()];
            for (int r = 0; r < 2; r++) {
                cos[r] = new float[n * hdMax / 2];
                sin[r] = new float[n * hdMax / 2];
            }
            experts = c.isMoe() ? new Experts(c, n) : null;
        }

        /** A buffer of at least {@code len} floats for rounded activations (what it held is no longer anyone's input). */
        float[] roundedScratch(int len) {
            vectorFrom = null;
            if (rounded.length < len) {
                rounded = new float[len];
            }
            return rounded;
        }
    }

    /** A MoE layer's buffers, made with the batch so that a decode step allocates none. */
    private static final class Experts {
        final float[] dense;    // [n, H] the dense MLP's output
        final float[] sum;      // [n, H] the experts' weighted sum
        final float[] in;       // [H] one token's input to the experts
        final float[] routerIn; // [H]
        final float[] probs;    // [nExpert]
        final boolean[] taken;  // [nExpert]
        final int[] chosen;     // [nExpertUsed]
        final float[] gate;     // [nExpertUsed, nFfExpert]
        final float[] up;       // [nExpertUsed, nFfExpert]
        final float[] down;     // [nExpertUsed, H] the chosen experts' outputs
        final float[][] downIn; // [nExpertUsed][nFfExpert] each one's down input, rounded as the product takes it
        final QuantizedVector[] downVector; // [nExpertUsed] and as integers
        // a batch of tokens, expert by expert (prefill)
        final float[] inputs;   // [n, H] every token's input to the experts
        final int[] chosenAll;  // [n, nExpertUsed]
        final float[] weightAll; // [n, nExpertUsed]
        final int[] tokens;     // [n] the tokens routed to the current expert
        final float[] weights;  // [n] and their weights
        final float[] gathered; // [n, H] their inputs
        final float[] gateAll;  // [n, nFfExpert]
        final float[] upAll;    // [n, nFfExpert]
        final float[] downAll;  // [n, H]

        Experts(Gemma4Config c, int n) {
            int h = c.nEmbd();
            int k = c.nExpertUsed();
            int fe = c.nFfExpert();
            boolean batch = n > 1;
            inputs = new float[batch ? n * h : 0];
            chosenAll = new int[batch ? n * k : 0];
            weightAll = new float[batch ? n * k : 0];
            tokens = new int[batch ? n : 0];
            weights = new float[batch ? n : 0];
            gathered = new float[batch ? n * h : 0];
            gateAll = new float[batch ? n * fe : 0];
            upAll = new float[batch ? n * fe : 0];
            downAll = new float[batch ? n * h : 0];
            dense = new float[n * h];
            sum = new float[n * h];
            in = new float[h];
            routerIn = new float[h];
            probs = new float[c.nExpert()];
            taken = new boolean[c.nExpert()];
            chosen = new int[c.nExpertUsed()];
            gate = new float[k * fe];
            up = new float[k * fe];
            down = new float[k * h];
            downIn = new float[k][fe];
            downVector = new QuantizedVector[k];
            for (int j = 0; j < k; j++) {
                downVector[j] = new QuantizedVector();
            }
        }
    }

    /** §2.2: {@code x = token_embd[id] · sqrt(H)}. */
    private void embed(Batch b, int[] tokens, int start) {
        int h = config.nEmbd();
        float s = (float) Math.sqrt(h);
        for (int t = 0; t < b.n; t++) {
            weights.tokenEmbd().dequantizeRow(tokens[start + t], b.x, t * h);
        }
        scale(b.x, b.n * h, s);
    }

    /** §2.3: {@code ple = (RMSNorm(proj·x / sqrt(H)) + table[id]·sqrt(P)) / sqrt(2)}, one {@code [L, P]} block per token. */
    private void perLayerInputs(Batch b, int[] tokens, int start) {
        int lp = config.nLayer() * config.nEmbdPerLayer();
        int p = config.nEmbdPerLayer();
        float[] proj = b.proj;
        matmul(b, weights.perLayerModelProj(), b.x, b.n, proj);
        scale(proj, proj.length, (float) (1.0 / Math.sqrt(config.nEmbd())));
        RmsNorm.applyEach(proj, 0, b.n * config.nLayer(), p, weights.perLayerProjNorm(), config.rmsEps());
        float tableScale = (float) Math.sqrt(p);
        float half = (float) (1.0 / Math.sqrt(2.0));
        for (int t = 0; t < b.n; t++) {
            weights.perLayerTokenEmbd().dequantizeRow(tokens[start + t], b.ple, t * lp);
        }
        for (int i = 0; i < b.ple.length; i++) {
            b.ple[i] = (proj[i] + b.ple[i] * tableScale) * half;
        }
    }

    /** §2.5: {@code x += RMSNorm(attn_output · attention(q, k, v); post_attention_norm)}. */
    private void attentionBlock(Batch b, int l, KvCache cache, int pos0) {
        LayerWeights w = weights.layers()[l];
        int h = config.nEmbd();
        int hd = config.headDim(l);
        int nHead = config.nHead();
        int qDim = nHead * hd;
        int n = b.n;
        int which = config.isSliding(l) ? 0 : 1;
        Rope rope = which == 0 ? ropeSliding : ropeGlobal;
        int half = rope.half();
        float[] cos = b.cos[which];
        float[] sin = b.sin[which];
        // the angles once per batch and RoPE, not once per layer: q norm and RoPE 6.3 → ~3 µs a layer (E2B decode)
        if (b.anglesAt[which] != pos0) {
            for (int t = 0; t < n; t++) {
                rope.angles(pos0 + t, cos, sin, t * half);
            }
            b.anglesAt[which] = pos0;
        }
        float eps = config.rmsEps();

        copyNormed(b.x, b.xb, n, h, w.attnNorm());
        if (w.attnK() != null) {
            matmulShared(b, b.xb, n, w.attnQ(), b.q, w.attnK(), b.k, w.attnV(), b.v);
        } else {
            matmul(b, w.attnQ(), b.xb, n, b.q);
        }
        RmsNorm.applyEach(b.q, 0, n * nHead, hd, w.attnQNorm(), eps);
        for (int t = 0; t < n; t++) {
            for (int head = 0; head < nHead; head++) {
                rope.rotate(b.q, t * qDim + head * hd, cos, sin, t * half);
            }
        }

        if (w.attnK() != null) {
            int kvDim = config.kvDim(l);
            int nKv = config.nHeadKv()[l];
            if (w.attnV() == null) {
                System.arraycopy(b.k, 0, b.v, 0, n * kvDim); // K=V layers: V is the raw K projection
            }
            RmsNorm.applyEach(b.k, 0, n * nKv, hd, w.attnKNorm(), eps);
            RmsNorm.applyEach(b.v, 0, n * nKv, hd, null, eps);
            KvCache.Layer kv = cache.layer(l);
            for (int t = 0; t < n; t++) {
                for (int g = 0; g < nKv; g++) {
                    rope.rotate(b.k, t * kvDim + g * hd, cos, sin, t * half);
                }
                kv.write(pos0 + t, b.k, t * kvDim, b.v, t * kvDim);
            }
        }

        KvCache.Layer kv = cache.layer(config.kvSourceLayer(l));
        int nKv = kv.kvDim / hd;
        int group = nHead / nKv;
        int window = config.isSliding(l) ? config.slidingWindow() : Integer.MAX_VALUE;
        if (n == 1 && pos0 - firstVisible(pos0, window) + 1 >= GroupedAttention.ACROSS_FROM) { // a long context
            GroupedAttention.attendAcross(pool, b.q, nHead, group, hd, kv, firstVisible(pos0, window), pos0, b.att);
        } else {
            // items (token, head); chunks of up to four heads, so that heads sharing a KV head go to the kernel together
            pool.forRange(n * nHead, Math.min(4, group), (from, to) -> {
                for (int i = from; i < to; ) {
                    int t = i / nHead;
                    int head = i % nHead;
                    int runEnd = Math.min(to, t * nHead + (head / group + 1) * group); // same token, same KV head
                    int pos = pos0 + t;
                    GroupedAttention.attend(b.q, t * qDim + head * hd, runEnd - i, hd, kv, (head / group) * hd,
                            firstVisible(pos, window), pos, b.att, t * qDim + head * hd);
                    i = runEnd;
                }
            });
        }

        matmul(b, w.attnOutput(), b.att, n, b.tmp);
        RmsNorm.applyEach(b.tmp, 0, n, h, w.postAttentionNorm(), eps);
        add(b.x, b.tmp, n * h);
    }

    /** The first position a query at {@code pos} sees: {@code window} positions back at most (a sliding layer). */
    private static int firstVisible(int pos, int window) {
        return window == Integer.MAX_VALUE ? 0 : Math.max(0, pos - window + 1);
    }

    /** §2.6 dense: {@code x += RMSNorm(down(gelu(gate·f) ⊙ up·f); post_ffw_norm)} with {@code f = RMSNorm(x; ffn_norm)}. */
    private void feedForwardBlock(Batch b, int l) {
        LayerWeights w = weights.layers()[l];
        int h = config.nEmbd();
        copyNormed(b.x, b.xb, b.n, h, w.ffnNorm());
        denseMlp(w, b, b.tmp);
        RmsNorm.applyEach(b.tmp, 0, b.n, h, w.postFfwNorm(), config.rmsEps());
        add(b.x, b.tmp, b.n * h);
    }

    /** The GeGLU MLP of {@code b.xb} into {@code out}: {@code down(gelu(gate·xb) ⊙ (up·xb))}. */
    private void denseMlp(LayerWeights w, Batch b, float[] out) {
        int ff = (int) w.ffnGate().rows();
        matmulShared(b, b.xb, b.n, w.ffnGate(), b.gate, w.ffnUp(), b.up, null, null);
        // Across the pool: up to 1.6 M values per layer in a 128-token prefill; on the calling thread alone this was
        // 0.8 % of all JFR samples of an E2B Q4_0 pp128 run, with the other thread waiting meanwhile. In chunks of
        // 1024, so that decode's 6144–12288 values are shared too (on the caller alone: 14.6 µs per layer).
        float[] gate = b.gate;
        float[] up = b.up;
        pool.forRange(b.n * ff, 1024, (from, to) -> GeluTanh.gatedInPlace(gate, from, up, from, to - from, numerics));
        matmul(b, w.ffnDown(), b.gate, b.n, out);
    }

    /**
     * §2.6 MoE: the dense MLP and the routed experts run side by side on the same stream {@code a}:
     * {@code x = a + RMSNorm(RMSNorm(mlp(a); post_ffw_norm_1) + RMSNorm(Σ w_e·expert_e(a); post_ffw_norm_2); post_ffw_norm)}.
     */
    private void mixtureOfExpertsBlock(Batch b, int l) {
        LayerWeights w = weights.layers()[l];
        LayerWeights.Moe moe = w.moe();
        Experts x = b.experts;
        int h = config.nEmbd();
        int n = b.n;
        float eps = config.rmsEps();

        copyNormed(b.x, b.xb, n, h, w.ffnNorm());
        float[] dense = x.dense;
        denseMlp(w, b, dense);
        RmsNorm.applyEach(dense, 0, n, h, moe.postFfwNorm1(), eps);

        java.util.Arrays.fill(x.sum, 0, n * h, 0f);
        if (n == 1) {
            System.arraycopy(b.x, 0, x.in, 0, h);
            RmsNorm.apply(x.in, 0, h, moe.preFfwNorm2(), eps);
            b.vectorFrom = null; // x.in holds this token's input now
            System.arraycopy(b.x, 0, x.routerIn, 0, h);
            route(b, moe, x);
            experts(b, moe, x, 0);
        } else {
            expertsByExpert(b, moe, x);
        }
        RmsNorm.applyEach(x.sum, 0, n, h, moe.postFfwNorm2(), eps);
        for (int i = 0; i < n * h; i++) {
            dense[i] += x.sum[i];
        }
        RmsNorm.applyEach(dense, 0, n, h, w.postFfwNorm(), eps);
        add(b.x, dense, n * h);
    }

    /**
     * The router: {@code softmax(gate_inp · (RMSNorm(a) / sqrt(H) ⊙ scale))} over all experts, the top-k kept
     * (lowest index first on ties) and renormalized to sum 1, for {@code a} in {@code x.routerIn}. Writes the chosen
     * experts into {@code x.chosen} and their weights into {@code x.probs}.
     */
    private void route(Batch b, LayerWeights.Moe moe, Experts x) {
        int h = config.nEmbd();
        float[] a = x.routerIn;
        float[] probs = x.probs;
        int[] chosen = x.chosen;
        RmsNorm.apply(a, 0, h, null, config.rmsEps());
        float s = (float) (1.0 / Math.sqrt(h));
        for (int i = 0; i < h; i++) {
            a[i] = a[i] * s * moe.gateInpScale()[i];
        }
        int nExpert = config.nExpert();
        float[] ar = rounded(b, moe.gateInp(), a, 1);
        Tensor gateInp = moe.gateInp();
        pool.forRange(nExpert, 16, (from, to) -> gateInp.matVec(ar, probs, from, to)); // each value as dot() gives it
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < nExpert; e++) {
            max = Math.max(max, probs[e]);
        }
        float sum = 0f;
        for (int e = 0; e < nExpert; e++) {
            probs[e] = (float) Math.exp(probs[e] - max);
            sum += probs[e];
        }
        boolean[] taken = x.taken;
        java.util.Arrays.fill(taken, false);
        float chosenSum = 0f;
        for (int k = 0; k < chosen.length; k++) {
            int best = -1;
            for (int e = 0; e < nExpert; e++) {
                if (!taken[e] && (best < 0 || probs[e] > probs[best])) {
                    best = e;
                }
            }
            taken[best] = true;
            chosen[k] = best;
            chosenSum += probs[best] / sum;
        }
        for (int e : chosen) {
            probs[e] = probs[e] / sum / chosenSum;
        }
    }

    /**
     * Adds {@code Σ_e w_e · down_e(gelu(gate_e·u) ⊙ (up_e·u))} over the chosen experts to {@code x.sum[outOff ..
     * outOff+H)}, {@code u} in {@code x.in}: every expert's gate and up in one range of the pool, on one preparation of
     * {@code u}; then every expert's down product in another, each on its own input. The experts' outputs are summed in
     * the order chosen.
     */
    private void experts(Batch b, LayerWeights.Moe moe, Experts x, int outOff) {
        int h = config.nEmbd();
        int fe = config.nFfExpert();
        int[] chosen = x.chosen;
        int k = chosen.length;
        boolean fused = moe.gateUpExps() != null;
        Tensor gate = fused ? moe.gateUpExps() : moe.gateExps();
        Tensor up = fused ? moe.gateUpExps() : moe.upExps();
        if (takenAlike(gate, up)) {
            // every chosen expert's gate and up rows as one range of the pool, as matmulShared does: the threads meet
            // once, not 2k times (26B-A4B Q4_0 tg32, alternating pairs: 9.40/10.18, 9.65/9.60, 10.40/11.16 tok/s)
            if (!vectorPreparedFor(b, gate, x.in)) {
                prepareVector(b, gate, x.in);
            }
            QuantizedVector v = b.vector;
            float[] in = b.vectorIn;
            boolean ints = b.vectorInts;
            pool.forRange(k * 2 * fe, 64, (from, to) -> {
                for (int j = from / (2 * fe); j < k && j * 2 * fe < to; j++) {
                    long e = chosen[j];
                    stackedSlice(gate, fused ? 2 * e * fe : e * fe, x.gate, j * fe, 2 * j * fe, fe, from, to, v, in, ints);
                    stackedSlice(up, fused ? (2 * e + 1) * fe : e * fe, x.up, j * fe, (2 * j + 1) * fe, fe, from, to, v, in,
                            ints);
                }
            });
        } else {
            for (int j = 0; j < k; j++) {
                long e = chosen[j];
                rows(b, gate, fused ? 2 * e * fe : e * fe, fe, x.in, x.gate, j * fe);
                rows(b, up, fused ? (2 * e + 1) * fe : e * fe, fe, x.in, x.up, j * fe);
            }
        }
        GeluTanh.gatedInPlace(x.gate, 0, x.up, 0, k * fe, numerics);
        // every expert's down product in one range of the pool too, each on its own input prepared across the pool
        // (26B-A4B Q4_0 tg32, alternating pairs: 9.46/12.08, 10.47/10.35, 11.83/12.03 tok/s)
        Tensor down = moe.downExps();
        ActivationRounding.Kind kind = roundingKind(down);
        boolean ints = takesIntegerVector(down);
        pool.forRange(k, 1, (from, to) -> {
            for (int j = from; j < to; j++) {
                float[] in = x.downIn[j];
                System.arraycopy(x.gate, j * fe, in, 0, fe);
                ActivationRounding.roundRows(kind, in, 0, 1, fe, in); // in place: each value rounded on its own block
                if (ints) {
                    if (kind == ActivationRounding.Kind.Q8_0) {
                        x.downVector[j].prepareQ8_0(in, fe);
                    } else {
                        x.downVector[j].prepareQ8_K(in, fe);
                    }
                }
            }
        });
        pool.forRange(k * h, 64, (from, to) -> {
            for (int j = from / h; j < k && j * h < to; j++) {
                stackedSlice(down, (long) chosen[j] * h, x.down, j * h, j * h, h, from, to, x.downVector[j], x.downIn[j],
                        ints);
            }
        });
        for (int j = 0; j < k; j++) {
            float weight = x.probs[chosen[j]] * moe.downExpsScale()[chosen[j]];
            for (int i = 0; i < h; i++) {
                x.sum[outOff + i] += weight * x.down[j * h + i];
            }
        }
    }

    /**
     * Rows {@code [first, first + count)} of {@code w}, at {@code at} in a shared range, that fall in {@code [from, to)},
     * times the prepared input, into {@code out[outOff ..]}.
     */
    private static void stackedSlice(Tensor w, long first, float[] out, int outOff, int at, int count, int from, int to,
            QuantizedVector v, float[] in, boolean ints) {
        int lo = Math.max(from - at, 0);
        int hi = Math.min(to - at, count);
        if (lo < hi) {
            int f = Math.toIntExact(first);
            if (ints) {
                w.matVec(v, out, outOff - f, f + lo, f + hi);
            } else {
                w.matVec(in, out, outOff - f, f + lo, f + hi);
            }
        }
    }

    /**
     * {@link #experts} for a batch: every token routed first, then each expert's gate, up and down products run once on
     * the batch of tokens routed to it (llama.cpp's {@code mul_mat_id}), so that an expert's weights are read once per
     * batch rather than once per token. A token's experts are summed in expert order here, in the order chosen in
     * decode: the two differ in rounding only.
     */
    private void expertsByExpert(Batch b, LayerWeights.Moe moe, Experts x) {
        int h = config.nEmbd();
        int n = b.n;
        int k = config.nExpertUsed();
        int fe = config.nFfExpert();
        float eps = config.rmsEps();
        for (int t = 0; t < n; t++) {
            System.arraycopy(b.x, t * h, x.inputs, t * h, h);
            RmsNorm.apply(x.inputs, t * h, h, moe.preFfwNorm2(), eps);
            System.arraycopy(b.x, t * h, x.routerIn, 0, h);
            route(b, moe, x);
            for (int j = 0; j < k; j++) {
                int e = x.chosen[j];
                x.chosenAll[t * k + j] = e;
                x.weightAll[t * k + j] = x.probs[e] * moe.downExpsScale()[e];
            }
        }
        boolean fused = moe.gateUpExps() != null;
        Tensor gate = fused ? moe.gateUpExps() : moe.gateExps();
        Tensor up = fused ? moe.gateUpExps() : moe.upExps();
        for (int e = 0; e < config.nExpert(); e++) {
            int m = 0;
            for (int i = 0; i < n * k; i++) {
                if (x.chosenAll[i] == e) {
                    x.tokens[m] = i / k;
                    x.weights[m++] = x.weightAll[i];
                }
            }
            if (m == 0) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(x.inputs, x.tokens[i] * h, x.gathered, i * h, h);
            }
            b.vectorFrom = null; // the gathered rows are this expert's tokens now
            b.preparedFrom = null;
            int gateAt = fused ? 2 * e : e; // in slices of fe rows
            int upAt = fused ? 2 * e + 1 : e;
            if (m == 1) { // one token: the one-token products on the stacked tensors
                rows(b, gate, (long) gateAt * fe, fe, x.gathered, x.gateAll, 0);
                rows(b, up, (long) upAt * fe, fe, x.gathered, x.upAll, 0);
                GeluTanh.gatedInPlace(x.gateAll, 0, x.upAll, 0, fe, numerics);
                rows(b, moe.downExps(), (long) e * h, h, x.gateAll, x.downAll, 0);
            } else {
                matmul(b, expertRows(gate, gateAt, fe), x.gathered, m, x.gateAll);
                matmulSameInput(b, expertRows(up, upAt, fe), x.gathered, m, x.upAll);
                GeluTanh.gatedInPlace(x.gateAll, 0, x.upAll, 0, m * fe, numerics);
                matmul(b, expertRows(moe.downExps(), e, h), x.gateAll, m, x.downAll);
            }
            for (int i = 0; i < m; i++) {
                int at = x.tokens[i] * h;
                float weight = x.weights[i];
                for (int c = 0; c < h; c++) {
                    x.sum[at + c] += weight * x.downAll[i * h + c];
                }
            }
        }
    }

    /**
     * Rows {@code [index·count, (index+1)·count)} of a stacked expert tensor as a tensor of their own, made once: the
     * batched products take a whole tensor. Never used for one token, which would lay out a second copy of the rows
     * for each ({@link Tensor#takesIntegerVectors()}); a single token goes through {@link #rows}.
     */
    private Tensor expertRows(Tensor stacked, int index, int count) {
        Tensor[] slices = expertSlices.computeIfAbsent(stacked, t -> new Tensor[(int) (t.rows() / count)]);
        Tensor slice = slices[index];
        if (slice == null) {
            long bytes = stacked.rowBytes() * count;
            slice = Tensor.of(stacked.name() + "[" + index + "]", stacked.type(), new long[] {stacked.cols(), count},
                    stacked.data().asSlice(index * bytes, bytes));
            slices[index] = slice; // a race makes equal slices
        }
        return slice;
    }

    /** §2.3 in layer l: {@code x += RMSNorm(proj · (gelu(inp_gate · x) ⊙ ple_l); post_norm)}. */
    private void perLayerEmbeddingBlock(Batch b, int l) {
        LayerWeights w = weights.layers()[l];
        int h = config.nEmbd();
        int p = config.nEmbdPerLayer();
        int lp = config.nLayer() * p;
        matmul(b, w.inpGate(), b.x, b.n, b.gate);
        for (int t = 0; t < b.n; t++) {
            for (int i = 0; i < p; i++) {
                b.gate[t * p + i] = GeluTanh.apply(b.gate[t * p + i], numerics) * b.ple[t * lp + l * p + i];
            }
        }
        matmul(b, w.proj(), b.gate, b.n, b.tmp);
        RmsNorm.applyEach(b.tmp, 0, b.n, h, w.postNorm(), config.rmsEps());
        add(b.x, b.tmp, b.n * h);
    }

    /** §2.7 output: {@code c·tanh((lm_head · RMSNorm(x; output_norm)) / c)} for token {@code t} of the batch. */
    private void logits(Batch b, int t, float[] out, int outOff) {
        int h = config.nEmbd();
        float[] y = b.xb; // free once the layers are done
        System.arraycopy(b.x, t * h, y, 0, h);
        RmsNorm.apply(y, 0, h, weights.outputNorm(), config.rmsEps());
        Tensor head = weights.lmHead();
        int vocab = vocabSize();
        float[] yr = rounded(b, head, y, 1);
        float cap = config.finalLogitSoftcap();
        if (takesIntegerVector(head)) {
            QuantizedVector v = integers(b, head, yr);
            pool.forRange(vocab, 256, (from, to) -> head.matVec(v, out, outOff, from, to));
        } else {
            pool.forRange(vocab, 256, (from, to) -> head.matVec(yr, out, outOff, from, to));
        }
        if (cap > 0f) {
            // Its own parallel loop: inside the product's loop its vector code would share one compilation (and
            // C2's inlining budget) with the output-head kernel.
            pool.forRange(vocab, 4096, (from, to) -> LogitSoftcap.apply(out, outOff + from, outOff + to, cap));
        }
    }

    /** {@code out[t, r] = W[r] · in[t]} for all rows, split across the pool. */
    private void matmul(Batch b, Tensor w, float[] x, int n, float[] out) {
        if (n == 1) {
            prepareVector(b, w, x);
            vectorProduct(b, w, out);
        } else {
            batchedProduct(w, prepare(b, w, x, n), out);
        }
    }

    /**
     * {@link #matmul} of two or three weights on one input ({@code w3} may be null): q, k, v and gate, up. For one
     * token whose weights take the input alike, their rows are one range of the pool, so the threads meet once, not
     * three times: a product's hand-off and uneven end cost ~9 µs, a tenth of a 256-row product's time (E2B Q4_0,
     * timed per product kind: ~7 ms a token of the two threads' idle time over ~420 products).
     */
    private void matmulShared(Batch b, float[] x, int n, Tensor w1, float[] out1, Tensor w2, float[] out2, Tensor w3,
            float[] out3) {
        if (n == 1 && takenAlike(w1, w2) && (w3 == null || takenAlike(w1, w3))) {
            prepareVector(b, w1, x);
            QuantizedVector v = b.vector;
            float[] in = b.vectorIn;
            boolean ints = b.vectorInts;
            int rows1 = (int) w1.rows();
            int rows2 = (int) w2.rows();
            int rows3 = w3 == null ? 0 : (int) w3.rows();
            // each weight's rows from a multiple of 64, where chunks start: no row group is cut between two weights
            int at2 = (rows1 + 63) / 64 * 64;
            int at3 = at2 + (rows2 + 63) / 64 * 64;
            pool.forRange(at3 + rows3, 64, (from, to) -> {
                vectorSlice(w1, out1, 0, rows1, from, to, v, in, ints);
                vectorSlice(w2, out2, at2, rows2, from, to, v, in, ints);
                if (w3 != null) {
                    vectorSlice(w3, out3, at3, rows3, from, to, v, in, ints);
                }
            });
        } else {
            matmul(b, w1, x, n, out1);
            matmulSameInput(b, w2, x, n, out2);
            if (w3 != null) {
                matmulSameInput(b, w3, x, n, out3);
            }
        }
    }

    /** Whether one token's input, prepared for {@code a}, is also {@code b}'s: same columns, rounding and integers. */
    private boolean takenAlike(Tensor a, Tensor b) {
        return a.cols() == b.cols() && roundingKind(a) == roundingKind(b) && takesIntegerVector(a) == takesIntegerVector(b);
    }

    /** The rows of {@code w} (at {@code at} in a shared range) that fall in {@code [from, to)}, times the prepared input. */
    private static void vectorSlice(Tensor w, float[] out, int at, int rows, int from, int to, QuantizedVector v,
            float[] in, boolean ints) {
        stackedSlice(w, 0, out, 0, at, rows, from, to, v, in, ints);
    }

    /** One token's input {@code x} as {@code w}'s product takes it, into {@code b}'s vector fields. */
    private void prepareVector(Batch b, Tensor w, float[] x) {
        boolean ints = takesIntegerVector(w);
        float[] in;
        if (ints && w.cols() >= WIDE_INPUT) {
            in = integersAcrossPool(b, w, x);
        } else {
            in = rounded(b, w, x, 1);
            if (ints) {
                integers(b, w, in);
            }
        }
        b.vectorFrom = x;
        b.vectorIn = in;
        b.vectorKind = roundingKind(w);
        b.vectorInts = ints;
        b.vectorCols = w.cols();
    }

    /**
     * Inputs at least this wide are rounded and their integers taken across the pool: ffn_down's 12 288 values took
     * ~46 µs on the calling thread alone, the other waiting (E2B Q4_0: 1.3 ms a token, 2 % of decode).
     */
    private static final int WIDE_INPUT = 4096;

    /** {@link #rounded} and {@link #integers} of one token's input to {@code w}, split across the pool by blocks. */
    private float[] integersAcrossPool(Batch b, Tensor w, float[] x) {
        int cols = w.cols();
        ActivationRounding.Kind kind = roundingKind(w);
        b.preparedFrom = null; // the scratch is about to hold other values
        float[] in = b.roundedScratch(cols);
        QuantizedVector v = kind == ActivationRounding.Kind.Q8_0 ? b.vector.expectQ8_0(in, cols) : b.vector.expectQ8_K(in, cols);
        int block = kind == ActivationRounding.Kind.Q8_0 ? 32 : 256;
        pool.forRange(cols / block, 2048 / block, (from, to) -> {
            ActivationRounding.roundRows(kind, x, from, to, block, in);
            v.takeIntegers(from * block, to * block);
        });
        return in;
    }

    /** {@code out = W · x} for the one token whose input {@link #matmul} prepared in {@code b}, split across the pool. */
    private void vectorProduct(Batch b, Tensor w, float[] out) {
        int rows = (int) w.rows();
        QuantizedVector v = b.vector;
        float[] in = b.vectorIn;
        boolean ints = b.vectorInts;
        pool.forRange(rows, 64, (from, to) -> vectorSlice(w, out, 0, rows, from, to, v, in, ints));
    }

    /** {@code out[t, r] = W[r] · in[t]} for a prepared batch, split across the pool. */
    private void batchedProduct(Tensor w, TokenBatch in, float[] out) {
        int rows = (int) w.rows();
        pool.forRange(rows, 16, (from, to) -> w.matMul(in, out, rows, from, to));
    }

    /**
     * {@link #matmul} of the same {@code x} as the batch's previous matmul, unchanged since (k and v after q, up
     * after gate): the rounded, laid-out input is reused when {@code w} rounds the way the previous weights did. In
     * decode too: rounding a token's input and taking its integers cost ~7 µs a product on the calling thread alone
     * while the other waits (E2B Q4_0, 275 products a token: 3.6 % of decode), and a third of them are repeats.
     */
    private void matmulSameInput(Batch b, Tensor w, float[] x, int n, float[] out) {
        if (n > 1 && b.preparedFrom == x && b.preparedKind == roundingKind(w) && b.preparedInts == takesIntegers(w) && b.tokens.n() == n
                && b.tokens.cols() == w.cols()) {
            batchedProduct(w, b.tokens, out);
        } else if (n == 1 && vectorPreparedFor(b, w, x)) {
            vectorProduct(b, w, out);
        } else {
            matmul(b, w, x, n, out);
        }
    }

    /**
     * {@code x} ({@code [n, cols]}) rounded for {@code w}'s product and laid out for the batched kernels, in
     * 16-token blocks across the pool: on the calling thread alone this took 7 % of E2B prefill (1.0–1.2 s of rounding
     * and layout against 14–15 s of products, pp128, 4 runs).
     */
    private TokenBatch prepare(Batch b, Tensor w, float[] x, int n) {
        int cols = w.cols();
        ActivationRounding.Kind kind = roundingKind(w);
        float[] in = kind == ActivationRounding.Kind.NONE ? x : b.roundedScratch(n * cols);
        boolean ints = takesIntegers(w);
        TokenBatch batch = !ints ? b.tokens.prepare(in, n, cols)
                : kind == ActivationRounding.Kind.Q8_0 ? b.tokens.prepareQ8_0(in, n, cols) : b.tokens.prepareQ8_K(in, n, cols);
        pool.forRange((n + 15) / 16, 1, (from, to) -> {
            int t0 = 16 * from;
            int t1 = Math.min(n, 16 * to);
            if (kind != ActivationRounding.Kind.NONE) {
                ActivationRounding.roundRows(kind, x, t0, t1, cols, in);
            }
            batch.layOut(t0, t1);
        });
        b.preparedFrom = x;
        b.preparedKind = kind;
        b.preparedInts = ints;
        return batch;
    }

    /** Whether {@code b}'s one-token input was prepared from {@code x} (unchanged since) the way {@code w} takes it. */
    private boolean vectorPreparedFor(Batch b, Tensor w, float[] x) {
        return b.vectorFrom == x && b.vectorKind == roundingKind(w) && b.vectorInts == takesIntegerVector(w)
                && b.vectorCols == w.cols();
    }

    /** Whether {@code w}'s batched product takes its input as integers: only when it is rounded to Q8_0 or Q8_K blocks. */
    private boolean takesIntegers(Tensor w) {
        ActivationRounding.Kind kind = roundingKind(w);
        return (kind == ActivationRounding.Kind.Q8_0 || kind == ActivationRounding.Kind.Q8_K) && w.takesIntegerBatches();
    }

    /** Whether {@code w}'s one-token product takes its input as integers: only when it is rounded to Q8_0 or Q8_K blocks. */
    private boolean takesIntegerVector(Tensor w) {
        ActivationRounding.Kind kind = roundingKind(w);
        return repackWeights && (kind == ActivationRounding.Kind.Q8_0 || kind == ActivationRounding.Kind.Q8_K)
                && w.takesIntegerVectors();
    }

    /** One token's input to {@code w}, already {@link #rounded}, with its integers. */
    private QuantizedVector integers(Batch b, Tensor w, float[] rounded) {
        b.vectorFrom = null; // b.vector is about to hold other integers
        return roundingKind(w) == ActivationRounding.Kind.Q8_0 ? b.vector.prepareQ8_0(rounded, w.cols())
                : b.vector.prepareQ8_K(rounded, w.cols());
    }

    private ActivationRounding.Kind roundingKind(Tensor w) {
        return numerics == Numerics.GGML ? ActivationRounding.kindOf(w.type()) : ActivationRounding.Kind.NONE;
    }

    /**
     * {@code out[outOff + i] = W[first + i] · in} for {@code i < count}: a slice of a stacked (expert) tensor. The
     * input is prepared once for the slices that take it alike (all experts' gate and up).
     */
    private void rows(Batch b, Tensor w, long first, int count, float[] in, float[] out, int outOff) {
        if (!vectorPreparedFor(b, w, in)) {
            prepareVector(b, w, in);
        }
        QuantizedVector v = b.vector;
        float[] x = b.vectorIn;
        boolean ints = b.vectorInts;
        pool.forRange(count, 64, (from, to) -> stackedSlice(w, first, out, outOff, 0, count, from, to, v, x, ints));
    }

    /** The activations as {@code w}'s product sees them: rounded under {@link Numerics#GGML}, else as they are. */
    private float[] rounded(Batch b, Tensor w, float[] x, int n) {
        b.preparedFrom = null; // the scratch is about to hold other values
        return numerics == Numerics.GGML ? ActivationRounding.forWeights(w.type(), x, n, w.cols(), b.roundedScratch(n * w.cols())) : x;
    }

    private void copyNormed(float[] src, float[] dst, int n, int h, float[] weight) {
        System.arraycopy(src, 0, dst, 0, n * h);
        RmsNorm.applyEach(dst, 0, n, h, weight, config.rmsEps());
    }

    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    private static void scale(float[] x, int n, float s) {
        for (int i = 0; i < n; i++) {
            x[i] *= s;
        }
    }

    /** Releases the worker pool and, if this model mapped the file itself, the mapping. */
    @Override
    public void close() {
        pool.close();
        if (source != null) {
            source.close();
        }
    }
}
