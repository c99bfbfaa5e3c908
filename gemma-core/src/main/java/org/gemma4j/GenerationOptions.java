package org.gemma4j;

import java.util.List;

/**
 * Options of one generation call. Immutable and thread-safe; build with {@link #builder()}.
 *
 * @param sampling how tokens are chosen
 * @param maxTokens at most this many generated tokens
 * @param stopStrings generation stops when the visible text contains one of these; the text is cut before it
 * @param thinking whether the model reasons before answering; {@code null} uses the model's default
 * @param cancellation checked before every token; {@code null} for none
 * @param contextPolicy what to do when the context fills up
 * @param prefillProgress called with (tokens done, tokens to do) while a long prompt is prefilled; may be null
 * @param logitsProcessor applied to the logits before every sampled token (constrained decoding); may be null
 */
public record GenerationOptions(SamplingOptions sampling, int maxTokens, List<String> stopStrings, Boolean thinking,
        CancellationToken cancellation, ContextPolicy contextPolicy, PrefillProgress prefillProgress,
        LogitsProcessor logitsProcessor) {

    /** Progress of a prompt's prefill, reported between chunks on the generating thread. */
    @FunctionalInterface
    public interface PrefillProgress {
        void update(int done, int total);
    }

    public GenerationOptions {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (sampling == null || contextPolicy == null) {
            throw new IllegalArgumentException("sampling and contextPolicy must not be null");
        }
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty stop string");
            }
        }
    }

    public static GenerationOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.sampling = sampling;
        b.maxTokens = maxTokens;
        b.stopStrings = stopStrings;
        b.thinking = thinking;
        b.cancellation = cancellation;
        b.contextPolicy = contextPolicy;
        b.prefillProgress = prefillProgress;
        b.logitsProcessor = logitsProcessor;
        return b;
    }

    /** Builder of {@link GenerationOptions}; not thread-safe. */
    public static final class Builder {
        private SamplingOptions sampling = SamplingOptions.defaults();
        private int maxTokens = 1024;
        private List<String> stopStrings = List.of();
        private Boolean thinking;
        private CancellationToken cancellation;
        private ContextPolicy contextPolicy = ContextPolicy.FAIL;
        private PrefillProgress prefillProgress;
        private LogitsProcessor logitsProcessor;

        public Builder sampling(SamplingOptions s) {
            sampling = s;
            return this;
        }

        /** Shorthand for greedy decoding. */
        public Builder greedy() {
            sampling = SamplingOptions.greedy();
            return this;
        }

        public Builder temperature(double t) {
            sampling = sampling.toBuilder().temperature(t).build();
            return this;
        }

        public Builder seed(long seed) {
            sampling = sampling.toBuilder().seed(seed).build();
            return this;
        }

        public Builder maxTokens(int n) {
            maxTokens = n;
            return this;
        }

        public Builder stopStrings(String... s) {
            stopStrings = List.of(s);
            return this;
        }

        public Builder thinking(boolean on) {
            thinking = on;
            return this;
        }

        public Builder cancellation(CancellationToken c) {
            cancellation = c;
            return this;
        }

        public Builder contextPolicy(ContextPolicy p) {
            contextPolicy = p;
            return this;
        }

        public Builder prefillProgress(PrefillProgress p) {
            prefillProgress = p;
            return this;
        }

        public Builder logitsProcessor(LogitsProcessor p) {
            logitsProcessor = p;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(sampling, maxTokens, stopStrings, thinking, cancellation, contextPolicy,
                    prefillProgress, logitsProcessor);
        }
    }
}
