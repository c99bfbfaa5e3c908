package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.Numerics;
import org.gemma4j.model.SyntheticGemma4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogitsCommandTest {
    @TempDir
    Path dir;

    private static float[] read(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    @Test
    void writesAllRowsBatchAndStepwise() throws Exception {
        Path model = dir.resolve("m.gguf");
        assertEquals(0, GemmaCli.run(new String[] {"synth", "--preset", "tiny", "--type", "F32", "--out", model.toString()}, System.err));
        Path batch = dir.resolve("b.f32");
        Path step = dir.resolve("s.f32");
        String[] base = {"logits", "--model", model.toString(), "--tokens", "2,17,42", "--numerics", "exact", "--out"};
        assertEquals(0, GemmaCli.run(concat(base, batch.toString()), System.err));
        assertEquals(0, GemmaCli.run(concat(base, step.toString(), "--stepwise"), System.err));
        float[] b = read(batch);
        float[] s = read(step);
        assertEquals(3 * 512, b.length);
        assertArrayEquals(b, s, 1e-4f);
        // Default llama.cpp numerics: the fp16 GELU table turns summation-order noise into fp16 steps.
        Path ggml = dir.resolve("g.f32");
        Path ggmlStep = dir.resolve("gs.f32");
        String[] def = {"logits", "--model", model.toString(), "--tokens", "2,17,42", "--out"};
        assertEquals(0, GemmaCli.run(concat(def, ggml.toString()), System.err));
        assertEquals(0, GemmaCli.run(concat(def, ggmlStep.toString(), "--stepwise"), System.err));
        assertArrayEquals(read(ggml), read(ggmlStep), 0.01f);
        try (Gemma4Model m = Gemma4Model.load(model, 1, Numerics.EXACT)) {
            float[] expected = m.forwardAll(m.newCache(3), new int[] {2, 17, 42});
            assertArrayEquals(expected, b, 0f); // deterministic kernels: bit-identical in any JIT state
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badInputExitsNonZeroWithAReason() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true);
        assertEquals(2, GemmaCli.run(new String[] {"logits", "--model", "x.gguf", "--tokens", "1,a", "--out", "o.f32"}, ps));
        assertTrue(err.toString().contains("'a' is not a token id"), err.toString());
        Path notGguf = dir.resolve("n.gguf");
        Files.writeString(notGguf, "hello world, not a model at all");
        err.reset();
        assertEquals(1, GemmaCli.run(new String[] {"logits", "--model", notGguf.toString(), "--tokens", "1", "--out", dir.resolve("o.f32").toString()}, ps));
        assertTrue(err.toString().contains("not a GGUF file"), err.toString());
        assertTrue(Files.notExists(dir.resolve("o.f32")));
    }
}
