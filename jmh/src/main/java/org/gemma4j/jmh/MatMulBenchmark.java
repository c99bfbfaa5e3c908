package org.gemma4j.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.gemma4j.tensor.GgmlType;
import org.gemma4j.tensor.Tensor;
import org.gemma4j.tensor.TokenBatch;
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
 * A prefill product {@code Y = W·X} for a batch of tokens, single-threaded, on the E2B MLP-down shape
 * (6144 → 1536): each weight row is decoded once for the whole batch. The batch is laid out once per trial, as the
 * decoder lays it out once per product for all threads; with 128 tokens (AVX-512) all of them go through the lane tile.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatMulBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"4", "32", "128"})
    public int tokens;

    private Arena arena;
    private Tensor w;
    private TokenBatch x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        int cols = 6144;
        int rows = 1536;
        arena = Arena.ofShared();
        w = RandomWeights.matrix(arena, GgmlType.valueOf(type), rows, cols, 42);
        x = TokenBatch.of(RandomWeights.activations(tokens * cols, 7), tokens, cols);
        y = new float[tokens * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matMul() {
        w.matMul(x, y, (int) w.rows(), 0, (int) w.rows());
        return y;
    }
}
