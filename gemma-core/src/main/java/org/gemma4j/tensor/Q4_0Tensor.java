package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0: blocks of 32 values {@code (q - 8) · d}: {@code d} fp16, then 16 bytes of 4-bit {@code q} (18 bytes).
 * Byte {@code j} holds value {@code j} in its low nibble and value {@code j + 16} in its high nibble.
 */
final class Q4_0Tensor extends BlockTensor {
    private static final int QS = 2;

    Q4_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_0, ne, data);
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        int b = LittleEndian.u8(s, off + QS + (i & 15));
        int q = i < 16 ? b & 0xF : b >>> 4;
        return (q - 8) * LittleEndian.f16(s, off);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        for (int j = 0; j < 16; j += L) {
            IntVector q = Simd.u8(s, off + QS, j);
            Simd.toFloat(lo(q)).mul(d).intoArray(out, o + j);
            Simd.toFloat(hi(q)).mul(d).intoArray(out, o + j + 16);
        }
    }

    /** Per block: {@code Σ (q-8)·x} in registers, then one fused multiply-add by {@code d}. */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
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
            for (int j = 0; j < 16; j += L) {
                IntVector q = Simd.u8(s, off + QS, j);
                qx = Simd.toFloat(lo(q)).fma(FloatVector.fromArray(F, x, xo + j), qx);
                qx = Simd.toFloat(hi(q)).fma(FloatVector.fromArray(F, x, xo + j + 16), qx);
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return LaneSum.of(acc);
    }

    private static IntVector lo(IntVector q) {
        return q.and(0xF).sub(8);
    }

    private static IntVector hi(IntVector q) {
        return q.lanewise(VectorOperators.LSHR, 4).sub(8);
    }
}
