package org.gemma4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gemma4j.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gemma render} and {@code gemma parse}, run through {@link GemmaCli#run} with stdin/stdout redirected. */
class ChatCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEATHER_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Get the weather.\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"location\":{\"type\":\"string\",\"description\":\"City\"}},\"required\":[\"location\"]}}}";

    @TempDir
    Path dir;

    static String[] run(String stdin, String... args) {
        return CliHarness.run(stdin, args);
    }

    @Test
    void renderPrintsExactlyThePrompt() {
        String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"tools\":null,"
                + "\"enable_thinking\":false,\"add_generation_prompt\":true}";
        String[] e2b = run(request, "render", "--template", "e2b");
        assertEquals("0", e2b[0], e2b[2]);
        assertEquals("<bos><|turn>user\nHello<turn|>\n<|turn>model\n", e2b[1]);
        String[] large = run(request, "render", "--template", "31b");
        assertEquals("<bos><|turn>user\nHello<turn|>\n<|turn>model\n<|channel>thought\n<channel|>", large[1]);
        assertEquals(e2b[1], run(request, "render")[1], "e2b is the default");
    }

    @Test
    void renderWithToolsThinkingAndToolRound() {
        String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":{\"location\":\"Oslo\"}}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"-3 °C\"}],"
                + "\"tools\":[" + WEATHER_TOOL + "],\"enable_thinking\":true,\"add_generation_prompt\":true}";
        String[] r = run(request, "render", "--template", "31b");
        assertEquals("0", r[0], r[2]);
        assertEquals("<bos><|turn>system\n<|think|>\n<|tool>declaration:get_weather{description:<|\"|>Get the weather.<|\"|>,"
                + "parameters:{properties:{location:{description:<|\"|>City<|\"|>,type:<|\"|>STRING<|\"|>}},"
                + "required:[<|\"|>location<|\"|>],type:<|\"|>OBJECT<|\"|>}}<tool|><turn|>\n"
                + "<|turn>user\nWeather in Oslo?<turn|>\n<|turn>model\n<|tool_call>call:get_weather{location:<|\"|>Oslo<|\"|>}<tool_call|>"
                + "<|tool_response>response:get_weather{value:<|\"|>-3 °C<|\"|>}<tool_response|><|channel>thought\n", r[1]);
    }

    @Test
    void renderRejectsWhatTheTemplateRejects() {
        String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"},{\"role\":\"assistant\",\"tool_calls\":"
                + "[{\"type\":\"function\",\"function\":{\"name\":\"bash\",\"arguments\":\"{\\\"command\\\": \\\"ls\\\"}\"}}]}],"
                + "\"add_generation_prompt\":true}";
        String[] r = run(request, "render", "--template", "e2b");
        assertEquals("1", r[0]);
        assertEquals("", r[1]);
        assertTrue(r[2].contains("TemplateError: chat_template: tool_calls[].function.arguments must be a JSON object"), r[2]);
        String[] bad = run("not json", "render");
        assertEquals("1", bad[0]);
        assertTrue(bad[2].startsWith("gemma render: "), bad[2]);
    }

    @Test
    void templateVariantFromAModelFile() throws Exception {
        Path large = dir.resolve("large.gguf");
        new GgufWriter().putString("general.architecture", "gemma4")
                .putString("tokenizer.chat_template", "{{- '<|turn>model\\n' -}}{%- if not enable_thinking -%}"
                        + "{{- '<|channel>thought\\n<channel|>' -}}{%- endif -%}")
                .write(large);
        Path small = dir.resolve("small.gguf");
        new GgufWriter().putString("general.architecture", "gemma4")
                .putString("tokenizer.chat_template", "{{- '<|turn>model\\n' -}}")
                .write(small);
        Path jinja = dir.resolve("chat_template.jinja");
        Files.writeString(jinja, "{{- '<|channel>thought\\n<channel|>' -}}");
        Path none = dir.resolve("none.gguf");
        new GgufWriter().putString("general.architecture", "gemma4").write(none);

        String request = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"add_generation_prompt\":true}";
        assertEquals("<bos><|turn>user\nHi<turn|>\n<|turn>model\n<|channel>thought\n<channel|>",
                run(request, "render", "--template", large.toString())[1]);
        assertEquals("<bos><|turn>user\nHi<turn|>\n<|turn>model\n", run(request, "render", "--template", small.toString())[1]);
        assertEquals("<bos><|turn>user\nHi<turn|>\n<|turn>model\n<|channel>thought\n<channel|>",
                run(request, "render", "--template", jinja.toString())[1]);
        String[] missing = run(request, "render", "--template", none.toString());
        assertEquals("1", missing[0]);
        assertTrue(missing[2].contains("no tokenizer.chat_template"), missing[2]);
        String[] unknown = run(request, "render", "--template", "7b");
        assertEquals("2", unknown[0]);
    }

    @Test
    void parsePrintsOneJsonObject() throws Exception {
        String[] r = run("<|channel>thought\nNeed data.<channel|>Checking.<|tool_call>call:get_weather{location:<|\"|>Oslo<|\"|>,"
                + "days:3,big:9007199254740993}<tool_call|><|tool_call>call:f{a:1,,b:2}<tool_call|><|tool_response>", "parse");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].endsWith("}\n"));
        JsonNode o = JSON.readTree(r[1]);
        assertEquals("Checking.", o.get("content").asText());
        assertEquals("Need data.", o.get("reasoning_content").asText());
        assertEquals("get_weather", o.get("tool_calls").get(0).get("name").asText());
        assertEquals(JSON.readTree("{\"location\":\"Oslo\",\"days\":3,\"big\":9007199254740993}"),
                o.get("tool_calls").get(0).get("arguments"));
        assertEquals("9007199254740993", o.get("tool_calls").get(0).get("arguments").get("big").bigIntegerValue().toString());
        assertEquals(JSON.readTree("[{\"raw\":\"call:f{a:1,,b:2}\",\"error\":\"invalid_arguments\"}]"), o.get("invalid_tool_calls"));
    }

    @Test
    void parseWithPrefixAndTools() throws Exception {
        String[] prefixed = run("The listing shows two files.<channel|>Two files.<turn|>", "parse", "--prefix", "<|channel>thought\\n");
        JsonNode o = JSON.readTree(prefixed[1]);
        assertEquals("The listing shows two files.", o.get("reasoning_content").asText());
        assertEquals("Two files.", o.get("content").asText());

        Path tools = dir.resolve("tools.json");
        Files.writeString(tools, "[{\"type\":\"function\",\"function\":{\"name\":\"write_note\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"content\":{\"type\":\"string\"},\"mode\":{\"type\":\"string\"}}}}}]");
        String raw = "<|tool_call>call:write_note{content:# Title\nSome text,mode:<|\"|>append<|\"|>}<tool_call|>";
        JsonNode repaired = JSON.readTree(run(raw, "parse", "--tools", tools.toString())[1]);
        assertEquals(JSON.readTree("{\"content\":\"# Title\\nSome text\",\"mode\":\"append\"}"),
                repaired.get("tool_calls").get(0).get("arguments"));
        JsonNode unrepaired = JSON.readTree(run(raw, "parse")[1]);
        assertEquals("invalid_arguments", unrepaired.get("invalid_tool_calls").get(0).get("error").asText());

        String[] missing = run("x", "parse", "--tools", dir.resolve("nope.json").toString());
        assertEquals("2", missing[0]);
    }
}
