package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ToolsDemoCommandTest {
    @Test
    void everyRequiredRunCallsAToolValidly() throws Exception {
        String[] r = TokenizeCommandTest.run("", "tools-demo", "--runs", "5");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].strip().endsWith("valid tool calls: 5 of 5"), r[1]);
    }
}
