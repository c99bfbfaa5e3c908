package org.gemma4j.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads OpenAI-style request JSON into the conversation model.
 *
 * <p>The reading follows what the jinja2 template would do with the same JSON: fields are read with
 * the template's fallbacks ({@code reasoning} before {@code reasoning_content}, falsy names as
 * absent), and the inputs on which the template fails raise a {@link ChatTemplateException} carrying
 * the template's error, so that the CLI and the renderer refuse exactly what the template refuses.
 * Fields the template never reads for a message (tool calls on a {@code tool} message or on the
 * leading system message) are not read either. Stateless and thread-safe.
 */
final class OpenAiChatJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static final String ARGUMENTS_NOT_MAPPING =
            "chat_template: tool_calls[].function.arguments must be a JSON object (mapping), not a string."
                    + " Deserialize arguments before passing to the template.";

    private OpenAiChatJson() {}

    static ChatRequest request(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ChatTemplateException("JSONDecodeError", e.getOriginalMessage());
        }
        return request(node);
    }

    static ChatRequest request(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new ChatTemplateException("ValueError", "a chat request must be a JSON object");
        }
        JsonNode kwargs = request.path("chat_template_kwargs");
        RenderOptions defaults = RenderOptions.DEFAULT;
        RenderOptions options = new RenderOptions(
                flag(request, kwargs, "enable_thinking", defaults.enableThinking()),
                flag(request, kwargs, "add_generation_prompt", defaults.addGenerationPrompt()),
                flag(request, kwargs, "preserve_thinking", defaults.preserveThinking()));
        return new ChatRequest(new Chat(messages(request.get("messages")), tools(request.get("tools"))), options);
    }

    private static boolean flag(JsonNode request, JsonNode kwargs, String name, boolean fallback) {
        JsonNode value = request.has(name) ? request.get(name) : kwargs.get(name);
        return value == null ? fallback : PythonText.truthy(value);
    }

    static List<ChatMessage> messages(JsonNode messages) {
        List<ChatMessage> list = new ArrayList<>();
        if (messages == null || messages.isNull()) {
            return list;
        }
        if (!messages.isArray()) {
            throw new ChatTemplateException("ValueError", "'messages' must be a list");
        }
        for (int i = 0; i < messages.size(); i++) {
            list.add(message(messages.get(i), i == 0));
        }
        return list;
    }

    private static ChatMessage message(JsonNode m, boolean first) {
        if (!m.isObject()) {
            throw undefined(m, "role");
        }
        JsonNode roleNode = m.get("role");
        if (roleNode == null) {
            throw undefined(m, "role");
        }
        Role role = Role.of(PythonText.str(roleNode));
        ChatMessage.Builder b = ChatMessage.builder(role).content(content(m.get("content")));
        JsonNode reasoning = PythonText.truthy(m.get("reasoning")) ? m.get("reasoning") : m.get("reasoning_content");
        if (PythonText.truthy(reasoning)) {
            b.reasoning(PythonText.str(reasoning));
        }
        // The template never renders the tool calls of a tool message or of the leading system message.
        boolean callsRendered = !role.equals(Role.TOOL) && !(first && role.isSystemLike());
        JsonNode calls = m.get("tool_calls");
        if (callsRendered && PythonText.truthy(calls)) {
            for (JsonNode call : calls) {
                b.toolCall(toolCall(call));
            }
        }
        JsonNode responses = m.get("tool_responses");
        if (PythonText.truthy(responses) && responses.isArray()) {
            for (JsonNode r : responses) {
                JsonNode name = r.get("name");
                b.toolResponse(new ToolResponse(
                        PythonText.truthy(name) ? PythonText.str(name) : null,
                        r.has("response") ? r.get("response") : MissingNode.getInstance()));
            }
        }
        JsonNode toolCallId = m.get("tool_call_id");
        if (toolCallId != null && !toolCallId.isNull()) {
            b.toolCallId(PythonText.str(toolCallId));
        }
        JsonNode name = m.get("name");
        if (PythonText.truthy(name)) {
            b.name(PythonText.str(name));
        }
        return b.build();
    }

    private static MessageContent content(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return new MessageContent.Text(content.textValue());
        }
        if (content.isObject()) {
            // A mapping passes jinja's "sequence" test and iterates as its keys, which are strings.
            List<ContentPart> keys = new ArrayList<>();
            content.fieldNames().forEachRemaining(k -> keys.add(new ContentPart.Unreadable("str")));
            return new MessageContent.Parts(keys);
        }
        if (content.isArray()) {
            List<ContentPart> parts = new ArrayList<>();
            for (JsonNode part : content) {
                parts.add(part(part));
            }
            return new MessageContent.Parts(parts);
        }
        return new MessageContent.Value(content);
    }

    private static ContentPart part(JsonNode part) {
        if (!part.isObject()) {
            return new ContentPart.Unreadable(pyType(part));
        }
        String type = part.hasNonNull("type") ? PythonText.str(part.get("type")) : null;
        if (type == null) {
            return new ContentPart.Other(null);
        }
        return switch (type) {
            case "text" -> new ContentPart.Text(part.has("text") ? PythonText.str(part.get("text")) : "");
            case "image" -> new ContentPart.Image(source(part, "image"));
            case "image_url" -> new ContentPart.Image(source(part, "image_url"));
            case "audio" -> new ContentPart.Audio(source(part, "audio"));
            case "input_audio" -> new ContentPart.Audio(inputAudioSource(part));
            case "video" -> new ContentPart.Video(source(part, "video"));
            default -> new ContentPart.Other(type);
        };
    }

    /** The media reference of a part: {@code {"image": "…"}}, {@code {"image_url": {"url": "…"}}} or {@code {"url": "…"}}. */
    private static String source(JsonNode part, String field) {
        JsonNode value = part.get(field);
        if (value != null && value.isTextual()) {
            return value.textValue();
        }
        if (value != null && value.path("url").isTextual()) {
            return value.get("url").textValue();
        }
        for (String alt : new String[] {"url", "path"}) {
            if (part.path(alt).isTextual()) {
                return part.get(alt).textValue();
            }
        }
        return null;
    }

    /** {@code {"input_audio": {"data": base64, "format": "wav"}}} as a {@code data:} URI. */
    private static String inputAudioSource(JsonNode part) {
        JsonNode audio = part.path("input_audio");
        if (audio.path("data").isTextual()) {
            String format = audio.path("format").asText("wav");
            return "data:audio/" + format + ";base64," + audio.get("data").textValue();
        }
        return source(part, "input_audio");
    }

    private static ToolCall toolCall(JsonNode call) {
        JsonNode function = call.get("function");
        if (function == null || !function.isObject()) {
            throw undefined(call, "function");
        }
        JsonNode name = function.get("name");
        if (name == null) {
            throw undefined(function, "name");
        }
        JsonNode arguments = function.get("arguments");
        if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
            throw new ChatTemplateException("TemplateError", ARGUMENTS_NOT_MAPPING);
        }
        if (arguments == null) {
            throw new ChatTemplateException("TemplateError", ARGUMENTS_NOT_MAPPING);
        }
        JsonNode id = call.get("id");
        return new ToolCall(
                id == null || id.isNull() ? null : PythonText.str(id),
                PythonText.str(name),
                arguments.isObject() ? (ObjectNode) arguments : null);
    }

    static List<ToolDeclaration> tools(JsonNode tools) {
        List<ToolDeclaration> list = new ArrayList<>();
        if (tools == null || tools.isNull()) {
            return list;
        }
        if (!tools.isArray()) {
            throw new ChatTemplateException("ValueError", "'tools' must be a list");
        }
        for (JsonNode tool : tools) {
            list.add(toolDeclaration(tool));
        }
        return list;
    }

    static ToolDeclaration toolDeclaration(JsonNode tool) {
        JsonNode function = tool == null ? null : tool.get("function");
        if (function == null || !function.isObject()) {
            throw undefined(tool, "function");
        }
        JsonNode description = function.get("description");
        return new ToolDeclaration(
                PythonText.str(function.get("name")),
                // Printed with Python's str(): a JSON null description really renders as "None".
                PythonText.str(description),
                function.get("parameters"),
                function.has("response") ? function.get("response") : null);
    }

    private static ChatTemplateException undefined(JsonNode owner, String attribute) {
        return new ChatTemplateException("UndefinedError",
                "'" + (owner == null ? "None" : pyType(owner) + " object") + "' has no attribute '" + attribute + "'");
    }

    /** The Python type name json.loads gives a node, as jinja2 names it in error messages. */
    static String pyType(JsonNode node) {
        if (node == null || node.isNull()) {
            return "NoneType";
        }
        if (node.isObject()) {
            return "dict";
        }
        if (node.isArray()) {
            return "list";
        }
        if (node.isTextual()) {
            return "str";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        return node.isIntegralNumber() ? "int" : "float";
    }
}
