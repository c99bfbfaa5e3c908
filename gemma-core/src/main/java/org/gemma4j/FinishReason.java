package org.gemma4j;

/** Why generation stopped. */
public enum FinishReason {
    /** The model produced a stop token ({@code <eos>}, {@code <turn|>} or {@code <|tool_response>}). */
    STOP_TOKEN,
    /** The text reached one of the requested stop strings (which is cut off). */
    STOP_STRING,
    /** {@code maxTokens} were generated. */
    LENGTH,
    /** The context window is full (only with {@link ContextPolicy#STOP}). */
    CONTEXT_FULL,
    /** Cancelled through a {@link CancellationToken} or by interrupting the generating thread. */
    CANCELLED
}
