package org.gemma4j.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.IntConsumer;

/**
 * Bytes a call allocates once C2 has compiled what it runs (or when a generous deadline passed), and the time that
 * took: for the tests that kernels allocate nothing once compiled (a kernel past C2's inlining budget boxes every
 * vector it passes). No timing is asserted.
 */
public record AllocationOnceCompiled(long perCall, long millis) {
    /** A few boxed vectors per call at most (a boxing kernel allocates one or more per row or position). */
    public static final long LIMIT_BYTES_PER_CALL = 256;
    private static final long DEADLINE_NANOS = 60_000_000_000L;
    /** {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes}, bound to the platform bean. */
    private static final MethodHandle ALLOCATED_BYTES = allocatedBytesHandle();

    /**
     * Calls {@code call(i)} in rounds of {@code warmUp} calls and then {@code measured} counted ones, until a counted
     * round allocates at most the limit per call (C2 has compiled what the calls run) or the deadline passes.
     */
    public static AllocationOnceCompiled of(IntConsumer call, int warmUp, int measured) throws Throwable {
        return of(call, warmUp, measured, 0);
    }

    /**
     * As above, and once a window allocated nothing, {@code settle} more calls and a second window that must
     * allocate nothing too: C2 may compile a callee again on its own once it is hot enough, and that later
     * compilation is the one that can pass the budget (a Q6_K row decoder at 128 bits: clean for ~1500 calls, then
     * 14 MB per call).
     */
    public static AllocationOnceCompiled of(IntConsumer call, int warmUp, int measured, int settle)
            throws Throwable {
        long start = System.nanoTime();
        long perCall;
        boolean settled = settle == 0;
        do {
            for (int i = 0; i < warmUp; i++) {
                call.accept(i);
            }
            perCall = allocatedPerCall(call, measured);
            if (perCall <= LIMIT_BYTES_PER_CALL && !settled) {
                for (int i = 0; i < settle; i++) {
                    call.accept(i);
                }
                settled = true;
                perCall = allocatedPerCall(call, measured);
            }
        } while (perCall > LIMIT_BYTES_PER_CALL && System.nanoTime() - start < DEADLINE_NANOS);
        return new AllocationOnceCompiled(perCall, (System.nanoTime() - start) / 1_000_000);
    }

    private static long allocatedPerCall(IntConsumer call, int calls) throws Throwable {
        long before = (long) ALLOCATED_BYTES.invokeExact();
        for (int i = 0; i < calls; i++) {
            call.accept(i);
        }
        return ((long) ALLOCATED_BYTES.invokeExact() - before) / calls;
    }

    /**
     * Found reflectively: gemma-core's module does not read {@code jdk.management}, and the tests compile as a
     * patch of that module (they run on the class path, where the platform bean is there).
     */
    private static MethodHandle allocatedBytesHandle() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Object bean = factory.getMethod("getThreadMXBean").invoke(null);
            Class<?> sunBean = Class.forName("com.sun.management.ThreadMXBean");
            return MethodHandles.publicLookup()
                    .findVirtual(sunBean, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no per-thread allocation counter on this JVM", e);
        }
    }
}
