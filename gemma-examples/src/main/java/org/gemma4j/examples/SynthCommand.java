package org.gemma4j.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.gemma4j.model.SyntheticGemma4;

/**
 * {@code gemma synth --preset e2b|e4b|26b-a4b|31b|tiny --type Q8_0|Q4_0|Q4_K_M|BF16|... --out FILE [--seed N]}:
 * writes a real-dimension Gemma 4 GGUF with random weights, for benchmarks without a download.
 */
final class SynthCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "write a synthetic random-weight Gemma 4 GGUF (--preset e2b --type Q8_0 --out FILE)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("preset", "type", "out", "seed"), Set.of());
        SyntheticGemma4.Spec spec = SyntheticGemma4.Spec.preset(args.require("preset"));
        SyntheticGemma4.FileType type = SyntheticGemma4.FileType.parse(args.require("type"));
        Path out = Path.of(args.require("out"));
        if (Files.exists(out)) {
            throw new GemmaCli.CliException(out + " exists; refusing to overwrite it");
        }
        long start = System.nanoTime();
        SyntheticGemma4.write(out, spec, type, args.intOption("seed", 1));
        System.err.printf("wrote %s (%s %s, %.2f GiB) in %.1f s%n", out, spec.name(), type,
                Files.size(out) / (double) (1L << 30), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
