package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a tool declaration ({@code declaration:NAME{description:…,parameters:{…}}}) as the template's
 * {@code format_function_declaration} and {@code format_parameters} macros do, quirks included.
 *
 * <p>The JSON-schema is walked the way the template walks it: only {@code description},
 * {@code enum} (strings), {@code items} (arrays), {@code nullable}, nested {@code properties}/
 * {@code required} (objects) and {@code type} are written, in that order, and a value the template
 * reads as undefined (a missing key, or a key of something that is not an object) prints as nothing.
 * The quirks this reproduces are documented in the golden README: a top-level schema without
 * {@code type} leaves {@code parameters:{} unclosed, a list-valued {@code type} prints as the Python
 * repr of the upper-cased list, an {@code object} property without {@code properties} has its own
 * extra keys written as properties, and a non-object {@code response} leaves {@code response:{}
 * unclosed. Stateless and thread-safe.
 */
final class ToolDeclarationWriter {
    private static final String Q = GemmaTokens.STRING_DELIMITER;
    /** Keys skipped when an object schema's own keys are written as its properties. */
    private static final Set<String> STANDARD_KEYS = Set.of("description", "type", "properties", "required", "nullable");

    private ToolDeclarationWriter() {}

    /** The declaration text that goes between {@code <|tool>} and {@code <tool|>}. */
    static String write(ToolDeclaration tool) {
        StringBuilder sb = new StringBuilder();
        sb.append("declaration:").append(tool.name()).append("{description:")
                .append(Q).append(tool.description()).append(Q);
        JsonNode params = tool.parametersView();
        if (PythonText.truthy(params)) {
            sb.append(",parameters:{");
            JsonNode properties = get(params, "properties");
            if (PythonText.truthy(properties)) {
                sb.append("properties:{");
                writeProperties(properties, false, sb);
                sb.append("},");
            }
            JsonNode required = get(params, "required");
            if (PythonText.truthy(required)) {
                sb.append("required:");
                writeRequired(required, sb);
                sb.append(',');
            }
            JsonNode type = get(params, "type");
            if (PythonText.truthy(type)) {
                // The only place the parameters block is closed: without a type it stays open.
                sb.append("type:").append(Q).append(upper(type)).append(Q).append('}');
            }
        }
        if (tool.responseView() != null) {
            JsonNode response = tool.responseView();
            sb.append(",response:{");
            JsonNode description = get(response, "description");
            if (PythonText.truthy(description)) {
                sb.append("description:").append(Q).append(PythonText.str(description)).append(Q).append(',');
            }
            if (upper(get(response, "type")).equals("OBJECT")) {
                sb.append("type:").append(Q).append("OBJECT").append(Q).append('}');
            }
        }
        sb.append('}');
        return PythonText.strip(sb.toString());
    }

    /** The template's {@code format_parameters}: each property as {@code key:{…}}, comma-separated. */
    private static void writeProperties(JsonNode properties, boolean filterKeys, StringBuilder sb) {
        if (!properties.isObject()) {
            return;
        }
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : PythonText.dictsort(properties)) {
            String key = e.getKey();
            if (filterKeys && STANDARD_KEYS.contains(key)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            writeProperty(key, e.getValue(), sb);
        }
    }

    private static void writeProperty(String key, JsonNode value, StringBuilder sb) {
        Separator comma = new Separator(sb);
        sb.append(key).append(":{");
        JsonNode description = get(value, "description");
        if (PythonText.truthy(description)) {
            comma.next();
            sb.append("description:").append(Q).append(PythonText.str(description)).append(Q);
        }
        String type = upper(get(value, "type"));
        if (type.equals("STRING")) {
            JsonNode enumValues = get(value, "enum");
            if (PythonText.truthy(enumValues)) {
                comma.next();
                sb.append("enum:");
                GemmaValueWriter.write(enumValues, true, sb);
            }
        } else if (type.equals("ARRAY")) {
            JsonNode items = get(value, "items");
            if (items != null && items.isObject() && !items.isEmpty()) {
                comma.next();
                sb.append("items:{");
                writeItems(items, sb);
                sb.append('}');
            }
        }
        if (PythonText.truthy(get(value, "nullable"))) {
            comma.next();
            sb.append("nullable:true");
        }
        if (type.equals("OBJECT")) {
            JsonNode nested = get(value, "properties");
            if (nested != null && nested.isObject()) {
                comma.next();
                sb.append("properties:{");
                writeProperties(nested, false, sb);
                sb.append('}');
            } else if (value.isObject()) {
                // No "properties" mapping: the template writes the schema's own extra keys as properties.
                comma.next();
                sb.append("properties:{");
                writeProperties(value, true, sb);
                sb.append('}');
            }
            JsonNode required = get(value, "required");
            if (PythonText.truthy(required)) {
                comma.next();
                sb.append("required:");
                writeRequired(required, sb);
            }
        }
        comma.next();
        sb.append("type:").append(Q).append(type).append(Q).append('}');
    }

    /** An array's {@code items} schema: every non-null key, sorted; free-form values with quoted keys. */
    private static void writeItems(JsonNode items, StringBuilder sb) {
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : PythonText.dictsort(items)) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            switch (e.getKey()) {
                case "properties" -> {
                    sb.append("properties:{");
                    writeProperties(v, false, sb);
                    sb.append('}');
                }
                case "required" -> {
                    sb.append("required:");
                    writeRequired(v, sb);
                }
                case "type" -> {
                    sb.append("type:");
                    GemmaValueWriter.write(upperEach(v), true, sb);
                }
                default -> {
                    sb.append(e.getKey()).append(':');
                    GemmaValueWriter.write(v, true, sb);
                }
            }
        }
    }

    /** {@code [<|"|>a<|"|>,…]} over what jinja iterates: list items, string characters or mapping keys. */
    private static void writeRequired(JsonNode required, StringBuilder sb) {
        sb.append('[');
        List<String> names = iterate(required);
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(Q).append(names.get(i)).append(Q);
        }
        sb.append(']');
    }

    private static List<String> iterate(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(PythonText.str(n)));
        } else if (node.isTextual()) {
            node.textValue().codePoints().forEach(cp -> out.add(Character.toString(cp)));
        } else if (node.isObject()) {
            node.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    /** {@code type | upper} for a string type; {@code type | map('upper') | list} otherwise. */
    private static JsonNode upperEach(JsonNode type) {
        if (type.isTextual()) {
            return JsonNodeFactory.instance.textNode(PythonText.upper(type.textValue()));
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String s : iterate(type)) {
            list.add(PythonText.upper(s));
        }
        return list;
    }

    /** {@code value | upper}: Python's {@code str(value).upper()}, "" for an undefined value. */
    private static String upper(JsonNode value) {
        return PythonText.upper(PythonText.str(value));
    }

    /** {@code value[key]} as jinja reads it: undefined ({@code null}) unless value is an object with that key. */
    private static JsonNode get(JsonNode value, String key) {
        return value != null && value.isObject() ? value.get(key) : null;
    }

    /** The template's {@code add_comma} flag: a comma before every field but the first of a property. */
    private static final class Separator {
        private final StringBuilder sb;
        private boolean used;

        Separator(StringBuilder sb) {
            this.sb = sb;
        }

        void next() {
            if (used) {
                sb.append(',');
            }
            used = true;
        }
    }
}
