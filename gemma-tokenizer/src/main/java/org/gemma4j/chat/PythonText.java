package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The few Python string and number semantics the official chat template relies on, reproduced exactly.
 *
 * <p>The template runs under jinja2, so its {@code trim} is Python's {@code str.strip()}, its
 * {@code dictsort} compares {@code str.lower()} keys, and printing a value is Python's {@code str()}.
 * Java's own versions differ in small ways (e.g. {@link String#strip()} keeps U+00A0, and
 * {@link Double#toString(double)} prints {@code 1.0E16} where Python prints {@code 1e+16}), and a
 * byte-exact prompt needs the Python behaviour. Stateless and thread-safe.
 */
final class PythonText {
    private PythonText() {}

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
                    0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** Python's {@code str.strip()} with no arguments. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Python's {@code str.rstrip()} with no arguments. */
    static String rstrip(CharSequence s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.subSequence(0, end).toString();
    }

    /** Index of the first character at or after {@code from} that is not Python whitespace. */
    static int skipSpace(CharSequence s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Whether every character is Python whitespace (true for the empty string). */
    static boolean isBlank(CharSequence s) {
        return skipSpace(s, 0) == s.length();
    }

    /** Python's {@code str.upper()} (locale-independent, like Python). */
    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    /**
     * The order of jinja2's {@code dictsort} (case-insensitive): keys compared by {@code str.lower()} in
     * code-point order. {@link String#compareTo} compares UTF-16 units, which orders supplementary
     * characters differently, hence the explicit code-point walk.
     */
    static final Comparator<String> DICTSORT_ORDER = Comparator.comparing(
            (String k) -> k.toLowerCase(Locale.ROOT), PythonText::compareCodePoints);

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The entries of a JSON object in {@code dictsort} order (the sort is stable, like Python's). */
    static List<Map.Entry<String, JsonNode>> dictsort(JsonNode object) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
        while (it.hasNext()) {
            entries.add(it.next());
        }
        entries.sort(Map.Entry.comparingByKey(DICTSORT_ORDER));
        return entries;
    }

    /** Jinja truthiness of a value; {@code null} stands for an undefined value. */
    static boolean truthy(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            return !node.textValue().isEmpty();
        }
        if (node.isContainerNode()) {
            return !node.isEmpty();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().signum() != 0;
        }
        if (node.isNumber()) {
            return node.doubleValue() != 0.0;
        }
        return true;
    }

    /**
     * What jinja2 prints for a value, i.e. Python's {@code str()} of the value json.loads would give;
     * {@code null} (undefined) prints as the empty string.
     */
    static String str(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        return repr(node);
    }

    /** Python's {@code repr()} of the value json.loads would give. */
    static String repr(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        if (node.isNull()) {
            return "None";
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? "True" : "False";
        }
        if (node.isTextual()) {
            return reprString(node.textValue());
        }
        if (node.isNumber()) {
            return number(node);
        }
        StringBuilder sb = new StringBuilder();
        if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(repr(node.get(i)));
            }
            return sb.append(']').toString();
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(reprString(e.getKey())).append(": ").append(repr(e.getValue()));
        }
        return sb.append('}').toString();
    }

    /** Python's {@code str()} of a JSON number: ints as digits, floats in Python's repr form. */
    static String number(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        return floatRepr(node.doubleValue());
    }

    /** Python's {@code repr()} of a string: quotes chosen as Python does, escapes for unprintables. */
    static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (isPrintable(cp)) {
                sb.appendCodePoint(cp);
            } else if (cp < 0x100) {
                sb.append(String.format("\\x%02x", cp));
            } else if (cp < 0x10000) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.append(String.format("\\U%08x", cp));
            }
        });
        return sb.append(quote).toString();
    }

    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that round-trip, in fixed notation when the
     * decimal exponent is in [-4, 16) (always with a fractional digit), else as {@code d.ddde±XX}.
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0.0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
        }
        String sign = d < 0 ? "-" : "";
        double abs = Math.abs(d);
        BigDecimal shortest = shortestDecimal(abs);
        String digits = shortest.unscaledValue().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        StringBuilder sb = new StringBuilder(sign);
        if (exponent >= -4 && exponent < 16) {
            if (exponent >= 0) {
                if (digits.length() <= exponent + 1) {
                    sb.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
                } else {
                    sb.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
                }
            } else {
                sb.append("0.").append("0".repeat(-exponent - 1)).append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int e = Math.abs(exponent);
            if (e < 10) {
                sb.append('0');
            }
            sb.append(e);
        }
        return sb.toString();
    }

    /**
     * The shortest decimal that rounds to {@code abs}, without trailing zeros. {@link Double#toString}
     * already yields shortest digits except that it never uses fewer than two significant digits
     * (it prints {@code 4.9E-324} where one digit, {@code 5e-324}, suffices), so a two-digit result is
     * checked for a one-digit decimal that rounds to the same double.
     */
    private static BigDecimal shortestDecimal(double abs) {
        BigDecimal javaShortest = new BigDecimal(Double.toString(abs)).stripTrailingZeros();
        if (javaShortest.precision() != 2) {
            return javaShortest;
        }
        BigDecimal exact = new BigDecimal(abs);
        BigInteger twoDigits = javaShortest.unscaledValue();
        int scale = javaShortest.scale() - 1;
        BigDecimal best = null;
        for (BigInteger candidateDigit : new BigInteger[] {
                twoDigits.divide(BigInteger.TEN), twoDigits.divide(BigInteger.TEN).add(BigInteger.ONE)}) {
            BigDecimal candidate = new BigDecimal(candidateDigit, scale);
            if (candidate.signum() > 0 && Double.parseDouble(candidate.toString()) == abs) {
                if (best == null
                        || candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0) {
                    best = candidate;
                }
            }
        }
        return best == null ? javaShortest : best.stripTrailingZeros();
    }
}
