package org.gemma4j.chat;

/**
 * Receives the parts of the model's output as a {@link StreamingOutputParser} recognises them. All
 * methods do nothing by default; override the ones of interest. Called on the thread that feeds the
 * parser, in output order.
 */
public interface OutputListener {
    /** A listener that ignores everything. */
    OutputListener NONE = new OutputListener() {};

    /** More visible answer text. The deltas concatenate to {@link ParsedOutput#content()}. */
    default void onContent(String delta) {}

    /** More thinking text. The deltas concatenate to {@link ParsedOutput#reasoning()}. */
    default void onThinking(String delta) {}

    /** A function call, as soon as it is closed. */
    default void onToolCall(ToolCall call) {}

    /** A function call that could not be read, as soon as it is closed. */
    default void onInvalidToolCall(InvalidToolCall call) {}
}
