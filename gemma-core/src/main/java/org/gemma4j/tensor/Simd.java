package org.gemma4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the block kernels use. Floats and ints use the preferred shape ({@link #L} lanes). Quantized
 * bytes are loaded {@link #BL} at a time and widened to ints/floats in {@link #PARTS} parts of {@code L} lanes
 * ({@code PARTS} is 1 on AVX2/AVX-512; 2 on 128-bit NEON/SSE, where a byte vector of 4 lanes does not exist).
 *
 * <p>Kernel size matters: C2 stops inlining once a compilation has parsed ~18000 nodes, and a vector operation that
 * is not inlined boxes its vectors (tens of MB of garbage per matVec). Each Vector API call parses to a few hundred
 * nodes and each scalar {@code MemorySegment} read to several hundred, so the kernels read block headers with few
 * wide loads and keep one small value range per loop iteration: every {@code dot}/{@code decodeBlock} stays at or
 * below ~11000 nodes (checked with {@code -XX:+LogCompilation}, {@code parse_done nodes}).
 */
final class Simd {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int L = F.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, 8 * L)));
    static final int BL = B.length();
    static final int PARTS = BL / L;
    /**
     * Every block format is built of runs of 16 (or 32) bytes that share their scales; the in-register kernels
     * need a byte load to fit in such a run. False only for vectors wider than 1024 bits (then the block types
     * fall back to their scalar twins).
     */
    static final boolean BLOCK_KERNELS = 16 % BL == 0;
    /** {@code 0, 1, .., L-1}: the shift that brings bit {@code j0 + lane} of a broadcast word to bit 0. */
    static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    private Simd() {}

    /**
     * Bytes {@code off + j .. off + j + L}, zero-extended to {@code L} int lanes. {@code j} is a multiple of
     * {@code L}; with {@code PARTS > 1} the aligned {@code BL}-byte group holding them is loaded and the right part
     * widened ({@code BL} divides 16, so the load stays inside the run). The {@code PARTS == 1} test folds away at
     * compile time, keeping the kernels small enough for C2 to inline every vector operation.
     */
    static IntVector u8(MemorySegment s, long off, int j) {
        if (PARTS == 1) {
            return (IntVector) bytes(s, off + j).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        }
        int group = j & -BL;
        ByteVector b = bytes(s, off + group);
        int part = (j - group) / L;
        if (PARTS == 2) {
            // A constant part in each branch: convertShape with a part C2 cannot see as a constant is not
            // intrinsified (it runs as Java code and allocates its vectors), and loops at 4 lanes are not always unrolled.
            return (IntVector) (part == 0
                    ? b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)
                    : b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 1));
        }
        return (IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, part);
    }

    /** Like {@link #u8} but sign-extended straight to floats. */
    static FloatVector i8f(MemorySegment s, long off, int j) {
        if (PARTS == 1) {
            return (FloatVector) bytes(s, off + j).convertShape(VectorOperators.B2F, F, 0);
        }
        int group = j & -BL;
        ByteVector b = bytes(s, off + group);
        int part = (j - group) / L;
        if (PARTS == 2) { // constant parts: see u8
            return (FloatVector) (part == 0 ? b.convertShape(VectorOperators.B2F, F, 0) : b.convertShape(VectorOperators.B2F, F, 1));
        }
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, part);
    }

    /** Part {@code part} ({@code L} lanes) of a byte vector, sign-extended to floats. */
    static FloatVector toFloat(ByteVector v, int part) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, part);
    }

    /**
     * Each byte of {@code v} shifted right by {@code n}, as 32-bit lanes (x86 has no byte shifts; the Vector API
     * would emulate one by widening): bits of the higher neighbour come in, callers mask them off.
     */
    static ByteVector shiftBytesRight(ByteVector v, int n) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHR, n).reinterpretAsBytes();
    }

    /** Each byte shifted left by {@code n}, as 32-bit lanes: bits of the lower neighbour come in (callers mask them off). */
    static ByteVector shiftBytesLeft(ByteVector v, int n) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHL, n).reinterpretAsBytes();
    }

    /** {@code BL} bytes at {@code off}. */
    static ByteVector bytes(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN);
    }

    static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convertShape(VectorOperators.I2F, F, 0);
    }

    /** Bit {@code shift + lane} of {@code bits} moved to bit 4 (the fifth bit of Q5 values), per lane. */
    static IntVector bit4(int bits, int shift) {
        return IntVector.broadcast(I, bits >>> shift).lanewise(VectorOperators.LSHR, IOTA).and(1).lanewise(VectorOperators.LSHL, 4);
    }
}
