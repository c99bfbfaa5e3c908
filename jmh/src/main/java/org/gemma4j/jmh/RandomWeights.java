package org.gemma4j.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.gemma4j.tensor.GgmlType;
import org.gemma4j.tensor.Tensor;

/** Seeded random weight matrices of any storage type, off-heap: random bits, then sane values in the float fields. */
final class RandomWeights {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {}

    /** A {@code rows × cols} matrix (GGUF {@code ne = [cols, rows]}) in {@code arena}. */
    static Tensor matrix(Arena arena, GgmlType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long bytes = type.bytesFor((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        for (long i = 0; i + 8 <= bytes; i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
        }
        long values = (long) rows * cols;
        switch (type) {
            case F32 -> {
                for (long i = 0; i < values; i++) {
                    seg.set(FLOAT, 4 * i, (float) (0.02 * r.nextGaussian()));
                }
            }
            case F16, BF16 -> {
                for (long i = 0; i < values; i++) {
                    float v = (float) (0.02 * r.nextGaussian());
                    seg.set(SHORT, 2 * i, type == GgmlType.F16 ? Float.floatToFloat16(v) : (short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
            default -> {
                int[] fields = switch (type) {
                    case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
                    case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
                    case Q2_K -> new int[] {80, 82};
                    case Q3_K -> new int[] {108};
                    case Q6_K -> new int[] {208};
                    default -> throw new IllegalArgumentException("no random blocks for " + type);
                };
                for (long b = 0; b < bytes / type.blockBytes(); b++) {
                    for (int f : fields) {
                        seg.set(SHORT, b * type.blockBytes() + f, Float.floatToFloat16((float) r.nextDouble(1e-3, 1e-2)));
                    }
                }
            }
        }
        return Tensor.of("bench." + type, type, new long[] {cols, rows}, seg);
    }

    static float[] activations(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
