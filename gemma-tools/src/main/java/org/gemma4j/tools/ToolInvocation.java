package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Objects;
import org.gemma4j.chat.ToolCall;

/**
 * One tool call of an agent run and its outcome. Immutable.
 *
 * @param call the call as the model wrote it (with the id the agent assigned)
 * @param result what was sent back to the model: the tool's result, or {@code {"error": "..."}}
 * @param status how the call went
 * @param duration how long the tool ran (zero if it did not run)
 */
public record ToolInvocation(ToolCall call, JsonNode result, Status status, Duration duration) {
    /** The outcome of a call. */
    public enum Status {
        /** The tool ran and returned a result. */
        OK,
        /** The model named a tool that is not registered; nothing ran. */
        UNKNOWN_TOOL,
        /** The arguments failed schema validation, or the call could not be parsed; nothing ran. */
        INVALID_ARGUMENTS,
        /** The tool threw an exception. */
        FAILED,
        /** The tool did not finish within the timeout. */
        TIMED_OUT
    }

    public ToolInvocation {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(status, "status");
        result = result.deepCopy();
    }

    @Override
    public JsonNode result() {
        return result.deepCopy();
    }

    public boolean succeeded() {
        return status == Status.OK;
    }
}
