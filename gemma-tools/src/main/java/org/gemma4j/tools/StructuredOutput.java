package org.gemma4j.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.OutputListener;

/**
 * Answers that are JSON matching a schema, by the same constrained decoding as tool calls: every token is masked so
 * that the answer is compact JSON (no whitespace, strings without escapes and at most {@code maxStringLength}
 * characters) satisfying the schema's types, required keys and enums, followed by the end of the turn.
 *
 * <pre>{@code
 * record City(String name, int population) {}
 * City c = StructuredOutput.of(model).generate(Chat.of(ChatMessage.user("Largest city of France?")), City.class);
 * }</pre>
 *
 * <p>Records and beans are read with Jackson, so their package must be open to {@code com.fasterxml.jackson.databind}
 * on the module path. Jackson reads {@code Optional} components only with its jdk8 module: prefer boxed types with
 * {@code @Param(optional = true)}. Thinking is turned off for these answers.
 *
 * <p>Thread safety: immutable; safe to share when the model is.
 */
public final class StructuredOutput {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaGenerator SCHEMAS = new JsonSchemaGenerator(MAPPER);

    private final ChatModel model;
    private final GenerationOptions options;
    private final int maxStringLength;
    private volatile TokenAlphabet alphabet;

    private StructuredOutput(ChatModel model, GenerationOptions options, int maxStringLength) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
        if (maxStringLength < 1) {
            throw new IllegalArgumentException("maxStringLength must be at least 1");
        }
        this.maxStringLength = maxStringLength;
    }

    public static StructuredOutput of(GemmaModel model) {
        return of(ChatModel.of(model));
    }

    /** @throws IllegalArgumentException if the model does not expose its tokenizer (no constraint possible) */
    public static StructuredOutput of(ChatModel model) {
        if (model.tokenizer().isEmpty()) {
            throw new IllegalArgumentException("structured output needs a model with a tokenizer");
        }
        return new StructuredOutput(model, GenerationOptions.defaults(), 64);
    }

    /** These settings with other generation options. */
    public StructuredOutput withOptions(GenerationOptions o) {
        return new StructuredOutput(model, o, maxStringLength);
    }

    /** These settings with another bound on string values. */
    public StructuredOutput withMaxStringLength(int n) {
        return new StructuredOutput(model, options, n);
    }

    /** The answer as JSON matching {@code schema}. @throws IllegalStateException if the answer is not complete JSON */
    public JsonNode generate(Chat chat, JsonNode schema) {
        TokenAlphabet a = alphabet;
        if (a == null) {
            a = new TokenAlphabet(model.tokenizer().orElseThrow());
            alphabet = a;
        }
        ToolCallConstraint constraint = ToolCallConstraint.forJson(ToolCallGrammar.json(schema, maxStringLength), a);
        GenerationOptions o = options.toBuilder().thinking(false).logitsProcessor(constraint).build();
        GenerationResult r = model.generate(chat, o, OutputListener.NONE);
        try {
            return MAPPER.readTree(r.text());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer is not complete JSON (" + r.finishReason() + "): " + r.text(), e);
        }
    }

    /** The answer read as a {@code type}, whose schema is derived by {@link JsonSchemaGenerator}. */
    public <T> T generate(Chat chat, Class<T> type) {
        JsonNode json = generate(chat, SCHEMAS.schemaOf(type));
        try {
            return MAPPER.treeToValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer does not fit " + type.getName() + ": " + json, e);
        }
    }
}
