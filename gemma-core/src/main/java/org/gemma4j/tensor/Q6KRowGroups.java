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
 * A Q6_K tensor's weights laid out again for the one-token product, as {@link Q4_0RowGroups} does for Q4_0:
 * {@link #ROWS} rows at a time, one row per 16-bit lane. Per group and 256-column super-block, in the order the
 * product reads them: for each 16-column sub-block every column's {@code q - 32} as a signed byte per row (16 chunks
 * of {@code ROWS} bytes), then the rows' int8 scales; after the 16 sub-blocks the {@code ROWS} fp32 {@code d}:
 * 8.6 bits per weight against 6.6 in the file, for a product of one sign extension, one multiplication and one addition per {@code ROWS} weights
 * (unpacking the 6 bits in place would take ~8 operations more per four columns).
 *
 * <p>Eight products {@code (q - 32)·x_q} sum to at most {@code 8·32·127 = 32512}: each half of a 16-column sub-block
 * is summed in 16 bits, the halves widened and added in 32 bits, multiplied by the sub-block's scale and summed over
 * the super-block in 32 bits (at most {@code 16·128·65024 < 2^31}), then converted once, times {@code d·d_x}.
 *
 * <p>Measured (AVX-512, 1536 columns): one thread from memory 107–142 → 46–66 ps per weight against the file's
 * float product; the E2B output head (262 144 rows) on two threads 34 → 14–16 ms.
 *
 * <p>Laid out as {@link Q4_0RowGroups} is (by the product that first needs a group, off the heap, freed with the
 * tensor). Thread safety: as {@link Q4_0RowGroups}.
 */
final class Q6KRowGroups extends RowGroups {
    /** Per 16-column sub-block: 16 chunks of {@code q - 32}, then the rows' scales (read in address order). */
    private static final int SUB_BYTES = 17 * ROWS;
    private static final int SCALES = 16 * ROWS;
    private static final int D = 16 * SUB_BYTES;
    private static final long BLOCK_BYTES = D + 4L * ROWS;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long rowBytes;
    private final int blocks;

    /** The groups of the first {@code rows / ROWS · ROWS} rows of a Q6_K tensor of {@code cols} columns. */
    Q6KRowGroups(MemorySegment source, long rows, int cols) {
        super(source, rows, ROWS, 210L * (cols / 256), (cols / 256) * BLOCK_BYTES);
        this.blocks = cols / 256;
        this.rowBytes = 210L * blocks;
    }

    /**
     * {@code out[outOff + r] = W[r]·x} for the rows of groups {@code [groupFrom, groupTo)}, {@code x} laid out as Q8_K
     * integers. One method, as in {@link Q4_0RowGroups#matVec}.
     */
    void matVec(QuantizedVector x, float[] out, int outOff, int groupFrom, int groupTo) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        for (int g = groupFrom; g < groupTo; g++) {
            long base = laidOut(g);
            FloatVector acc0 = FloatVector.zero(HALF);
            FloatVector acc1 = FloatVector.zero(HALF);
            for (int sb = 0; sb < blocks; sb++) {
                long o = base + sb * BLOCK_BYTES;
                IntVector sum0 = IntVector.zero(I);
                IntVector sum1 = IntVector.zero(I);
                for (int j = 0; j < 16; j++) {
                    long q = o + (long) j * SUB_BYTES;
                    int xo = 256 * sb + 16 * j;
                    ShortVector first = ShortVector.zero(S); // columns 0..7 of the sub-block, then 8..15
                    ShortVector second = ShortVector.zero(S);
                    for (int k = 0; k < 8; k++) {
                        first = first.add(weights(q + (long) k * ROWS).mul(xq[xo + k]));
                        second = second.add(weights(q + (long) (k + 8) * ROWS).mul(xq[xo + k + 8]));
                    }
                    ByteVector sc = ByteVector.fromMemorySegment(B, packed, q + SCALES, ByteOrder.LITTLE_ENDIAN);
                    sum0 = sum0.add(((IntVector) first.convertShape(VectorOperators.S2I, I, 0))
                            .add((IntVector) second.convertShape(VectorOperators.S2I, I, 0))
                            .mul((IntVector) sc.convertShape(VectorOperators.B2I, I, 0)));
                    sum1 = sum1.add(((IntVector) first.convertShape(VectorOperators.S2I, I, 1))
                            .add((IntVector) second.convertShape(VectorOperators.S2I, I, 1))
                            .mul((IntVector) sc.convertShape(VectorOperators.B2I, I, 1)));
                }
                float dx = xd[8 * sb];
                acc0 = ((FloatVector) sum0.convertShape(VectorOperators.I2F, HALF, 0))
                        .fma(FloatVector.fromMemorySegment(HALF, packed, o + D, ByteOrder.LITTLE_ENDIAN).mul(dx), acc0);
                acc1 = ((FloatVector) sum1.convertShape(VectorOperators.I2F, HALF, 0))
                        .fma(FloatVector.fromMemorySegment(HALF, packed, o + D + 2L * ROWS, ByteOrder.LITTLE_ENDIAN).mul(dx), acc1);
            }
            acc0.intoArray(out, outOff + g * ROWS);
            acc1.intoArray(out, outOff + g * ROWS + ROWS / 2);
        }
    }

    /** One column's {@code q - 32} of every row of the group, sign-extended to shorts. */
    private ShortVector weights(long at) {
        return (ShortVector) ByteVector.fromMemorySegment(B, packed, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2S, S, 0);
    }

    /** Plain scalar twin of {@link #matVec}, on the same layout, summing in the same order. */
    void matVecScalar(QuantizedVector x, float[] out, int outOff, int groupFrom, int groupTo) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        for (int g = groupFrom; g < groupTo; g++) {
            long base = laidOut(g);
            for (int r = 0; r < ROWS; r++) {
                float acc = 0f;
                for (int sb = 0; sb < blocks; sb++) {
                    long o = base + sb * BLOCK_BYTES;
                    int sum = 0;
                    for (int j = 0; j < 16; j++) {
                        int part = 0;
                        for (int k = 0; k < 16; k++) {
                            part += packed.get(ValueLayout.JAVA_BYTE, o + (long) j * SUB_BYTES + (long) k * ROWS + r) * xq[256 * sb + 16 * j + k];
                        }
                        sum += part * packed.get(ValueLayout.JAVA_BYTE, o + (long) j * SUB_BYTES + SCALES + r);
                    }
                    acc = Math.fma(sum, packed.get(FLOAT, o + D + 4L * r) * xd[8 * sb], acc);
                }
                out[outOff + g * ROWS + r] = acc;
            }
        }
    }

    /**
     * Group {@code g} from the file's layout (see {@link Q6KTensor}), on the heap as in {@link Q4_0RowGroups}, one
     * super-block at a time. Two threads laying out the same group write the same bytes.
     */
    @Override
    void layOut(int g, long base) {
        byte[] src = sourceRows(g);
        byte[] laid = KernelScratch.layoutTarget((int) BLOCK_BYTES); // every byte of it is written below
        for (int sb = 0; sb < blocks; sb++) {
            for (int r = 0; r < ROWS; r++) {
                int from = r * (int) rowBytes + 210 * sb;
                LittleEndian.putFloat(laid, D + 4 * r, LittleEndian.f16(src, from + 208));
                for (int j = 0; j < 16; j++) {
                    laid[j * SUB_BYTES + SCALES + r] = src[from + 192 + j];
                }
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 32; l++) {
                        int lo = src[from + 64 * half + l] & 0xFF;
                        int lo2 = src[from + 64 * half + l + 32] & 0xFF;
                        int hi = src[from + 128 + 32 * half + l] & 0xFF;
                        int col = 128 * half + l;
                        laid[chunk(col) + r] = (byte) ((lo & 0xF | (hi & 3) << 4) - 32);
                        laid[chunk(col + 32) + r] = (byte) ((lo2 & 0xF | (hi >>> 2 & 3) << 4) - 32);
                        laid[chunk(col + 64) + r] = (byte) ((lo >>> 4 | (hi >>> 4 & 3) << 4) - 32);
                        laid[chunk(col + 96) + r] = (byte) ((lo2 >>> 4 | (hi >>> 6) << 4) - 32);
                    }
                }
            }
            MemorySegment.copy(laid, 0, packed, ValueLayout.JAVA_BYTE, base + sb * BLOCK_BYTES, (int) BLOCK_BYTES);
        }
    }

    /** Where column {@code col} of a super-block starts in its laid-out bytes: sub-block {@code col / 16}, chunk {@code col % 16}. */
    private static int chunk(int col) {
        return (17 * (col / 16) + col % 16) * ROWS;
    }
}
