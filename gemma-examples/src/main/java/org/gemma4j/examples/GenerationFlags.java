package org.gemma4j.examples;

import java.util.Set;
import org.gemma4j.GenerationOptions;
import org.gemma4j.SamplingOptions;

/** The sampling and length flags {@code gemma run} and {@code gemma chat} share. */
final class GenerationFlags {
    static final Set<String> VALUED = Set.of("max-tokens", "temperature", "top-k", "top-p", "min-p", "seed",
            "repeat-penalty", "stop");
    static final Set<String> FLAGS = Set.of("think");

    private GenerationFlags() {}

    static GenerationOptions options(CliArgs a) throws GemmaCli.CliException {
        SamplingOptions.Builder s = SamplingOptions.builder();
        try {
            if (a.get("temperature") != null) {
                s.temperature(Double.parseDouble(a.get("temperature")));
            }
            if (a.get("top-p") != null) {
                s.topP(Double.parseDouble(a.get("top-p")));
            }
            if (a.get("min-p") != null) {
                s.minP(Double.parseDouble(a.get("min-p")));
            }
            if (a.get("repeat-penalty") != null) {
                s.repetitionPenalty(Double.parseDouble(a.get("repeat-penalty")));
            }
            if (a.get("seed") != null) {
                s.seed(Long.parseLong(a.get("seed")));
            }
            s.topK(a.intOption("top-k", 64));
            GenerationOptions.Builder g = GenerationOptions.builder().sampling(s.build())
                    .maxTokens(a.intOption("max-tokens", 512)).thinking(a.flag("think"));
            if (a.get("stop") != null) {
                g.stopStrings(a.get("stop"));
            }
            return g.build();
        } catch (IllegalArgumentException e) {
            throw new GemmaCli.CliException(e.getMessage());
        }
    }
}
