package org.gemma4j.chat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One function call: written by the model, or stored in an assistant message of the conversation.
 *
 * <p>Immutable: the arguments are copied on the way in and on the way out, so neither the caller nor
 * a later reader can change a call that is part of a {@link Chat}.
 *
 * @param id        the call id that tool results refer to ({@code tool_call_id}); {@code null} when
 *                  none was assigned (the model itself writes no ids)
 * @param name      the function name
 * @param arguments the arguments as a JSON object, in their original key order (the template sorts
 *                  them when rendering)
 */
public record ToolCall(String id, String name, ObjectNode arguments) {

    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? JsonNodeFactory.instance.objectNode() : arguments.deepCopy();
    }

    public ToolCall(String name, ObjectNode arguments) {
        this(null, name, arguments);
    }

    /** A copy of the arguments. */
    @Override
    public ObjectNode arguments() {
        return arguments.deepCopy();
    }

    /** This call with another id (e.g. one assigned by the generation API). */
    public ToolCall withId(String newId) {
        return new ToolCall(newId, name, arguments);
    }
}
