package org.gemma4j;

import java.util.List;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.InvalidToolCall;
import org.gemma4j.chat.ToolCall;

/**
 * The outcome of one generation. Immutable and thread-safe.
 *
 * @param text the answer (content) text, without thinking and tool-call markup
 * @param thinking the model's reasoning, or empty when it did not think
 * @param rawText everything the model generated, markers such as {@code <|channel>} as their text
 * @param toolCalls the function calls the model made, in order
 * @param invalidToolCalls calls that could not be read (reported, never dropped)
 * @param tokens the generated token ids (the stop token excluded)
 * @param finishReason why generation stopped
 * @param stats token counts and timings
 * @param promptTokens the prompt's token ids as the model saw them
 */
public record GenerationResult(String text, String thinking, String rawText, List<ToolCall> toolCalls,
        List<InvalidToolCall> invalidToolCalls, List<Integer> tokens, FinishReason finishReason, GenerationStats stats,
        int[] promptTokens) {

    public GenerationResult {
        toolCalls = List.copyOf(toolCalls);
        invalidToolCalls = List.copyOf(invalidToolCalls);
        tokens = List.copyOf(tokens);
        promptTokens = promptTokens.clone();
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** The message to append to the conversation: answer text and tool calls (thinking is not carried over). */
    public ChatMessage toAssistantMessage() {
        return toolCalls.isEmpty() ? ChatMessage.assistant(text)
                : ChatMessage.builder(org.gemma4j.chat.Role.ASSISTANT).content(text).toolCalls(toolCalls).build();
    }

    @Override
    public String toString() {
        return text;
    }
}
