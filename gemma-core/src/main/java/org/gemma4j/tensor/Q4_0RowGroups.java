package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A Q4_0 tensor's weights laid out again for the one-token product: {@link #ROWS} rows at a time (a row group), each
 * row in one 16-bit lane of a short vector, so that a product sums each row in its own lane, in 16-bit integers, and
 * never sums across lanes. Per group and 32-column block: 16 chunks of {@code ROWS} bytes, chunk {@code c} holding
 * column {@code 2c} of each row in the low nibble and column {@code 2c+1} in the high nibble, then the {@code ROWS}
 * fp16 scales {@code d} ({@code 18·ROWS} bytes per block, as many as in the file; fp32 scales, 11 % more bytes, ran
 * ~5 % slower: E2B Q4_0 tg64, 2 threads, five pairs alternating, 17.1 vs 18.0 tok/s). Everything is read in
 * address order: the hardware prefetcher then keeps up (Q4_K's layout with its scales ahead of the values they scale:
 * 72–78 ps per weight from memory, one thread; in order: 30–32, as fast as from L2).
 *
 * <p>A chunk becomes a short vector with one zero-extension; its two nibble columns, masked and shifted, are
 * multiplied by the input's two integers (broadcast) and added: {@code 8 + 3/2} vector operations per {@code 2·ROWS}
 * weights, against ~9 per 32 weights for the float product of the file's layout. The unsigned nibbles {@code q} go
 * in as they are: {@code Σ q·x_q} may pass a short, but it is exact modulo {@code 2^16}, and so is
 * {@code Σ (q - 8)·x_q = Σ q·x_q - 8·Σx_q}, which is at most {@code 32·8·127 = 32512} in size and so exact once
 * {@code 8·Σx_q} is subtracted. Each block's sums then turn to floats, times {@code d·d_x}. This is llama.cpp's integer
 * dot product with the rows in the lanes (and, like its repacked Q4_0, a copy of the weights).
 *
 * <p>Measured (1536 columns, 32-row groups, AVX-512): one thread 61–65 → 29–33 ps per weight with rows in L2, 75–85
 * → 29–33 from memory; two threads over 262 144 rows 41–48 → 17–19 ps per weight (34 GB/s).
 *
 * <p>The groups are laid out into memory of their own, off the heap, freed with the tensor, each by the product that
 * first needs it ({@link RowGroups}): whether a group is laid out yet never decides how it is multiplied, so results
 * never depend on timing. Only the rows of a group that a product's row range cuts take the file's layout, and the
 * worker pool's chunks are multiples of the model's grain, so the model's ranges never cut one. A background layout,
 * with the file's layout for the groups not yet done, made the first request's logits depend on how far it had got
 * and was no faster (E2B Q4_0, first request after load: 11.4 s against 11.7 s). Thread safety: as {@link RowGroups}.
 */
final class Q4_0RowGroups extends RowGroups {
    /** Per block: 16 chunks of nibble pairs, then the scales (read in address order). */
    private static final long BLOCK_BYTES = 18L * ROWS;
    private static final long SCALES = 16L * ROWS;

    private final long rowBytes;
    private final int blocks;

    /** The groups of the first {@code rows / ROWS · ROWS} rows of a Q4_0 tensor of {@code cols} columns. */
    Q4_0RowGroups(MemorySegment source, long rows, int cols) {
        super(source, rows, ROWS, 18L * (cols / 32), (cols / 32) * BLOCK_BYTES);
        this.blocks = cols / 32;
        this.rowBytes = 18L * blocks;
    }

    /**
     * {@code out[outOff + r] = W[r]·x} for the rows of groups {@code [groupFrom, groupTo)}, {@code x} laid out as Q8_0
     * integers. One method on purpose: with the block's sum in a method of its own, that method was at times compiled
     * on its own first, was then too big to inline, and boxed every vector it returned and added (2.8 GB of garbage
     * per E2B token).
     */
    void matVec(QuantizedVector x, float[] out, int outOff, int groupFrom, int groupTo) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums();
        for (int g = groupFrom; g < groupTo; g++) {
            long base = laidOut(g);
            FloatVector acc0 = FloatVector.zero(HALF);
            FloatVector acc1 = FloatVector.zero(HALF);
            for (int b = 0; b < blocks; b++) {
                long o = base + b * BLOCK_BYTES;
                // Σ q·x_q per row, modulo 2^16: q the unsigned nibbles of chunk c, columns 2c and 2c + 1
                ShortVector sum = ShortVector.zero(S);
                for (int c = 0, xo = 32 * b; c < 16; c++, xo += 2) {
                    ShortVector w = (ShortVector) ByteVector.fromMemorySegment(B, packed, o + (long) c * ROWS, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    sum = sum.add(w.and((short) 0xF).mul(xq[xo])).add(w.lanewise(VectorOperators.LSHR, 4).mul(xq[xo + 1]));
                }
                sum = sum.sub((short) (8 * xs[b]));
                // fp16 d as a float 2^-112 times as large: the sign and the 15 other bits moved up by 13 (exact, also
                // for subnormal d); the 2^112 goes into d_x, itself an fp16 value (at most 65504), so d_x·2^112 stays
                // finite and (d·2^-112)·(d_x·2^112) rounds to exactly d·d_x
                ShortVector h = ShortVector.fromMemorySegment(S, packed, o + SCALES, ByteOrder.LITTLE_ENDIAN);
                float dx = xd[b] * 0x1p112f;
                FloatVector d0 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000).reinterpretAsFloats();
                FloatVector d1 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000).reinterpretAsFloats();
                acc0 = ((FloatVector) sum.convertShape(VectorOperators.S2F, HALF, 0)).fma(d0.mul(dx), acc0);
                acc1 = ((FloatVector) sum.convertShape(VectorOperators.S2F, HALF, 1)).fma(d1.mul(dx), acc1);
            }
            acc0.intoArray(out, outOff + g * ROWS);
            acc1.intoArray(out, outOff + g * ROWS + ROWS / 2);
        }
    }

    /** Plain scalar twin of {@link #matVec}, on the same layout, summing in the same order. */
    void matVecScalar(QuantizedVector x, float[] out, int outOff, int groupFrom, int groupTo) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums();
        for (int g = groupFrom; g < groupTo; g++) {
            long base = laidOut(g);
            for (int r = 0; r < ROWS; r++) {
                float acc = 0f;
                for (int b = 0; b < blocks; b++) {
                    long o = base + b * BLOCK_BYTES;
                    int sum = 0;
                    for (int c = 0; c < 16; c++) {
                        int w = packed.get(ValueLayout.JAVA_BYTE, o + (long) c * ROWS + r) & 0xFF;
                        sum += ((w & 0xF) - 8) * xq[32 * b + 2 * c] + ((w >>> 4) - 8) * xq[32 * b + 2 * c + 1];
                    }
                    acc = Math.fma(sum, LittleEndian.f16(packed, o + SCALES + 2L * r) * xd[b], acc);
                }
                out[outOff + g * ROWS + r] = acc;
            }
        }
    }

    /**
     * Group {@code g} from the file's layout: its rows (contiguous in the file) copied to the heap, laid out there with
     * plain array code (fast even before the JIT compiles it: per-byte segment accesses made the first request 5 s
     * slower), copied in. The values {@code 0..15} of a Q4_0 block are the low nibbles of its 16 bytes,
     * {@code 16..31} the high ones. Two threads laying out the same group write the same bytes.
     */
    @Override
    void layOut(int g, long base) {
        byte[] src = sourceRows(g);
        int size = Math.toIntExact(blocks * BLOCK_BYTES);
        byte[] dst = KernelScratch.layoutTarget(size); // every byte of it is written below
        for (int r = 0; r < ROWS; r++) {
            for (int b = 0; b < blocks; b++) {
                int from = r * (int) rowBytes + 18 * b + 2;
                int to = b * (int) BLOCK_BYTES + r;
                dst[b * (int) BLOCK_BYTES + (int) SCALES + 2 * r] = src[from - 2]; // d, fp16 as in the file
                dst[b * (int) BLOCK_BYTES + (int) SCALES + 2 * r + 1] = src[from - 1];
                for (int c = 0; c < 8; c++) { // columns 2c, 2c + 1: low nibbles of bytes 2c, 2c + 1
                    dst[to + c * ROWS] = (byte) (src[from + 2 * c] & 0xF | (src[from + 2 * c + 1] & 0xF) << 4);
                }
                for (int c = 0; c < 8; c++) { // columns 16 + 2c, 17 + 2c: their high nibbles
                    dst[to + (8 + c) * ROWS] = (byte) ((src[from + 2 * c] & 0xFF) >>> 4 | src[from + 2 * c + 1] & 0xF0);
                }
            }
        }
        MemorySegment.copy(dst, 0, packed, ValueLayout.JAVA_BYTE, base, size);
    }
}
