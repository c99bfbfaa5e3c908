package org.gemma4j.tools;

import java.util.List;
import java.util.Objects;
import org.gemma4j.chat.Chat;

/**
 * The outcome of {@link ToolAgent#run}. Immutable.
 *
 * @param transcript the whole conversation: the input, then every assistant message (with its calls) and every tool
 *                   result; pass it to {@link ToolAgent#run(Chat)} after adding a user message to continue
 * @param answer the final answer text (empty if the run ended with tool calls)
 * @param calls every call of the run, in order, with its result
 * @param rounds how many times the model was asked
 * @param stopReason why the run ended
 */
public record AgentResult(Chat transcript, String answer, List<ToolInvocation> calls, int rounds, StopReason stopReason) {
    /** Why an agent run ended. */
    public enum StopReason {
        /** The model answered in text without calling a tool. */
        ANSWERED,
        /** The round limit was reached while the model was still calling tools. */
        MAX_ROUNDS
    }

    public AgentResult {
        Objects.requireNonNull(transcript, "transcript");
        answer = answer == null ? "" : answer;
        calls = List.copyOf(calls);
        Objects.requireNonNull(stopReason, "stopReason");
    }
}
