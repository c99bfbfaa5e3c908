package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.I;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half-precision values to floats with vectors, exactly as {@link Float#float16ToFloat}: for F16 weights and
 * an F16 KV cache. (A plain loop of {@code Float.float16ToFloat} stays scalar in C2: 64 rows of 256 values took 11 µs.)
 */
public final class HalfFloats {
    /** Shorts, one per float lane. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, 16 * F.length())));
    /** Whether {@link #S} has as many lanes as a float vector (not for vectors under 128 bits). */
    static final boolean VECTOR = S.length() == F.length();

    private HalfFloats() {}

    /**
     * Half-precision bits, zero-extended into int lanes, as floats. The magnitude's bits moved up to a float's places
     * are the value times {@code 2^-112} (a subnormal half lands on a subnormal float), so one exact multiplication
     * by {@code 2^112} rebiases normals, subnormals and zeros alike; infinities and NaNs take the all-ones float
     * exponent instead; then the sign. Nine operations where rebiasing normals by an integer add and making
     * subnormals with a conversion took fourteen: the attention of a global E2B layer at 2048 positions on an F16
     * cache, whose keys and values are converted here, one thread, builds alternating: 1283, 1325, 1316 → 1212, 1206,
     * 1233, 1240 µs; two threads 683, 734, 710 → 655, 643, 685, 603 µs. The price: a subnormal half (below
     * 6.1e-5) makes the multiplication take a subnormal operand, which some x86 cores (Intel's) finish with a
     * microcode assist: slower for such values, which are rare in caches and weights, and exact all the same.
     */
    static FloatVector of(IntVector h) {
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector scaled = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector bits = scaled.blend(shifted.or(0x7F800000), magnitude.compare(VectorOperators.GE, 0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** {@code dst[to + i] = float16ToFloat(half[from + i])} for {@code i < n}. */
    public static void toFloats(short[] half, int from, int n, float[] dst, int to) {
        int i = 0;
        if (VECTOR) {
            for (int upper = F.loopBound(n); i < upper; i += F.length()) {
                of((IntVector) ShortVector.fromArray(S, half, from + i).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0))
                        .intoArray(dst, to + i);
            }
        }
        for (; i < n; i++) {
            dst[to + i] = Float.float16ToFloat(half[from + i]);
        }
    }
}
