package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;

/** IEEE half-precision values (one "block" per value). */
final class F16Tensor extends BlockTensor {
    F16Tensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.F16, ne, data);
    }

    @Override
    void dequantizeBlock(MemorySegment s, long off, float[] out, int o) {
        out[o] = LittleEndian.f16(s, off);
    }

    @Override
    public float dot(long row, float[] x, int xOff) {
        // Convert in chunks into a buffer, then vector FMAs (fp16→fp32 is a scalar intrinsic here).
        MemorySegment s = data();
        long base = row * rowBytes();
        float[] w = new float[Math.min(cols(), 1024)];
        jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.zero(F);
        float tail = 0f;
        for (int c0 = 0; c0 < cols(); c0 += w.length) {
            int len = Math.min(w.length, cols() - c0);
            for (int i = 0; i < len; i++) {
                w[i] = LittleEndian.f16(s, base + 2L * (c0 + i));
            }
            int i = 0;
            for (int upper = F.loopBound(len); i < upper; i += F.length()) {
                acc = jdk.incubator.vector.FloatVector.fromArray(F, w, i).fma(jdk.incubator.vector.FloatVector.fromArray(F, x, xOff + c0 + i), acc);
            }
            for (; i < len; i++) {
                tail += w[i] * x[xOff + c0 + i];
            }
        }
        return LaneSum.of(acc) + tail;
    }
}
