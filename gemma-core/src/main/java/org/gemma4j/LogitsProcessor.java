package org.gemma4j;

/**
 * Adjusts the logits before each token is sampled: constrained decoding (a grammar or schema mask sets
 * disallowed tokens to {@code -Infinity}), custom biases, logging. Called on the generating thread, once per token,
 * before the sampling options apply. An instance used by concurrent generations must be thread-safe itself.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /**
     * @param logits the next-token logits, {@code [vocab]}; modify in place
     * @param generated the tokens generated so far in this call (not the prompt), oldest first
     * @param count how many entries of {@code generated} are valid
     */
    void process(float[] logits, int[] generated, int count);
}
