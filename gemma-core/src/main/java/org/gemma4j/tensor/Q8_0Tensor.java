package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Q8_0: blocks of 32 values {@code d · q}, {@code d} fp16, {@code q} int8 (34 bytes). */
final class Q8_0Tensor extends BlockTensor {
    // As many byte lanes as float lanes, so one byte load widens to one float vector.
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    Q8_0Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q8_0, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        float d = LittleEndian.f16(s, off);
        for (int i = 0; i < 32; i++) {
            out[o + i] = d * LittleEndian.i8(s, off + 2 + i);
        }
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        if (32 % F.length() != 0) {
            return super.dot(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + 34L * b;
            int xo = xOff + 32 * b;
            FloatVector block = FloatVector.zero(F);
            for (int i = 0; i < 32; i += F.length()) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(B, s, off + 2 + i, ByteOrder.LITTLE_ENDIAN).castShape(F, 0);
                block = q.fma(FloatVector.fromArray(F, x, xo + i), block);
            }
            acc = block.fma(FloatVector.broadcast(F, LittleEndian.f16(s, off)), acc);
        }
        return LaneSum.of(acc);
    }
}
