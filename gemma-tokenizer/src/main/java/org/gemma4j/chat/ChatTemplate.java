package org.gemma4j.chat;

import java.util.Locale;

/**
 * The official Gemma 4 chat template, in its two variants, rendering a {@link Chat} into the exact
 * prompt text (starting with {@code <bos>}) that the jinja2 template produces.
 *
 * <p>The variants differ in one place only: with thinking off, {@link #LARGE} (26B-A4B, 31B and the
 * other large models) ends the generation prompt {@code <|turn>model\n} with an empty thought block
 * {@code <|channel>thought\n<channel|>}, and {@link #E2B} (E2B, E4B) does not.
 *
 * <p>Thread safety: the constants are immutable and can render from any number of threads at once.
 */
public enum ChatTemplate {
    /** The template of the small models (E2B, E4B). */
    E2B(false),
    /** The template of the large models (26B-A4B, 31B). */
    LARGE(true);

    /**
     * The empty thought block as it appears in the large template's source (a jinja string literal,
     * so the newline is written as backslash-n).
     */
    private static final String EMPTY_THOUGHT_LITERAL = "<|channel>thought\\n<channel|>";

    private final boolean emptyThoughtWhenThinkingOff;

    ChatTemplate(boolean emptyThoughtWhenThinkingOff) {
        this.emptyThoughtWhenThinkingOff = emptyThoughtWhenThinkingOff;
    }

    /**
     * Renders the conversation as the template does.
     *
     * @throws ChatTemplateException where the template raises an error
     */
    public String render(Chat chat, RenderOptions options) {
        return new PromptRenderer(emptyThoughtWhenThinkingOff, options).render(chat);
    }

    /**
     * Renders {@code chat} and marks which parts of the prompt are message content (system, user and model text,
     * reasoning, and the string values inside tool calls and tool responses). A model tokenizes those as untrusted
     * text, so a user who types {@code <|turn>}, or a tool whose result contains {@code <tool_response|>}, cannot
     * open a turn or close a block.
     */
    public RenderedPrompt renderMarked(Chat chat, RenderOptions options) {
        PromptRenderer r = new PromptRenderer(emptyThoughtWhenThinkingOff, options);
        r.render(chat);
        return r.rendered();
    }

    /** Renders with {@link RenderOptions#DEFAULT}. */
    public String render(Chat chat) {
        return render(chat, RenderOptions.DEFAULT);
    }

    /** Renders a request read from OpenAI-style JSON with its own options. */
    public String render(ChatRequest request) {
        return render(request.chat(), request.options());
    }

    /**
     * Chooses the variant for a model from the jinja template text it ships (a GGUF's
     * {@code tokenizer.chat_template}, or {@code chat_template.jinja}): the large variant is the one
     * that writes the empty thought block. The text is used only for this choice, never executed.
     * A {@code null} or unrecognised text gives {@link #E2B}.
     */
    public static ChatTemplate detect(String jinjaTemplateText) {
        if (jinjaTemplateText != null
                && (jinjaTemplateText.contains(EMPTY_THOUGHT_LITERAL)
                        || jinjaTemplateText.contains("<|channel>thought\n<channel|>"))) {
            return LARGE;
        }
        return E2B;
    }

    /**
     * The variant for a name: {@code e2b}/{@code e4b}/{@code small} give {@link #E2B};
     * {@code 31b}/{@code 26b}/{@code 12b}/{@code large} give {@link #LARGE}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ChatTemplate forName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "e2b", "e4b", "small" -> E2B;
            case "31b", "26b", "26b-a4b", "12b", "large" -> LARGE;
            default -> throw new IllegalArgumentException("unknown chat template '" + name + "' (expected e2b or 31b)");
        };
    }
}
