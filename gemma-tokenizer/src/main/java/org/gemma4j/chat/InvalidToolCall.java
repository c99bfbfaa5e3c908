package org.gemma4j.chat;

import java.util.Objects;

/**
 * A function call the model wrote that could not be read. It is reported rather than dropped, so that
 * a caller can show it or ask the model to try again.
 *
 * @param raw    the call body exactly as written, between {@code <|tool_call>} and its end
 * @param error  what is wrong
 * @param detail a human-readable explanation (e.g. where the argument syntax broke)
 */
public record InvalidToolCall(String raw, ToolCallError error, String detail) {
    public InvalidToolCall {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(error, "error");
        detail = detail == null ? "" : detail;
    }
}
