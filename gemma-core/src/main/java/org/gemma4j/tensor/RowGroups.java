package org.gemma4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the second layouts of a tensor's rows for decode share ({@link Q4_0RowGroups}, {@link Q4KRowGroups},
 * {@link Q6KRowGroups}): memory of their own off the heap, freed by {@link Tensor#releaseLayouts()} (which closing
 * the GGUF file does for its tensors), and groups of rows laid out on
 * demand, each by the first product that needs it, so that results never depend on timing. The products themselves
 * (vector code) stay in the subclasses, one compiled kernel per type.
 *
 * <p>Thread safety: any number of threads may run products on disjoint or equal groups at once; a group's layout is
 * published with a release store, and two threads laying out the same group write the same bytes.
 */
abstract class RowGroups {
    /** A group's rows in the lanes of one short vector. */
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    /** Rows per group: the short lanes of a vector (32 with AVX-512). */
    static final int ROWS = S.length();
    /** One column of a group's rows as bytes. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** Half of a group's rows as ints or floats. */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, S.vectorShape());
    /** Whether there are vectors of 8 shorts or more (the byte half of one must exist too). */
    static final boolean AVAILABLE = ROWS >= 8 && HALF.length() * 2 == ROWS;
    private static final VarHandle READY = MethodHandles.arrayElementVarHandle(byte[].class);

    private final MemorySegment source;
    private final long sourceGroupBytes;
    private final long groupBytes;
    private final byte[] ready;
    private final Arena arena = Arena.ofShared();
    /** The second layout: {@code groupBytes} per group of rows. */
    final MemorySegment packed;

    /** The groups of {@code rowsPerGroup} rows of {@code rowBytes} each in {@code source}, {@code groupBytes} each laid out. */
    RowGroups(MemorySegment source, long rows, int rowsPerGroup, long rowBytes, long groupBytes) {
        this.source = source;
        this.sourceGroupBytes = rowsPerGroup * rowBytes;
        this.groupBytes = groupBytes;
        int groups = Math.toIntExact(rows / rowsPerGroup);
        this.packed = arena.allocate(groups * groupBytes, 64);
        this.ready = new byte[groups];
    }

    /** Frees the groups' memory; no product may run on them any more. */
    final void free() {
        arena.close();
    }

    /** Bytes of memory the groups take. */
    final long byteSize() {
        return packed.byteSize();
    }

    /** The offset of group {@code g}, laid out first if no thread has yet. */
    final long laidOut(int g) {
        long base = g * groupBytes;
        if ((byte) READY.getAcquire(ready, g) == 0) {
            layOut(g, base);
            READY.setRelease(ready, g, (byte) 1);
        }
        return base;
    }

    /** Lays group {@code g} out at {@code packed[base]}, from {@link #sourceRows}. */
    abstract void layOut(int g, long base);

    /**
     * Group {@code g}'s rows as the file has them (contiguous there), copied into this thread's buffer: the layouts
     * work on heap arrays with plain code, fast even before the JIT compiles it (per-byte segment accesses made the
     * first request after load 5 s slower).
     */
    final byte[] sourceRows(int g) {
        int bytes = Math.toIntExact(sourceGroupBytes);
        byte[] rows = KernelScratch.layoutSource(bytes);
        MemorySegment.copy(source, ValueLayout.JAVA_BYTE, g * sourceGroupBytes, rows, 0, bytes);
        return rows;
    }
}
