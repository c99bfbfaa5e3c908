package org.gemma4j.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.model.SyntheticGemma4;

/**
 * {@code gemma demo}: the whole path on a machine with no model: writes a small synthetic Gemma 4 model (random
 * weights, real architecture) into {@code ~/.cache/gemma4j}, then loads it, applies the chat template, streams an
 * answer and prints the stats. The answer is gibberish by construction: the weights are random.
 */
final class DemoCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "run the whole path offline on a small synthetic model (random weights, real architecture)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("prompt", "max-tokens", "seed"), Set.of());
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "gemma4j");
        Files.createDirectories(dir);
        Path file = dir.resolve("demo-synthetic-tiny-e2b-Q8_0.gguf");
        if (!Files.exists(file)) {
            out.println("Writing a synthetic Gemma 4 model (E2B architecture, tiny dimensions, RANDOM weights) to " + file);
            SyntheticGemma4.write(file, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.Q8_0, 42);
        }
        out.println("NOTE: this model has random weights. It exercises loading, the chat template, sampling and");
        out.println("      streaming exactly as a real model would, but its answer is meaningless text.");
        out.println("      For a real model: ./gemma run --model gemma-4-E2B-it-Q4_K_M.gguf \"Why is the sky blue?\"");
        out.println();
        long t0 = System.nanoTime();
        try (GemmaModel model = GemmaModel.builder(file).contextLength(512).build()) {
            out.printf("loaded in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, model.config());
            String prompt = args.get("prompt") != null ? args.get("prompt") : "Why is the sky blue?";
            out.println("user> " + prompt);
            out.print("model> ");
            GenerationResult r = model.stream(prompt, GenerationOptions.builder()
                    .maxTokens(args.intOption("max-tokens", 48)).seed(args.intOption("seed", 7)).build(), out::print);
            out.println();
            out.println();
            out.println("[" + r.finishReason() + "] " + r.stats());
        }
        return 0;
    }
}
