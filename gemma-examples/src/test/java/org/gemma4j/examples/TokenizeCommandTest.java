package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.model.SyntheticGemma4;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.TextMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    static String[] run(String stdin, String... args) {
        return CliHarness.run(stdin, args);
    }

    @Test
    void jsonLinesInIdsOut() throws Exception {
        Path model = dir.resolve("m.gguf");
        SyntheticGemma4.write(model, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.F32, 1);
        GemmaTokenizer t;
        try (GgufFile f = GgufFile.open(model)) {
            t = GemmaTokenizer.fromGgufMetadata(f.metadata());
        }
        String[] r = run("{\"text\": \"hello world\"}\n{\"text\": \"<|turn>user\\nthe\"}\n", "tokenize", "--tokenizer", model.toString());
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].split("\n");
        assertEquals(2, lines.length);
        assertEquals(ids(t.encode("hello world", TextMode.TRUSTED)), lines[0]);
        int[] turn = t.encode("<|turn>user\nthe", TextMode.TRUSTED);
        assertEquals(t.id("<|turn>"), turn[0], "special-token text in the input is matched");
        assertEquals(ids(turn), lines[1]);
        String[] bos = run("{\"text\": \"the\"}\n", "tokenize", "--tokenizer", model.toString(), "--bos");
        assertEquals(ids(t.encode("the", TextMode.TRUSTED, true)), bos[1].strip());
    }

    private static String ids(int[] ids) {
        StringBuilder sb = new StringBuilder("{\"ids\":[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i > 0 ? "," : "").append(ids[i]);
        }
        return sb.append("]}").toString();
    }

    @Test
    void badFilesAndLinesAreReported() throws Exception {
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "# not a tokenizer");
        String[] r = run("{\"text\": \"x\"}\n", "tokenize", "--tokenizer", notes.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("neither a GGUF file nor a valid tokenizer.json"), r[2]);
        Path model = dir.resolve("m.gguf");
        SyntheticGemma4.write(model, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.F32, 1);
        r = run("{\"nope\": 1}\n", "tokenize", "--tokenizer", model.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("line 1"), r[2]);
    }
}
