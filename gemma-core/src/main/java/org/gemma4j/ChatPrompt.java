package org.gemma4j;

import org.gemma4j.chat.Chat;
import org.gemma4j.chat.ChatTemplate;
import org.gemma4j.chat.RenderOptions;
import org.gemma4j.chat.RenderedPrompt;
import org.gemma4j.tokenizer.GemmaTokenizer;

/**
 * A conversation rendered with the model's chat template and tokenized: template markup as trusted text, message
 * content as untrusted text (it can never become a control token).
 *
 * @param tokens the prompt's ids, {@code <bos>} first (the template writes it)
 * @param generationPrefix what the prompt leaves open for the model to continue (an open or empty thought
 *     channel), needed to parse the output
 */
record ChatPrompt(int[] tokens, String generationPrefix) {
    private static final String OPEN_THOUGHT = "<|channel>thought\n";
    private static final String EMPTY_THOUGHT = "<|channel>thought\n<channel|>";

    static ChatPrompt of(ChatTemplate template, Chat chat, boolean thinking, GemmaTokenizer tokenizer) {
        RenderedPrompt rendered = template.renderMarked(chat, RenderOptions.DEFAULT.withThinking(thinking));
        PromptTokens p = new PromptTokens(tokenizer);
        for (RenderedPrompt.Segment s : rendered.segments()) {
            if (s.content()) {
                p.content(s.text());
            } else {
                p.template(s.text());
            }
        }
        String text = rendered.text();
        String prefix = text.endsWith(EMPTY_THOUGHT) ? EMPTY_THOUGHT : text.endsWith(OPEN_THOUGHT) ? OPEN_THOUGHT : "";
        return new ChatPrompt(p.toArray(), prefix);
    }
}
