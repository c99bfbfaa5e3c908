package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Plain little-endian float32 values. */
final class F32Tensor extends Tensor {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F32Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.F32, ne, data);
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        MemorySegment.copy(data(), LE_FLOAT, row * rowBytes(), out, off, cols());
    }

    /** One row at a time, this class's own loop: see {@link Tensor#matVec(float[], float[], int, int, int)}. */
    @Override
    public void matVec(float[] x, float[] out, int outOff, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dot(r, x, 0);
        }
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        MemorySegment d = data();
        long base = row * rowBytes();
        int n = cols();
        int upper = F.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector w = FloatVector.fromMemorySegment(F, d, base + (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            acc = w.fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = LaneSum.of(acc);
        for (; i < n; i++) {
            sum += d.get(LE_FLOAT, base + (long) i * Float.BYTES) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public float dotScalar(long row, float[] x, int xOff) {
        MemorySegment d = data();
        long base = row * rowBytes();
        float sum = 0f;
        for (int i = 0; i < cols(); i++) {
            sum += d.get(LE_FLOAT, base + (long) i * Float.BYTES) * x[xOff + i];
        }
        return sum;
    }
}
