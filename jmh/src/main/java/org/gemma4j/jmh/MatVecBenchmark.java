package org.gemma4j.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.gemma4j.tensor.GgmlType;
import org.gemma4j.tensor.QuantizedVector;
import org.gemma4j.tensor.Tensor;
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
 * One decode-step matrix-vector product {@code y = W·x}, single-threaded, on E2B-sized matrices: 1536 → 2048
 * (attention q, 8 heads × 256) and 6144 → 1536 (MLP down). Weights are off-heap; the time per op divided into
 * the weight bytes ({@code rows × rowBytes}) is the streamed bandwidth.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatVecBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    /** {@code cols x rows}. */
    @Param({"1536x2048", "6144x1536"})
    public String shape;

    private Arena arena;
    private Tensor w;
    private float[] x;
    private QuantizedVector integers;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        int cols = Integer.parseInt(s[0]);
        int rows = Integer.parseInt(s[1]);
        arena = Arena.ofShared();
        w = RandomWeights.matrix(arena, GgmlType.valueOf(type), rows, cols, 42);
        x = RandomWeights.activations(cols, 7);
        integers = type.endsWith("_K") ? new QuantizedVector().prepareQ8_K(x, cols) : new QuantizedVector().prepareQ8_0(x, cols);
        y = new float[rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matVec() {
        w.matVec(x, y, 0, (int) w.rows());
        return y;
    }

    /**
     * The product on the input's Q8_0 / Q8_K integers, as decode runs it under llama.cpp numerics: Q4_0, Q4_K and
     * Q6_K multiply them on their rows laid out again (row groups, laid out during warm-up); the other types take
     * the float product.
     */
    @Benchmark
    public float[] matVecOnIntegers() {
        w.matVec(integers, y, 0, 0, (int) w.rows());
        return y;
    }
}
