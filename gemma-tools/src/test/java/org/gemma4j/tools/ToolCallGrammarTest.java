package org.gemma4j.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallGrammarTest {
    private static final String Q = "<|\"|>";
    private static final String OPEN = "<|tool_call>";
    private static final String CLOSE = "<tool_call|>";
    private static final String END = "<|tool_response>";

    private final ToolCallGrammar grammar = new ToolCallGrammar(ToolAgentTestTools.declarations(), 8, 2);

    static int[] symbols(String text) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < text.length();) {
            if (text.startsWith(Q, i)) {
                out.add(ToolCallGrammar.QUOTE);
                i += Q.length();
            } else if (text.startsWith(OPEN, i)) {
                out.add(ToolCallGrammar.CALL_OPEN);
                i += OPEN.length();
            } else if (text.startsWith(CLOSE, i)) {
                out.add(ToolCallGrammar.CALL_CLOSE);
                i += CLOSE.length();
            } else if (text.startsWith(END, i)) {
                out.add(ToolCallGrammar.END);
                i += END.length();
            } else {
                int cp = text.codePointAt(i);
                out.add(cp);
                i += Character.charCount(cp);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean accepts(String text) {
        ToolCallGrammar.State s = grammar.start();
        for (int sym : symbols(text)) {
            s = s.step(sym);
            if (s == null) {
                return false;
            }
        }
        return s.done();
    }

    @Test
    void acceptsSchemaConformingCalls() {
        assertTrue(accepts(OPEN + "call:get_weather{city:" + Q + "Paris" + Q + "}" + CLOSE + END));
        assertTrue(accepts(OPEN + "call:get_weather{unit:" + Q + "celsius" + Q + ",city:" + Q + "a b" + Q + "}" + CLOSE + END));
        assertTrue(accepts(OPEN + "call:add{a:-12,b:0,tags:[1,2],ratio:0.5}" + CLOSE + OPEN + "call:add{b:7,a:1}" + CLOSE + END));
        assertTrue(accepts(OPEN + "call:add{a:1,b:2,tags:[],ratio:null}" + CLOSE + END));
    }

    @Test
    void rejectsInvalidCalls() {
        assertFalse(accepts(OPEN + "call:get_wether{city:" + Q + "Paris" + Q + "}" + CLOSE + END), "unknown tool");
        assertFalse(accepts(OPEN + "call:get_weather{}" + CLOSE + END), "missing required key");
        assertFalse(accepts(OPEN + "call:get_weather{city:3}" + CLOSE + END), "wrong type");
        assertFalse(accepts(OPEN + "call:get_weather{city:" + Q + "x" + Q + ",unit:" + Q + "kelvin" + Q + "}" + CLOSE + END), "enum");
        assertFalse(accepts(OPEN + "call:get_weather{city:" + Q + "123456789" + Q + "}" + CLOSE + END), "string cap");
        assertFalse(accepts(OPEN + "call:add{a:1,b:2,}" + CLOSE + END), "trailing comma");
        assertFalse(accepts(OPEN + "call:add{a:1,a:2,b:3}" + CLOSE + END), "duplicate key");
        assertFalse(accepts(OPEN + "call:add{a:01,b:2}" + CLOSE + END), "leading zero");
        assertFalse(accepts(OPEN + "call:add{a:1.5,b:2}" + CLOSE + END), "integer");
        assertFalse(accepts(OPEN + "call:add{a:1,b:2,tags:[1,2,3,4,5]}" + CLOSE + END), "items cap");
        assertFalse(accepts(END), "a call is required");
        assertFalse(accepts(OPEN + "call:add{a:1,b:2}" + CLOSE + OPEN + "call:add{a:1,b:2}" + CLOSE + OPEN), "call cap");
        assertFalse(accepts(OPEN + "call:get_weather{city:" + Q + "a<b" + Q + "}" + CLOSE + END), "no < in strings");
    }
}
