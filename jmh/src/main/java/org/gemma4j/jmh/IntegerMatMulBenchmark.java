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
 * {@link MatMulBenchmark}'s product for the 4-bit types that multiply integers (Q4_0, Q4_K on AVX-512): the batch
 * laid out as Q8_0 / Q8_K integers, as the decoder lays it out under its default (llama.cpp) numerics, against the
 * same tensor on a float batch. Elsewhere both run the float tiles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class IntegerMatMulBenchmark {
    @Param({"Q4_0", "Q4_K"})
    public String type;

    @Param({"64", "128"})
    public int tokens;

    @Param({"integers", "floats"})
    public String input;

    /** {@code cols x rows}: MLP down (E2B's narrower layers), MLP gate or up. */
    @Param({"6144x1536", "1536x6144"})
    public String shape;

    private Arena arena;
    private Tensor w;
    private TokenBatch x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        int cols = Integer.parseInt(s[0]);
        int rows = Integer.parseInt(s[1]);
        arena = Arena.ofShared();
        GgmlType t = GgmlType.valueOf(type);
        w = RandomWeights.matrix(arena, t, rows, cols, 42);
        float[] a = RandomWeights.activations(tokens * cols, 7); // rounded to the blocks by the layout itself
        if (input.equals("floats")) {
            x = TokenBatch.of(a, tokens, cols);
        } else {
            x = t == GgmlType.Q4_0 ? new TokenBatch().prepareQ8_0(a, tokens, cols) : new TokenBatch().prepareQ8_K(a, tokens, cols);
            x.layOut(0, tokens);
        }
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
