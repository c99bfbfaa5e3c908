package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value against the subset of JSON schema that tool declarations use: {@code type} (a name or a list
 * of names), {@code nullable}, {@code enum}, {@code properties}, {@code required}, {@code additionalProperties},
 * {@code items}, {@code minItems}/{@code maxItems}, {@code minimum}/{@code maximum}, {@code minLength}/{@code
 * maxLength}. Other keywords are ignored.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class SchemaValidator {
    private SchemaValidator() {}

    /** The violations of {@code schema} by {@code value}, each naming its JSON path; empty when valid. */
    public static List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "$", errors);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema == null || schema.isNull() || schema.isEmpty()) {
            return;
        }
        if (value == null || value.isMissingNode()) {
            errors.add(path + ": missing");
            return;
        }
        if (value.isNull() && schema.path("nullable").asBoolean(false)) {
            return;
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            boolean ok = false;
            if (type.isArray()) {
                for (JsonNode t : type) {
                    ok |= hasType(value, t.asText());
                }
            } else {
                ok = hasType(value, type.asText());
            }
            if (!ok) {
                errors.add(path + ": expected " + type.asText(type.toString()) + ", got " + describe(value));
                return;
            }
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray()) {
            boolean found = false;
            for (JsonNode e : en) {
                found |= equalValues(e, value);
            }
            if (!found) {
                errors.add(path + ": " + value + " is not one of " + en);
                return;
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.decimalValue().compareTo(schema.get("minimum").decimalValue()) < 0) {
                errors.add(path + ": " + value + " is below the minimum " + schema.get("minimum"));
            }
            if (schema.has("maximum") && value.decimalValue().compareTo(schema.get("maximum").decimalValue()) > 0) {
                errors.add(path + ": " + value + " is above the maximum " + schema.get("maximum"));
            }
        }
        if (value.isTextual()) {
            int len = value.asText().codePointCount(0, value.asText().length());
            if (schema.has("minLength") && len < schema.get("minLength").asInt()) {
                errors.add(path + ": shorter than " + schema.get("minLength").asInt() + " characters");
            }
            if (schema.has("maxLength") && len > schema.get("maxLength").asInt()) {
                errors.add(path + ": longer than " + schema.get("maxLength").asInt() + " characters");
            }
        }
        if (value.isObject()) {
            JsonNode props = schema.get("properties");
            JsonNode required = schema.get("required");
            if (required != null) {
                for (JsonNode r : required) {
                    if (!value.has(r.asText())) {
                        errors.add(path + "." + r.asText() + ": required but missing");
                    }
                }
            }
            JsonNode additional = schema.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode ps = props == null ? null : props.get(e.getKey());
                if (ps != null) {
                    check(ps, e.getValue(), path + "." + e.getKey(), errors);
                } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                    errors.add(path + "." + e.getKey() + ": unknown property");
                } else if (additional != null && additional.isObject()) {
                    check(additional, e.getValue(), path + "." + e.getKey(), errors);
                } else if (props != null && !props.isEmpty() && additional == null) {
                    errors.add(path + "." + e.getKey() + ": unknown property");
                }
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                errors.add(path + ": fewer than " + schema.get("minItems").asInt() + " items");
            }
            if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                errors.add(path + ": more than " + schema.get("maxItems").asInt() + " items");
            }
            JsonNode items = schema.get("items");
            for (int i = 0; i < value.size(); i++) {
                check(items, value.get(i), path + "[" + i + "]", errors);
            }
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type.toLowerCase(java.util.Locale.ROOT)) {
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            default -> true;
        };
    }

    private static boolean equalValues(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static String describe(JsonNode v) {
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + v;
    }
}
