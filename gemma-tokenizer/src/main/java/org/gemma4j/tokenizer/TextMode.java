package org.gemma4j.tokenizer;

/** Whether special-token text inside a string may become special tokens. */
public enum TextMode {
    /**
     * Template or tool text the application controls: added/special tokens written in the text ({@code <|turn>},
     * {@code <|"|>}, ...) are matched as tokens, leftmost-longest, like Hugging Face's {@code encode}.
     */
    TRUSTED,
    /**
     * Content from a user, a document or a tool: never becomes a control token; {@code <|turn>} typed by a user is
     * tokenized as the plain characters it is made of.
     */
    USER
}
