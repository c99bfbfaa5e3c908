package org.gemma4j.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation, with every field the Gemma 4 template reads. Immutable.
 *
 * <p>Which fields matter depends on the role: {@code reasoning}, {@code toolCalls} and
 * {@code toolResponses} on assistant messages; {@code toolCallId} and {@code name} on tool-result
 * messages. The template reads them on any role, and so does the renderer.
 *
 * @param role          the role
 * @param content       the content, or {@code null} for none
 * @param reasoning     the reasoning (thinking) text, or {@code null}; rendered only where the
 *                      template keeps it (after the last user message, or with preserve-thinking on
 *                      a message with tool calls)
 * @param toolCalls     the function calls of an assistant message
 * @param toolResponses Gemma-native tool results attached to an assistant message
 * @param toolCallId    for a tool result: the id of the call it answers, or {@code null}
 * @param name          for a tool result: the function name, or {@code null}
 */
public record ChatMessage(
        Role role,
        MessageContent content,
        String reasoning,
        List<ToolCall> toolCalls,
        List<ToolResponse> toolResponses,
        String toolCallId,
        String name) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        toolResponses = toolResponses == null ? List.of() : List.copyOf(toolResponses);
    }

    public static ChatMessage system(String text) {
        return builder(Role.SYSTEM).content(text).build();
    }

    public static ChatMessage developer(String text) {
        return builder(Role.DEVELOPER).content(text).build();
    }

    public static ChatMessage user(String text) {
        return builder(Role.USER).content(text).build();
    }

    public static ChatMessage user(ContentPart... parts) {
        return builder(Role.USER).content(parts).build();
    }

    public static ChatMessage assistant(String text) {
        return builder(Role.ASSISTANT).content(text).build();
    }

    /** An assistant message that calls functions (no content). */
    public static ChatMessage assistant(List<ToolCall> toolCalls) {
        return builder(Role.ASSISTANT).toolCalls(toolCalls).build();
    }

    /** A {@code role:"tool"} message with the result of the call {@code toolCallId}. */
    public static ChatMessage toolResult(String toolCallId, String name, String result) {
        return builder(Role.TOOL).toolCallId(toolCallId).name(name).content(result).build();
    }

    public static Builder builder(Role role) {
        return new Builder(role);
    }

    /** The content as plain text: the string, or the text parts concatenated; "" when there is none. */
    public String text() {
        return switch (content) {
            case null -> "";
            case MessageContent.Value v -> v.value().asText();
            case MessageContent.Text t -> t.text();
            case MessageContent.Parts p -> {
                StringBuilder sb = new StringBuilder();
                for (ContentPart part : p.parts()) {
                    if (part instanceof ContentPart.Text t) {
                        sb.append(t.text());
                    }
                }
                yield sb.toString();
            }
        };
    }

    /** A builder starting from this message. */
    public Builder toBuilder() {
        Builder b = new Builder(role);
        b.content = content;
        b.reasoning = reasoning;
        b.toolCalls.addAll(toolCalls);
        b.toolResponses.addAll(toolResponses);
        b.toolCallId = toolCallId;
        b.name = name;
        return b;
    }

    /** Fluent builder of a {@link ChatMessage}. Not thread-safe. */
    public static final class Builder {
        private final Role role;
        private MessageContent content;
        private String reasoning;
        private final List<ToolCall> toolCalls = new ArrayList<>();
        private final List<ToolResponse> toolResponses = new ArrayList<>();
        private String toolCallId;
        private String name;

        private Builder(Role role) {
            this.role = Objects.requireNonNull(role, "role");
        }

        public Builder content(String text) {
            this.content = text == null ? null : new MessageContent.Text(text);
            return this;
        }

        public Builder content(ContentPart... parts) {
            this.content = new MessageContent.Parts(Arrays.asList(parts));
            return this;
        }

        public Builder content(MessageContent content) {
            this.content = content;
            return this;
        }

        public Builder reasoning(String reasoning) {
            this.reasoning = reasoning;
            return this;
        }

        public Builder toolCall(ToolCall call) {
            toolCalls.add(Objects.requireNonNull(call, "call"));
            return this;
        }

        public Builder toolCalls(List<ToolCall> calls) {
            toolCalls.addAll(calls);
            return this;
        }

        public Builder toolResponse(ToolResponse response) {
            toolResponses.add(Objects.requireNonNull(response, "response"));
            return this;
        }

        public Builder toolCallId(String toolCallId) {
            this.toolCallId = toolCallId;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public ChatMessage build() {
            return new ChatMessage(role, content, reasoning, toolCalls, toolResponses, toolCallId, name);
        }
    }
}
