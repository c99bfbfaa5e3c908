package org.gemma4j.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationResult;

/** {@code gemma run --model FILE [options] "prompt"}: streams the answer to one prompt, then prints stats to stderr. */
final class RunCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "answer one prompt, streaming (--model FILE [--max-tokens N --temperature T --seed S --think] \"prompt\")";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Set<String> valued = new HashSet<>(GenerationFlags.VALUED);
        valued.addAll(Set.of("model", "ctx", "threads"));
        CliArgs args = CliArgs.parse(argv, valued, GenerationFlags.FLAGS);
        if (args.positional().size() != 1) {
            throw new GemmaCli.CliException("give the prompt as one argument (quote it)");
        }
        Path file = Path.of(args.require("model"));
        if (!Files.isRegularFile(file)) {
            throw new GemmaCli.CliException("model file not found: " + file);
        }
        var options = GenerationFlags.options(args);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        GemmaModel.Builder b = GemmaModel.builder(file).threads(args.intOption("threads", org.gemma4j.model.WorkerPool.defaultParallelism()));
        if (args.get("ctx") != null) {
            b.contextLength(args.intOption("ctx", 0));
        }
        try (GemmaModel model = b.build()) {
            GenerationResult r = model.stream(args.positional().get(0), options, out::print);
            out.println();
            System.err.println("[" + r.finishReason() + "] " + r.stats());
        }
        return 0;
    }
}
