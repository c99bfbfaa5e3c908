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

/**
 * Q5_0: blocks of 32 values {@code (q - 16) · d} with 5-bit {@code q}: {@code d} fp16, a little-endian 32-bit
 * word {@code qh} whose bit {@code i} is bit 4 of value {@code i}, then the low 4 bits as in Q4_0 (22 bytes).
 */
final class Q5_0Tensor extends BlockTensor {
    private static final int QH = 2;
    private static final int QS = 6;

    Q5_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q5_0, ne, data);
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        int b = LittleEndian.u8(s, off + QS + (i & 15));
        int q = (i < 16 ? b & 0xF : b >>> 4) | ((LittleEndian.i32(s, off + QH) >>> i) & 1) << 4;
        return (q - 16) * LittleEndian.f16(s, off);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        FloatVector d = FloatVector.broadcast(F, LittleEndian.f16(s, off));
        int qh = LittleEndian.i32(s, off + QH);
        for (int c = 0; c < 16; c += BL) {
            ByteVector q = Simd.bytes(s, off + QS + c);
            for (int p = 0; p < PARTS; p++) {
                IntVector qi = Simd.u8(q, p);
                int j = c + p * L;
                Simd.toFloat(lo(qi, qh, j)).mul(d).intoArray(out, o + j);
                Simd.toFloat(hi(qi, qh, j)).mul(d).intoArray(out, o + j + 16);
            }
        }
    }

    /** Per block: {@code Σ (q-16)·x} in registers, then one fused multiply-add by {@code d}. */
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
            long off = base + 22L * b;
            int xo = xOff + 32 * b;
            int qh = LittleEndian.i32(s, off + QH);
            FloatVector qx = FloatVector.zero(F);
            for (int c = 0; c < 16; c += BL) {
                ByteVector q = Simd.bytes(s, off + QS + c);
                for (int p = 0; p < PARTS; p++) {
                    IntVector qi = Simd.u8(q, p);
                    int j = c + p * L;
                    qx = Simd.toFloat(lo(qi, qh, j)).fma(FloatVector.fromArray(F, x, xo + j), qx);
                    qx = Simd.toFloat(hi(qi, qh, j)).fma(FloatVector.fromArray(F, x, xo + j + 16), qx);
                }
            }
            acc = qx.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Values {@code j .. j+L}: low nibbles with their fifth bit, minus 16. */
    private static IntVector lo(IntVector q, int qh, int j) {
        return q.and(0xF).or(Simd.bit4(qh, j)).sub(16);
    }

    /** Values {@code j+16 .. j+16+L}: high nibbles with their fifth bit, minus 16. */
    private static IntVector hi(IntVector q, int qh, int j) {
        return q.lanewise(VectorOperators.LSHR, 4).or(Simd.bit4(qh, j + 16)).sub(16);
    }
}
