package org.gemma4j;

/**
 * Cancels a running generation from any thread: the generating thread checks it before every token, so
 * generation stops within one token with {@link FinishReason#CANCELLED}. A token can be shared by several
 * generations; once cancelled it stays cancelled. Thread-safe.
 */
public final class CancellationToken {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
