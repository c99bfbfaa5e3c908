package org.gemma4j.tensor;

import static org.gemma4j.tensor.Simd.F;
import static org.gemma4j.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K: super-blocks of 256 values {@code (d·sc)·(q - 32)} with 6-bit {@code q}: 128 bytes {@code ql} of low
 * nibbles, 64 bytes {@code qh} of 2-bit high parts, 16 int8 scales (one per 16 values), {@code d} fp16 (210 bytes).
 * Each half of 128 values uses 64 {@code ql}, 32 {@code qh} and 8 scales: for {@code l < 32} the values
 * {@code l, l+32, l+64, l+96} take the low nibble of {@code ql[l]}, of {@code ql[l+32]}, the high nibble of
 * {@code ql[l]}, of {@code ql[l+32]}, and bits 0-1, 2-3, 4-5, 6-7 of {@code qh[l]}.
 */
final class Q6KTensor extends BlockTensor {
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    Q6KTensor(String name, long[] ne, MemorySegment data) {
        super(name, GgmlType.Q6_K, ne, data);
    }

    @Override
    float weightAt(MemorySegment s, long off, int i) {
        int half = i / 128;
        int quarter = i % 128 / 32;
        int l = i % 32;
        int lo = LittleEndian.u8(s, off + 64 * half + l + 32 * (quarter & 1));
        int nibble = quarter < 2 ? lo & 0xF : lo >>> 4;
        int high = (LittleEndian.u8(s, off + QH + 32 * half + l) >>> (2 * quarter)) & 3;
        int q = (nibble | high << 4) - 32;
        float dsc = LittleEndian.f16(s, off + D) * LittleEndian.i8(s, off + SCALES + 8 * half + l / 16 + 2 * quarter);
        return dsc * q;
    }

    @Override
    void decodeBlock(MemorySegment s, long off, float[] out, int o) {
        if (!Simd.BLOCK_KERNELS) {
            decodeBlockScalar(s, off, out, o);
            return;
        }
        float d = LittleEndian.f16(s, off + D);
        for (int half = 0; half < 2; half++) {
            long sc = LittleEndian.i64(s, off + SCALES + 8 * half); // this half's 8 int8 scales
            for (int quarter = 0; quarter < 4; quarter++) {
                for (int j = 0; j < 32; j += L) { // L divides 16: a vector never straddles two scales
                    float dsc = d * scale(sc, j / 16 + 2 * quarter);
                    Simd.toFloat(q(s, off, half, quarter, j).sub(32)).mul(dsc).intoArray(out, o + 128 * half + 32 * quarter + j);
                }
            }
        }
    }

    /**
     * Decodes in registers ({@code q·(d·sc) - 32·d·sc} fused) and accumulates {@code w·x}. One 32-value quarter per
     * outer iteration keeps the loop body small enough for C2 to inline every vector operation.
     */
    @Override
    public float dot(long row, float[] x, int xOff) {
        if (!Simd.BLOCK_KERNELS) {
            return dotScalar(row, x, xOff);
        }
        MemorySegment s = data();
        long base = row * rowBytes();
        int blocks = cols() / 256;
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long off = base + 210L * blk;
            float d = LittleEndian.f16(s, off + D);
            for (int half = 0; half < 2; half++) {
                long sc = LittleEndian.i64(s, off + SCALES + 8 * half);
                for (int quarter = 0; quarter < 4; quarter++) {
                    int xo = xOff + 256 * blk + 128 * half + 32 * quarter;
                    for (int j = 0; j < 32; j += L) {
                        float dsc = d * scale(sc, j / 16 + 2 * quarter);
                        FloatVector w = Simd.toFloat(q(s, off, half, quarter, j)).fma(dsc, -32f * dsc);
                        acc = w.fma(FloatVector.fromArray(F, x, xo + j), acc);
                    }
                }
            }
        }
        return LaneSum.of(acc);
    }

    /** Signed byte {@code k} of the 8 scales read as one long. */
    private static int scale(long scales, int k) {
        return (byte) (scales >>> (8 * k));
    }

    /**
     * The unsigned 6-bit values {@code j .. j+L} of a quarter: low nibbles of {@code ql[l]}, of {@code ql[l+32]}, then
     * high nibbles of both; bits {@code 2·quarter, 2·quarter+1} of {@code qh[l]} on top.
     */
    private static IntVector q(MemorySegment s, long off, int half, int quarter, int j) {
        IntVector low = Simd.u8(s, off + 64 * half + 32 * (quarter & 1), j).lanewise(VectorOperators.LSHR, 4 * (quarter >> 1)).and(0xF);
        IntVector high = Simd.u8(s, off + QH + 32 * half, j).lanewise(VectorOperators.LSHR, 2 * quarter).and(3).lanewise(VectorOperators.LSHL, 4);
        return low.or(high);
    }
}
