package org.gemma4j;

import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.TextMode;

/**
 * Builds a prompt's token ids piece by piece, tokenizing template text as {@link TextMode#TRUSTED} and content as
 * {@link TextMode#USER}, so text from users or tools can never become control tokens. Not thread-safe.
 */
final class PromptTokens {
    private final GemmaTokenizer tokenizer;
    private int[] ids = new int[256];
    private int size;

    PromptTokens(GemmaTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    PromptTokens template(String text) {
        return add(tokenizer.encode(text, TextMode.TRUSTED));
    }

    PromptTokens content(String text) {
        return add(tokenizer.encode(text, TextMode.USER));
    }

    PromptTokens token(int id) {
        return add(new int[] {id});
    }

    private PromptTokens add(int[] more) {
        if (size + more.length > ids.length) {
            ids = java.util.Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
        }
        System.arraycopy(more, 0, ids, size, more.length);
        size += more.length;
        return this;
    }

    int[] toArray() {
        return java.util.Arrays.copyOf(ids, size);
    }
}
