package org.gemma4j.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java-facing API: building conversations, rendering them, parsing the answer back into them. */
class ChatApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void builtConversationRendersLikeTheSpecExample() throws Exception {
        ToolDeclaration weather = ToolDeclaration.of("get_weather", "Get the current weather for a city", JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"City name\"},"
                        + "\"unit\":{\"type\":\"string\",\"description\":\"Temperature unit\",\"enum\":[\"celsius\",\"fahrenheit\"]}},"
                        + "\"required\":[\"city\"]}"));
        ToolCall call = new ToolCall("call_1", "get_weather", (ObjectNode) JSON.readTree("{\"city\":\"Paris\",\"unit\":\"celsius\"}"));
        Chat chat = Chat.builder()
                .tool(weather)
                .user("What's the weather in Paris?")
                .message(ChatMessage.assistant(List.of(call)))
                .toolResult("call_1", null, "{\"temperature\": 18, \"condition\": \"cloudy\"}")
                .assistant("It is 18 °C and cloudy in Paris.")
                .user("Thanks!")
                .build();
        String q = GemmaTokens.STRING_DELIMITER;
        String expected = "<bos><|turn>system\n<|tool>declaration:get_weather{description:" + q + "Get the current weather for a city" + q
                + ",parameters:{properties:{city:{description:" + q + "City name" + q + ",type:" + q + "STRING" + q + "},"
                + "unit:{description:" + q + "Temperature unit" + q + ",enum:[" + q + "celsius" + q + "," + q + "fahrenheit" + q + "],type:"
                + q + "STRING" + q + "}},required:[" + q + "city" + q + "],type:" + q + "OBJECT" + q + "}}<tool|><turn|>\n"
                + "<|turn>user\nWhat's the weather in Paris?<turn|>\n"
                + "<|turn>model\n<|tool_call>call:get_weather{city:" + q + "Paris" + q + ",unit:" + q + "celsius" + q + "}<tool_call|>"
                + "<|tool_response>response:get_weather{value:" + q + "{\"temperature\": 18, \"condition\": \"cloudy\"}" + q + "}<tool_response|>"
                + "It is 18 °C and cloudy in Paris.<turn|>\n<|turn>user\nThanks!<turn|>\n<|turn>model\n";
        assertEquals(expected, ChatTemplate.E2B.render(chat));
        assertEquals(expected + "<|channel>thought\n<channel|>", ChatTemplate.LARGE.render(chat));
    }

    @Test
    void parsedAnswerGoesBackIntoTheConversation() {
        Chat chat = Chat.of(ChatMessage.user("Weather in Oslo?"));
        ParsedOutput out = GemmaOutputParser.create().parse(
                "<|channel>thought\nNeed data.<channel|><|tool_call>call:get_weather{city:<|\"|>Oslo<|\"|>}<tool_call|><|tool_response>");
        ToolCall call = out.toolCalls().getFirst().withId("c1");
        Chat next = chat.with(out.toAssistantMessage().toBuilder().toolCalls(List.of()).toolCall(call).build())
                .with(ChatMessage.toolResult("c1", "get_weather", "-3"));
        assertEquals("<bos><|turn>system\n<|think|>\n<turn|>\n<|turn>user\nWeather in Oslo?<turn|>\n<|turn>model\n"
                        + "<|channel>thought\nNeed data.\n<channel|><|tool_call>call:get_weather{city:<|\"|>Oslo<|\"|>}<tool_call|>"
                        + "<|tool_response>response:get_weather{value:<|\"|>-3<|\"|>}<tool_response|><|channel>thought\n",
                ChatTemplate.E2B.render(next, RenderOptions.DEFAULT.withThinking(true)));
    }

    @Test
    void recordsAreImmutable() throws Exception {
        ObjectNode args = (ObjectNode) JSON.readTree("{\"a\":1}");
        ToolCall call = new ToolCall("f", args);
        args.put("b", 2);
        call.arguments().put("c", 3);
        assertEquals(JSON.readTree("{\"a\":1}"), call.arguments());
        assertThrows(UnsupportedOperationException.class, () -> Chat.of().messages().add(ChatMessage.user("x")));
        assertNotEquals(Chat.of(), Chat.of().with(ChatMessage.user("x")));
    }

    @Test
    void detectChoosesTheVariantFromTheTemplateText() {
        assertEquals(ChatTemplate.LARGE, ChatTemplate.detect("{{- '<|turn>model\\n' -}}{{- '<|channel>thought\\n<channel|>' -}}"));
        assertEquals(ChatTemplate.E2B, ChatTemplate.detect("{{- '<|turn>model\\n' -}}"));
        assertEquals(ChatTemplate.E2B, ChatTemplate.detect(null));
        assertEquals(ChatTemplate.LARGE, ChatTemplate.forName("31b"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.forName("7b"));
    }

    @Test
    void requestErrorsNameTheTemplateError() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> ChatRequest.fromJson(
                "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\"}}]}]}"));
        assertEquals("TemplateError", e.errorType());
        assertThrows(ChatTemplateException.class, () -> ChatRequest.fromJson("[1]"));
        assertThrows(ChatTemplateException.class, () -> ChatRequest.fromJson("{"));
    }
}
