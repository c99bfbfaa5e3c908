package org.gemma4j.model;

/**
 * Which arithmetic the decoder follows where llama.cpp's CPU backend differs from plain float math
 * (golden README, "Numerics").
 */
public enum Numerics {
    /** Float32 activations and the exact tanh GELU: matches a float64 reference to ~1e-5. */
    EXACT,
    /**
     * llama.cpp-compatible: matmul activations rounded to the weight's dot type (Q8_0 blocks for Q4_0/Q5_0/Q8_0
     * and their _1 forms, Q8_K blocks for K-quants, fp16 for F16, bf16 for BF16) and GELU from the fp16 table.
     * Matches llama.cpp's logits about twice as closely as {@link #EXACT}, and expert routing in MoE models
     * follows llama.cpp's.
     */
    GGML
}
