package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Writes a JSON value in Gemma 4's value syntax, as the template's {@code format_argument} macro does:
 * strings between {@code <|"|>} with no escaping, numbers as Python prints them, {@code true},
 * {@code false}, {@code null}, objects with case-insensitively sorted keys, no spaces anywhere.
 *
 * <p>Keys are bare in tool calls and responses, and {@code <|"|>}-quoted inside declaration
 * {@code enum}/{@code items} values. Stateless and thread-safe.
 */
final class GemmaValueWriter {
    private GemmaValueWriter() {}

    static String write(JsonNode value, boolean quoteKeys) {
        StringBuilder sb = new StringBuilder();
        write(value, quoteKeys, sb);
        return sb.toString();
    }

    static void write(JsonNode value, boolean quoteKeys, StringBuilder sb) {
        write(value, quoteKeys, sb, null);
    }

    /**
     * Like {@link #write(JsonNode, boolean, StringBuilder)}, and adds the {@code [start, end)} offsets in {@code sb} of
     * every non-empty string value's text (between its delimiters) to {@code strings}, if not null: the parts a
     * caller may want tokenized as untrusted text.
     */
    static void write(JsonNode value, boolean quoteKeys, StringBuilder sb, List<int[]> strings) {
        if (value == null || value.isNull()) {
            sb.append("null");
        } else if (value.isMissingNode()) {
            // An undefined value passes jinja's "sequence" test and iterates as empty.
            sb.append("[]");
        } else if (value.isTextual()) {
            sb.append(GemmaTokens.STRING_DELIMITER);
            int start = sb.length();
            sb.append(value.textValue());
            if (strings != null && sb.length() > start) {
                strings.add(new int[] {start, sb.length()});
            }
            sb.append(GemmaTokens.STRING_DELIMITER);
        } else if (value.isBoolean()) {
            sb.append(value.booleanValue() ? "true" : "false");
        } else if (value.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : PythonText.dictsort(value)) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                if (quoteKeys) {
                    sb.append(GemmaTokens.STRING_DELIMITER).append(e.getKey()).append(GemmaTokens.STRING_DELIMITER);
                } else {
                    sb.append(e.getKey());
                }
                sb.append(':');
                write(e.getValue(), quoteKeys, sb, strings);
            }
            sb.append('}');
        } else if (value.isArray()) {
            sb.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(value.get(i), quoteKeys, sb, strings);
            }
            sb.append(']');
        } else {
            sb.append(PythonText.str(value));
        }
    }

    /**
     * The members of an object as {@code key:value,…} with bare sorted keys (tool-call arguments and responses);
     * string values' offsets go to {@code strings} as in {@link #write(JsonNode, boolean, StringBuilder, List)}.
     */
    static void writeMembers(JsonNode object, StringBuilder sb, List<int[]> strings) {
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : PythonText.dictsort(object)) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(e.getKey()).append(':');
            write(e.getValue(), false, sb, strings);
        }
    }
}
