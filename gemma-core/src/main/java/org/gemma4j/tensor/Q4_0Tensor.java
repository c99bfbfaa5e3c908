package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0: blocks of 32 values {@code d · (q - 8)}, {@code d} fp16, 16 bytes of nibbles (18 bytes): byte
 * {@code j} holds value {@code j} in its low nibble and value {@code j + 16} in its high nibble.
 */
final class Q4_0Tensor extends BlockTensor {
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    Q4_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q4_0, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        for (int j = 0; j < 16; j++) {
            int q = LittleEndian.u8(s, off + 2 + j);
            out[o + j] = d * ((q & 0xF) - 8);
            out[o + j + 16] = d * ((q >>> 4) - 8);
        }
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        if (16 % F.length() != 0) {
            return super.dot(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 18L * b;
            int xo = xOff + 32 * b;
            FloatVector block = FloatVector.zero(F);
            for (int j = 0; j < 16; j += F.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
                FloatVector lo = (FloatVector) q.and((byte) 0xF).sub((byte) 8).castShape(F, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).castShape(F, 0);
                block = lo.fma(FloatVector.fromArray(F, x, xo + j), block);
                block = hi.fma(FloatVector.fromArray(F, x, xo + 16 + j), block);
            }
            acc = block.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return LaneSum.of(acc);
    }
}
