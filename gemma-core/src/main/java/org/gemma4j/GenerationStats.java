package org.gemma4j;

import java.time.Duration;

/**
 * Token counts and timings of one generation. Immutable and thread-safe.
 *
 * @param promptTokens tokens the prompt had in all
 * @param prefilledTokens tokens actually run through the model before generating (a chat session reuses its
 *     KV cache, so this is only the new part of the conversation)
 * @param generatedTokens tokens sampled
 * @param timeToFirstToken from the call to the first sampled token (prefill included)
 * @param prefillTime time spent on the prompt
 * @param decodeTime time spent generating after the first token
 */
public record GenerationStats(int promptTokens, int prefilledTokens, int generatedTokens, Duration timeToFirstToken,
        Duration prefillTime, Duration decodeTime) {

    /** Prefilled tokens per second. */
    public double prefillTokensPerSecond() {
        return rate(prefilledTokens, prefillTime);
    }

    /** Generated tokens per second after the first. */
    public double decodeTokensPerSecond() {
        return rate(Math.max(0, generatedTokens - 1), decodeTime);
    }

    private static double rate(int n, Duration d) {
        double s = d.toNanos() / 1e9;
        return s <= 0 ? 0 : n / s;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d prompt tokens (%d prefilled, %.1f tok/s), %d generated (%.1f tok/s), first token after %d ms",
                promptTokens, prefilledTokens, prefillTokensPerSecond(), generatedTokens, decodeTokensPerSecond(),
                timeToFirstToken.toMillis());
    }
}
