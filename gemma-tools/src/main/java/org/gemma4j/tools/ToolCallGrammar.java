package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.gemma4j.chat.ToolDeclaration;

/**
 * A character-level automaton over Gemma 4 tool-call text,
 * {@code <|tool_call>call:NAME{key:value,…}<tool_call|>} (one or more calls, then the stop token), accepting exactly
 * the calls that name a declared tool and whose arguments satisfy its schema: types, required keys, enums, array
 * bounds. Strings are {@code <|"|>…<|"|>}; no whitespace is allowed. Bodies are bounded so that any path through
 * the automaton ends: strings at {@link #maxStringLength} characters (never containing {@code <}), numbers at 9
 * integer and 6 fraction digits, arrays at {@code maxItems} (default 4), free-form maps at 4 keys of 16 characters.
 *
 * <p>Input is a sequence of symbols: Unicode code points for text, and the negative constants below for the
 * special tokens. States are immutable {@link State} objects, so any state can be tried with many continuations.
 *
 * <p>Thread safety: immutable; safe to share.
 */
final class ToolCallGrammar {
    static final int QUOTE = -1;
    static final int CALL_OPEN = -2;
    static final int CALL_CLOSE = -3;
    static final int END = -4;
    /** The end of the model's turn ({@code <turn|>} or {@code <eos>}): ends a structured (JSON) answer. */
    static final int TURN_END = -5;

    static final int MAX_INT_DIGITS = 9;
    static final int MAX_FRACTION_DIGITS = 6;
    static final int DEFAULT_MAX_ITEMS = 4;
    static final int MAX_MAP_KEYS = 4;
    static final int MAX_KEY_LENGTH = 16;

    private final Map<String, Spec> tools;
    private final int maxStringLength;
    private final int maxCalls;
    private final boolean json;
    private final int delimiter;
    private final Spec root;

    /**
     * @param declarations the tools that may be called
     * @param maxStringLength the longest string value
     * @param maxCalls the most calls in one answer
     */
    ToolCallGrammar(List<ToolDeclaration> declarations, int maxStringLength, int maxCalls) {
        this.tools = new LinkedHashMap<>();
        for (ToolDeclaration d : declarations) {
            JsonNode p = d.parameters();
            tools.put(d.name(), p == null ? Spec.emptyObject() : Spec.of(p, false));
        }
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("no tools to call");
        }
        this.maxStringLength = maxStringLength;
        this.maxCalls = maxCalls;
        this.json = false;
        this.delimiter = QUOTE;
        this.root = null;
    }

    /** A grammar of plain JSON text (strings in {@code "…"} without escapes, no whitespace) matching {@code schema}. */
    private ToolCallGrammar(JsonNode schema, int maxStringLength) {
        this.tools = Map.of();
        this.maxStringLength = maxStringLength;
        this.maxCalls = 0;
        this.json = true;
        this.delimiter = '"';
        this.root = Spec.of(schema, true);
    }

    /** A grammar of a JSON answer matching {@code schema}, followed by the end of the turn. */
    static ToolCallGrammar json(JsonNode schema, int maxStringLength) {
        return new ToolCallGrammar(schema, maxStringLength);
    }

    /** For a JSON grammar: the state before the answer. */
    State jsonStart() {
        return value(root, new Expect(TURN_END, DONE));
    }

    /** The state before the first call: only {@code <|tool_call>} is accepted. */
    State start() {
        return new BeforeCall(0);
    }

    /** The state right after the model opened a call with {@code <|tool_call>}. */
    State afterOpen() {
        return afterOpen(0);
    }

    // ------------------------------------------------------------------ compiled schemas

    enum Kind { STRING, INTEGER, NUMBER, BOOLEAN, NULL, OBJECT, ARRAY }

    /** The parts of a JSON schema the automaton enforces. */
    record Spec(Set<Kind> kinds, List<int[]> enumLiterals, Map<String, Spec> properties, Set<String> required,
            boolean freeKeys, Spec additional, Spec items, int minItems, int maxItems) {

        static Spec emptyObject() {
            return new Spec(EnumSet.of(Kind.OBJECT), null, Map.of(), Set.of(), false, null, null, 0, 0);
        }

        static Spec any() {
            return new Spec(EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.NULL), null, Map.of(), Set.of(),
                    false, null, null, 0, 0);
        }

        static Spec of(JsonNode s, boolean json) {
            if (s == null || !s.isObject() || s.isEmpty()) {
                return any();
            }
            EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
            JsonNode type = s.get("type");
            if (type == null) {
                kinds.addAll(any().kinds());
            } else if (type.isArray()) {
                type.forEach(t -> addKind(kinds, t.asText()));
            } else {
                addKind(kinds, type.asText());
            }
            if (s.path("nullable").asBoolean(false)) {
                kinds.add(Kind.NULL);
            }
            List<int[]> enums = null;
            if (s.get("enum") instanceof JsonNode en && en.isArray() && !en.isEmpty()) {
                enums = new ArrayList<>();
                for (JsonNode v : en) {
                    if (v.isTextual() && v.asText().indexOf('<') < 0 && !(json && (v.asText().contains("\"") || v.asText().contains("\\")))) {
                        enums.add(json ? ("\"" + v.asText() + "\"").codePoints().toArray() : symbols(QUOTE, v.asText(), QUOTE));
                    } else if (v.isNumber() || v.isBoolean() || v.isNull()) {
                        enums.add(v.toString().codePoints().toArray());
                    }
                }
                if (kinds.contains(Kind.NULL) && !en.toString().contains("null")) {
                    enums.add("null".codePoints().toArray());
                }
            }
            Map<String, Spec> props = new LinkedHashMap<>();
            if (s.get("properties") instanceof JsonNode p && p.isObject()) {
                p.properties().forEach(e -> {
                    if (isBareKey(e.getKey())) {
                        props.put(e.getKey(), of(e.getValue(), json));
                    }
                });
            }
            Set<String> required = new java.util.LinkedHashSet<>();
            if (s.get("required") instanceof JsonNode r && r.isArray()) {
                r.forEach(k -> {
                    if (props.containsKey(k.asText())) {
                        required.add(k.asText());
                    }
                });
            }
            JsonNode add = s.get("additionalProperties");
            boolean free = props.isEmpty() && !(add != null && add.isBoolean() && !add.asBoolean())
                    && !(type != null && type.asText().equals("object") && add == null && s.has("properties"));
            Spec additional = add != null && add.isObject() ? of(add, json) : any();
            Spec items = s.has("items") ? of(s.get("items"), json) : any();
            int minItems = s.path("minItems").asInt(0);
            int maxItems = Math.max(minItems, s.has("maxItems") ? s.get("maxItems").asInt() : DEFAULT_MAX_ITEMS);
            if (kinds.isEmpty()) {
                kinds.addAll(any().kinds());
            }
            return new Spec(kinds, enums, props, required, free, additional, items, minItems, maxItems);
        }

        private static void addKind(Set<Kind> kinds, String t) {
            switch (t.toLowerCase(java.util.Locale.ROOT)) {
                case "string" -> kinds.add(Kind.STRING);
                case "integer" -> kinds.add(Kind.INTEGER);
                case "number" -> kinds.add(Kind.NUMBER);
                case "boolean" -> kinds.add(Kind.BOOLEAN);
                case "null" -> kinds.add(Kind.NULL);
                case "object" -> kinds.add(Kind.OBJECT);
                case "array" -> kinds.add(Kind.ARRAY);
                default -> { }
            }
        }
    }

    static boolean isBareKey(String k) {
        if (k.isEmpty() || k.contains("<|\"|>") || !k.strip().equals(k)) {
            return false;
        }
        for (char c : k.toCharArray()) {
            if (":{}[],\"<\\".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static int[] symbols(int before, String text, int after) {
        int[] cps = text.codePoints().toArray();
        int[] out = new int[cps.length + 2];
        out[0] = before;
        System.arraycopy(cps, 0, out, 1, cps.length);
        out[out.length - 1] = after;
        return out;
    }

    // ------------------------------------------------------------------ states

    /** An automaton state; {@link #step} gives the state after one more symbol, or {@code null} if it is not allowed. */
    abstract static class State {
        abstract State step(int symbol);

        /** Whether the whole output is complete (only the stop token was left). */
        boolean done() {
            return false;
        }
    }

    private static final State DONE = new State() {
        @Override
        State step(int symbol) {
            return null;
        }

        @Override
        boolean done() {
            return true;
        }
    };

    private final class BeforeCall extends State {
        private final int calls;

        BeforeCall(int calls) {
            this.calls = calls;
        }

        @Override
        State step(int symbol) {
            if (symbol == CALL_OPEN && calls < maxCalls) {
                return afterOpen(calls);
            }
            if (symbol == END && calls > 0) {
                return DONE;
            }
            return null;
        }
    }

    private State afterOpen(int calls) {
        List<int[]> names = new ArrayList<>();
        List<Spec> specs = new ArrayList<>();
        tools.forEach((name, spec) -> {
            names.add(("call:" + name + "{").codePoints().toArray());
            specs.add(spec);
        });
        State after = new Expect(CALL_CLOSE, new BeforeCall(calls + 1));
        return new Literal(names, 0, i -> new ObjectBody(specs.get(i), specs.get(i).properties().keySet().stream().toList(), 0, true, after));
    }

    /** Exactly one symbol, then {@code next}. */
    private static final class Expect extends State {
        private final int symbol;
        private final State next;

        Expect(int symbol, State next) {
            this.symbol = symbol;
            this.next = next;
        }

        @Override
        State step(int s) {
            return s == symbol ? next : null;
        }
    }

    /**
     * One of several fixed texts; the longest match wins. When a text is complete and the next symbol does not
     * continue another, that symbol goes to the continuation of the complete one.
     */
    private static final class Literal extends State {
        private final List<int[]> alive;
        private final int pos;
        private final IntFunction<State> next;
        private final int[] index;

        Literal(List<int[]> candidates, int pos, IntFunction<State> next) {
            this(candidates, indices(candidates.size()), pos, next);
        }

        private Literal(List<int[]> alive, int[] index, int pos, IntFunction<State> next) {
            this.alive = alive;
            this.index = index;
            this.pos = pos;
            this.next = next;
        }

        private static int[] indices(int n) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = i;
            }
            return a;
        }

        @Override
        State step(int symbol) {
            int complete = -1;
            int matches = 0;
            for (int i = 0; i < alive.size(); i++) {
                int[] c = alive.get(i);
                if (c.length > pos && c[pos] == symbol) {
                    matches++;
                } else if (c.length == pos) {
                    complete = index[i];
                }
            }
            if (matches == 0) {
                return complete >= 0 ? next.apply(complete).step(symbol) : null;
            }
            List<int[]> left = new ArrayList<>(matches);
            int[] leftIndex = new int[matches];
            int k = 0;
            for (int i = 0; i < alive.size(); i++) {
                int[] c = alive.get(i);
                if (c.length > pos && c[pos] == symbol) {
                    left.add(c);
                    leftIndex[k++] = index[i];
                }
            }
            if (matches == 1 && left.get(0).length == pos + 1) {
                return next.apply(leftIndex[0]); // unique and complete
            }
            return new Literal(left, leftIndex, pos + 1, next);
        }
    }

    /** Before a value: the first symbol picks the kind. */
    private State value(Spec spec, State after) {
        return new State() {
            @Override
            State step(int s) {
                if (spec.enumLiterals() != null) {
                    return spec.enumLiterals().isEmpty() ? null : new Literal(spec.enumLiterals(), 0, i -> after).step(s);
                }
                Set<Kind> k = spec.kinds();
                if (s == delimiter && k.contains(Kind.STRING)) {
                    return new StringBody(0, after);
                }
                if ((s == '-' || (s >= '0' && s <= '9')) && (k.contains(Kind.INTEGER) || k.contains(Kind.NUMBER))) {
                    return new NumberBody(!k.contains(Kind.NUMBER), NumberBody.BEGIN, 0, after).step(s);
                }
                if ((s == 't' || s == 'f') && k.contains(Kind.BOOLEAN)) {
                    return new Literal(List.of("true".codePoints().toArray(), "false".codePoints().toArray()), 0, i -> after).step(s);
                }
                if (s == 'n' && k.contains(Kind.NULL)) {
                    return new Literal(List.of("null".codePoints().toArray()), 0, i -> after).step(s);
                }
                if (s == '{' && k.contains(Kind.OBJECT)) {
                    return new ObjectBody(spec, spec.properties().keySet().stream().toList(), 0, true, after);
                }
                if (s == '[' && k.contains(Kind.ARRAY)) {
                    return new ArrayBody(spec, 0, true, after);
                }
                return null;
            }
        };
    }

    private final class StringBody extends State {
        private final int length;
        private final State after;

        StringBody(int length, State after) {
            this.length = length;
            this.after = after;
        }

        @Override
        State step(int s) {
            if (s == delimiter) {
                return after;
            }
            if (s < 0 || s == '<' || length >= maxStringLength || (json && (s == '"' || s == '\\' || s < 0x20))) {
                return null;
            }
            return new StringBody(length + 1, after);
        }
    }

    /** {@code -?(0|[1-9]d*)(.d+)?}, bounded; ends on the first symbol that cannot continue it. */
    private static final class NumberBody extends State {
        static final int BEGIN = 0, SIGN = 1, ZERO = 2, INT = 3, DOT = 4, FRACTION = 5;
        private final boolean integerOnly;
        private final int phase;
        private final int digits;
        private final State after;

        NumberBody(boolean integerOnly, int phase, int digits, State after) {
            this.integerOnly = integerOnly;
            this.phase = phase;
            this.digits = digits;
            this.after = after;
        }

        @Override
        State step(int s) {
            boolean digit = s >= '0' && s <= '9';
            return switch (phase) {
                case BEGIN -> s == '-' ? next(SIGN, 0) : s == '0' ? next(ZERO, 1) : digit ? next(INT, 1) : null;
                case SIGN -> s == '0' ? next(ZERO, 1) : digit ? next(INT, 1) : null;
                case ZERO -> s == '.' && !integerOnly ? next(DOT, 0) : after.step(s);
                case INT -> digit && digits < MAX_INT_DIGITS ? next(INT, digits + 1)
                        : s == '.' && !integerOnly ? next(DOT, 0) : after.step(s);
                case DOT -> digit ? next(FRACTION, 1) : null;
                case FRACTION -> digit && digits < MAX_FRACTION_DIGITS ? next(FRACTION, digits + 1) : after.step(s);
                default -> null;
            };
        }

        private State next(int p, int d) {
            return new NumberBody(integerOnly, p, d, after);
        }
    }

    /** Inside {@code {…}} after the brace or a comma ({@code atStart}: a key or, if allowed, the closing brace). */
    private final class ObjectBody extends State {
        private final Spec spec;
        private final List<String> remaining;
        private final int count;
        private final boolean canClose;
        private final State after;

        ObjectBody(Spec spec, List<String> remaining, int count, boolean canClose, State after) {
            this.spec = spec;
            this.remaining = remaining;
            this.count = count;
            this.canClose = canClose;
            this.after = after;
        }

        private boolean requiredDone() {
            for (String r : spec.required()) {
                if (remaining.contains(r)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        State step(int s) {
            if (s == '}' && canClose && requiredDone()) {
                return after;
            }
            if (spec.freeKeys()) {
                if (count >= MAX_MAP_KEYS) {
                    return null;
                }
                if (json) {
                    return s == '"' ? new FreeKey(0, this) : null;
                }
                return new FreeKey(0, this).step(s);
            }
            if (remaining.isEmpty()) {
                return null;
            }
            List<int[]> keys = new ArrayList<>(remaining.size());
            for (String k : remaining) {
                keys.add((json ? "\"" + k + "\":" : k + ":").codePoints().toArray());
            }
            return new Literal(keys, 0, i -> {
                String key = remaining.get(i);
                List<String> rest = new ArrayList<>(remaining);
                rest.remove(i);
                return value(spec.properties().get(key), new AfterMember(spec, List.copyOf(rest), count + 1, after));
            }).step(s);
        }

        State afterFreeKey() {
            return value(spec.additional(), new AfterMember(spec, remaining, count + 1, after));
        }
    }

    /** A key of a free-form map: 1 to 16 characters of {@code [A-Za-z0-9_]}, then {@code :}. */
    private final class FreeKey extends State {
        private final int length;
        private final ObjectBody object;

        FreeKey(int length, ObjectBody object) {
            this.length = length;
            this.object = object;
        }

        @Override
        State step(int s) {
            if (json && s == '"' && length > 0) {
                return new Expect(':', object.afterFreeKey());
            }
            if (!json && s == ':' && length > 0) {
                return object.afterFreeKey();
            }
            boolean ok = (s >= 'a' && s <= 'z') || (s >= 'A' && s <= 'Z') || s == '_' || (length > 0 && s >= '0' && s <= '9');
            return ok && length < MAX_KEY_LENGTH ? new FreeKey(length + 1, object) : null;
        }
    }

    /** After a member's value: {@code ,} (if another key can follow) or {@code }} (if all required keys are there). */
    private final class AfterMember extends State {
        private final Spec spec;
        private final List<String> remaining;
        private final int count;
        private final State after;

        AfterMember(Spec spec, List<String> remaining, int count, State after) {
            this.spec = spec;
            this.remaining = remaining;
            this.count = count;
            this.after = after;
        }

        @Override
        State step(int s) {
            ObjectBody body = new ObjectBody(spec, remaining, count, true, after);
            if (s == '}') {
                return body.step(s);
            }
            if (s == ',') {
                boolean more = spec.freeKeys() ? count < MAX_MAP_KEYS : !remaining.isEmpty();
                return more ? new ObjectBody(spec, remaining, count, false, after) : null;
            }
            return null;
        }
    }

    /** Inside {@code […]}: after the bracket ({@code atStart}) or after a value. */
    private final class ArrayBody extends State {
        private final Spec spec;
        private final int count;
        private final boolean atStart;
        private final State after;

        ArrayBody(Spec spec, int count, boolean atStart, State after) {
            this.spec = spec;
            this.count = count;
            this.atStart = atStart;
            this.after = after;
        }

        @Override
        State step(int s) {
            if (s == ']' && count >= spec.minItems() && (atStart || count > 0)) {
                return after;
            }
            if (atStart) {
                return count < spec.maxItems() ? value(spec.items(), new ArrayBody(spec, count + 1, false, after)).step(s) : null;
            }
            if (s == ',' && count < spec.maxItems()) {
                return new State() {
                    @Override
                    State step(int t) {
                        return value(spec.items(), new ArrayBody(spec, count + 1, false, after)).step(t);
                    }
                };
            }
            return null;
        }
    }
}
