package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IQ4_NL: blocks of 32 values {@code d · LEVELS[q]} ({@link Iq4Levels}): {@code d} fp16, then 16 bytes of 4-bit
 * indices laid out as in Q4_0 (18 bytes).
 */
final class IQ4NLTensor extends BlockTensor {
    private static final int QS = 2;

    IQ4NLTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.IQ4_NL, ne, data);
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
        int b = LittleEndian.u8(s, off + QS + (i & 15));
        return LittleEndian.f16(s, off) * Iq4Levels.LEVELS[i < 16 ? b & 0xF : b >>> 4];
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Iq4Levels.VECTOR) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        for (int i = 0; i < 32; i += L) {
            Simd.toFloat(level(s, off, i)).mul(d).intoArray(out, o + i);
        }
    }

    /** Per block: {@code Σ level·x} in registers, then one fused multiply-add by {@code d}. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Iq4Levels.VECTOR) {
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 18L * b;
            int xo = xOff + 32 * b;
            FloatVector qx = FloatVector.zero(F);
            for (int i = 0; i < 32; i += L) {
                qx = Simd.toFloat(level(s, off, i)).fma(FloatVector.fromArray(F, x, xo + i), qx);
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return LaneSum.of(acc);
    }

    /** The levels of values {@code i .. i+L}: low nibbles of bytes {@code i..} for {@code i < 16}, else high nibbles. */
    private static IntVector level(MemorySegment s, long off, int i) {
        IntVector nibbles = Simd.u8(s, off + QS, i & 15).lanewise(VectorOperators.LSHR, (i & 16) >> 2).and(0xF);
        return Iq4Levels.lookup(nibbles);
    }
}
