package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.KvCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gemma bench}: the issue's {@code --json} contract and the plain-text report. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private Path tinyModel() {
        Path model = dir.resolve("tiny.gguf");
        assertEquals(0, GemmaCli.run(new String[] {"synth", "--preset", "tiny", "--type", "Q8_0", "--out", model.toString()}, System.err));
        return model;
    }

    @Test
    void jsonHasTheContractKeysWithMeasuredValues() throws Exception {
        Path model = tinyModel();
        String[] r = CliHarness.run("", "bench", "--model", model.toString(), "-p", "8", "-n", "4", "-t", "1", "-r", "2", "--json");
        assertEquals("0", r[0], r[2]);
        JsonNode json = new ObjectMapper().readTree(r[1]);
        for (String key : new String[] {"pp_tps", "pp_sd", "tg_tps", "tg_sd"}) {
            assertTrue(json.get(key).isNumber(), key);
        }
        assertTrue(json.get("pp_tps").asDouble() > 0);
        assertTrue(json.get("tg_tps").asDouble() > 0);
        assertTrue(json.get("pp_sd").asDouble() >= 0 && json.get("tg_sd").asDouble() >= 0);
        assertEquals(1, json.get("threads").asInt());
        int warmups = json.get("warmups").asInt(); // untimed runs until the JIT has settled, at most five
        assertTrue(warmups >= 1 && warmups <= 5, "warm-up runs " + warmups);
        assertEquals("tiny.gguf", json.get("model").asText());
        assertEquals(8, json.get("pp").asInt());
        assertEquals(4, json.get("tg").asInt());
        // HotSpot counts allocations: a per-token figure, not the -1 of "unknown". A decode step allocates at least
        // its input token array, and no step of a 512-token-vocabulary model needs anywhere near 64 MB.
        double tgAlloc = json.get("tg_alloc_bytes_per_token").asDouble();
        assertTrue(tgAlloc > 0 && tgAlloc < 64e6, "tg allocation " + tgAlloc);
        assertTrue(json.get("pp_alloc_bytes_per_token").asDouble() > 0);
    }

    @Test
    void textReportsSpeedAndAllocationPerToken() {
        Path model = tinyModel();
        String[] r = CliHarness.run("", "bench", "--model", model.toString(), "-p", "4", "-n", "2", "-t", "1", "-r", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("tiny.gguf, 1 threads"), r[1]);
        assertTrue(r[1].matches("(?s).*pp4 +[0-9.]+ ± [0-9.]+ tok/s +[0-9.]+ MB allocated/token.*"), r[1]);
        assertTrue(r[1].matches("(?s).*tg2 +[0-9.]+ ± [0-9.]+ tok/s +[0-9.]+ MB allocated/token.*"), r[1]);
    }

    @Test
    void depthStartsEachTestOnAFilledContext() throws Exception {
        Path model = tinyModel();
        String[] r = CliHarness.run("", "bench", "--model", model.toString(), "-p", "4", "-n", "2", "-d", "16", "-t", "1", "-r", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].matches("(?s).*pp4 @ d16 +[0-9.]+ ± [0-9.]+ tok/s.*"), r[1]);
        assertTrue(r[1].matches("(?s).*tg2 @ d16 +[0-9.]+ ± [0-9.]+ tok/s.*"), r[1]);
        String[] json = CliHarness.run("", "bench", "--model", model.toString(), "-p", "4", "-n", "2", "-d", "16", "-t", "1", "-r", "1", "--json");
        assertEquals("0", json[0], json[2]);
        assertEquals(16, new ObjectMapper().readTree(json[1]).get("depth").asInt());
        String[] negative = CliHarness.run("", "bench", "--model", model.toString(), "-d", "-1");
        assertTrue(!negative[0].equals("0"));
        assertTrue(negative[2].contains("-d"), negative[2]);
    }

    @Test
    void missingModelIsAClearError() {
        String[] r = CliHarness.run("", "bench", "--model", dir.resolve("absent.gguf").toString(), "--json");
        assertTrue(!r[0].equals("0"));
        assertTrue(r[2].contains("model file not found"), r[2]);
    }

    @Test
    void depthContextIsFilledOnceAndRewoundForEachTest() throws Exception {
        try (Gemma4Model model = Gemma4Model.load(tinyModel(), 1)) {
            int[] tokens = new int[16];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = 3 + 7 * i;
            }
            BenchCommand.Context context = new BenchCommand.Context(model, tokens, 8);
            KvCache cache = context.withRoomFor(8);
            assertEquals(16, cache.position());
            float[] afterFill = model.forward(cache, new int[] {9}).clone();
            model.forward(cache, new int[] {10, 11, 12, 13});
            KvCache again = context.withRoomFor(4);
            assertSame(cache, again, "the context is filled once");
            assertEquals(16, again.position());
            assertArrayEquals(afterFill, model.forward(again, new int[] {9}), "a rewound context continues as a fresh one");
            assertThrows(IllegalArgumentException.class, () -> context.withRoomFor(9));
        }
    }
}
