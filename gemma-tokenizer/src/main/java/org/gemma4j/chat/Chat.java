package org.gemma4j.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A conversation: the messages so far and the tools the model may call. Immutable; the
 * {@code with…} methods return a new conversation, so a chat session can keep extending one.
 *
 * @param messages the messages in order
 * @param tools    the declared tools, in the order they are declared to the model
 */
public record Chat(List<ChatMessage> messages, List<ToolDeclaration> tools) {

    public Chat {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    public static Chat of(ChatMessage... messages) {
        return new Chat(Arrays.asList(messages), List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This conversation with one more message at the end. */
    public Chat with(ChatMessage message) {
        List<ChatMessage> list = new ArrayList<>(messages);
        list.add(Objects.requireNonNull(message, "message"));
        return new Chat(list, tools);
    }

    /** This conversation with more messages at the end. */
    public Chat with(List<ChatMessage> more) {
        List<ChatMessage> list = new ArrayList<>(messages);
        list.addAll(more);
        return new Chat(list, tools);
    }

    /** This conversation with another set of tools. */
    public Chat withTools(List<ToolDeclaration> newTools) {
        return new Chat(messages, newTools);
    }

    /** Fluent builder of a {@link Chat}. Not thread-safe. */
    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private final List<ToolDeclaration> tools = new ArrayList<>();

        private Builder() {}

        public Builder message(ChatMessage message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        public Builder system(String text) {
            return message(ChatMessage.system(text));
        }

        public Builder user(String text) {
            return message(ChatMessage.user(text));
        }

        public Builder user(ContentPart... parts) {
            return message(ChatMessage.user(parts));
        }

        public Builder assistant(String text) {
            return message(ChatMessage.assistant(text));
        }

        public Builder toolResult(String toolCallId, String name, String result) {
            return message(ChatMessage.toolResult(toolCallId, name, result));
        }

        public Builder tool(ToolDeclaration tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        public Builder tools(List<ToolDeclaration> more) {
            tools.addAll(more);
            return this;
        }

        public Chat build() {
            return new Chat(messages, tools);
        }
    }
}
