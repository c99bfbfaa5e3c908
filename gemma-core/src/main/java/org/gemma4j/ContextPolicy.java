package org.gemma4j;

/** What happens when a prompt plus the requested tokens would not fit in the context window. */
public enum ContextPolicy {
    /** Throw {@link org.gemma4j.model.ContextOverflowException} before computing anything (the default). */
    FAIL,
    /**
     * Generate until the context is full and finish with {@link FinishReason#CONTEXT_FULL}; a prompt that alone
     * does not fit still throws.
     */
    STOP
}
