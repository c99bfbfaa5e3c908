package org.gemma4j.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.TokenKind;

/**
 * The vocabulary as {@link ToolCallGrammar} symbols, computed once per tokenizer: each ordinary token as the code
 * points of its text ({@code ▁} as a space), the call markers, the string delimiter and the stop token
 * {@code <|tool_response>} by id as single special symbols, and every other token (control, byte, unused) as
 * never allowed inside a call. Tokens are grouped by their first symbol so a mask step tests each first symbol once.
 *
 * <p>Thread safety: immutable after construction; safe to share.
 */
final class TokenAlphabet {
    private final int vocabSize;
    private final int[][] symbols;
    private final int[] groupFirst;
    private final int[][] groupIds;
    private final int callOpenId;
    private final int stopId;

    TokenAlphabet(GemmaTokenizer tokenizer) {
        vocabSize = tokenizer.vocabSize();
        symbols = new int[vocabSize][];
        callOpenId = tokenizer.id("<|tool_call>");
        int callClose = tokenizer.id("<tool_call|>");
        int quote = tokenizer.id("<|\"|>");
        int toolResponse = tokenizer.id("<|tool_response>");
        int turnEnd = tokenizer.id("<turn|>");
        stopId = toolResponse >= 0 ? toolResponse : tokenizer.eosId();
        if (callOpenId < 0 || callClose < 0 || quote < 0) {
            throw new IllegalArgumentException("the vocabulary lacks the Gemma 4 tool-call tokens");
        }
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int id = 0; id < vocabSize; id++) {
            int[] s;
            if (id == callOpenId) {
                s = new int[] {ToolCallGrammar.CALL_OPEN};
            } else if (id == callClose) {
                s = new int[] {ToolCallGrammar.CALL_CLOSE};
            } else if (id == quote) {
                s = new int[] {ToolCallGrammar.QUOTE};
            } else if (id == stopId) {
                s = new int[] {ToolCallGrammar.END};
            } else if (id == turnEnd || id == tokenizer.eosId()) {
                s = new int[] {ToolCallGrammar.TURN_END};
            } else if (tokenizer.kind(id) == TokenKind.NORMAL && tokenizer.tokenText(id) != null && !tokenizer.tokenText(id).isEmpty()) {
                s = tokenizer.tokenText(id).replace('\u2581', ' ').codePoints().toArray();
            } else {
                continue;
            }
            symbols[id] = s;
            groups.computeIfAbsent(s[0], k -> new ArrayList<>()).add(id);
        }
        groupFirst = new int[groups.size()];
        groupIds = new int[groups.size()][];
        int g = 0;
        for (Map.Entry<Integer, List<Integer>> e : groups.entrySet()) {
            groupFirst[g] = e.getKey();
            groupIds[g] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            g++;
        }
    }

    int callOpenId() {
        return callOpenId;
    }

    int vocabSize() {
        return vocabSize;
    }

    /** The symbols of a token, or {@code null} if it may never appear in a call. */
    int[] symbols(int id) {
        return id >= 0 && id < vocabSize ? symbols[id] : null;
    }

    /** The state after {@code id} from {@code state}, or {@code null} if the token is not allowed there. */
    ToolCallGrammar.State advance(ToolCallGrammar.State state, int id) {
        int[] s = symbols(id);
        if (s == null) {
            return null;
        }
        for (int sym : s) {
            state = state.step(sym);
            if (state == null) {
                return null;
            }
        }
        return state;
    }

    /**
     * Marks in {@code allowed} the tokens that keep {@code state} valid.
     *
     * @return how many tokens are allowed
     */
    int allowed(ToolCallGrammar.State state, boolean[] allowed) {
        java.util.Arrays.fill(allowed, false);
        int n = 0;
        for (int g = 0; g < groupFirst.length; g++) {
            ToolCallGrammar.State first = state.step(groupFirst[g]);
            if (first == null) {
                continue;
            }
            for (int id : groupIds[g]) {
                int[] s = symbols[id];
                ToolCallGrammar.State st = first;
                for (int i = 1; i < s.length && st != null; i++) {
                    st = st.step(s[i]);
                }
                if (st != null) {
                    allowed[id] = true;
                    n++;
                }
            }
        }
        return n;
    }
}
