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
 * One whole decoder layer at E2B's real dimensions (width 1536, 8 query heads, one KV head, MLP 6144, per-layer
 * embeddings of 256): a one-layer model with a 512-token vocabulary, so the embedding lookup and the output head
 * (0.8 M weights) are ~2 % of the ~35 M weights of the layer. {@code layer=sliding} is a sliding-window layer
 * (head size 256), {@code layer=global} a global one (head size 512). Everything a layer does runs: norms,
 * q/k/v products, RoPE, attention over the context, the GeGLU MLP, the per-layer-embedding block. {@code context}
 * (64 by default; try {@code -p context=64,2048}) and {@code kv} (the cache's precision, F32 or F16) show what
 * attention costs as the context grows: the sliding layer sees at most its 512-token window, the global one all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DecoderLayerBenchmark {
    @Param({"Q8_0", "Q4_0", "Q4_K_M"})
    public String type;

    @Param({"sliding", "global"})
    public String layer;

    @Param({"2"})
    public int threads;

    @Param({"64"})
    public int context;

    @Param({"F32"})
    public String kv;

    private Path tmp;
    private Gemma4Model decoder;
    private KvCache cache;
    private final int[] token = {77};
    private int[] prefill;
    private float[] logits;

    @Setup(Level.Trial)
    public void load() throws IOException {
        SyntheticGemma4.Spec e2b = SyntheticGemma4.Spec.e2b();
        boolean[] sliding = {layer.equals("sliding")};
        SyntheticGemma4.Spec oneLayer = new SyntheticGemma4.Spec("e2b-one-layer", 512, 4096, e2b.embd(), 1,
                e2b.heads(), e2b.kvHeadsSliding(), e2b.kvHeadsGlobal(), e2b.headDimSliding(), e2b.headDimGlobal(),
                new int[] {e2b.ffPerLayer()[0]}, sliding, e2b.window(), e2b.perLayerEmbd(), 0, false, false, 0, 0, 0,
                true);
        tmp = Files.createTempDirectory("gemma4j-jmh-layer");
        Path file = tmp.resolve("layer.gguf");
        SyntheticGemma4.write(file, oneLayer, SyntheticGemma4.FileType.parse(type), 1);
        decoder = Gemma4Model.load(file, threads);
        int[] tokens = new int[context];
        for (int i = 0; i < context; i++) {
            tokens[i] = 100 + i % 400;
        }
        prefill = java.util.Arrays.copyOf(tokens, 32);
        cache = decoder.newCache(context + 64, KvCache.Precision.valueOf(kv));
        decoder.forward(cache, tokens); // the context once per trial (see DecoderStepBenchmark)
    }

    /** One token through the layer, attending to {@code context} to {@code context + 31} positions (rewound every 32 steps). */
    @Benchmark
    public float[] decodeOneToken() {
        if (cache.position() >= context + 32) {
            cache.rewindTo(context);
        }
        logits = decoder.forward(cache, token, logits);
        return logits;
    }

    /** 32 prompt tokens through the layer in one batch (then rewound). */
    @Benchmark
    public float[] prefill32() {
        float[] out = decoder.forward(cache, prefill);
        cache.rewindTo(context);
        return out;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        decoder.close();
        Files.deleteIfExists(tmp.resolve("layer.gguf"));
        Files.deleteIfExists(tmp);
    }
}
