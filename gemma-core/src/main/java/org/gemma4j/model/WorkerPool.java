package org.gemma4j.model;

import java.util.concurrent.Semaphore;

/**
 * A fixed set of platform threads that split index ranges between them; the calling thread takes the first
 * share. Persistent threads rather than the common ForkJoinPool: decode issues hundreds of short parallel
 * loops per token, and hand-off cost matters.
 *
 * <p>Thread safety: {@link #forRange} may be called from any thread; calls are serialized.
 */
public final class WorkerPool implements AutoCloseable {
    /** Work on indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private final int parallelism;
    private final Thread[] workers;
    private final Semaphore[] start;
    private final Semaphore done = new Semaphore(0);
    private RangeTask task;
    private int n;
    private final Throwable[] errors;
    private volatile boolean closed;

    /** A pool running work on {@code parallelism} threads in all (the caller included). */
    public WorkerPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.workers = new Thread[parallelism - 1];
        this.start = new Semaphore[parallelism - 1];
        this.errors = new Throwable[parallelism - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            start[i] = new Semaphore(0);
            workers[i] = Thread.ofPlatform().daemon().name("gemma4j-worker-" + part).start(() -> loop(part));
        }
    }

    /** Default parallelism: the number of available processors. */
    public static int defaultParallelism() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int parallelism() {
        return parallelism;
    }

    private void loop(int part) {
        while (true) {
            start[part - 1].acquireUninterruptibly();
            if (closed) {
                return;
            }
            try {
                runPart(part);
            } catch (Throwable t) {
                errors[part - 1] = t;
            } finally {
                done.release();
            }
        }
    }

    private void runPart(int part) {
        int from = (int) ((long) n * part / parallelism);
        int to = (int) ((long) n * (part + 1) / parallelism);
        if (from < to) {
            task.run(from, to);
        }
    }

    /**
     * Runs {@code task} over {@code [0, n)} split into contiguous shares, one per thread. Ranges smaller
     * than {@code minPerThread} per thread run on the caller alone.
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
        for (Semaphore s : start) {
            s.release();
        }
        Throwable mine = null;
        try {
            runPart(0);
        } catch (Throwable t) {
            mine = t;
        }
        done.acquireUninterruptibly(workers.length);
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

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (Semaphore s : start) {
                s.release();
            }
        }
    }
}
