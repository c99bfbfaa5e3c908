package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * A tensor stored in ggml blocks of {@link GgmlType#blockSize()} values. Each subclass defines its format three
 * times, each definition tested against the others:
 * <ul>
 *   <li>{@link #weightAt}: one value, scalar, bit-exact with ggml's {@code to_float} — the reference, from which
 *       {@link #dequantizeRow} and {@link #dotScalar} are built;</li>
 *   <li>{@link #decodeBlock}: a whole block with the Vector API, bit-exact too (same operations in the same order),
 *       used by {@link #matMul} (through {@link #decodeRow}) to decode a weight row once for all tokens;</li>
 *   <li>{@link #dot}: the Vector API dot product, decoding in registers.</li>
 * </ul>
 */
abstract class BlockTensor extends Tensor {
    /** Values per block. */
    final int blockSize;
    /** Bytes per block. */
    final int blockBytes;

    BlockTensor(String name, GgmlType type, long[] ne, MemorySegment data) {
        super(name, type, ne, data);
        this.blockSize = type.blockSize();
        this.blockBytes = type.blockBytes();
    }

    /** Value {@code i} ({@code 0 <= i < blockSize}) of the block at byte offset {@code off}, exactly as ggml decodes it. */
    abstract float weightAt(MemorySegment s, long off, int i);

    /** The block at byte offset {@code off} into {@code out[o .. o + blockSize)}, bit-exact with {@link #weightAt}. */
    abstract void decodeBlock(MemorySegment s, long off, float[] out, int o);

    /** Scalar {@link #decodeBlock}: the fallback where the vector kernels do not apply. */
    final void decodeBlockScalar(MemorySegment s, long off, float[] out, int o) {
        for (int i = 0; i < blockSize; i++) {
            out[o + i] = weightAt(s, off, i);
        }
    }

    @Override
    public final void dequantizeRow(long row, float[] out, int off) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / blockSize;
        for (int b = 0; b < blocks; b++) {
            decodeBlockScalar(s, base + (long) b * blockBytes, out, off + b * blockSize);
        }
    }

    /**
     * {@code Σ w[i]·x[xOff + i]} for {@code i < n}: the dot product of a decoded row. The K-quant types use it
     * without SIMD (2 float lanes: {@code decodeRow} into a scratch row, then this); at 4 lanes they have fused
     * kernels of their own, written small (their 8- and 16-lane kernels pass C2's inlining budget there, ~25 000
     * parsed nodes, and run as allocating Java code). Its own method, with arrays in and a float out, and few vector
     * calls: if C2's budget is spent on an inlined row decoder first, this stays a call.
     */
    static float floatDot(float[] w, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Simd.F);
        int i = 0;
        for (int upper = Simd.F.loopBound(n); i < upper; i += Simd.L) {
            acc = FloatVector.fromArray(Simd.F, w, i).fma(FloatVector.fromArray(Simd.F, x, xOff + i), acc);
        }
        float[] lanes = KernelScratch.scales(); // lanes summed from memory: fewer vector calls to inline than LaneSum.of
        acc.intoArray(lanes, 0);
        float sum = LaneSum.ofStored(lanes);
        for (; i < n; i++) {
            sum += w[i] * x[xOff + i];
        }
        return sum;
    }

    /**
     * The batched product. Every block type overrides this with a plain call to it, so that C2 compiles the product
     * once per class: with {@code this} of an exact type the row decoder ({@link #decodeBlock}) inlines without a
     * type profile. Through one shared compilation the decoder call was bimorphic or worse, C2 inlined two decoders,
     * passed its inlining budget and boxed their vectors (a 64x1536 Q4_0 product of 8 tokens: 3.5 MB per call,
     * depending on which types had run before).
     */
    @Override
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        super.matMul(in, out, outStride, rowFrom, rowTo);
    }

    /**
     * Row {@code row} into {@code out[0 .. cols)} with the vector decoder ({@link #decodeBlock} block by block); same
     * values as {@link #dequantizeRow}. Each block type has its own loop, for the reason given at
     * {@link Tensor#matVec(float[], float[], int, int, int)}: one shared loop took a bimorphic profile (the Q4_K and
     * Q6_K rows of a Q4_K_M file), C2 inlined both decoders into it, ran out of its node budget inside the second and
     * left its vector operations as allocating calls (128-bit vectors, K-quant decode: 4 GB of garbage for four
     * layers, 3.1 ns per weight). A per-class override that only called a shared loop did not help: the shared loop
     * was still compiled on its own and called.
     */
    @Override
    abstract void decodeRow(long row, float[] out);

    /**
     * Row {@code row} for {@link Int16LaneTile}, in types that implement it: per value {@code q - 8} into {@code q},
     * per 32 values a scale {@code a} into {@code scale} and, for types with offsets (K-quants' mins), an offset
     * {@code b} into {@code offset} (else {@code null}), the values being {@code a·(q - 8) + b}.
     */
    void decodeRowInt(long row, short[] q, float[] scale, float[] offset) {
        throw new UnsupportedOperationException(type() + " rows are not decoded to integers");
    }

    @Override
    public final float dotScalar(long row, float[] x, int xOff) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / blockSize;
        float sum = 0f;
        for (int b = 0; b < blocks; b++) {
            long off = base + (long) b * blockBytes;
            int xo = xOff + b * blockSize;
            for (int i = 0; i < blockSize; i++) {
                sum += weightAt(s, off, i) * x[xo + i];
            }
        }
        return sum;
    }
}
