package org.gemma4j.tensor;

import java.util.function.Supplier;

/**
 * A tensor's {@link RowGroups}, made by the first product that asks for them and freed by {@link #release}, after
 * which the next product makes them again. Only this bookkeeping is shared: each tensor type keeps its own
 * {@code matVec} calling its own kernel, compiled apart (see {@link Q4_0RowGroups#matVec}).
 *
 * <p>Thread safety: {@link #get} may race with itself (one instance wins) but not with {@link #release}.
 */
final class LazyRowGroups<T extends RowGroups> {
    private final Supplier<T> make;
    private volatile T groups;

    LazyRowGroups(Supplier<T> make) {
        this.make = make;
    }

    T get() {
        T g = groups;
        if (g == null) {
            synchronized (this) {
                g = groups;
                if (g == null) {
                    groups = g = make.get();
                }
            }
        }
        return g;
    }

    synchronized void release() {
        if (groups != null) {
            groups.free();
            groups = null;
        }
    }
}
