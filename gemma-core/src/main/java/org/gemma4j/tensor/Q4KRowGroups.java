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
 * A Q4_K tensor's weights laid out again for the one-token product, as {@link Q4_0RowGroups} does for Q4_0:
 * {@link #ROWS} rows at a time, one row per 16-bit lane. Per group and 256-column super-block, in the order the
 * product reads them: for each 32-column sub-block 16 chunks of {@code ROWS} bytes, chunk {@code c} holding column
 * {@code 2c} of each row in the low nibble and {@code 2c+1} in the high one, then the rows' 6-bit scales {@code sc}
 * and mins {@code m} (a chunk each); after the 8 sub-blocks the {@code ROWS} fp32 {@code d} and {@code dmin} (4.75
 * bits per weight against 4.5 in the file). Address order matters: with the scales and mins ahead of the values the
 * product ran at 72–78 ps per weight from memory (one thread, 1536 columns), scales after values 58, fully in order
 * 30–32 (as from L2; the file's layout with the float product: 86–108).
 *
 * <p>A row's value is {@code d·sc·q - dmin·m}. Per sub-block, {@code Σ q·x_q} is summed in 16 bits as in Q4_0
 * (exact once {@code 8·Σx_q} is taken out, then put back in 32 bits: at most {@code 32·15·127 = 60960}); the
 * super-block sums {@code Σ sc·Σq·x_q} and {@code Σ m·Σx_q} in 32 bits (at most {@code 8·63·60960 < 2^31}), then
 * converts them once: {@code d_x·(d·Σ sc·Σq·x_q - dmin·Σ m·Σx_q)}.
 *
 * <p>Laid out as {@link Q4_0RowGroups} is (by the product that first needs a group, off the heap, freed with the
 * tensor). Thread safety: as {@link Q4_0RowGroups}.
 */
final class Q4KRowGroups extends RowGroups {
    /** Per sub-block: 16 chunks of nibble pairs, the scales, the mins (read in address order). */
    private static final int SUB_BYTES = 18 * ROWS;
    private static final int QUANTS = 0;
    private static final int SCALES = 16 * ROWS;
    private static final int MINS = 17 * ROWS;
    private static final int D = 8 * SUB_BYTES;
    private static final int DMIN = D + 4 * ROWS;
    private static final long BLOCK_BYTES = DMIN + 4L * ROWS;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long rowBytes;
    private final int blocks;

    /** The groups of the first {@code rows / ROWS · ROWS} rows of a Q4_K tensor of {@code cols} columns. */
    Q4KRowGroups(MemorySegment source, long rows, int cols) {
        super(source, rows, ROWS, 144L * (cols / 256), (cols / 256) * BLOCK_BYTES);
        this.blocks = cols / 256;
        this.rowBytes = 144L * blocks;
    }

    /**
     * {@code out[outOff + r] = W[r]·x} for the rows of groups {@code [groupFrom, groupTo)}, {@code x} laid out as Q8_K
     * integers. One method, as in {@link Q4_0RowGroups#matVec}.
     */
    void matVec(QuantizedVector x, float[] out, int outOff, int groupFrom, int groupTo) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums();
        for (int g = groupFrom; g < groupTo; g++) {
            long base = laidOut(g);
            FloatVector acc0 = FloatVector.zero(HALF);
            FloatVector acc1 = FloatVector.zero(HALF);
            for (int sb = 0; sb < blocks; sb++) {
                long o = base + sb * BLOCK_BYTES;
                IntVector scaled0 = IntVector.zero(I); // Σ sc·Σq·x_q
                IntVector scaled1 = IntVector.zero(I);
                IntVector mins0 = IntVector.zero(I);   // Σ m·Σx_q
                IntVector mins1 = IntVector.zero(I);
                for (int j = 0; j < 8; j++) {
                    long q = o + (long) j * SUB_BYTES + QUANTS;
                    ShortVector sum = ShortVector.zero(S);
                    for (int c = 0, xo = 256 * sb + 32 * j; c < 16; c++, xo += 2) {
                        ShortVector w = (ShortVector) ByteVector.fromMemorySegment(B, packed, q + (long) c * ROWS, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                        sum = sum.add(w.and((short) 0xF).mul(xq[xo])).add(w.lanewise(VectorOperators.LSHR, 4).mul(xq[xo + 1]));
                    }
                    int xsum = xs[8 * sb + j];
                    sum = sum.sub((short) (8 * xsum)); // Σ(q - 8)·x_q, exact
                    ByteVector sc = ByteVector.fromMemorySegment(B, packed, q - QUANTS + SCALES, ByteOrder.LITTLE_ENDIAN);
                    ByteVector m = ByteVector.fromMemorySegment(B, packed, q - QUANTS + MINS, ByteOrder.LITTLE_ENDIAN);
                    scaled0 = scaled0.add(((IntVector) sum.convertShape(VectorOperators.S2I, I, 0)).add(8 * xsum)
                            .mul((IntVector) sc.convertShape(VectorOperators.B2I, I, 0)));
                    scaled1 = scaled1.add(((IntVector) sum.convertShape(VectorOperators.S2I, I, 1)).add(8 * xsum)
                            .mul((IntVector) sc.convertShape(VectorOperators.B2I, I, 1)));
                    mins0 = mins0.add(((IntVector) m.convertShape(VectorOperators.B2I, I, 0)).mul(xsum));
                    mins1 = mins1.add(((IntVector) m.convertShape(VectorOperators.B2I, I, 1)).mul(xsum));
                }
                float dx = xd[8 * sb];
                acc0 = ((FloatVector) scaled0.convertShape(VectorOperators.I2F, HALF, 0))
                        .fma(FloatVector.fromMemorySegment(HALF, packed, o + D, ByteOrder.LITTLE_ENDIAN).mul(dx), acc0);
                acc1 = ((FloatVector) scaled1.convertShape(VectorOperators.I2F, HALF, 0))
                        .fma(FloatVector.fromMemorySegment(HALF, packed, o + D + 2L * ROWS, ByteOrder.LITTLE_ENDIAN).mul(dx), acc1);
                acc0 = ((FloatVector) mins0.convertShape(VectorOperators.I2F, HALF, 0))
                        .fma(FloatVector.fromMemorySegment(HALF, packed, o + DMIN, ByteOrder.LITTLE_ENDIAN).mul(-dx), acc0);
                acc1 = ((FloatVector) mins1.convertShape(VectorOperators.I2F, HALF, 0))
                        .fma(FloatVector.fromMemorySegment(HALF, packed, o + DMIN + 2L * ROWS, ByteOrder.LITTLE_ENDIAN).mul(-dx), acc1);
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
                for (int sb = 0; sb < blocks; sb++) {
                    long o = base + sb * BLOCK_BYTES;
                    int scaled = 0;
                    int mins = 0;
                    for (int j = 0; j < 8; j++) {
                        int sum = 0;
                        for (int c = 0; c < 16; c++) {
                            int w = packed.get(ValueLayout.JAVA_BYTE, o + (long) j * SUB_BYTES + QUANTS + (long) c * ROWS + r) & 0xFF;
                            int xo = 256 * sb + 32 * j + 2 * c;
                            sum += (w & 0xF) * xq[xo] + (w >>> 4) * xq[xo + 1];
                        }
                        scaled += sum * packed.get(ValueLayout.JAVA_BYTE, o + (long) j * SUB_BYTES + SCALES + r);
                        mins += xs[8 * sb + j] * packed.get(ValueLayout.JAVA_BYTE, o + (long) j * SUB_BYTES + MINS + r);
                    }
                    float dx = xd[8 * sb];
                    acc = Math.fma(scaled, packed.get(FLOAT, o + D + 4L * r) * dx, acc);
                    acc = Math.fma(mins, packed.get(FLOAT, o + DMIN + 4L * r) * -dx, acc);
                }
                out[outOff + g * ROWS + r] = acc;
            }
        }
    }

    /**
     * Group {@code g} from the file's layout (see {@link Q4KTensor}), on the heap as in {@link Q4_0RowGroups}: in each
     * 64 values of a super-block, values {@code 0..31} (a sub-block) are the low nibbles of 32 bytes, {@code 32..63}
     * (the next) the high ones. Two threads laying out the same group write the same bytes.
     */
    @Override
    void layOut(int g, long base) {
        byte[] src = sourceRows(g);
        int size = Math.toIntExact(blocks * BLOCK_BYTES);
        byte[] dst = KernelScratch.layoutTarget(size); // every byte of it is written below
        for (int r = 0; r < ROWS; r++) {
            for (int sb = 0; sb < blocks; sb++) {
                int from = r * (int) rowBytes + 144 * sb;
                int to = sb * (int) BLOCK_BYTES;
                int dd = LittleEndian.i32(src, from);
                LittleEndian.putFloat(dst, to + D + 4 * r, LittleEndian.f16Low(dd));
                LittleEndian.putFloat(dst, to + DMIN + 4 * r, LittleEndian.f16High(dd));
                long scales = KQuantScales.packedScales(LittleEndian.i64(src, from + 4), LittleEndian.i32(src, from + 12));
                long mins = KQuantScales.packedMins(LittleEndian.i64(src, from + 4), LittleEndian.i32(src, from + 12));
                for (int j = 0; j < 8; j++) {
                    dst[to + j * SUB_BYTES + SCALES + r] = (byte) KQuantScales.at(scales, j);
                    dst[to + j * SUB_BYTES + MINS + r] = (byte) KQuantScales.at(mins, j);
                }
                for (int k = 0; k < 4; k++) { // sub-blocks 2k (low nibbles) and 2k + 1 (high) from 32 bytes
                    int q = from + 16 + 32 * k;
                    int low = to + 2 * k * SUB_BYTES + QUANTS + r;
                    int high = low + SUB_BYTES;
                    for (int c = 0; c < 16; c++) {
                        int b0 = src[q + 2 * c] & 0xFF;
                        int b1 = src[q + 2 * c + 1] & 0xFF;
                        dst[low + c * ROWS] = (byte) (b0 & 0xF | (b1 & 0xF) << 4);
                        dst[high + c * ROWS] = (byte) (b0 >>> 4 | b1 & 0xF0);
                    }
                }
            }
        }
        MemorySegment.copy(dst, 0, packed, ValueLayout.JAVA_BYTE, base, size);
    }
}
