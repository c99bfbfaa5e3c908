package org.gemma4j.tools;

import org.gemma4j.LogitsProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Constrained decoding of tool calls: a {@link LogitsProcessor} that, while the model writes a call, sets the logits
 * of every token that would break the call to {@code -Infinity}. The call is then valid Gemma 4 call syntax, names a
 * registered tool, and has arguments that satisfy its schema (see {@link ToolCallGrammar}).
 *
 * <p>With a forced call ({@code required} or a named tool) the first token must be {@code <|tool_call>}; otherwise
 * text is free until the model itself emits {@code <|tool_call>}, and the mask applies from there to the stop token.
 * With {@code callsAllowed = false} the token {@code <|tool_call>} is simply banned.
 *
 * <p>Thread safety: not thread-safe; it tracks one generation. Create one per generation call.
 */
final class ToolCallConstraint implements LogitsProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ToolCallConstraint.class);

    private final ToolCallGrammar grammar;
    private final TokenAlphabet alphabet;
    private final boolean callsAllowed;
    private final boolean[] allowed;
    private ToolCallGrammar.State state;
    // For a JSON answer the state never returns to free text; <|tool_call> has no symbol there.
    private int consumed;
    private long maskNanos;
    private int maskedSteps;

    ToolCallConstraint(ToolCallGrammar grammar, TokenAlphabet alphabet, boolean forceCall, boolean callsAllowed) {
        this.grammar = grammar;
        this.alphabet = alphabet;
        this.callsAllowed = callsAllowed;
        this.allowed = new boolean[alphabet.vocabSize()];
        this.state = forceCall && callsAllowed ? grammar.start() : null;
    }

    /** A constraint for a JSON answer: masked from the first token to the end of the turn. */
    static ToolCallConstraint forJson(ToolCallGrammar jsonGrammar, TokenAlphabet alphabet) {
        ToolCallConstraint c = new ToolCallConstraint(jsonGrammar, alphabet, false, true);
        c.state = jsonGrammar.jsonStart();
        return c;
    }

    @Override
    public void process(float[] logits, int[] generated, int count) {
        for (; consumed < count; consumed++) {
            int token = generated[consumed];
            if (state == null) {
                if (callsAllowed && token == alphabet.callOpenId()) {
                    state = grammar.afterOpen();
                }
            } else {
                ToolCallGrammar.State next = alphabet.advance(state, token);
                if (next == null) {
                    LOG.warn("token {} left the tool-call grammar; constraint released", token);
                }
                state = next;
            }
        }
        if (!callsAllowed) {
            int open = alphabet.callOpenId();
            if (open < logits.length) {
                logits[open] = Float.NEGATIVE_INFINITY;
            }
            return;
        }
        if (state == null) {
            return;
        }
        long t0 = System.nanoTime();
        int n = alphabet.allowed(state, allowed);
        if (n == 0) {
            LOG.warn("no token continues the tool call; constraint released");
            state = null;
            return;
        }
        int limit = Math.min(logits.length, allowed.length);
        for (int i = 0; i < limit; i++) {
            if (!allowed[i]) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int i = limit; i < logits.length; i++) {
            logits[i] = Float.NEGATIVE_INFINITY;
        }
        maskNanos += System.nanoTime() - t0;
        maskedSteps++;
    }

    /** Total time spent computing masks, in nanoseconds. */
    long maskNanos() {
        return maskNanos;
    }

    /** How many steps were masked. */
    int maskedSteps() {
        return maskedSteps;
    }
}
