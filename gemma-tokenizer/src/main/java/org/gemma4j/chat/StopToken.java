package org.gemma4j.chat;

import java.util.Optional;

/** The tokens on which Gemma 4 generation stops; nothing after one of them belongs to the message. */
public enum StopToken {
    /** {@code <turn|>}: the model ended its turn. */
    END_OF_TURN(GemmaTokens.TURN_END),
    /** {@code <|tool_response>}: the model issued tool calls and waits for their results. */
    TOOL_RESPONSE(GemmaTokens.TOOL_RESPONSE_START),
    /** {@code <eos>}: end of sequence. */
    END_OF_SEQUENCE(GemmaTokens.EOS);

    private final String text;

    StopToken(String text) {
        this.text = text;
    }

    /** The token as it appears in text. */
    public String text() {
        return text;
    }

    /** The stop token whose text is {@code text}, if any. */
    public static Optional<StopToken> forText(String text) {
        for (StopToken t : values()) {
            if (t.text.equals(text)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
