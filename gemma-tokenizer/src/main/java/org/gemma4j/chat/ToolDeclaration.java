package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A function the model may call, declared in the system turn. Immutable: the JSON nodes are copied
 * on the way in and on the way out.
 *
 * @param name        the function name
 * @param description the description, inserted verbatim; {@code ""} when there is none
 * @param parameters  the JSON-schema of the arguments (an {@code object} schema), or {@code null}
 * @param response    the Gemma-native response declaration, or {@code null} when absent (a JSON
 *                    {@code null} node means "present but null", which the template renders differently)
 */
public record ToolDeclaration(String name, String description, JsonNode parameters, JsonNode response) {

    public ToolDeclaration {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        parameters = parameters == null ? null : parameters.deepCopy();
        response = response == null ? null : response.deepCopy();
    }

    public static ToolDeclaration of(String name, String description, JsonNode parameters) {
        return new ToolDeclaration(name, description, parameters, null);
    }

    /**
     * Reads an OpenAI-style tool, {@code {"type":"function","function":{"name","description",
     * "parameters","response"?}}}.
     *
     * @throws ChatTemplateException if it has no {@code function} object
     */
    public static ToolDeclaration fromJson(JsonNode tool) {
        return OpenAiChatJson.toolDeclaration(tool);
    }

    /** Reads a JSON array of OpenAI-style tools (or {@code null}, giving an empty list). */
    public static List<ToolDeclaration> listFromJson(JsonNode tools) {
        List<ToolDeclaration> list = new ArrayList<>();
        if (tools != null && tools.isArray()) {
            for (JsonNode tool : tools) {
                list.add(fromJson(tool));
            }
        }
        return List.copyOf(list);
    }

    /** A copy of the parameters schema, or {@code null}. */
    @Override
    public JsonNode parameters() {
        return parameters == null ? null : parameters.deepCopy();
    }

    /** A copy of the response declaration, or {@code null}. */
    @Override
    public JsonNode response() {
        return response == null ? null : response.deepCopy();
    }

    /** This declaration as an OpenAI-style tool object. */
    public ObjectNode toJson() {
        ObjectNode tool = JsonNodeFactory.instance.objectNode();
        tool.put("type", "function");
        ObjectNode function = tool.putObject("function");
        function.put("name", name);
        function.put("description", description);
        if (parameters != null) {
            function.set("parameters", parameters.deepCopy());
        }
        if (response != null) {
            function.set("response", response.deepCopy());
        }
        return tool;
    }

    /** The parameters schema without a copy, for package code that only reads it; may be {@code null}. */
    JsonNode parametersView() {
        return parameters;
    }

    /** The response declaration without a copy, for package code that only reads it; may be {@code null}. */
    JsonNode responseView() {
        return response;
    }
}
