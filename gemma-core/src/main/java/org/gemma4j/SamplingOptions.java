package org.gemma4j;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * How the next token is chosen. Defaults follow Gemma 4's {@code generation_config.json}: temperature 1.0,
 * top-k 64, top-p 0.95, no min-p and no penalties. A temperature of 0 means greedy (argmax, lowest id on ties).
 *
 * <p>Order of application: logit bias, repetition/presence/frequency penalties over the last
 * {@code penaltyLastN} tokens, then temperature, top-k, top-p, min-p, and a draw from the seeded generator.
 * The same seed, prompt and options give the same tokens.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 *
 * @param temperature 0 for greedy, else the softmax temperature
 * @param topK keep the k most likely tokens (0: no limit)
 * @param topP keep the smallest set whose probability reaches p (1: no limit)
 * @param minP drop tokens below {@code minP × p(most likely)} (0: off)
 * @param repetitionPenalty divide positive / multiply negative logits of seen tokens (1: off)
 * @param presencePenalty subtracted once from the logit of every seen token (0: off)
 * @param frequencyPenalty subtracted per occurrence of a seen token (0: off)
 * @param penaltyLastN how many recent tokens the penalties look at
 * @param logitBias added to the logits of the given token ids ({@code -Infinity} bans a token)
 * @param seed seed of the random generator
 */
public record SamplingOptions(float temperature, int topK, float topP, float minP, float repetitionPenalty,
        float presencePenalty, float frequencyPenalty, int penaltyLastN, Map<Integer, Float> logitBias, long seed) {

    /** Gemma 4's defaults with a random seed. */
    public static SamplingOptions defaults() {
        return builder().build();
    }

    /** Greedy decoding. */
    public static SamplingOptions greedy() {
        return builder().temperature(0).build();
    }

    public SamplingOptions {
        if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1) || !(minP >= 0 && minP < 1)
                || !(repetitionPenalty > 0) || penaltyLastN < 0) {
            throw new IllegalArgumentException("invalid sampling options: temperature " + temperature + ", topK " + topK
                    + ", topP " + topP + ", minP " + minP + ", repetitionPenalty " + repetitionPenalty
                    + ", penaltyLastN " + penaltyLastN);
        }
        logitBias = Collections.unmodifiableMap(new HashMap<>(logitBias));
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(null);
    }

    /** Builder of {@link SamplingOptions}; not thread-safe. */
    public static final class Builder {
        private float temperature = 1.0f;
        private int topK = 64;
        private float topP = 0.95f;
        private float minP = 0f;
        private float repetitionPenalty = 1f;
        private float presencePenalty = 0f;
        private float frequencyPenalty = 0f;
        private int penaltyLastN = 64;
        private final Map<Integer, Float> logitBias = new HashMap<>();
        private long seed = System.nanoTime();

        private Builder(SamplingOptions o) {
            if (o != null) {
                temperature = o.temperature;
                topK = o.topK;
                topP = o.topP;
                minP = o.minP;
                repetitionPenalty = o.repetitionPenalty;
                presencePenalty = o.presencePenalty;
                frequencyPenalty = o.frequencyPenalty;
                penaltyLastN = o.penaltyLastN;
                logitBias.putAll(o.logitBias);
                seed = o.seed;
            }
        }

        public Builder temperature(double t) {
            temperature = (float) t;
            return this;
        }

        public Builder topK(int k) {
            topK = k;
            return this;
        }

        public Builder topP(double p) {
            topP = (float) p;
            return this;
        }

        public Builder minP(double p) {
            minP = (float) p;
            return this;
        }

        public Builder repetitionPenalty(double p) {
            repetitionPenalty = (float) p;
            return this;
        }

        public Builder presencePenalty(double p) {
            presencePenalty = (float) p;
            return this;
        }

        public Builder frequencyPenalty(double p) {
            frequencyPenalty = (float) p;
            return this;
        }

        public Builder penaltyLastN(int n) {
            penaltyLastN = n;
            return this;
        }

        /** Adds {@code bias} to token {@code id}'s logit; {@code Float.NEGATIVE_INFINITY} bans it. */
        public Builder logitBias(int id, double bias) {
            logitBias.put(id, (float) bias);
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public SamplingOptions build() {
            return new SamplingOptions(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, penaltyLastN, logitBias, seed);
        }
    }
}
