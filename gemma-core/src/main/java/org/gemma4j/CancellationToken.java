package org.gemma4j;

/**
 * Cancels a running generation from any thread: the generating thread checks it before every token, so
 * generation stops within one token with {@link FinishReason#CANCELLED}. A token can be shared by several
 * generations; once cancelled it stays cancelled. Thread-safe.
 */
public final class CancellationToken {
    private final CancellationToken parent;
    private volatile boolean cancelled;

    public CancellationToken() {
        this(null);
    }

    private CancellationToken(CancellationToken parent) {
        this.parent = parent;
    }

    /** A token that is cancelled when this one is, and can also be cancelled on its own. */
    public CancellationToken child() {
        return new CancellationToken(this);
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled || (parent != null && parent.isCancelled());
    }
}
