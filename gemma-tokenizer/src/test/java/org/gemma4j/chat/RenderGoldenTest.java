package org.gemma4j.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of {@code render-cases.jsonl}: the rendered prompt must equal the jinja2 output byte for byte. */
class RenderGoldenTest {
    static List<Arguments> cases() {
        return GoldenCases.arguments("/chat/render-cases.jsonl");
    }

    @Test
    void allCasesAreLoaded() {
        assertEquals(68, cases().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersExactly(String name, JsonNode c) {
        ChatTemplate template = ChatTemplate.forName(c.get("template").asText());
        JsonNode expected = c.get("expected");
        if (expected.isNull()) {
            ChatTemplateException e = assertThrows(ChatTemplateException.class,
                    () -> template.render(ChatRequest.fromJson(c)));
            assertEquals(c.get("expected_error").asText(), e.describe());
            return;
        }
        assertEquals(expected.asText(), template.render(ChatRequest.fromJson(c)));
        ChatRequest request = ChatRequest.fromJson(c);
        RenderedPrompt marked = template.renderMarked(request.chat(), request.options());
        assertEquals(expected.asText(), marked.text());
        StringBuilder joined = new StringBuilder();
        for (RenderedPrompt.Segment seg : marked.segments()) {
            joined.append(seg.text());
            if (seg.content()) {
                // Content never carries template markup of its own making; what a user typed stays inside.
                assertEquals(false, seg.text().startsWith("<|turn>"), name);
            }
        }
        assertEquals(expected.asText(), joined.toString());
    }

    /** The other variant differs exactly where the case says, and always by the empty thought block. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void otherVariantDiffersOnlyByEmptyThought(String name, JsonNode c) {
        if (c.get("expected").isNull()) {
            return;
        }
        ChatTemplate template = ChatTemplate.forName(c.get("template").asText());
        ChatTemplate other = template == ChatTemplate.E2B ? ChatTemplate.LARGE : ChatTemplate.E2B;
        String mine = c.get("expected").asText();
        String theirs = other.render(ChatRequest.fromJson(c));
        if (c.get("other_template_differs").asBoolean()) {
            String e2b = template == ChatTemplate.E2B ? mine : theirs;
            String large = template == ChatTemplate.E2B ? theirs : mine;
            assertEquals(e2b + "<|channel>thought\n<channel|>", large);
        } else {
            assertEquals(mine, theirs);
        }
        assertNotEquals(null, theirs);
    }
}
