package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A weight tensor viewed as a matrix of {@link #rows()} rows of {@link #cols()} values, stored in ggml
 * layout inside a (usually memory-mapped) {@link MemorySegment}. GGUF {@code ne[0]} is the row length;
 * every further dimension is folded into the row count, so expert {@code e}'s row {@code r} of a 3-D
 * tensor {@code [cols, n, E]} is row {@code e * n + r}.
 *
 * <p>{@code y = W·x} is one {@link #dot} per row. Each storage type implements {@link #dequantizeRow}
 * (bit-exact with ggml), a Vector API {@link #dot} and its plain scalar twin {@link #dotScalar}, which the
 * tests hold against each other.
 *
 * <p>Instances are safe to share between threads, and their values never change; a type may keep a second layout
 * of its weights for a faster product, built lazily and thread-safely on first use (Q4_0's, Q4_K's and Q6_K's row
 * groups for one-token products, off the heap, freed by {@link #releaseLayouts()}).
 */
public abstract class Tensor {
    private final String name;
    private final GgmlType type;
    private final long[] ne;
    private final MemorySegment data;
    private final int cols;
    private final long rows;
    private final long rowBytes;

    protected Tensor(String name, GgmlType type, long[] ne, MemorySegment data) {
        this.name = name;
        this.type = type;
        this.ne = ne.clone();
        this.data = data;
        if (ne.length == 0 || ne[0] <= 0 || ne[0] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + name + ": bad shape " + Arrays.toString(ne));
        }
        this.cols = (int) ne[0];
        long r = 1;
        for (int i = 1; i < ne.length; i++) {
            r = Math.multiplyExact(r, ne[i]);
        }
        this.rows = r;
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": " + type + " stores blocks of " + type.blockSize()
                    + " values, but its rows have " + cols + " (ne " + Arrays.toString(ne) + "), not a multiple");
        }
        this.rowBytes = type.bytesFor(cols);
        long expected = Math.multiplyExact(rowBytes, rows);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + " (" + type + " " + Arrays.toString(ne)
                    + ") needs " + expected + " bytes, got " + data.byteSize());
        }
    }

    public final String name() {
        return name;
    }

    public final GgmlType type() {
        return type;
    }

    /** The GGUF shape, innermost ({@code ne[0]}, the row length) first. */
    public final long[] shape() {
        return ne.clone();
    }

    /** Values per row ({@code ne[0]}). */
    public final int cols() {
        return cols;
    }

    /** Number of rows (product of {@code ne[1..]}). */
    public final long rows() {
        return rows;
    }

    /** Total number of values. */
    public final long size() {
        return rows * cols;
    }

    /** Bytes per row. */
    public final long rowBytes() {
        return rowBytes;
    }

    /** The raw bytes of the tensor. */
    public final MemorySegment data() {
        return data;
    }

    /** Writes row {@code row} as floats into {@code out[off .. off + cols)}, exactly as ggml's {@code to_float}. */
    public abstract void dequantizeRow(long row, float[] out, int off);

    /** {@code Σ_i W[row, i] · x[xOff + i]} with the Vector API. */
    public abstract float dot(long row, float[] x, int xOff);

    /** Plain scalar twin of {@link #dot}: the reference the vector kernel is tested against. */
    public abstract float dotScalar(long row, float[] x, int xOff);

    /** {@code out[r] = dot(r, x, 0)} for {@code r} in {@code [rowFrom, rowTo)}. */
    public final void matVec(float[] x, float[] out, int rowFrom, int rowTo) {
        matVec(x, out, 0, rowFrom, rowTo);
    }

    /**
     * {@code out[outOff + r] = dot(r, x, 0)} for {@code r} in {@code [rowFrom, rowTo)}, each value exactly as
     * {@link #dot} computes it.
     *
     * <p>Every tensor type has its own row loop here (and, for block types, its own {@code decodeRow} loop and a
     * {@link #matMul(TokenBatch, float[], int, int, int)} override): a loop shared by all types is compiled once,
     * with a type profile of whatever types ran through it. With two types (a Q4_K_M file's Q4_K and Q6_K) C2
     * inlines both kernels into the one loop, passes its node budget, and leaves the rest of the vector operations
     * as calls that allocate every vector; with exactly one type per compiled loop the kernel is inlined by its exact
     * type and nothing else competes for the budget.
     */
    public abstract void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo);

    /**
     * {@link #matVec(float[], float[], int, int, int)} of a vector rounded to Q8_0 or Q8_K blocks, given with its
     * integers: types whose {@link #takesIntegerVectors()} multiply those, the others the rounded floats
     * ({@link QuantizedVector#values()}). Results may differ from the float product in the last bits.
     */
    public void matVec(QuantizedVector x, float[] out, int outOff, int rowFrom, int rowTo) {
        matVec(x.values(), out, outOff, rowFrom, rowTo);
    }

    /**
     * Whether {@link #matVec(QuantizedVector, float[], int, int, int)} is faster than the float product on a vector
     * rounded the way llama.cpp rounds this type's input (Q8_0 for Q4_0, Q8_K for the K-quants): Q4_0, Q4_K and Q6_K
     * lay their rows out again for a 16-bit integer product ({@code RowGroups}).
     */
    public boolean takesIntegerVectors() {
        return false;
    }

    /**
     * Batched product: {@code x} is {@code [n, cols]} row-major, {@code out} is {@code [n, outStride]}; for every
     * token {@code t < n} and row {@code r} in {@code [rowFrom, rowTo)}: {@code out[t*outStride + r] = W[r]·x[t]}.
     * Lays the batch out anew on every call; callers that split one product across threads (or run several on the
     * same input) build one {@link TokenBatch} and use {@link #matMul(TokenBatch, float[], int, int, int)}.
     */
    public final void matMul(float[] x, int n, float[] out, int outStride, int rowFrom, int rowTo) {
        if (n == 1) {
            matVec(x, out, rowFrom, rowTo);
        } else {
            matMul(TokenBatch.of(x, n, cols()), out, outStride, rowFrom, rowTo);
        }
    }

    /**
     * {@link #matMul(float[], int, float[], int, int, int)} on a prepared batch. Results for a token may differ in
     * the last bits from {@link #dot} (the order of the sums differs), never between runs.
     */
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        if (in.cols() != cols()) {
            throw new IllegalArgumentException("tensor " + name() + " has " + cols() + " columns, the batch " + in.cols());
        }
        if (in.n() == 1) {
            matVec(in.rows(), out, rowFrom, rowTo);
        } else {
            // Decode each weight row once for the whole batch, then the register tiles of RowProducts.
            RowProducts.matMul(this, in, out, outStride, rowFrom, rowTo);
        }
    }

    /**
     * Whether {@link #matMul(TokenBatch, float[], int, int, int)} is faster on a batch laid out as integers, prepared
     * with {@link TokenBatch#prepareQ8_0} or {@link TokenBatch#prepareQ8_K} from input rounded the way llama.cpp
     * rounds it for this type (Q8_0 for Q4_0, Q8_K for the K-quants): Q4_0 and Q4_K on AVX-512 multiply those
     * integers in 16 bits. Any tensor accepts any kind of batch.
     */
    public boolean takesIntegerBatches() {
        return false;
    }

    /**
     * Frees the memory of the layouts this tensor made for faster products (Q4_0's, Q4_K's and Q6_K's row groups, as
     * large as the weights again); a later product makes them again. No product may run on this tensor meanwhile.
     * Closing the {@link org.gemma4j.gguf.GgufFile} does this for every tensor it handed out.
     */
    public void releaseLayouts() {}

    /** Row {@code row} as floats into {@code out[0 .. cols)}: {@link #dequantizeRow}, or a faster decoder with the same values. */
    void decodeRow(long row, float[] out) {
        dequantizeRow(row, out, 0);
    }

    /** The whole tensor as floats (for small tensors: norms, scales, rope factors). */
    public float[] toFloatArray() {
        long n = size();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("tensor " + name + " is too large to copy to the heap (" + n + " values)");
        }
        float[] out = new float[(int) n];
        for (long r = 0; r < rows; r++) {
            dequantizeRow(r, out, (int) (r * cols));
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(ne);
    }

    /**
     * Wraps {@code data} as a tensor of {@code type}.
     *
     * @throws UnsupportedTensorTypeException if the type has no implementation here
     * @throws IllegalArgumentException if the shape and the byte size disagree
     */
    public static Tensor of(String name, GgmlType type, long[] ne, MemorySegment data) {
        return switch (type) {
            case F32 -> new F32Tensor(name, ne, data);
            case F16 -> new F16Tensor(name, ne, data);
            case BF16 -> new BF16Tensor(name, ne, data);
            case Q8_0 -> new Q8_0Tensor(name, ne, data);
            case Q4_0 -> new Q4_0Tensor(name, ne, data);
            case Q4_1 -> new Q4_1Tensor(name, ne, data);
            case Q5_0 -> new Q5_0Tensor(name, ne, data);
            case Q5_1 -> new Q5_1Tensor(name, ne, data);
            case Q4_K -> new Q4KTensor(name, ne, data);
            case Q5_K -> new Q5KTensor(name, ne, data);
            case Q6_K -> new Q6KTensor(name, ne, data);
            case Q2_K -> new Q2KTensor(name, ne, data);
            case Q3_K -> new Q3KTensor(name, ne, data);
            case IQ4_NL -> new IQ4NLTensor(name, ne, data);
            case IQ4_XS -> new IQ4XSTensor(name, ne, data);
            default -> throw new UnsupportedTensorTypeException(name, type);
        };
    }
}
