package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K: super-blocks of 256 values in 16 groups of 16, value {@code (d·(sc-32))·(q - 4 + 4·h)} with 2-bit {@code q}
 * and a high bit {@code h}: 32 bytes {@code hmask}, 64 bytes {@code qs}, 12 bytes of 6-bit scales, {@code d} fp16
 * (110 bytes). {@code qs} is laid out as in Q2_K; value {@code 32j + l} of half {@code n} takes bit {@code 4n + j} of
 * {@code hmask[l]}. Scale {@code k}: low 4 bits from the nibbles of bytes 0-7 (byte {@code k} low nibble for
 * {@code k < 8}, byte {@code k-8} high nibble after), high 2 bits from bits {@code 2·(k/4)} of byte {@code 8 + k%4}.
 */
final class Q3KTensor extends BlockTensor {
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    Q3KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q3_K, ne, data);
    }

    /** The batched product compiled for this class alone: see {@link BlockTensor#matMul}. */
    @Override
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        super.matMul(in, out, outStride, rowFrom, rowTo);
    }

    /** The row decoder, this class's own loop: see {@link Tensor#matVec(float[], float[], int, int, int)}. */
    @Override
    void decodeRow(long row, float[] out) {
        MemorySegment s = data();
        long base = row * rowBytes();
        for (int b = 0, n = cols() / blockSize; b < n; b++) {
            decodeBlock(s, base + (long) b * blockBytes, out, b * blockSize);
        }
    }

    /** One row at a time, this class's own loop: see {@link Tensor#matVec(float[], float[], int, int, int)}. */
    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0);
        }
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        int half = i / 128;
        int j = i % 128 / 32;
        int l = i % 32;
        int low = (LittleEndian.u8(s, off + QS + 32 * half + l) >>> (2 * j)) & 3;
        int high = (LittleEndian.u8(s, off + l) >>> (4 * half + j)) & 1;
        int q = low - (high == 0 ? 4 : 0);
        int k = 8 * half + 2 * j + l / 16;
        int scLow = k < 8 ? LittleEndian.u8(s, off + SCALES + k) & 0xF : LittleEndian.u8(s, off + SCALES + k - 8) >>> 4;
        int scHigh = (LittleEndian.u8(s, off + SCALES + 8 + k % 4) >>> (2 * (k / 4))) & 3;
        float dl = LittleEndian.f16(s, off + D) * ((scLow | scHigh << 4) - 32);
        return dl * q;
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS || Simd.L < 8) { // with 4 lanes the vector decoder passes C2's inlining budget
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off + D);
        long lo = LittleEndian.i64(s, off + SCALES);
        int hi = LittleEndian.i32(s, off + SCALES + 8);
        for (int half = 0; half < 2; half++) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 32; l += L) { // L divides 16: a vector stays in one group
                    float dl = d * (scale(lo, hi, 8 * half + 2 * j + l / 16) - 32);
                    Simd.toFloat(q(s, off, half, j, l)).mul(dl).intoArray(out, o + 128 * half + 32 * j + l);
                }
            }
        }
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS || Simd.L < 8) { // with 4 lanes this kernel and the row decoder pass C2's budget
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 110L * b;
            float d = LittleEndian.f16(s, off + D);
            long lo = LittleEndian.i64(s, off + SCALES);
            int hi = LittleEndian.i32(s, off + SCALES + 8);
            for (int half = 0; half < 2; half++) {
                for (int j = 0; j < 4; j++) {
                    int xo = xOff + 256 * b + 128 * half + 32 * j;
                    for (int l = 0; l < 32; l += L) {
                        float dl = d * (scale(lo, hi, 8 * half + 2 * j + l / 16) - 32);
                        FloatVector w = Simd.toFloat(q(s, off, half, j, l)).mul(dl);
                        acc = w.fma(FloatVector.fromArray(F, x, xo + l), acc);
                    }
                }
            }
        }
        return LaneSum.of(acc);
    }

    /** The unsigned 6-bit scale {@code k} from the 12 scale bytes read as a long {@code lo} (0-7) and an int {@code hi} (8-11). */
    private static int scale(long lo, int hi, int k) {
        int low = (int) (lo >>> (8 * (k % 8) + 4 * (k / 8))) & 0xF;
        int high = (hi >>> (8 * (k % 4) + 2 * (k / 4))) & 3;
        return low | high << 4;
    }

    /** The signed values {@code l .. l+L} of run {@code j} of a half: 2 bits of {@code qs}, minus 4 unless the hmask bit is set. */
    private static IntVector q(MemorySegment s, long off, int half, int j, int l) {
        IntVector low = Simd.u8(s, off + QS + 32 * half, l).lanewise(VectorOperators.LSHR, 2 * j).and(3);
        IntVector high = Simd.u8(s, off, l).lanewise(VectorOperators.LSHR, 4 * half + j).and(1);
        return low.add(high.lanewise(VectorOperators.LSHL, 2)).sub(4);
    }
}
