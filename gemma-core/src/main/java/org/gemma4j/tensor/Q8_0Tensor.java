package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Q8_0: blocks of 32 values {@code q · d}: {@code d} fp16, then 32 int8 {@code q} (34 bytes). */
final class Q8_0Tensor extends BlockTensor {
    private static final int QS = 2;

    Q8_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q8_0, ne, data);
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        return LittleEndian.i8(s, off + QS + i) * LittleEndian.f16(s, off);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        for (int j = 0; j < 32; j += L) {
            Simd.i8f(s, off + QS, j).mul(d).intoArray(out, o + j);
        }
    }

    /** Per block: {@code Σ q·x} in registers, then one fused multiply-add by {@code d}. */
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
            long off = base + 34L * b;
            int xo = xOff + 32 * b;
            FloatVector qx = FloatVector.zero(F);
            for (int j = 0; j < 32; j += L) {
                qx = Simd.i8f(s, off + QS, j).fma(FloatVector.fromArray(F, x, xo + j), qx);
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return LaneSum.of(acc);
    }
}
