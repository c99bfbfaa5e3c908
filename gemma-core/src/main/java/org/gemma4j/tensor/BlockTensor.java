package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A tensor stored in ggml blocks of {@link GgmlType#blockSize()} values. Subclasses give the exact scalar
 * dequantization of one block; this class builds rows, the scalar dot twin, a generic vector dot (block
 * decoded into a per-thread buffer, then fused multiply-adds) and a batched product that decodes every
 * weight row once for all tokens.
 */
abstract class BlockTensor extends Tensor {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ThreadLocal<float[]> BLOCK = ThreadLocal.withInitial(() -> new float[256]);

    private final int blockSize;
    private final int blockBytes;

    BlockTensor(String name, GgmlType type, long[] ne, MemorySegment data) {
        super(name, type, ne, data);
        this.blockSize = type.blockSize();
        this.blockBytes = type.blockBytes();
    }

    /** Decodes the block at byte offset {@code off} into {@code out[o .. o + blockSize)}, bit-exact with ggml. */
    abstract void dequantizeBlock(MemorySegment s, long off, float[] out, int o);

    final int blockSize() {
        return blockSize;
    }

    final int blockBytes() {
        return blockBytes;
    }

    @Override
    public final void dequantizeRow(long row, float[] out, int off) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / blockSize;
        for (int b = 0; b < blocks; b++) {
            dequantizeBlock(s, base + (long) b * blockBytes, out, off + b * blockSize);
        }
    }

    @Override
    public final float dotScalar(long row, float[] x, int xOff) {
        float[] w = new float[cols()];
        dequantizeRow(row, w, 0);
        float sum = 0f;
        for (int i = 0; i < w.length; i++) {
            sum += w[i] * x[xOff + i];
        }
        return sum;
    }

    /** Generic vector dot: decode a block into a buffer, then vector FMAs. Types with in-register kernels override it. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        MemorySegment s = data();
        long base = row * rowBytes();
        float[] w = BLOCK.get();
        int blocks = cols() / blockSize;
        FloatVector acc = FloatVector.zero(F);
        float tail = 0f;
        for (int b = 0; b < blocks; b++) {
            dequantizeBlock(s, base + (long) b * blockBytes, w, 0);
            int xo = xOff + b * blockSize;
            int i = 0;
            for (int upper = F.loopBound(blockSize); i < upper; i += F.length()) {
                acc = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), acc);
            }
            for (; i < blockSize; i++) {
                tail += w[i] * x[xo + i];
            }
        }
        return LaneSum.of(acc) + tail;
    }

    /** Decodes each weight row once and reuses it for all {@code n} tokens (prefill). */
    @Override
    public void matMul(float[] x, int n, float[] out, int outStride, int rowFrom, int rowTo) {
        int cols = cols();
        float[] w = new float[cols];
        int upper = F.loopBound(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            dequantizeRow(r, w, 0);
            for (int t = 0; t < n; t++) {
                int xo = t * cols;
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (; i < upper; i += F.length()) {
                    acc = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), acc);
                }
                float sum = LaneSum.of(acc);
                for (; i < cols; i++) {
                    sum += w[i] * x[xo + i];
                }
                out[t * outStride + r] = sum;
            }
        }
    }
}
