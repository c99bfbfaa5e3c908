package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.gemma4j.model.SyntheticGemma4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void streamsAnAnswerAndIsReproducibleWithASeed() throws Exception {
        Path model = dir.resolve("m.gguf");
        SyntheticGemma4.write(model, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.Q4_0, 1);
        String[] a = CliHarness.run("", "run", "--model", model.toString(), "--max-tokens", "12", "--seed", "3", "hello world");
        String[] b = CliHarness.run("", "run", "--model", model.toString(), "--max-tokens", "12", "--seed", "3", "hello world");
        assertEquals("0", a[0], a[2]);
        assertTrue(a[1].strip().length() > 0);
        assertEquals(a[1], b[1]);
        String[] noPrompt = CliHarness.run("", "run", "--model", model.toString());
        assertEquals("2", noPrompt[0]);
        String[] badTemp = CliHarness.run("", "run", "--model", model.toString(), "--temperature", "-1", "x");
        assertEquals("2", badTemp[0]);
        assertTrue(badTemp[2].contains("invalid sampling options"), badTemp[2]);
    }
}
