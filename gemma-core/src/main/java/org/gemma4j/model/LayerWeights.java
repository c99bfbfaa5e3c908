package org.gemma4j.model;

import org.gemma4j.tensor.Tensor;

/**
 * The weights of one decoder layer (GGUF names {@code blk.N.*}, spec §3.1). Matrices stay memory-mapped;
 * the small 1-D norm and scale vectors are copied to float arrays. Fields that a layer kind does not have
 * are {@code null}: K/V on KV-shared layers, V on K=V global layers, PLE on models without it, the dense
 * MLP's sibling expert tensors on dense models.
 */
record LayerWeights(
        float[] attnNorm,           // [H]
        Tensor attnQ,               // [H] -> [nHead * hd]
        Tensor attnK,               // [H] -> [nKv * hd], null if KV-shared
        Tensor attnV,               // [H] -> [nKv * hd], null if KV-shared or K=V
        float[] attnQNorm,          // [hd]
        float[] attnKNorm,          // [hd], null if KV-shared
        Tensor attnOutput,          // [nHead * hd] -> [H]
        float[] postAttentionNorm,  // [H]
        float[] ffnNorm,            // [H]
        Tensor ffnGate,             // [H] -> [ff]
        Tensor ffnUp,               // [H] -> [ff]
        Tensor ffnDown,             // [ff] -> [H]
        float[] postFfwNorm,        // [H]
        float layerOutputScale,     // 1 if the tensor is absent
        Tensor inpGate,             // PLE: [H] -> [P]
        Tensor proj,                // PLE: [P] -> [H]
        float[] postNorm,           // PLE: [H]
        Moe moe) {                  // null on dense layers

    /**
     * The mixture-of-experts half of a 26B-A4B layer (spec §2.6).
     *
     * @param gateUpExps fused {@code [H] -> [2*ffExp]} per expert (gate rows first), or null if split
     * @param gateExps split gate {@code [H] -> [ffExp]} per expert, or null if fused
     * @param upExps split up {@code [H] -> [ffExp]} per expert, or null if fused
     * @param downExps {@code [ffExp] -> [H]} per expert
     */
    record Moe(
            Tensor gateInp,             // router [H] -> [E], usually F32
            float[] gateInpScale,       // [H]
            Tensor gateUpExps,
            Tensor gateExps,
            Tensor upExps,
            Tensor downExps,
            float[] downExpsScale,      // [E], all 1 if absent
            float[] preFfwNorm2,        // [H]
            float[] postFfwNorm1,       // [H] dense branch
            float[] postFfwNorm2) {}    // [H] expert branch
}
