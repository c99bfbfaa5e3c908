package org.gemma4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void everyIndexRunsExactlyOnceAcrossManyRapidCalls() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int call = 0; call < 20_000; call++) {
                int n = 1 + call % 97;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forRange(n, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "call " + call + " index " + i);
                }
            }
        }
    }

    /** Chunks start at multiples of the grain (row groups of 32 rows are never cut), and cover the range once. */
    @Test
    void chunksStartAtMultiplesOfTheGrain() {
        for (int threads : new int[] {2, 3, 5}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                for (int n : new int[] {2048, 262_144, 6144, 1000, 130}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.forRange(n, 64, (from, to) -> {
                        if (from % 64 != 0) {
                            throw new AssertionError(threads + " threads, n " + n + ": a chunk starts at " + from);
                        }
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), threads + " threads, n " + n + ", index " + i);
                    }
                }
            }
        }
    }

    @Test
    void workersWakeUpAfterParking() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int round = 0; round < 3; round++) {
                Thread.sleep(WorkerPool.SPIN_NANOS / 1_000_000 * 5 + 5); // long enough for the worker to park
                AtomicIntegerArray hits = new AtomicIntegerArray(100);
                pool.forRange(100, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < 100; i++) {
                    assertEquals(1, hits.get(i));
                }
            }
        }
    }

    @Test
    void aWorkersExceptionReachesTheCallerAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.forRange(100, 1, (from, to) -> {
                if (from > 0) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.forRange(10, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.forRange(10, 1, (from, to) -> {}));
    }
}
