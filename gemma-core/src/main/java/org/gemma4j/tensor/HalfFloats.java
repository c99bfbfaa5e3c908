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
     * Half-precision bits, zero-extended into int lanes, as floats. Integer operations only where a float operation
     * would touch a subnormal (which costs a microcode assist on x86): normals get the exponent rebias (+112) added
     * to their bits, subnormals and zeros are {@code mantissa · 2^-24} (exact), infinities and NaNs the all-ones
     * float exponent; then the sign.
     */
    static FloatVector of(IntVector h) {
        IntVector magnitude = h.and(0x7FFF);
        IntVector exponent = h.and(0x7C00);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector normal = shifted.add(112 << 23);
        IntVector subnormal = ((FloatVector) magnitude.convertShape(VectorOperators.I2F, F, 0)).mul(0x1p-24f).reinterpretAsInts();
        IntVector special = shifted.or(0x7F800000);
        IntVector bits = normal.blend(subnormal, exponent.eq(0)).blend(special, exponent.eq(0x7C00));
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
