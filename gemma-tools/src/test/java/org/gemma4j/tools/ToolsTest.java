package org.gemma4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.ChatTemplate;
import org.gemma4j.chat.ToolCall;
import org.junit.jupiter.api.Test;

class ToolsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public enum Unit { celsius, fahrenheit }

    public static class Weather {
        @Tool(value = "Get the current weather for a city.", name = "get_weather")
        public String weather(@Param("City name, e.g. Paris") String location,
                @Param(value = "Temperature unit", optional = true) Unit unit) {
            return "sunny in " + location + (unit == null ? "" : " (" + unit + ")");
        }

        public String notATool() {
            return "never";
        }
    }

    public static class Calculator {
        @Tool("Adds two numbers")
        public int add(int a, int b) { // names from -parameters
            return a + b;
        }

        @Tool("Greets someone")
        public static String greet(Optional<String> name) {
            return "hello " + name.orElse("you");
        }
    }

    @Test
    void renderedDeclarationMatchesGoldenTemplateCase() throws Exception {
        Tools tools = Tools.from(new Weather());
        assertEquals(1, tools.size());
        Chat chat = Chat.builder().user("Weather in Paris?").tools(tools.declarations()).build();
        String expected = null;
        for (String line : Files.readAllLines(Path.of("../gemma-tokenizer/src/test/resources/chat/render-cases.jsonl"))) {
            JsonNode c = MAPPER.readTree(line);
            if (c.get("name").asText().equals("tools_simple") && c.get("template").asText().equals("e2b")) {
                expected = c.get("expected").asText();
            }
        }
        assertEquals(expected, ChatTemplate.E2B.render(chat));
    }

    @Test
    void renderedDeclarationOfParameterNamesAndOptional() {
        Tools tools = Tools.from(new Calculator());
        String prompt = ChatTemplate.E2B.render(Chat.builder().user("hi").tools(tools.declarations()).build());
        assertEquals("<bos><|turn>system\n"
                + "<|tool>declaration:add{description:<|\"|>Adds two numbers<|\"|>,parameters:{properties:{a:{type:<|\"|>INTEGER<|\"|>},"
                + "b:{type:<|\"|>INTEGER<|\"|>}},required:[<|\"|>a<|\"|>,<|\"|>b<|\"|>],type:<|\"|>OBJECT<|\"|>}}<tool|>"
                + "<|tool>declaration:greet{description:<|\"|>Greets someone<|\"|>,parameters:{properties:{name:{type:<|\"|>STRING<|\"|>}},"
                + "type:<|\"|>OBJECT<|\"|>}}<tool|><turn|>\n<|turn>user\nhi<turn|>\n<|turn>model\n", prompt);
    }

    @Test
    void methodsAreInvokedWithConvertedArguments() throws Exception {
        Tools tools = Tools.from(new Calculator()).and(new Weather());
        ObjectNode args = MAPPER.createObjectNode().put("a", 2).put("b", 3);
        assertEquals(IntNode.valueOf(5), tools.get("add").orElseThrow().handler().invoke(args));
        assertEquals("hello you", tools.get("greet").orElseThrow().handler().invoke(MAPPER.createObjectNode()).asText());
        assertEquals("sunny in Paris (celsius)", tools.get("get_weather").orElseThrow().handler()
                .invoke(MAPPER.createObjectNode().put("location", "Paris").put("unit", "celsius")).asText());
        assertTrue(tools.get("notATool").isEmpty());
    }

    @Test
    void lambdaToolWithExplicitSchema() throws Exception {
        Tools tools = Tools.of("echo", "Echoes", "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\"}}}",
                args -> args.get("x"));
        assertEquals("hi", tools.get("echo").orElseThrow().handler().invoke(MAPPER.createObjectNode().put("x", "hi")).asText());
        assertThrows(IllegalArgumentException.class, () -> tools.and("echo", "again", (JsonNode) null, a -> null));
        assertThrows(IllegalArgumentException.class, () -> tools.and("bad name", "x", (JsonNode) null, a -> null));
    }

    @Test
    void validatorReportsTypeEnumRequiredAndItems() throws Exception {
        JsonNode schema = Tools.from(new Weather()).get("get_weather").orElseThrow().parameters();
        assertEquals(List.of(), SchemaValidator.validate(schema, MAPPER.readTree("{\"location\":\"Oslo\",\"unit\":\"celsius\"}")));
        assertEquals(1, SchemaValidator.validate(schema, MAPPER.readTree("{\"unit\":\"celsius\"}")).size());
        assertEquals(1, SchemaValidator.validate(schema, MAPPER.readTree("{\"location\":3}")).size());
        assertEquals(1, SchemaValidator.validate(schema, MAPPER.readTree("{\"location\":\"x\",\"unit\":\"kelvin\"}")).size());
        JsonNode arr = MAPPER.readTree("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":2}");
        assertEquals(2, SchemaValidator.validate(arr, MAPPER.readTree("[1,\"a\",3]")).size());
    }

    @Test
    void transcriptMessagesKeepCalls() {
        ToolCall call = new ToolCall("c1", "add", MAPPER.createObjectNode().put("a", 1));
        assertEquals(1, ChatMessage.assistant(List.of(call)).toolCalls().size());
    }
}
