package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * A tool result attached to an assistant message the Gemma-native way ({@code tool_responses}), as
 * opposed to a separate {@code role:"tool"} message.
 *
 * <p>A JSON-object response renders as {@code response:NAME{key:value,…}}; any other value as
 * {@code response:NAME{value:…}}. Immutable: the response is copied on the way in and out.
 *
 * @param name     the function name; {@code null} or empty renders as {@code unknown}
 * @param response the result value
 */
public record ToolResponse(String name, JsonNode response) {

    public ToolResponse {
        response = response == null ? NullNode.getInstance() : response.deepCopy();
    }

    /** A copy of the response value. */
    @Override
    public JsonNode response() {
        return response.deepCopy();
    }
}
