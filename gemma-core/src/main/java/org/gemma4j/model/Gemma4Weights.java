package org.gemma4j.model;

import java.util.Arrays;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.gguf.GgufFormatException;
import org.gemma4j.gguf.GgufTensorInfo;
import org.gemma4j.tensor.Tensor;

/**
 * All text-decoder weights of a Gemma 4 GGUF, each checked against the shape the config implies. Loading
 * only creates views into the mapping (and copies the small 1-D vectors), so it takes milliseconds. Immutable and
 * thread-safe while the file stays open.
 *
 * @param tokenEmbd {@code [H]} per token; also the tied LM head unless {@code output} is present
 * @param output untied LM head, or null
 * @param outputNorm {@code [H]}
 * @param perLayerTokenEmbd PLE table {@code [L*P]} per token, or null
 * @param perLayerModelProj {@code [H] -> [L*P]}, or null
 * @param perLayerProjNorm {@code [P]}, or null
 * @param ropeFreqs divisors of the global-layer RoPE angles ({@code nRotFull/2}), or null for all ones
 */
public record Gemma4Weights(
        Tensor tokenEmbd, Tensor output, float[] outputNorm,
        Tensor perLayerTokenEmbd, Tensor perLayerModelProj, float[] perLayerProjNorm,
        float[] ropeFreqs, LayerWeights[] layers) {

    /** Binds the tensors of {@code gguf} for {@code config}. */
    public static Gemma4Weights load(GgufFile gguf, Gemma4Config c) throws GgufFormatException {
        Binder b = new Binder(gguf);
        int h = c.nEmbd();
        Tensor tokenEmbd = b.matrix("token_embd.weight", h, -1);
        long vocab = tokenEmbd.rows();
        Tensor output = gguf.hasTensor("output.weight") ? b.matrix("output.weight", h, vocab) : null;
        float[] outputNorm = b.vector("output_norm.weight", h);
        Tensor pleTable = null;
        Tensor pleProj = null;
        float[] pleNorm = null;
        if (c.hasPerLayerEmbeddings()) {
            int lp = c.nLayer() * c.nEmbdPerLayer();
            pleTable = b.matrix("per_layer_token_embd.weight", lp, -1);
            pleProj = b.matrix("per_layer_model_proj.weight", h, lp);
            pleNorm = b.vector("per_layer_proj_norm.weight", c.nEmbdPerLayer());
        }
        float[] ropeFreqs = gguf.hasTensor("rope_freqs.weight") ? b.vector("rope_freqs.weight", c.nRotFull() / 2) : null;
        LayerWeights[] layers = new LayerWeights[c.nLayer()];
        for (int l = 0; l < c.nLayer(); l++) {
            layers[l] = layer(b, c, l);
        }
        return new Gemma4Weights(tokenEmbd, output, outputNorm, pleTable, pleProj, pleNorm, ropeFreqs, layers);
    }

    private static LayerWeights layer(Binder b, Gemma4Config c, int l) throws GgufFormatException {
        String p = "blk." + l + ".";
        int h = c.nEmbd();
        int hd = c.headDim(l);
        int qDim = c.nHead() * hd;
        int kvDim = c.kvDim(l);
        boolean ownsKv = l < c.firstSharedLayer();
        // KV-shared layers may carry unused k/v weights (HF keeps them); they are not bound.
        Tensor k = ownsKv ? b.matrix(p + "attn_k.weight", h, kvDim) : null;
        Tensor v = ownsKv && b.has(p + "attn_v.weight") ? b.matrix(p + "attn_v.weight", h, kvDim) : null;
        float[] kNorm = ownsKv ? b.vector(p + "attn_k_norm.weight", hd) : null;
        float scale = b.has(p + "layer_output_scale.weight") ? b.vector(p + "layer_output_scale.weight", 1)[0] : 1f;
        Tensor inpGate = null;
        Tensor proj = null;
        float[] postNorm = null;
        if (c.hasPerLayerEmbeddings()) {
            inpGate = b.matrix(p + "inp_gate.weight", h, c.nEmbdPerLayer());
            proj = b.matrix(p + "proj.weight", c.nEmbdPerLayer(), h);
            postNorm = b.vector(p + "post_norm.weight", h);
        }
        int ff = c.nFf()[l];
        LayerWeights.Moe moe = c.isMoe() ? moe(b, c, p) : null;
        return new LayerWeights(
                b.vector(p + "attn_norm.weight", h),
                b.matrix(p + "attn_q.weight", h, qDim), k, v,
                b.vector(p + "attn_q_norm.weight", hd), kNorm,
                b.matrix(p + "attn_output.weight", qDim, h),
                b.vector(p + "post_attention_norm.weight", h),
                b.vector(p + "ffn_norm.weight", h),
                b.matrix(p + "ffn_gate.weight", h, ff),
                b.matrix(p + "ffn_up.weight", h, ff),
                b.matrix(p + "ffn_down.weight", ff, h),
                b.vector(p + "post_ffw_norm.weight", h),
                scale, inpGate, proj, postNorm, moe);
    }

    private static LayerWeights.Moe moe(Binder b, Gemma4Config c, String p) throws GgufFormatException {
        int h = c.nEmbd();
        int e = c.nExpert();
        int fe = c.nFfExpert();
        Tensor gateUp = null;
        Tensor gate = null;
        Tensor up = null;
        if (b.has(p + "ffn_gate_up_exps.weight")) {
            gateUp = b.tensor(p + "ffn_gate_up_exps.weight", h, 2L * fe, e);
        } else {
            gate = b.tensor(p + "ffn_gate_exps.weight", h, fe, e);
            up = b.tensor(p + "ffn_up_exps.weight", h, fe, e);
        }
        float[] downScale = b.has(p + "ffn_down_exps.scale") ? b.vector(p + "ffn_down_exps.scale", e) : ones(e);
        return new LayerWeights.Moe(
                b.matrix(p + "ffn_gate_inp.weight", h, e),
                b.vector(p + "ffn_gate_inp.scale", h),
                gateUp, gate, up,
                b.tensor(p + "ffn_down_exps.weight", fe, h, e),
                downScale,
                b.vector(p + "pre_ffw_norm_2.weight", h),
                b.vector(p + "post_ffw_norm_1.weight", h),
                b.vector(p + "post_ffw_norm_2.weight", h));
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    /** The vocabulary size (rows of the embedding table). */
    public int vocabSize() {
        return (int) tokenEmbd.rows();
    }

    /** The LM head: {@code output.weight} if present, else the tied embedding. */
    public Tensor lmHead() {
        return output != null ? output : tokenEmbd;
    }

    /** Looks tensors up and checks their shapes, naming file and tensor in every error. */
    private record Binder(GgufFile gguf) {
        boolean has(String name) {
            return gguf.hasTensor(name);
        }

        /** A tensor of GGUF shape {@code ne} exactly ({@code -1} matches any size). */
        Tensor tensor(String name, long... ne) throws GgufFormatException {
            GgufTensorInfo info = gguf.tensorInfo(name);
            if (info == null) {
                throw new GgufFormatException(gguf.path(), "missing tensor " + name + " (expected shape " + Arrays.toString(ne) + ")");
            }
            long[] got = info.shape();
            boolean ok = got.length == ne.length;
            for (int i = 0; ok && i < ne.length; i++) {
                ok = ne[i] == -1 || ne[i] == got[i];
            }
            if (!ok) {
                throw new GgufFormatException(gguf.path(), "tensor " + name + " has shape " + Arrays.toString(got)
                        + ", expected " + Arrays.toString(ne));
            }
            if (ne.length > 1 && info.type().blockSize() == 1 && info.type().blockBytes() > 4) {
                throw new GgufFormatException(gguf.path(), "tensor " + name + ": type " + info.type() + " is not a weight type");
            }
            return gguf.tensor(name);
        }

        Tensor matrix(String name, long in, long out) throws GgufFormatException {
            return tensor(name, in, out);
        }

        float[] vector(String name, int n) throws GgufFormatException {
            return tensor(name, n).toFloatArray();
        }
    }
}
