package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16 values: the top 16 bits of a float32. */
final class BF16Tensor extends BlockTensor {
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, jdk.incubator.vector.VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    BF16Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.BF16, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        out[o] = Float.intBitsToFloat((s.get(LittleEndian.SHORT, off) & 0xFFFF) << 16);
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int n = cols();
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += F.length()) {
            ShortVector h = ShortVector.fromMemorySegment(S, s, base + 2L * i, ByteOrder.LITTLE_ENDIAN);
            // Widen to int (sign bits land above bit 16 and are shifted out), move to the top half: the float bits.
            FloatVector w = ((IntVector) h.castShape(I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc = w.fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = LaneSum.of(acc);
        for (; i < n; i++) {
            sum += Float.intBitsToFloat((s.get(LittleEndian.SHORT, base + 2L * i) & 0xFFFF) << 16) * x[xOff + i];
        }
        return sum;
    }
}
