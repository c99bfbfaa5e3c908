package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.gemma4j.chat.ToolDeclaration;

/**
 * One tool: what the model is told ({@link ToolDeclaration}: name, description, parameter schema) and the code that
 * runs it. Immutable.
 *
 * @param declaration the declaration rendered into the prompt; its parameters are the validation schema
 * @param handler the code called with validated arguments
 */
public record RegisteredTool(ToolDeclaration declaration, ToolHandler handler) {
    public RegisteredTool {
        Objects.requireNonNull(declaration, "declaration");
        Objects.requireNonNull(handler, "handler");
    }

    public String name() {
        return declaration.name();
    }

    /** The parameter schema (a copy), or an empty object schema when the tool takes no arguments. */
    public JsonNode parameters() {
        JsonNode p = declaration.parameters();
        return p == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "object") : p;
    }
}
