package org.gemma4j.tokenizer;

/** What a vocabulary entry is, following GGUF's {@code tokenizer.ggml.token_type} codes. */
public enum TokenKind {
    /** Ordinary text piece. */
    NORMAL,
    /** {@code <unk>}. */
    UNKNOWN,
    /** A control token such as {@code <bos>} or {@code <|turn>}: not text. */
    CONTROL,
    /** An added token that is always rendered as its text, such as {@code <|channel>} or {@code <|"|>}. */
    USER_DEFINED,
    /** An unused slot. */
    UNUSED,
    /** A byte-fallback token {@code <0xNN>}. */
    BYTE;

    /** Maps a GGUF token type code (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). */
    static TokenKind fromGguf(long code) {
        return switch ((int) code) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> throw new IllegalArgumentException("unknown token type code " + code);
        };
    }

    /** Matched as a whole in {@link TextMode#TRUSTED} text. */
    boolean isAdded() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}
