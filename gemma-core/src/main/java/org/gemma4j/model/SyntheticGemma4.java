package org.gemma4j.model;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.gemma4j.gguf.GgufValueType;
import org.gemma4j.gguf.GgufWriter;
import org.gemma4j.tensor.GgmlType;

/**
 * Writes Gemma 4 GGUF files with random weights but the real architecture, metadata keys, tensor names and
 * per-tensor type choices of a llama.cpp conversion: for tests, benchmarks ({@code gemma synth}) and the
 * offline demo. Float types hold seeded normal values; quantized types hold random blocks with sane scales
 * (no float quantization needed). The result is clearly labelled synthetic in {@code general.description}.
 *
 * <p>Thread safety: stateless; {@link #write} may be called concurrently for different files.
 */
public final class SyntheticGemma4 {
    private SyntheticGemma4() {}

    /**
     * The shape of a synthetic model.
     *
     * @param ffPerLayer MLP width per layer
     * @param sliding true where the layer is sliding-window
     * @param kvWeightsOnSharedLayers write the (unused) k/v weights on KV-shared layers, as HF checkpoints have
     * @param kEqVGlobal global layers have no {@code attn_v} (K=V, 26B/31B)
     */
    public record Spec(String name, int vocab, int contextLength, int embd, int layers, int heads, int kvHeadsSliding,
            int kvHeadsGlobal, int headDimSliding, int headDimGlobal, int[] ffPerLayer, boolean[] sliding, int window,
            int perLayerEmbd, int sharedKvLayers, boolean kvWeightsOnSharedLayers, boolean kEqVGlobal, int experts,
            int expertsUsed, int ffExpert, boolean fusedGateUpExperts) {

        /** Every {@code (run+1)}-th layer global, the rest sliding. */
        public static boolean[] pattern(int run, int layers) {
            boolean[] s = new boolean[layers];
            for (int i = 0; i < layers; i++) {
                s[i] = i % (run + 1) != run;
            }
            return s;
        }

        /** {@code ff} per layer, doubled from layer {@code doubleFrom} on (E2B's double-wide MLP). */
        public static int[] ff(int layers, int ff, int doubleFrom) {
            int[] out = new int[layers];
            for (int i = 0; i < layers; i++) {
                out[i] = i >= doubleFrom ? 2 * ff : ff;
            }
            return out;
        }

        /** Like the golden {@code tiny-e2b}: PLE, KV sharing, double-wide MLP on shared layers, 3:1 pattern. */
        public static Spec tinyE2b() {
            return new Spec("tiny-e2b-synthetic", 512, 8192, 128, 8, 4, 1, 1, 32, 64, ff(8, 256, 4), pattern(3, 8), 16,
                    32, 4, true, false, 0, 0, 0, true);
        }

        /** Like the golden {@code tiny-31b}: dense, 5:1 pattern, K=V global layers, 2/1 KV heads. */
        public static Spec tiny31b() {
            return new Spec("tiny-31b-synthetic", 512, 8192, 256, 6, 4, 2, 1, 64, 128, ff(6, 256, 6), pattern(5, 6), 16,
                    0, 0, false, true, 0, 0, 0, true);
        }

        /** Like the golden {@code tiny-moe}: 8 experts top-2 beside a dense MLP. */
        public static Spec tinyMoe() {
            return new Spec("tiny-moe-synthetic", 512, 8192, 128, 6, 4, 2, 1, 32, 64, ff(6, 128, 6), pattern(2, 6), 16,
                    0, 0, false, true, 8, 2, 64, true);
        }

        public static Spec e2b() {
            return new Spec("gemma4-e2b-synthetic", 262144, 131072, 1536, 35, 8, 1, 1, 256, 512, ff(35, 6144, 15),
                    pattern(4, 35), 512, 256, 20, true, false, 0, 0, 0, true);
        }

        public static Spec e4b() {
            return new Spec("gemma4-e4b-synthetic", 262144, 131072, 2560, 42, 8, 2, 2, 256, 512, ff(42, 10240, 42),
                    pattern(5, 42), 512, 256, 18, true, false, 0, 0, 0, true);
        }

        public static Spec moe26b() {
            return new Spec("gemma4-26b-a4b-synthetic", 262144, 262144, 2816, 30, 16, 8, 2, 256, 512, ff(30, 2112, 30),
                    pattern(5, 30), 1024, 0, 0, false, true, 128, 8, 704, true);
        }

        public static Spec dense31b() {
            return new Spec("gemma4-31b-synthetic", 262144, 262144, 5376, 60, 32, 16, 4, 256, 512, ff(60, 21504, 60),
                    pattern(5, 60), 1024, 0, 0, false, true, 0, 0, 0, true);
        }

        /** A preset by the name {@code gemma synth --preset} uses: tiny, tiny-31b, tiny-moe, e2b, e4b, 26b-a4b, 31b. */
        public static Spec preset(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "tiny", "tiny-e2b" -> tinyE2b();
                case "tiny-31b" -> tiny31b();
                case "tiny-moe" -> tinyMoe();
                case "e2b" -> e2b();
                case "e4b" -> e4b();
                case "26b-a4b" -> moe26b();
                case "31b" -> dense31b();
                default -> throw new IllegalArgumentException("unknown preset '" + name
                        + "' (tiny, tiny-31b, tiny-moe, e2b, e4b, 26b-a4b, 31b)");
            };
        }

        boolean ownsKv(int layer) {
            return layer < layers - sharedKvLayers;
        }
    }

    /** The file types {@code --type} accepts, named as llama.cpp names them. */
    public enum FileType {
        F32(GgmlType.F32, 0), F16(GgmlType.F16, 1), BF16(GgmlType.BF16, 32), Q8_0(GgmlType.Q8_0, 7),
        Q4_0(GgmlType.Q4_0, 2), Q4_1(GgmlType.Q4_1, 3), Q5_0(GgmlType.Q5_0, 8), Q5_1(GgmlType.Q5_1, 9),
        Q4_K_M(GgmlType.Q4_K, 15), Q5_K_M(GgmlType.Q5_K, 17), Q6_K(GgmlType.Q6_K, 18);

        final GgmlType base;
        final int ftype;

        FileType(GgmlType base, int ftype) {
            this.base = base;
            this.ftype = ftype;
        }

        public static FileType parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown type '" + s + "' (" + Arrays.toString(values()) + ")");
            }
        }
    }

    /** Writes {@code spec} as a GGUF of {@code type} to {@code out} (which must not exist). */
    public static void write(Path out, Spec s, FileType type, long seed) throws IOException {
        GgufWriter w = new GgufWriter();
        String a = Gemma4Config.ARCH + ".";
        w.putString("general.architecture", Gemma4Config.ARCH)
                .putString("general.type", "model")
                .putString("general.name", s.name())
                .putString("general.description", "SYNTHETIC random-weight Gemma 4 model (gemma4j); it produces no meaningful text")
                .putU32("general.file_type", type.ftype)
                .putU32("general.quantization_version", 2)
                .putU32(a + "block_count", s.layers())
                .putU32(a + "context_length", s.contextLength())
                .putU32(a + "embedding_length", s.embd());
        if (Arrays.stream(s.ffPerLayer()).distinct().count() == 1) {
            w.putU32(a + "feed_forward_length", s.ffPerLayer()[0]);
        } else {
            w.putArray(a + "feed_forward_length", GgufValueType.INT32, s.ffPerLayer());
        }
        w.putU32(a + "attention.head_count", s.heads());
        if (s.kvHeadsSliding() == s.kvHeadsGlobal()) {
            w.putU32(a + "attention.head_count_kv", s.kvHeadsSliding());
        } else {
            int[] kv = new int[s.layers()];
            for (int l = 0; l < s.layers(); l++) {
                kv[l] = s.sliding()[l] ? s.kvHeadsSliding() : s.kvHeadsGlobal();
            }
            w.putArray(a + "attention.head_count_kv", GgufValueType.INT32, kv);
        }
        w.putF32(a + "rope.freq_base", 1e6f)
                .putF32(a + "rope.freq_base_swa", 1e4f)
                .putF32(a + "attention.layer_norm_rms_epsilon", 1e-6f)
                .putU32(a + "attention.key_length", s.headDimGlobal())
                .putU32(a + "attention.value_length", s.headDimGlobal())
                .putU32(a + "attention.key_length_swa", s.headDimSliding())
                .putU32(a + "attention.value_length_swa", s.headDimSliding())
                .putF32(a + "final_logit_softcapping", 30f)
                .putU32(a + "attention.sliding_window", s.window())
                .putU32(a + "attention.shared_kv_layers", s.sharedKvLayers())
                .putU32(a + "embedding_length_per_layer_input", s.perLayerEmbd())
                .putArray(a + "attention.sliding_window_pattern", GgufValueType.BOOL, s.sliding())
                .putU32(a + "rope.dimension_count", s.headDimGlobal())
                .putU32(a + "rope.dimension_count_swa", s.headDimSliding());
        if (s.experts() > 0) {
            w.putU32(a + "expert_count", s.experts())
                    .putU32(a + "expert_used_count", s.expertsUsed())
                    .putU32(a + "expert_feed_forward_length", s.ffExpert());
        }
        SyntheticVocabulary v = SyntheticVocabulary.build(s.vocab());
        w.putString("tokenizer.ggml.model", "gemma4")
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, v.tokens())
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, v.types())
                .putArray("tokenizer.ggml.merges", GgufValueType.STRING, v.merges())
                .putU32("tokenizer.ggml.bos_token_id", 2)
                .putU32("tokenizer.ggml.eos_token_id", 1)
                .putU32("tokenizer.ggml.unknown_token_id", 3)
                .putU32("tokenizer.ggml.padding_token_id", 0)
                .putBool("tokenizer.ggml.add_space_prefix", false)
                .putBool("tokenizer.ggml.add_bos_token", true);

        Tensors t = new Tensors(w, type, seed, s.layers());
        int d = s.embd();
        int p = s.perLayerEmbd();
        int l = s.layers();
        t.matrix("token_embd.weight", d, s.vocab(), 1.0 / Math.sqrt(d));
        if (p > 0) {
            t.matrix("per_layer_token_embd.weight", p * l, s.vocab(), 1.0 / Math.sqrt(p));
            t.matrix("per_layer_model_proj.weight", d, (long) p * l, 1.0);
            t.uniform("per_layer_proj_norm.weight", p, 0.5, 1.5);
        }
        int pairs = s.headDimGlobal() / 2;
        float[] ropeFreqs = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            ropeFreqs[i] = i < (int) (s.headDimGlobal() * 0.25 / 2) ? 1f : 1e30f; // proportional RoPE 0.25
        }
        w.addF32("rope_freqs.weight", new long[] {pairs}, ropeFreqs);
        t.uniform("output_norm.weight", d, 2.25, 3.75);
        for (int il = 0; il < l; il++) {
            layer(t, s, il);
        }
        w.write(out);
    }

    private static void layer(Tensors t, Spec s, int il) {
        String p = "blk." + il + ".";
        boolean sw = s.sliding()[il];
        int hd = sw ? s.headDimSliding() : s.headDimGlobal();
        int kv = sw ? s.kvHeadsSliding() : s.kvHeadsGlobal();
        int d = s.embd();
        double qk = 0.8 * Math.pow(hd, -0.25);
        t.uniform(p + "attn_norm.weight", d, 0.5, 1.5);
        t.matrix(p + "attn_q.weight", d, (long) hd * s.heads(), 1.0 / Math.sqrt(d));
        boolean kvWeights = s.ownsKv(il) || s.kvWeightsOnSharedLayers();
        if (kvWeights) {
            t.matrix(p + "attn_k.weight", d, (long) hd * kv, 1.0 / Math.sqrt(d));
            if (sw || !s.kEqVGlobal()) {
                t.matrix(p + "attn_v.weight", d, (long) hd * kv, 1.0 / Math.sqrt(d));
            }
        }
        t.matrix(p + "attn_output.weight", (long) hd * s.heads(), d, 1.0 / Math.sqrt(hd * s.heads()));
        t.uniform(p + "attn_q_norm.weight", hd, 0.75 * qk, 1.25 * qk);
        if (kvWeights) {
            t.uniform(p + "attn_k_norm.weight", hd, 0.75 * qk, 1.25 * qk);
        }
        t.uniform(p + "post_attention_norm.weight", d, 3, 5);
        t.uniform(p + "layer_output_scale.weight", 1, 0.5, 1.5);
        int ff = s.ffPerLayer()[il];
        t.uniform(p + "ffn_norm.weight", d, 0.5, 1.5);
        t.matrix(p + "ffn_gate.weight", d, ff, 1.0 / Math.sqrt(d));
        t.matrix(p + "ffn_up.weight", d, ff, 1.0 / Math.sqrt(d));
        t.matrix(p + "ffn_down.weight", ff, d, 1.0 / Math.sqrt(ff));
        t.uniform(p + "post_ffw_norm.weight", d, 3, 5);
        if (s.experts() > 0) {
            int e = s.experts();
            int fe = s.ffExpert();
            t.router(p + "ffn_gate_inp.weight", d, e);
            t.uniform(p + "ffn_gate_inp.scale", d, 0.5, 2.0);
            t.uniform(p + "pre_ffw_norm_2.weight", d, 0.5, 1.5);
            t.uniform(p + "post_ffw_norm_1.weight", d, 0.5, 1.5);
            t.uniform(p + "post_ffw_norm_2.weight", d, 0.5, 1.5);
            if (s.fusedGateUpExperts()) {
                t.experts(p + "ffn_gate_up_exps.weight", d, 2L * fe, e);
            } else {
                t.experts(p + "ffn_gate_exps.weight", d, fe, e);
                t.experts(p + "ffn_up_exps.weight", d, fe, e);
            }
            t.experts(p + "ffn_down_exps.weight", fe, d, e);
            t.uniform(p + "ffn_down_exps.scale", e, 0.5, 1.5);
        }
        if (s.perLayerEmbd() > 0) {
            t.matrix(p + "inp_gate.weight", d, s.perLayerEmbd(), 1.0 / Math.sqrt(d));
            t.matrix(p + "proj.weight", s.perLayerEmbd(), d, 1.0 / Math.sqrt(s.perLayerEmbd()));
            t.uniform(p + "post_norm.weight", d, 3, 5);
        }
    }

    /** Adds tensors with llama-quantize's per-tensor type choices and seeded contents. */
    private record Tensors(GgufWriter w, FileType type, long seed, int layers) {
        private SplittableRandom rng(String name) {
            return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL);
        }

        void uniform(String name, int n, double lo, double hi) {
            SplittableRandom r = rng(name);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (lo + (hi - lo) * r.nextDouble());
            }
            w.addF32(name, new long[] {n}, v);
        }

        void router(String name, int in, int out) {
            float[] v = new float[in * out];
            SplittableRandom r = rng(name);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (2.0 * r.nextGaussian());
            }
            w.addF32(name, new long[] {in, out}, v);
        }

        void matrix(String name, long in, long out, double std) {
            add(name, new long[] {in, out}, std);
        }

        void experts(String name, long in, long out, int experts) {
            add(name, new long[] {in, out, experts}, 1.0 / Math.sqrt(in));
        }

        private void add(String name, long[] ne, double std) {
            GgmlType gt = SyntheticGemma4.typeFor(type, name, ne[0], layers);
            long seedOf = rng(name).nextLong();
            w.addTensor(name, gt, ne, out -> RandomBlocks.write(out, gt, ne, std, seedOf));
        }
    }

    /**
     * The storage type llama-quantize gives tensor {@code name} in a file of {@code type}: norms, the router
     * and the PLE projection stay F32; embeddings get the output type (Q6_K for 4/5-bit files); Q4_K_M uses
     * Q6_K for some attn_v/ffn_down; K-types fall back to 32-blocks when a row is not a multiple of 256.
     */
    static GgmlType typeFor(FileType type, String name, long rowLength, int layers) {
        if (name.endsWith("ffn_gate_inp.weight") || name.equals("per_layer_model_proj.weight")) {
            return GgmlType.F32;
        }
        GgmlType t = type.base;
        boolean embedding = name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight");
        if (embedding && t != GgmlType.F32 && t != GgmlType.F16 && t != GgmlType.BF16 && t != GgmlType.Q8_0) {
            t = GgmlType.Q6_K;
        } else if (type == FileType.Q4_K_M && (name.endsWith("attn_v.weight") || name.endsWith("ffn_down.weight"))) {
            int il = Integer.parseInt(name.split("\\.")[1]);
            if (il < layers / 8 || il >= 7 * layers / 8 || (il - layers / 8) % 3 == 2) {
                t = GgmlType.Q6_K;
            }
        }
        if (rowLength % t.blockSize() != 0) {
            t = switch (t) {
                case Q4_K -> GgmlType.Q5_0;
                case Q5_K -> GgmlType.Q5_1;
                case Q6_K -> GgmlType.Q8_0;
                case Q2_K, Q3_K -> GgmlType.Q4_0;
                default -> t;
            };
            if (rowLength % t.blockSize() != 0) {
                t = GgmlType.F16;
            }
        }
        return t;
    }

    /** Random tensor contents: normal floats, or random quantized blocks whose scales give about {@code std}. */
    static final class RandomBlocks {
        private RandomBlocks() {}

        static void write(OutputStream out, GgmlType type, long[] ne, double std, long seed) throws IOException {
            long elements = 1;
            for (long n : ne) {
                elements *= n;
            }
            SplittableRandom r = new SplittableRandom(seed);
            int perChunk = type.blockSize() == 1 ? 4096 : 256 / type.blockSize() * 16 * type.blockSize();
            ByteBuffer buf = ByteBuffer.allocate((int) type.bytesFor(perChunk)).order(ByteOrder.LITTLE_ENDIAN);
            for (long done = 0; done < elements; done += perChunk) {
                int n = (int) Math.min(perChunk, elements - done);
                buf.clear();
                if (type.blockSize() == 1) {
                    floats(buf, type, n, std, r);
                } else {
                    for (int b = 0; b < n / type.blockSize(); b++) {
                        block(buf, type, std, r);
                    }
                }
                out.write(buf.array(), 0, buf.position());
            }
        }

        private static void floats(ByteBuffer buf, GgmlType type, int n, double std, SplittableRandom r) {
            for (int i = 0; i < n; i++) {
                float v = (float) (std * r.nextGaussian());
                switch (type) {
                    case F32 -> buf.putFloat(v);
                    case F16 -> buf.putShort(Float.floatToFloat16(v));
                    case BF16 -> buf.putShort((short) ((Float.floatToRawIntBits(v) + 0x7FFF + ((Float.floatToRawIntBits(v) >>> 16) & 1)) >>> 16));
                    default -> throw new IllegalArgumentException(type.toString());
                }
            }
        }

        private static void randomBytes(ByteBuffer buf, int n, SplittableRandom r) {
            for (int i = 0; i < n; i++) {
                buf.put((byte) r.nextInt(256));
            }
        }

        private static void half(ByteBuffer buf, double v) {
            buf.putShort(Float.floatToFloat16((float) v));
        }

        /** One block; the scale fields are set so that dequantized values have a spread of about {@code std}. */
        private static void block(ByteBuffer buf, GgmlType type, double std, SplittableRandom r) {
            double jitter = 0.75 + 0.5 * r.nextDouble();
            double s = std * jitter;
            switch (type) {
                case Q8_0 -> {
                    half(buf, s / 73.0);  // q uniform in [-128, 127]: std ≈ 74
                    randomBytes(buf, 32, r);
                }
                case Q4_0 -> {
                    half(buf, s / 4.6);   // q - 8 for q uniform in [0, 15]: std ≈ 4.6
                    randomBytes(buf, 16, r);
                }
                case Q4_1 -> {
                    half(buf, s / 4.6);
                    half(buf, -7.5 * s / 4.6);
                    randomBytes(buf, 16, r);
                }
                case Q5_0 -> {
                    half(buf, s / 9.2);
                    randomBytes(buf, 20, r);
                }
                case Q5_1 -> {
                    half(buf, s / 9.2);
                    half(buf, -15.5 * s / 9.2);
                    randomBytes(buf, 20, r);
                }
                case Q4_K -> {
                    double d = s / (31 * 4.6);
                    half(buf, d);
                    half(buf, d * 7.5);
                    randomBytes(buf, 12 + 128, r);
                }
                case Q5_K -> {
                    double d = s / (31 * 9.2);
                    half(buf, d);
                    half(buf, d * 15.5);
                    randomBytes(buf, 12 + 32 + 128, r);
                }
                case Q6_K -> {
                    randomBytes(buf, 128 + 64 + 16, r);
                    half(buf, s / (64 * 18.5));
                }
                default -> throw new IllegalArgumentException("no random blocks for " + type);
            }
        }
    }
}
