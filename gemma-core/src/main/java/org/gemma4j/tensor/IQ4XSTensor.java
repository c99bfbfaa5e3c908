package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IQ4_XS: super-blocks of 256 values in 8 sub-blocks of 32, value {@code (d·(ls-32))·LEVELS[q]} ({@link Iq4Levels}):
 * {@code d} fp16, {@code scales_h} (16 bits: 2 high bits of each 6-bit {@code ls}), {@code scales_l} (4 bytes: the low
 * nibbles, sub-block {@code 2k} low, {@code 2k+1} high), then 16 bytes of indices per sub-block laid out as in
 * IQ4_NL (136 bytes).
 */
final class IQ4XSTensor extends BlockTensor {
    private static final int SCALES_H = 2;
    private static final int SCALES_L = 4;
    private static final int QS = 8;

    IQ4XSTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.IQ4_XS, ne, data);
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
        int sub = i / 32;
        int j = i % 32;
        int b = LittleEndian.u8(s, off + QS + 16 * sub + (j & 15));
        int q = j < 16 ? b & 0xF : b >>> 4;
        int ls = (LittleEndian.u8(s, off + SCALES_L + sub / 2) >>> (4 * (sub % 2)) & 0xF)
                | ((LittleEndian.u8(s, off + SCALES_H + sub / 4) >>> (2 * (sub % 4))) & 3) << 4;
        float dl = LittleEndian.f16(s, off) * (ls - 32);
        return dl * Iq4Levels.LEVELS[q];
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Iq4Levels.VECTOR) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        long head = LittleEndian.i64(s, off); // d, scales_h, scales_l
        float d = LittleEndian.f16Low((int) head);
        for (int sub = 0; sub < 8; sub++) {
            float dl = d * (scale(head, sub) - 32);
            for (int j = 0; j < 32; j += L) {
                Simd.toFloat(level(s, off, sub, j)).mul(dl).intoArray(out, o + 32 * sub + j);
            }
        }
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Iq4Levels.VECTOR) {
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 136L * b;
            long head = LittleEndian.i64(s, off);
            float d = LittleEndian.f16Low((int) head);
            for (int sub = 0; sub < 8; sub++) {
                int xo = xOff + 256 * b + 32 * sub;
                FloatVector qx = FloatVector.zero(F);
                for (int j = 0; j < 32; j += L) {
                    qx = Simd.toFloat(level(s, off, sub, j)).fma(FloatVector.fromArray(F, x, xo + j), qx);
                }
                acc = qx.fma(FloatVector.broadcast(F, d * (scale(head, sub) - 32)), acc);
            }
        }
        return LaneSum.of(acc);
    }

    /** The 6-bit {@code ls} of sub-block {@code sub} from the block's first 8 bytes read as one long. */
    private static int scale(long head, int sub) {
        int low = (int) (head >>> (32 + 4 * sub)) & 0xF;     // scales_l: bytes 4-7, one nibble per sub-block
        int high = (int) (head >>> (16 + 2 * sub)) & 3;      // scales_h: bytes 2-3, two bits per sub-block
        return low | high << 4;
    }

    private static IntVector level(MemorySegment s, long off, int sub, int j) {
        IntVector nibbles = Simd.u8(s, off + QS + 16 * sub, j & 15).lanewise(VectorOperators.LSHR, (j & 16) >> 2).and(0xF);
        return Iq4Levels.lookup(nibbles);
    }
}
