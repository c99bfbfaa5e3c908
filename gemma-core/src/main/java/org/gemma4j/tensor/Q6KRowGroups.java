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
 * {@link #ROWS} rows at a time, one row per 16-bit lane, in 212 bytes per row and super-block against the file's 210
 * (6.6 bits per weight). Per group and 256-column super-block, in the order the product reads them: for each
 * 16-column sub-block two units of 8 columns, each three chunks of {@code ROWS} little-endian 16-bit words, then the
 * rows' int8 scales; after the 16 sub-blocks the rows' {@code d} widened to fp32 (converting fp16 in the loop cost C2
 * enough nodes to stop inlining the kernel's vector calls, which then boxed). A unit's columns {@code c0..c7} (the
 * unsigned 6-bit {@code q}) sit in its words {@code w1, w2, w3} as
 * <pre>
 *   bits      0-5   6-9                     10-15
 *   w1        c0    c6 bits 0-3             c1
 *   w2        c2    c6 bits 4-5, c7 bits 0-1 c3
 *   w3        c4    c7 bits 2-5             c5
 * </pre>
 * so six columns take one mask or one shift each, and the two split ones two shifts, a mask and a blend: 14
 * operations per 8 columns of {@code ROWS} weights, against 8 sign extensions for one byte per weight.
 *
 * <p>Why not a byte per weight (8.6 bits, simpler)? Decode reads the weights from memory, and a Q4_0 or Q4_K_M file
 * keeps its output head (E2B: 262 144 rows, a fifth of a Q4_0 decode step) and half its {@code ffn_down}s in Q6_K.
 * The E2B head (262 144 × 1536) on two threads, alternating processes: 13.0–15.1 ms at 8.6 bits, 10.4–12.6 ms here;
 * whole E2B decode 16.5–16.6 → 16.9–17.2 tok/s on Q4_0, 14.0–14.1 → 14.8–15.9 on Q4_K_M. Laying the head out (once,
 * on the first product) takes 1.5–1.7 s against 1.35 s.
 *
 * <p>The unsigned {@code q} go in as they are: the products {@code q·x_q} of 8 columns are summed in 16 bits, exact
 * modulo {@code 2^16}, and {@code Σ (q - 32)·x_q = Σ q·x_q - 32·Σx_q} is at most {@code 8·32·127 = 32512} in size,
 * so exact once {@code 32·Σx_q} ({@link QuantizedVector#sums8}) is subtracted. The two 8-column sums are widened and
 * added in 32 bits, multiplied by the sub-block's scale and summed over the super-block in 32 bits (at most
 * {@code 16·128·65024 < 2^31}), then converted once, times {@code d·d_x}.
 *
 * <p>Laid out as {@link Q4_0RowGroups} is (by the product that first needs a group, off the heap, freed with the
 * tensor). Thread safety: as {@link Q4_0RowGroups}.
 */
final class Q6KRowGroups extends RowGroups {
    /** Bytes of one chunk: a 16-bit word per row. */
    private static final int CHUNK = 2 * ROWS;
    /** Per 16-column sub-block: two units of three chunks, then the rows' scales (read in address order). */
    private static final int SUB_BYTES = 6 * CHUNK + ROWS;
    private static final int SCALES = 6 * CHUNK;
    private static final int D = 16 * SUB_BYTES;
    private static final long BLOCK_BYTES = D + 4L * ROWS;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
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
        int[] xs = x.sums8();
        for (int g = groupFrom; g < groupTo; g++) {
            long base = laidOut(g);
            FloatVector acc0 = FloatVector.zero(HALF);
            FloatVector acc1 = FloatVector.zero(HALF);
            for (int sb = 0; sb < blocks; sb++) {
                long o = base + sb * BLOCK_BYTES;
                IntVector sum0 = IntVector.zero(I);
                IntVector sum1 = IntVector.zero(I);
                for (int j = 0; j < 16; j++) {
                    long s = o + (long) j * SUB_BYTES;
                    // the sub-block's Σ (q - 32)·x_q per row in 32 bits, its first 16 rows, then the next 16
                    IntVector part0 = IntVector.zero(I);
                    IntVector part1 = IntVector.zero(I);
                    // a loop over the two units, not two copies of its body: with two, C2 reached its node count
                    // limit while inlining and left calls that boxed their vectors
                    for (int u = 0; u < 2; u++) {
                        long at = s + 3L * u * CHUNK;
                        int xo = 256 * sb + 16 * j + 8 * u;
                        ShortVector w1 = ShortVector.fromMemorySegment(S, packed, at, ByteOrder.LITTLE_ENDIAN);
                        ShortVector w2 = ShortVector.fromMemorySegment(S, packed, at + CHUNK, ByteOrder.LITTLE_ENDIAN);
                        ShortVector w3 = ShortVector.fromMemorySegment(S, packed, at + 2 * CHUNK, ByteOrder.LITTLE_ENDIAN);
                        ShortVector unit = w1.and((short) 0x3F).mul(xq[xo])
                                .add(w1.lanewise(VectorOperators.LSHR, 10).mul(xq[xo + 1]))
                                .add(w2.and((short) 0x3F).mul(xq[xo + 2]))
                                .add(w2.lanewise(VectorOperators.LSHR, 10).mul(xq[xo + 3]))
                                .add(w3.and((short) 0x3F).mul(xq[xo + 4]))
                                .add(w3.lanewise(VectorOperators.LSHR, 10).mul(xq[xo + 5]))
                                .add(w1.lanewise(VectorOperators.LSHR, 6).and((short) 0xF)
                                        .lanewise(VectorOperators.BITWISE_BLEND, w2.lanewise(VectorOperators.LSHR, 2), (short) 0x30)
                                        .mul(xq[xo + 6]))
                                .add(w2.lanewise(VectorOperators.LSHR, 8).and((short) 0x3)
                                        .lanewise(VectorOperators.BITWISE_BLEND, w3.lanewise(VectorOperators.LSHR, 4), (short) 0x3C)
                                        .mul(xq[xo + 7]))
                                .sub((short) (32 * xs[xo / 8]));
                        part0 = part0.add((IntVector) unit.convertShape(VectorOperators.S2I, I, 0));
                        part1 = part1.add((IntVector) unit.convertShape(VectorOperators.S2I, I, 1));
                    }
                    ByteVector sc = ByteVector.fromMemorySegment(B, packed, s + SCALES, ByteOrder.LITTLE_ENDIAN);
                    sum0 = sum0.add(part0.mul((IntVector) sc.convertShape(VectorOperators.B2I, I, 0)));
                    sum1 = sum1.add(part1.mul((IntVector) sc.convertShape(VectorOperators.B2I, I, 1)));
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
                        long s = o + (long) j * SUB_BYTES;
                        int part = 0;
                        for (int k = 0; k < 16; k++) {
                            part += (q(s, r, k) - 32) * xq[256 * sb + 16 * j + k];
                        }
                        sum += part * packed.get(ValueLayout.JAVA_BYTE, s + SCALES + r);
                    }
                    acc = Math.fma(sum, packed.get(FLOAT, o + D + 4L * r) * xd[8 * sb], acc);
                }
                out[outOff + g * ROWS + r] = acc;
            }
        }
    }

    /** Column {@code k} of a sub-block laid out at {@code s}, row {@code r}: the unsigned {@code q}, as the table above. */
    private int q(long s, int r, int k) {
        long unit = s + (k / 8) * 3L * CHUNK + 2L * r;
        int w1 = packed.get(SHORT, unit) & 0xFFFF;
        int w2 = packed.get(SHORT, unit + CHUNK) & 0xFFFF;
        int w3 = packed.get(SHORT, unit + 2 * CHUNK) & 0xFFFF;
        return switch (k % 8) {
            case 0 -> w1 & 0x3F;
            case 1 -> w1 >>> 10;
            case 2 -> w2 & 0x3F;
            case 3 -> w2 >>> 10;
            case 4 -> w3 & 0x3F;
            case 5 -> w3 >>> 10;
            case 6 -> (w1 >>> 6 & 0xF) | (w2 >>> 6 & 0x3) << 4;
            default -> (w2 >>> 8 & 0x3) | (w3 >>> 6 & 0xF) << 2;
        };
    }

    /**
     * Group {@code g} from the file's layout (see {@link Q6KTensor}), on the heap as in {@link Q4_0RowGroups}, one
     * super-block at a time. Two threads laying out the same group write the same bytes.
     */
    @Override
    void layOut(int g, long base) {
        byte[] src = sourceRows(g);
        byte[] laid = KernelScratch.layoutTarget((int) BLOCK_BYTES); // every byte of it is written below
        int[] q = new int[256];
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
                        q[col] = lo & 0xF | (hi & 3) << 4;
                        q[col + 32] = lo2 & 0xF | (hi >>> 2 & 3) << 4;
                        q[col + 64] = lo >>> 4 | (hi >>> 4 & 3) << 4;
                        q[col + 96] = lo2 >>> 4 | (hi >>> 6) << 4;
                    }
                }
                for (int unit = 0; unit < 32; unit++) {
                    int c = 8 * unit;
                    int at = (unit / 2) * SUB_BYTES + (unit % 2) * 3 * CHUNK + 2 * r;
                    putWord(laid, at, q[c] | (q[c + 6] & 0xF) << 6 | q[c + 1] << 10);
                    putWord(laid, at + CHUNK, q[c + 2] | (q[c + 6] >>> 4) << 6 | (q[c + 7] & 0x3) << 8 | q[c + 3] << 10);
                    putWord(laid, at + 2 * CHUNK, q[c + 4] | (q[c + 7] >>> 2) << 6 | q[c + 5] << 10);
                }
            }
            MemorySegment.copy(laid, 0, packed, ValueLayout.JAVA_BYTE, base + sb * BLOCK_BYTES, (int) BLOCK_BYTES);
        }
    }

    private static void putWord(byte[] a, int at, int word) {
        a[at] = (byte) word;
        a[at + 1] = (byte) (word >>> 8);
    }
}
