package org.gemma4j.chat;

import static org.gemma4j.chat.GemmaTokens.STRING_DELIMITER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one call body ({@code call:NAME{…}}, the text between {@code <|tool_call>} and its end) into a
 * {@link ToolCall}, or explains why it cannot.
 *
 * <p>When the arguments do not parse, at most two repaired versions are tried, in this order (the
 * repairs ollama applies to the same model's output): (1) single-quoted values turned into
 * {@code <|"|>} strings and an odd {@code <|"|>} count balanced at the end, plus a missing final
 * {@code }} if that changed anything; (2) only when the declared tool has a string parameter whose
 * value was written raw: that value wrapped in {@code <|"|>}, then the same repairs, plus a missing
 * final {@code }}. Immutable and thread-safe.
 */
final class ToolCallReader {
    private static final String CALL_PREFIX = "call:";
    private static final int DELIMITER_LENGTH = STRING_DELIMITER.length();

    /** The declared tools by name (the first declaration of a name wins), for the schema-gated repair. */
    private final Map<String, ToolDeclaration> tools = new LinkedHashMap<>();

    ToolCallReader(List<ToolDeclaration> declarations) {
        for (ToolDeclaration tool : declarations) {
            tools.putIfAbsent(tool.name(), tool);
        }
    }

    /** The outcome of reading one call body: exactly one of the two is non-null. */
    record Outcome(ToolCall call, InvalidToolCall invalid) {
        static Outcome valid(ToolCall call) {
            return new Outcome(call, null);
        }

        static Outcome invalid(String raw, ToolCallError error, String detail) {
            return new Outcome(null, new InvalidToolCall(raw, error, detail));
        }
    }

    Outcome read(String body) {
        String text = PythonText.strip(body);
        if (!text.startsWith(CALL_PREFIX)) {
            return Outcome.invalid(body, ToolCallError.MISSING_CALL_PREFIX, "the call does not start with 'call:'");
        }
        int brace = text.indexOf('{', CALL_PREFIX.length());
        if (brace < 0) {
            return Outcome.invalid(body, ToolCallError.MISSING_ARGUMENTS, "no '{' opens the arguments");
        }
        String name = PythonText.strip(text.substring(CALL_PREFIX.length(), brace));
        if (name.isEmpty()) {
            return Outcome.invalid(body, ToolCallError.MISSING_NAME, "no function name before '{'");
        }
        String arguments = text.substring(brace);
        GemmaValueParser.SyntaxError firstError;
        try {
            return Outcome.valid(new ToolCall(name, GemmaValueParser.parseObject(arguments)));
        } catch (GemmaValueParser.SyntaxError e) {
            firstError = e;
        }
        for (String candidate : repairCandidates(arguments, name)) {
            try {
                return Outcome.valid(new ToolCall(name, GemmaValueParser.parseObject(candidate)));
            } catch (GemmaValueParser.SyntaxError ignored) {
                // try the next candidate
            }
        }
        return Outcome.invalid(body, ToolCallError.INVALID_ARGUMENTS, firstError.getMessage());
    }

    private List<String> repairCandidates(String arguments, String name) {
        Set<String> seen = new HashSet<>();
        seen.add(arguments);
        List<String> candidates = new ArrayList<>();
        String first = balanceDelimiters(quoteSingleQuotedValues(arguments));
        if (!first.equals(arguments)) {
            first = closeObject(first);
        }
        if (seen.add(first)) {
            candidates.add(first);
        }
        String raw = wrapRawStringValue(arguments, name);
        if (raw != null) {
            String second = closeObject(balanceDelimiters(quoteSingleQuotedValues(raw)));
            if (seen.add(second)) {
                candidates.add(second);
            }
        }
        return candidates;
    }

    /**
     * Repair a: {@code key:'…'} becomes {@code key:<|"|>…<|"|>}. A backslash protects a quote (and stays
     * in the value); a {@code <|"|>} right after the closing quote is dropped. {@code <|"|>} strings and
     * JSON strings are skipped over untouched.
     */
    static String quoteSingleQuotedValues(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith(STRING_DELIMITER, i)) {
                int end = s.indexOf(STRING_DELIMITER, i + DELIMITER_LENGTH);
                if (end < 0) {
                    sb.append(s, i, s.length());
                    break;
                }
                sb.append(s, i, end + DELIMITER_LENGTH);
                i = end + DELIMITER_LENGTH;
                continue;
            }
            char c = s.charAt(i);
            if (c == '"') {
                int end = jsonStringEnd(s, i);
                if (end >= 0) {
                    sb.append(s, i, end);
                    i = end;
                    continue;
                }
            }
            sb.append(c);
            i++;
            if (c != ':') {
                continue;
            }
            int valueStart = PythonText.skipSpace(s, i);
            sb.append(s, i, valueStart);
            i = valueStart;
            if (i >= s.length() || s.charAt(i) != '\'') {
                continue;
            }
            int end = singleQuotedEnd(s, i);
            if (end < 0) {
                continue;
            }
            sb.append(STRING_DELIMITER).append(s, i + 1, end - 1).append(STRING_DELIMITER);
            i = end;
            if (s.startsWith(STRING_DELIMITER, i)) {
                i += DELIMITER_LENGTH;
            }
        }
        return sb.toString();
    }

    /** Index just after the quote closing the single-quoted value at {@code start}, or -1. */
    private static int singleQuotedEnd(String s, int start) {
        boolean escaped = false;
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' && !escaped) {
                return i + 1;
            }
            escaped = c == '\\' && !escaped;
        }
        return -1;
    }

    /** Index just after the quote closing the JSON string at {@code start}, or -1. */
    private static int jsonStringEnd(String s, int start) {
        boolean escaped = false;
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && !escaped) {
                return i + 1;
            }
            escaped = c == '\\' && !escaped;
        }
        return -1;
    }

    /**
     * Repair b: an odd number of {@code <|"|>} gets one more at the end (before trailing whitespace),
     * placed before a final {@code }} or {@code ]} so that the last string value is the one closed.
     */
    static String balanceDelimiters(String s) {
        int count = 0;
        for (int i = s.indexOf(STRING_DELIMITER); i >= 0; i = s.indexOf(STRING_DELIMITER, i + DELIMITER_LENGTH)) {
            count++;
        }
        if (count % 2 == 0) {
            return s;
        }
        int at = PythonText.rstrip(s).length();
        if (at > 0 && (s.charAt(at - 1) == '}' || s.charAt(at - 1) == ']')) {
            at--;
        }
        return s.substring(0, at) + STRING_DELIMITER + s.substring(at);
    }

    /** Appends the object's missing final {@code }} (before trailing whitespace). */
    static String closeObject(String s) {
        if (!s.startsWith("{", PythonText.skipSpace(s, 0))) {
            return s;
        }
        int end = PythonText.rstrip(s).length();
        if (end > 0 && s.charAt(end - 1) == '}') {
            return s;
        }
        return s.substring(0, end) + "}" + s.substring(end);
    }

    /**
     * Repair c (schema-gated): for the first declared string parameter whose value was written raw (not
     * starting like a string, object, array, number or literal), wraps the raw text in {@code <|"|>},
     * from just after {@code key:} up to the next {@code ,<declared key>:} or the final {@code }}.
     * Returns {@code null} when the tool is not declared or no such value exists.
     */
    String wrapRawStringValue(String s, String name) {
        ToolDeclaration tool = tools.get(name);
        JsonNode properties = tool == null || tool.parametersView() == null ? null : tool.parametersView().get("properties");
        if (properties == null || !properties.isObject()) {
            return null;
        }
        List<String> declared = new ArrayList<>();
        properties.fieldNames().forEachRemaining(declared::add);
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            if (!acceptsString(property.getValue())) {
                continue;
            }
            String key = property.getKey();
            int searchFrom = 0;
            while (searchFrom < s.length()) {
                int valueStart = valueStartForKey(s, key, searchFrom);
                if (valueStart < 0) {
                    break;
                }
                int first = PythonText.skipSpace(s, valueStart);
                if (first < s.length() && startsStructuredValue(s, first)) {
                    searchFrom = valueStart; // this occurrence is well-formed; look for a later one
                    continue;
                }
                int valueEnd = rawValueEnd(s, valueStart, declared);
                return s.substring(0, valueStart) + STRING_DELIMITER + s.substring(valueStart, valueEnd)
                        + STRING_DELIMITER + s.substring(valueEnd);
            }
        }
        return null;
    }

    private static boolean acceptsString(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return false;
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual() && type.textValue().equalsIgnoreCase("string")) {
            return true;
        }
        if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                if (t.isTextual() && t.textValue().equalsIgnoreCase("string")) {
                    return true;
                }
            }
        }
        JsonNode anyOf = schema.get("anyOf");
        if (anyOf != null && anyOf.isArray()) {
            for (JsonNode alternative : anyOf) {
                if (acceptsString(alternative)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Index just after {@code key:} where the key follows a '{' or ',' outside strings; -1 if none. */
    private static int valueStartForKey(String s, String key, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.startsWith(STRING_DELIMITER, i)) {
                int end = s.indexOf(STRING_DELIMITER, i + DELIMITER_LENGTH);
                if (end < 0) {
                    return -1;
                }
                i = end + DELIMITER_LENGTH - 1;
                continue;
            }
            char c = s.charAt(i);
            if (c == '"') {
                int end = jsonStringEnd(s, i);
                if (end >= 0) {
                    i = end - 1;
                    continue;
                }
            }
            if (c != '{' && c != ',') {
                continue;
            }
            int keyStart = PythonText.skipSpace(s, i + 1);
            if (!s.startsWith(key, keyStart)) {
                continue;
            }
            int colon = PythonText.skipSpace(s, keyStart + key.length());
            if (colon < s.length() && s.charAt(colon) == ':') {
                return colon + 1;
            }
        }
        return -1;
    }

    private static boolean startsStructuredValue(String s, int at) {
        if (s.startsWith(STRING_DELIMITER, at)) {
            return true;
        }
        char c = s.charAt(at);
        return c == '\'' || c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9')
                || c == 't' || c == 'f' || c == 'n';
    }

    /** Where a raw string value ends: before the next {@code ,<declared key>:}, else before the final '}'. */
    private static int rawValueEnd(String s, int start, List<String> declared) {
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) != ',') {
                continue;
            }
            int keyStart = PythonText.skipSpace(s, i + 1);
            for (String key : declared) {
                if (!key.isEmpty() && s.startsWith(key, keyStart)) {
                    int colon = PythonText.skipSpace(s, keyStart + key.length());
                    if (colon < s.length() && s.charAt(colon) == ':') {
                        return i;
                    }
                }
            }
        }
        int end = PythonText.rstrip(s).length();
        if (end > start && s.charAt(end - 1) == '}') {
            return end - 1;
        }
        return s.length();
    }
}
