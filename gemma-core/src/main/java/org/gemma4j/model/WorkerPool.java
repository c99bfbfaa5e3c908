package org.gemma4j.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that split index ranges between them, the calling thread included; they
 * claim chunks of each range in turn. Persistent threads rather than the common ForkJoinPool: decode issues a few hundred short parallel loops
 * per token (one per weight matrix), so hand-off cost matters.
 *
 * <p>Hand-off spins: an idle worker watches a generation counter for {@link #SPIN_NANOS} before it parks, and the
 * caller spins for the other shares to finish. Inside a generation the gaps between loops are microseconds, so
 * workers never sleep and a loop starts without a futex wake-up (E2B Q8_0 decode, 2 threads, two runs each back to
 * back: semaphores 5.5, 5.8 → spinning 5.8, 6.2 tok/s). Past {@link #YIELD_AFTER_NANOS} a waiting thread yields at
 * every look, so threads that have work get the processor; after {@code SPIN_NANOS} of idleness workers park and cost
 * nothing. Spinning is also why the default is one thread per physical core.
 *
 * <p>Thread safety: {@link #forRange} may be called from any thread; calls are serialized.
 */
public final class WorkerPool implements AutoCloseable {
    /**
     * How long an idle worker (or a waiting caller) spins before it parks. Long enough to ride out the caller being
     * preempted in the middle of a step, which on a 2-vCPU machine happens ~0.7 times per decode token for over 1 ms;
     * waking a parked worker then took ~0.5–0.9 ms (E2B Q4_0 decode, worker start latency per token at 1 ms of
     * spinning 0.65–0.88 ms, at 10 ms 0.13–0.21, parks 0.7 → 0.01 a token).
     */
    static final long SPIN_NANOS = 10_000_000;
    /**
     * After this much spinning a waiting thread yields its processor at every look, so that a pool with more threads
     * than free processors still hands off in microseconds rather than in scheduler time slices (3 threads on 2
     * processors, the test of 20 000 small ranges: 29 s spinning 1 ms then parking, 118 s spinning 10 ms, 1.9 s so).
     */
    static final long YIELD_AFTER_NANOS = 50_000;

    /** Work on indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private final int parallelism;
    private final Thread[] workers;
    /** Per worker: set while it is parked (or about to park), so the caller knows to unpark it. */
    private final AtomicInteger[] parked;
    private final Throwable[] errors;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile Thread waiter;
    private volatile boolean closed;
    /** Chunks per thread: enough to even out the threads, few enough to keep each one a long sequential read. */
    private static final int CHUNKS_PER_THREAD = 8;
    private final AtomicInteger nextChunk = new AtomicInteger();
    // Written before the generation is bumped (a volatile write), read by workers after they see it.
    private RangeTask task;
    private int n;
    private int chunkSize;
    private int chunks;

    /** A pool running work on {@code parallelism} threads in all (the caller included). */
    public WorkerPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.workers = new Thread[parallelism - 1];
        this.parked = new AtomicInteger[parallelism - 1];
        this.errors = new Throwable[parallelism - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            parked[i] = new AtomicInteger();
            workers[i] = Thread.ofPlatform().daemon().name("gemma4j-worker-" + part).start(() -> loop(part));
        }
    }

    /** Default parallelism: the physical cores (where known), at most the processors available to this JVM. */
    public static int defaultParallelism() {
        int available = Runtime.getRuntime().availableProcessors();
        int physical = PhysicalCores.count();
        return physical > 0 ? Math.min(available, physical) : available;
    }

    public int parallelism() {
        return parallelism;
    }

    private void loop(int part) {
        long seen = 0;
        while (true) {
            seen = awaitGeneration(part, seen);
            if (closed) {
                return;
            }
            try {
                runChunks();
            } catch (Throwable t) {
                errors[part - 1] = t;
                nextChunk.set(Integer.MAX_VALUE / 2);
            }
            if (pending.decrementAndGet() == 0) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }
    }

    /** Waits until the generation differs from {@code seen} (or the pool closes); returns the new generation. */
    private long awaitGeneration(int part, long seen) {
        long spinStart = System.nanoTime();
        while (true) {
            long g = generation;
            if (g != seen || closed) {
                return g;
            }
            if (spin(spinStart)) {
                continue;
            }
            // Announce the sleep, then look again: forRange bumps the generation before it reads the flag.
            parked[part - 1].set(1);
            if (generation == seen && !closed) {
                LockSupport.park(this);
            }
            parked[part - 1].set(0);
            spinStart = System.nanoTime();
        }
    }

    /** One look's wait while spinning since {@code spinStart}: false once it is time to park. */
    private static boolean spin(long spinStart) {
        long waited = System.nanoTime() - spinStart;
        if (waited >= SPIN_NANOS) {
            return false;
        }
        if (waited < YIELD_AFTER_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return true;
    }

    /** Claims chunks until none is left. */
    private void runChunks() {
        int c;
        while ((c = nextChunk.getAndIncrement()) < chunks) {
            int from = c * chunkSize;
            task.run(from, Math.min(n, from + chunkSize));
        }
    }

    /**
     * Runs {@code task} over {@code [0, n)}, split into contiguous chunks that the threads claim in turn, so a
     * thread slowed down (by the OS, the JIT, or a slower share of memory) does not hold up the others. E2B Q8_0
     * decode, 2 threads, JFR: time spent waiting 16.9 % with fixed halves → 14.6 % with chunks; tokens/s unchanged
     * within this machine's noise (7.6, 7.9 → 7.0, 8.2). {@code task} may be called several times per thread, with
     * disjoint ranges, each starting at a multiple of {@code minPerThread}. Ranges smaller than
     * {@code 2·minPerThread} run on the caller alone.
     */
    public synchronized void forRange(int n, int minPerThread, RangeTask task) {
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (n <= 0) {
            return;
        }
        if (parallelism == 1 || n < 2L * Math.max(1, minPerThread)) {
            task.run(0, n);
            return;
        }
        this.task = task;
        this.n = n;
        int target = CHUNKS_PER_THREAD * parallelism;
        int grain = Math.max(1, minPerThread);
        // whole multiples of the grain, so that callers can align work to it: row groups of 32 rows are never cut
        // (with 3 threads 2048 rows made 86-row chunks, and the cut groups fell back to the float product)
        this.chunkSize = (Math.max(grain, (n + target - 1) / target) + grain - 1) / grain * grain;
        this.chunks = (n + chunkSize - 1) / chunkSize;
        nextChunk.set(0);
        pending.set(workers.length);
        generation++; // publishes task and n
        for (int i = 0; i < workers.length; i++) {
            if (parked[i].get() != 0) {
                LockSupport.unpark(workers[i]);
            }
        }
        Throwable mine = null;
        try {
            runChunks();
        } catch (Throwable t) {
            mine = t;
            nextChunk.set(Integer.MAX_VALUE / 2); // stop handing out chunks
        }
        awaitWorkers();
        this.task = null;
        for (int i = 0; i < errors.length; i++) {
            if (errors[i] != null && mine == null) {
                mine = errors[i];
            }
            errors[i] = null;
        }
        if (mine instanceof RuntimeException re) {
            throw re;
        }
        if (mine instanceof Error err) {
            throw err;
        }
    }

    private void awaitWorkers() {
        long spinStart = System.nanoTime();
        while (pending.get() != 0) {
            if (spin(spinStart)) {
                continue;
            }
            waiter = Thread.currentThread();
            if (pending.get() != 0) {
                LockSupport.park(this);
            }
            waiter = null;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
    }
}
