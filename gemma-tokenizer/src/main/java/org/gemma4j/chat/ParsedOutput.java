package org.gemma4j.chat;

import java.util.List;
import java.util.Objects;

/**
 * What the model wrote in one generation, split into its parts.
 *
 * @param content          the visible answer text ({@code ""} if none)
 * @param reasoning        the thinking-channel text ({@code ""} if none)
 * @param toolCalls        the function calls, in output order
 * @param invalidToolCalls the function calls that could not be read, in output order
 */
public record ParsedOutput(
        String content, String reasoning, List<ToolCall> toolCalls, List<InvalidToolCall> invalidToolCalls) {

    public ParsedOutput {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(reasoning, "reasoning");
        toolCalls = List.copyOf(toolCalls);
        invalidToolCalls = List.copyOf(invalidToolCalls);
    }

    /** Whether the model called at least one function (valid or not). */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty() || !invalidToolCalls.isEmpty();
    }

    /**
     * This output as the assistant message to append to the conversation: content, reasoning and tool
     * calls (without ids; give them ids with {@link ToolCall#withId} if results will refer to them).
     */
    public ChatMessage toAssistantMessage() {
        ChatMessage.Builder b = ChatMessage.builder(Role.ASSISTANT).toolCalls(toolCalls);
        if (!content.isEmpty() || toolCalls.isEmpty()) {
            b.content(content);
        }
        if (!reasoning.isEmpty()) {
            b.reasoning(reasoning);
        }
        return b.build();
    }
}
