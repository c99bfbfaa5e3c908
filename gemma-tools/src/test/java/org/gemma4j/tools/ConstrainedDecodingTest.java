package org.gemma4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.model.SyntheticGemma4;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Constrained decoding on a random-weight model: every forced call must be valid and schema-conforming. */
class ConstrainedDecodingTest {
    @TempDir
    static Path dir;
    static GemmaModel model;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        SyntheticGemma4.write(file, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.Q8_0, 7);
        model = GemmaModel.builder(file).contextLength(2048).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ToolAgent.Builder agent(ToolChoice choice, long seed) {
        return ToolAgent.builder(model).tools(ToolAgentTestTools.tools()).toolChoice(choice).maxRounds(1)
                .maxStringLength(16).options(GenerationOptions.builder().seed(seed).maxTokens(512).build());
    }

    @Test
    void hundredSeededRequiredRunsGiveValidCalls() {
        int valid = 0;
        List<String> failures = new ArrayList<>();
        for (int seed = 0; seed < 100; seed++) {
            AgentResult r = agent(ToolChoice.REQUIRED, seed).build().run("What is the weather?");
            boolean ok = !r.calls().isEmpty() && r.calls().stream().allMatch(ToolInvocation::succeeded);
            if (ok) {
                valid++;
            } else {
                failures.add(seed + ": " + r.calls());
            }
        }
        assertEquals(100, valid, failures.toString());
    }

    @Test
    void namedChoiceCallsThatTool() {
        for (int seed = 0; seed < 10; seed++) {
            AgentResult r = agent(ToolChoice.named("add"), seed).build().run("add");
            assertTrue(r.calls().stream().allMatch(c -> c.call().name().equals("add") && c.succeeded()), r.calls().toString());
            assertTrue(!r.calls().isEmpty());
        }
    }

    public enum Size { small, large }

    public record Answer(String name, int count, Size size, java.util.List<Boolean> flags, @Param(optional = true) Double score) {}

    @Test
    void structuredOutputGivesSchemaConformingRecords() {
        for (int seed = 0; seed < 20; seed++) {
            StructuredOutput out = StructuredOutput.of(model).withMaxStringLength(12)
                    .withOptions(GenerationOptions.builder().seed(seed).maxTokens(256).build());
            Answer a = out.generate(Chat.of(ChatMessage.user("answer")), Answer.class);
            assertTrue(a.name() != null && a.size() != null && a.flags() != null, a.toString());
            com.fasterxml.jackson.databind.JsonNode schema = new JsonSchemaGenerator().schemaOf(Answer.class);
            com.fasterxml.jackson.databind.JsonNode json = out.generate(Chat.of(ChatMessage.user("answer")), schema);
            assertEquals(java.util.List.of(), SchemaValidator.validate(schema, json), json.toString());
        }
    }

    @Test
    void noneNeverCalls() {
        for (int seed = 0; seed < 5; seed++) {
            ToolAgent a = agent(ToolChoice.NONE, seed).options(GenerationOptions.builder().seed(seed).maxTokens(48).build()).build();
            assertTrue(a.run("hi").calls().isEmpty());
        }
    }
}
