package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import org.gemma4j.model.SyntheticGemma4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatCommandTest {
    @TempDir
    Path dir;

    @Test
    void multiLineInput() throws Exception {
        BufferedReader in = new BufferedReader(new StringReader("one \\\ntwo\n\"\"\"\na\nb\n\"\"\"\nlast\n"));
        assertEquals("one \ntwo", ChatCommand.readMessage(in));
        assertEquals("a\nb\n", ChatCommand.readMessage(in));
        assertEquals("last", ChatCommand.readMessage(in));
        assertEquals(null, ChatCommand.readMessage(in));
    }

    @Test
    void aScriptedConversation() throws Exception {
        Path model = dir.resolve("m.gguf");
        SyntheticGemma4.write(model, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.Q8_0, 1);
        String[] r = CliHarness.run("hello world\n/stats\nthe quick\n/think on\n/reset\n/stats\n/exit\n",
                "chat", "--model", model.toString(), "--max-tokens", "6", "--seed", "2");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("prompt tokens"), r[1]);
        assertTrue(r[1].contains("(thinking on)") && r[1].contains("(conversation cleared)"), r[1]);
        assertTrue(r[1].contains("tok/s"), r[1]);
    }
}
