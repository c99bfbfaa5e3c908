package org.gemma4j.chat;

import static org.gemma4j.chat.GemmaTokens.STRING_DELIMITER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Reads Gemma 4 value syntax (as the model writes tool-call arguments) into Jackson nodes, keeping key
 * order.
 *
 * <pre>
 * object := '{' ws [ member (ws ',' ws member)* ] ws '}'
 * member := key ws ':' ws value
 * key    := &lt;|"|&gt;…&lt;|"|&gt; | JSON "…" string | bare text without : { } [ ] , " or &lt;|"|&gt; (trimmed)
 * value  := &lt;|"|&gt;…&lt;|"|&gt; (verbatim up to the next delimiter) | JSON "…" string (escapes decoded)
 *         | object | array | true | false | null | JSON number
 * array  := '[' ws [ value (ws ',' ws value)* ] ws ']'
 * </pre>
 *
 * Whitespace is Python's {@code str.isspace()}; a literal or number must be followed by whitespace,
 * {@code ,}, {@code }}, {@code ]} or the end; a duplicate key keeps its first position and its last
 * value; integers stay exact. One instance reads one text; not thread-safe.
 */
final class GemmaValueParser {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** The text is not valid value syntax; the message says where and why. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    private final String s;
    private int pos;

    private GemmaValueParser(String text) {
        this.s = text;
    }

    /** Reads a text that must be exactly one object, optionally surrounded by whitespace. */
    static ObjectNode parseObject(String text) throws SyntaxError {
        GemmaValueParser p = new GemmaValueParser(text);
        p.skipSpace();
        if (!p.at('{')) {
            throw p.error("expected '{'");
        }
        ObjectNode object = p.object();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the arguments object");
        }
        return object;
    }

    private ObjectNode object() throws SyntaxError {
        pos++; // '{'
        ObjectNode object = NODES.objectNode();
        skipSpace();
        if (at('}')) {
            pos++;
            return object;
        }
        while (true) {
            String key = key();
            skipSpace();
            if (!at(':')) {
                throw error("expected ':' after key '" + key + "'");
            }
            pos++;
            skipSpace();
            object.set(key, value());
            skipSpace();
            if (at(',')) {
                pos++;
                skipSpace();
            } else if (at('}')) {
                pos++;
                return object;
            } else {
                throw error("expected ',' or '}'");
            }
        }
    }

    private ArrayNode array() throws SyntaxError {
        pos++; // '['
        ArrayNode array = NODES.arrayNode();
        skipSpace();
        if (at(']')) {
            pos++;
            return array;
        }
        while (true) {
            array.add(value());
            skipSpace();
            if (at(',')) {
                pos++;
                skipSpace();
            } else if (at(']')) {
                pos++;
                return array;
            } else {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String key() throws SyntaxError {
        if (s.startsWith(STRING_DELIMITER, pos)) {
            return delimitedString();
        }
        if (at('"')) {
            return jsonString();
        }
        int start = pos;
        while (pos < s.length() && ":{}[],\"".indexOf(s.charAt(pos)) < 0 && !s.startsWith(STRING_DELIMITER, pos)) {
            pos++;
        }
        String key = PythonText.strip(s.substring(start, pos));
        if (key.isEmpty()) {
            pos = start;
            throw error("expected a key");
        }
        return key;
    }

    private JsonNode value() throws SyntaxError {
        if (pos >= s.length()) {
            throw error("expected a value");
        }
        if (s.startsWith(STRING_DELIMITER, pos)) {
            return NODES.textNode(delimitedString());
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '"' -> NODES.textNode(jsonString());
            case '{' -> object();
            case '[' -> array();
            case 't' -> literal("true", NODES.booleanNode(true));
            case 'f' -> literal("false", NODES.booleanNode(false));
            case 'n' -> literal("null", NODES.nullNode());
            default -> {
                if (c == '-' || isDigit(c)) {
                    yield number();
                }
                throw error("expected a value");
            }
        };
    }

    /** {@code <|"|>…<|"|>}: everything up to the next delimiter, verbatim (there is no escape). */
    private String delimitedString() throws SyntaxError {
        int start = pos + STRING_DELIMITER.length();
        int end = s.indexOf(STRING_DELIMITER, start);
        if (end < 0) {
            throw error("unterminated <|\"|> string");
        }
        pos = end + STRING_DELIMITER.length();
        return s.substring(start, end);
    }

    /** A JSON double-quoted string, with JSON escapes decoded (a leniency: the model should use <|"|>). */
    private String jsonString() throws SyntaxError {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character in JSON string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) {
                break;
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("invalid \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("invalid escape '\\" + e + "'");
            }
        }
        pos = start;
        throw error("unterminated JSON string");
    }

    private JsonNode literal(String word, JsonNode node) throws SyntaxError {
        if (!s.startsWith(word, pos)) {
            throw error("expected a value");
        }
        pos += word.length();
        requireValueEnd();
        return node;
    }

    /** A JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?; integers exact, others as doubles. */
    private JsonNode number() throws SyntaxError {
        int start = pos;
        if (at('-')) {
            pos++;
        }
        if (at('0')) {
            pos++;
        } else if (pos < s.length() && isDigit(s.charAt(pos))) {
            digits();
        } else {
            throw error("invalid number");
        }
        boolean integral = true;
        if (at('.')) {
            pos++;
            if (!(pos < s.length() && isDigit(s.charAt(pos)))) {
                throw error("invalid number");
            }
            digits();
            integral = false;
        }
        if (at('e') || at('E')) {
            pos++;
            if (at('+') || at('-')) {
                pos++;
            }
            if (!(pos < s.length() && isDigit(s.charAt(pos)))) {
                throw error("invalid number");
            }
            digits();
            integral = false;
        }
        String text = s.substring(start, pos);
        requireValueEnd();
        if (integral) {
            BigInteger value = new BigInteger(text);
            if (value.compareTo(INT_MIN) >= 0 && value.compareTo(INT_MAX) <= 0) {
                return NODES.numberNode(value.intValue());
            }
            if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
                return NODES.numberNode(value.longValue());
            }
            return NODES.numberNode(value);
        }
        double d = Double.parseDouble(text);
        return Double.isInfinite(d) ? NODES.numberNode(new BigDecimal(text)) : NODES.numberNode(d);
    }

    private void digits() {
        while (pos < s.length() && isDigit(s.charAt(pos))) {
            pos++;
        }
    }

    /** A literal or number must be followed by whitespace, ',', '}', ']' or the end. */
    private void requireValueEnd() throws SyntaxError {
        if (pos < s.length()) {
            char c = s.charAt(pos);
            if (!PythonText.isSpace(c) && c != ',' && c != '}' && c != ']') {
                throw error("unexpected character after value");
            }
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private boolean at(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private void skipSpace() {
        pos = PythonText.skipSpace(s, pos);
    }

    private SyntaxError error(String what) {
        return new SyntaxError(what + " at offset " + pos);
    }
}
