package org.gemma4j.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** Seeded random tensors of any implemented type: random bits everywhere, then sane values in the float fields. */
final class RandomTensors {
    private RandomTensors() {}

    /** A {@code rows × cols} tensor of {@code type} in {@code arena}. */
    static Tensor random(Arena arena, GgmlType type, int rows, int cols, long seed) {
        ByteBuffer b = randomBytes(type, rows, cols, seed);
        MemorySegment seg = arena.allocate(b.capacity(), 64);
        seg.copyFrom(MemorySegment.ofArray(b.array()));
        return Tensor.of(name(type, rows, cols), type, new long[] {cols, rows}, seg);
    }

    /**
     * Like {@link #random}, but written to a file in {@code dir} and memory-mapped, as a model's weights are: C2
     * compiles the kernels against the mapped segment class, not the native one {@code random} allocates.
     */
    static Tensor mapped(Arena arena, Path dir, GgmlType type, int rows, int cols, long seed) throws IOException {
        ByteBuffer b = randomBytes(type, rows, cols, seed);
        Path file = dir.resolve(name(type, rows, cols) + "." + seed + ".bin");
        Files.write(file, b.array());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, b.capacity(), arena);
            return Tensor.of(name(type, rows, cols), type, new long[] {cols, rows}, seg);
        }
    }

    private static String name(GgmlType type, int rows, int cols) {
        return "random." + type + "." + rows + "x" + cols;
    }

    private static ByteBuffer randomBytes(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int bytes = (int) type.bytesFor((long) rows * cols);
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < bytes; i++) {
            b.put(i, (byte) r.nextInt(256));
        }
        switch (type) {
            case F32 -> {
                for (int i = 0; i < rows * cols; i++) {
                    b.putFloat(4 * i, (float) r.nextGaussian());
                }
            }
            case F16 -> {
                for (int i = 0; i < rows * cols; i++) {
                    b.putShort(2 * i, Float.floatToFloat16((float) r.nextGaussian()));
                }
            }
            case BF16 -> {
                for (int i = 0; i < rows * cols; i++) {
                    b.putShort(2 * i, (short) (Float.floatToRawIntBits((float) r.nextGaussian()) >>> 16));
                }
            }
            default -> {
                for (int blk = 0; blk < bytes / type.blockBytes(); blk++) {
                    int base = blk * type.blockBytes();
                    for (int f : scaleFields(type)) {
                        b.putShort(base + f, Float.floatToFloat16((float) r.nextDouble(1e-3, 1e-1)));
                    }
                    for (int f : signedOffsetFields(type)) {
                        b.putShort(base + f, Float.floatToFloat16((float) r.nextDouble(-0.5, 0.5)));
                    }
                }
            }
        }
        return b;
    }

    /** Byte offsets of the positive fp16 scale fields ({@code d}, {@code dmin}) inside a block. */
    static int[] scaleFields(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, Q4_1, Q5_1, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Byte offsets of fp16 offset fields ({@code m} of Q4_1/Q5_1) that may be negative. */
    static int[] signedOffsetFields(GgmlType type) {
        return switch (type) {
            case Q4_1, Q5_1 -> new int[] {2};
            default -> new int[0];
        };
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
