package org.gemma4j;

import java.util.List;

/**
 * The outcome of one generation.
 *
 * @param text the answer (content) text, without thinking and tool-call markup
 * @param thinking the model's reasoning, or empty when it did not think
 * @param rawText everything the model generated, special tokens as their text (for parsers and debugging)
 * @param tokens the generated token ids (the stop token excluded)
 * @param finishReason why generation stopped
 * @param stats token counts and timings
 */
public record GenerationResult(String text, String thinking, String rawText, List<Integer> tokens,
        FinishReason finishReason, GenerationStats stats) {

    public GenerationResult {
        tokens = List.copyOf(tokens);
    }

    @Override
    public String toString() {
        return text;
    }
}
