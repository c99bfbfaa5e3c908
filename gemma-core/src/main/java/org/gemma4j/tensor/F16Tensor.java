package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** IEEE half-precision values (a "block" is one value). */
final class F16Tensor extends BlockTensor {

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
        if (HalfFloats.VECTOR) {
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
        if (HalfFloats.VECTOR) {
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

    /** {@code L} fp16 values at {@code off} as floats, exactly as {@link Float#float16ToFloat}. */
    private static FloatVector toFloat(MemorySegment s, long off) {
        return HalfFloats.of((IntVector) ShortVector.fromMemorySegment(HalfFloats.S, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0));
    }
}
