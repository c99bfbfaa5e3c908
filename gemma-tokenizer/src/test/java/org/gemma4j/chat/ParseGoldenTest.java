package org.gemma4j.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of {@code parse-cases.jsonl}, parsed in one piece. */
class ParseGoldenTest {
    static List<Arguments> cases() {
        return GoldenCases.arguments("/chat/parse-cases.jsonl");
    }

    @Test
    void allCasesAreLoaded() {
        assertEquals(57, cases().size());
    }

    static GemmaOutputParser parserFor(JsonNode c) {
        return GemmaOutputParser.create(ToolDeclaration.listFromJson(c.get("tools")));
    }

    static String prefixOf(JsonNode c) {
        return c.path("generation_prefix").asText("");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesAsExpected(String name, JsonNode c) {
        ParsedOutput out = parserFor(c).parse(prefixOf(c), c.get("raw").asText());
        assertMatches(c.get("expected"), out);
    }

    static void assertMatches(JsonNode expected, ParsedOutput out) {
        assertEquals(expected.get("content").asText(), out.content(), "content");
        assertEquals(expected.get("thinking").asText(), out.reasoning(), "thinking");
        JsonNode calls = expected.get("tool_calls");
        assertEquals(calls.size(), out.toolCalls().size(), "number of tool calls: " + out.toolCalls());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(calls.get(i).get("name").asText(), out.toolCalls().get(i).name(), "name of call " + i);
            JsonAssert.assertJsonEquals(calls.get(i).get("arguments"), out.toolCalls().get(i).arguments(), "arguments of call " + i);
        }
        JsonNode invalid = expected.get("invalid_tool_calls");
        assertEquals(invalid.size(), out.invalidToolCalls().size(), "number of invalid calls: " + out.invalidToolCalls());
        for (int i = 0; i < invalid.size(); i++) {
            assertEquals(invalid.get(i).get("raw").asText(), out.invalidToolCalls().get(i).raw(), "raw of invalid call " + i);
            assertEquals(invalid.get(i).get("error").asText(), out.invalidToolCalls().get(i).error().code(), "error of invalid call " + i);
        }
    }
}
