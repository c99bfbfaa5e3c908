package org.gemma4j.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Python semantics the template output depends on. */
class PythonTextTest {
    @Test
    void floatsPrintLikePythonRepr() {
        double[] values = {1.0, 0.0, -0.0, 0.5, 2.5e-5, 1e16, 1.5e300, 1234567890123456.0, 0.1 + 0.2, 1e-4, 1e22,
            5e-324, 123456789012345678.0, 100.0, 1e15, 9999999999999998.0, 3e-7, 2.2250738585072014e-308, -1.5};
        String[] python = {"1.0", "0.0", "-0.0", "0.5", "2.5e-05", "1e+16", "1.5e+300", "1234567890123456.0",
            "0.30000000000000004", "0.0001", "1e+22", "5e-324", "1.2345678901234568e+17", "100.0", "1000000000000000.0",
            "9999999999999998.0", "3e-07", "2.2250738585072014e-308", "-1.5"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], PythonText.floatRepr(values[i]), "repr of " + values[i]);
        }
        assertEquals("inf", PythonText.floatRepr(Double.POSITIVE_INFINITY));
    }

    @Test
    void stripRemovesWhatPythonCallsWhitespace() {
        assertEquals("x", PythonText.strip("\u00a0\u3000\u2003\u0085\u2028\u001c x \u202f\u2007\t\n"));
        assertEquals("\u200bx", PythonText.strip("\u200bx")); // zero-width space is not whitespace in Python
    }

    @Test
    void dictsortIsCaseInsensitiveAndStable() {
        var object = JsonNodeFactory.instance.objectNode();
        for (String k : new String[] {"b", "B2", "a", "_x", "Zed", "A"}) {
            object.put(k, 1);
        }
        List<String> keys = new ArrayList<>();
        PythonText.dictsort(object).forEach(e -> keys.add(e.getKey()));
        assertEquals(List.of("_x", "a", "A", "b", "B2", "Zed"), keys);
    }

    @Test
    void reprOfListsAndStrings() {
        var list = JsonNodeFactory.instance.arrayNode().add("STRING").add("it's").add(1).add(2.0).addNull().add(true);
        assertEquals("['STRING', \"it's\", 1, 2.0, None, True]", PythonText.repr(list));
        assertEquals("'a\\nb\\\\'", PythonText.reprString("a\nb\\"));
    }
}
