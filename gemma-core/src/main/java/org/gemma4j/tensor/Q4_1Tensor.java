package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.BL;
import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;
import static org.gemma4j.tensor.Simd.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Q4_1: blocks of 32 values {@code q · d + m}: {@code d, m} fp16, then nibbles laid out as in Q4_0 (20 bytes). */
final class Q4_1Tensor extends BlockTensor {
    private static final int QS = 4;

    Q4_1Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_1, ne, data);
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        int b = LittleEndian.u8(s, off + QS + (i & 15));
        int q = i < 16 ? b & 0xF : b >>> 4;
        return q * LittleEndian.f16(s, off) + LittleEndian.f16(s, off + 2);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off);
        float m = LittleEndian.f16(s, off + 2);
        for (int c = 0; c < 16; c += BL) {
            ByteVector q = Simd.bytes(s, off + QS + c);
            for (int p = 0; p < PARTS; p++) {
                IntVector qi = Simd.u8(q, p);
                int j = o + c + p * L;
                Simd.toFloat(qi.and(0xF)).mul(d).add(m).intoArray(out, j);
                Simd.toFloat(qi.lanewise(VectorOperators.LSHR, 4)).mul(d).add(m).intoArray(out, j + 16);
            }
        }
    }

    /** Per block: {@code Σ q·x} and {@code Σ x} in registers, then {@code d·Σqx + m·Σx}. */
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
            long off = base + 20L * b;
            int xo = xOff + 32 * b;
            FloatVector qx = FloatVector.zero(F);
            FloatVector xs = FloatVector.zero(F);
            for (int c = 0; c < 16; c += BL) {
                ByteVector q = Simd.bytes(s, off + QS + c);
                for (int p = 0; p < PARTS; p++) {
                    IntVector qi = Simd.u8(q, p);
                    int j = xo + c + p * L;
                    FloatVector xl = FloatVector.fromArray(F, x, j);
                    FloatVector xh = FloatVector.fromArray(F, x, j + 16);
                    qx = Simd.toFloat(qi.and(0xF)).fma(xl, qx);
                    qx = Simd.toFloat(qi.lanewise(VectorOperators.LSHR, 4)).fma(xh, qx);
                    xs = xs.add(xl).add(xh);
                }
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
            acc = xs.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
