package org.gemma4j.model;

/** The tokens to process do not fit in the sequence's context; thrown before anything is computed. */
public final class ContextOverflowException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int position;
    private final int requested;
    private final int contextLength;

    public ContextOverflowException(int position, int requested, int contextLength) {
        super("context overflow: " + requested + " more tokens at position " + position
                + " exceed the context length " + contextLength);
        this.position = position;
        this.requested = requested;
        this.contextLength = contextLength;
    }

    public int position() {
        return position;
    }

    public int requested() {
        return requested;
    }

    public int contextLength() {
        return contextLength;
    }
}
