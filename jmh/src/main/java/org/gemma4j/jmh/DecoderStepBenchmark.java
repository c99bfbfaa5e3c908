package org.gemma4j.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.KvCache;
import org.gemma4j.model.SyntheticGemma4;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole decoder steps on a synthetic model: one decode token (with a 64-token context already in the cache) and a
 * 32-token prefill. {@code -p model=/path/to/file.gguf} benchmarks a real or {@code gemma synth} file instead of
 * the built-in small one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DecoderStepBenchmark {
    /** A GGUF path, or empty for a synthetic E2B-architecture model of width 512 (Q8_0). */
    @Param({""})
    public String model;

    @Param({"2"})
    public int threads;

    private Gemma4Model decoder;
    private KvCache cache;
    private int[] prompt;
    private final int[] token = {777};
    private int[] prefill;
    private float[] logits;
    private Path tmp;

    @Setup(Level.Trial)
    public void load() throws IOException {
        Path file;
        if (model.isEmpty()) {
            tmp = Files.createTempDirectory("gemma4j-jmh");
            file = tmp.resolve("small.gguf");
            SyntheticGemma4.Spec t = SyntheticGemma4.Spec.tinyE2b();
            SyntheticGemma4.Spec small = new SyntheticGemma4.Spec("small-e2b", 4096, 2048, 512, 8, 4, 1, 1, 128, 256,
                    SyntheticGemma4.Spec.ff(8, 2048, 4), t.sliding(), 128, 64, 4, true, false, 0, 0, 0, true);
            SyntheticGemma4.write(file, small, SyntheticGemma4.FileType.Q8_0, 1);
        } else {
            file = Path.of(model);
        }
        decoder = Gemma4Model.load(file, threads);
        prompt = new int[64];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 300 + i;
        }
        prefill = java.util.Arrays.copyOf(prompt, 32);
        // The context once per trial, not per iteration: -prof gc counted that prefill's activations against the
        // few decode steps of an iteration (1.7-2.4 MB/op on E2B files, while a decode step allocates ~20 KB).
        cache = decoder.newCache(256);
        decoder.forward(cache, prompt);
    }

    /**
     * One token after a 64- to 95-token context (rewound every 32 steps, inside the benchmark, so no per-invocation
     * setup runs: {@code -prof gc} then shows what a decode step itself allocates).
     */
    @Benchmark
    public float[] decodeOneToken() {
        if (cache.position() >= prompt.length + 32) {
            cache.rewindTo(prompt.length);
        }
        logits = decoder.forward(cache, token, logits);
        return logits;
    }

    /** 32 more prompt tokens in one batch (then rewound). */
    @Benchmark
    public float[] prefill32() {
        float[] out = decoder.forward(cache, prefill);
        cache.rewindTo(prompt.length);
        return out;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        decoder.close();
        if (tmp != null) {
            try (var files = Files.list(tmp)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(tmp);
        }
    }
}
