package org.gemma4j.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.TextMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode throughput of the real Gemma 4 tokenizer on English prose and on source code (~256 KB each). Needs the
 * Gemma 3 {@code tokenizer.json} the tokenizer tests fetch into {@code ~/.cache/gemma4j} (run
 * {@code ./mvnw -pl gemma-tokenizer verify} once), or {@code -p tokenizer=/path/to/tokenizer.json}.
 * Report MB/s = 0.256 / (ms/op) × 1000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenizerBenchmark {
    @Param({""})
    public String tokenizer;

    @Param({"prose", "code"})
    public String text;

    private GemmaTokenizer gemma;
    private String input;

    private static final String PROSE = "The history of astronomy is long and full of surprises. Early observers "
            + "watched the motion of the planets against the fixed stars and tried to explain why some of them seemed "
            + "to move backwards for a while. It took centuries, and the patient work of many people, before a simple "
            + "picture emerged: the planets, Earth among them, travel around the Sun on nearly circular paths.\n\n";
    private static final String CODE = """
            public static int[] merge(int[] a, int[] b) {
                int[] out = new int[a.length + b.length];
                int i = 0, j = 0, k = 0;
                while (i < a.length && j < b.length) {
                    out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
                }
                while (i < a.length) { out[k++] = a[i++]; }
                while (j < b.length) { out[k++] = b[j++]; }
                return out; // stable: ties keep the order of a
            }

            """;

    @Setup
    public void load() throws IOException {
        Path file = tokenizer.isEmpty()
                ? Path.of(System.getProperty("user.home"), ".cache", "gemma4j", "gemma3-tokenizer.json") : Path.of(tokenizer);
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing: run ./mvnw -pl gemma-tokenizer verify once to fetch it");
        }
        gemma = GemmaTokenizer.fromTokenizerJson(file).withGemma4Specials();
        String unit = text.equals("code") ? CODE : PROSE;
        input = unit.repeat(256 * 1024 / unit.getBytes(StandardCharsets.UTF_8).length + 1);
    }

    @Benchmark
    public int[] encode() {
        return gemma.encode(input, TextMode.USER);
    }
}
