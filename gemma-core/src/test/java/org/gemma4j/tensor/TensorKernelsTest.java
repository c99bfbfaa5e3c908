package org.gemma4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** For every storage type: the Vector API kernels against their scalar twins on random blocks. */
class TensorKernelsTest {
    private static final Arena ARENA = Arena.ofShared();

    @AfterAll
    static void close() {
        ARENA.close();
    }

    /** Random bytes with every fp16 scale field set to a sane value (so no inf/NaN from random scale bits). */
    static Tensor random(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long bytes = type.bytesFor((long) rows * cols);
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < bytes; i++) {
            b.put(i, (byte) r.nextInt(256));
        }
        int[] halfFields = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
        if (type == GgmlType.F16 || type == GgmlType.BF16 || type == GgmlType.F32) {
            for (int i = 0; i < rows * cols; i++) {
                float v = (float) r.nextGaussian();
                switch (type) {
                    case F32 -> b.putFloat(4 * i, v);
                    case F16 -> b.putShort(2 * i, Float.floatToFloat16(v));
                    default -> b.putShort(2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
        }
        for (long blk = 0; blk < bytes / type.blockBytes(); blk++) {
            for (int f : halfFields) {
                b.putShort((int) (blk * type.blockBytes() + f), Float.floatToFloat16((float) r.nextDouble(1e-3, 5e-2)));
            }
        }
        MemorySegment seg = ARENA.allocate(bytes, 64);
        seg.copyFrom(MemorySegment.ofArray(b.array()));
        return Tensor.of("random." + type, type, new long[] {cols, rows}, seg);
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void vectorKernelsMatchScalarTwins(GgmlType type) {
        int[] widths = type.blockSize() == 1 ? new int[] {1, 15, 64, 257, 1536} : new int[] {type.blockSize(), 4 * type.blockSize(), 1536};
        for (int cols : widths) {
            int rows = 7;
            Tensor t = random(type, rows, cols, cols * 31L + type.ordinal());
            float[] x = gaussian(3 * cols, 5);
            float[] w = new float[cols];
            for (int r = 0; r < rows; r++) {
                t.dequantizeRow(r, w, 0);
                double ref = 0;
                double mag = 0;
                for (int i = 0; i < cols; i++) {
                    ref += (double) w[i] * x[cols + i];
                    mag += Math.abs((double) w[i] * x[cols + i]);
                }
                double tol = 1e-5 * mag + 1e-6;
                assertEquals(ref, t.dotScalar(r, x, cols), tol, type + " scalar twin, cols " + cols);
                assertEquals(ref, t.dot(r, x, cols), tol, type + " vector dot, cols " + cols);
            }
            float[] mv = new float[rows];
            t.matVec(x, mv, 0, rows);
            float[] mm = new float[3 * rows];
            t.matMul(x, 3, mm, rows, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertEquals(t.dot(r, x, 0), mv[r], 1e-5f * Math.max(1, Math.abs(mv[r])), type + " matVec");
                for (int tok = 0; tok < 3; tok++) {
                    float d = t.dot(r, x, tok * cols);
                    assertEquals(d, mm[tok * rows + r], 1e-4f * Math.max(1, Math.abs(d)), type + " matMul");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K", "Q6_K"})
    void rejectsRowsThatAreNotWholeBlocks(GgmlType type) {
        MemorySegment seg = ARENA.allocate(4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of("bad", type, new long[] {type.blockSize() + 1, 2}, seg));
        assertEquals(true, e.getMessage().contains("not a multiple"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("short", type, new long[] {type.blockSize(), 1000}, seg));
    }
}
