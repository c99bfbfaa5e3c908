package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half-precision values (a "block" is one value). */
final class F16Tensor extends BlockTensor {
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, 16 * F.length())));
    private static final boolean VECTOR = S.length() == F.length();

    F16Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.F16, ne, data);
    }

    /** The batched product compiled for this class alone: see {@link BlockTensor#matMul}. */
    @Override
    public void matMul(TokenBatch in, float[] out, int outStride, int rowFrom, int rowTo) {
        super.matMul(in, out, outStride, rowFrom, rowTo);
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
        return LittleEndian.f16(s, off);
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        out[o] = LittleEndian.f16(s, off);
    }

    @Override
    void decodeRow(long row, float[] out) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int n = cols();
        int i = 0;
        if (VECTOR) {
            for (int upper = F.loopBound(n); i < upper; i += F.length()) {
                toFloat(s, base + 2L * i).intoArray(out, i);
            }
        }
        for (; i < n; i++) {
            out[i] = LittleEndian.f16(s, base + 2L * i);
        }
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        MemorySegment s = data();
        long base = row * rowBytes();
        int n = cols();
        int i = 0;
        float sum = 0f;
        if (VECTOR) {
            FloatVector acc = FloatVector.zero(F);
            for (int upper = F.loopBound(n); i < upper; i += F.length()) {
                acc = toFloat(s, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc);
            }
            sum = LaneSum.of(acc);
        }
        for (; i < n; i++) {
            sum += LittleEndian.f16(s, base + 2L * i) * x[xOff + i];
        }
        return sum;
    }

    /**
     * {@code L} fp16 values at {@code off} as floats, exactly as {@link Float#float16ToFloat}, with integer operations
     * only where a float operation would touch a subnormal (which costs a microcode assist on x86): normals get the
     * exponent rebias (+112) added to their bits, subnormals and zeros are {@code mantissa · 2^-24} (exact),
     * infinities and NaNs the all-ones float exponent; then the sign.
     */
    private static FloatVector toFloat(MemorySegment s, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        IntVector magnitude = h.and(0x7FFF);
        IntVector exponent = h.and(0x7C00);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector normal = shifted.add(112 << 23);
        IntVector subnormal = ((FloatVector) magnitude.convertShape(VectorOperators.I2F, F, 0)).mul(0x1p-24f).reinterpretAsInts();
        IntVector special = shifted.or(0x7F800000);
        IntVector bits = normal.blend(subnormal, exponent.eq(0)).blend(special, exponent.eq(0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
