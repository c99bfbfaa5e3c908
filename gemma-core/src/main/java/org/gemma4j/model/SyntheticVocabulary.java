package org.gemma4j.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A small Gemma-4-style vocabulary for synthetic models: the control tokens at the front, the 256 byte
 * fallbacks, single characters, and {@code ▁}-words built by left-to-right merges, padded with
 * {@code <unusedN>} to the requested size. Stored the way a real Gemma 4 GGUF stores its tokenizer
 * ({@code tokenizer.ggml.model = "gemma4"}, merges-driven BPE).
 */
record SyntheticVocabulary(String[] tokens, int[] types, String[] merges) {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private static final String[] SPECIALS = {
        "<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<|turn>", "<turn|>", "<|channel>", "<channel|>",
        "<|tool_call>", "<tool_call|>", "<|tool_response>", "<tool_response|>", "<|\"|>", "<|tool>", "<tool|>",
        "<|think|>",
    };
    private static final int[] SPECIAL_TYPES = {
        CONTROL, CONTROL, CONTROL, UNKNOWN, CONTROL, CONTROL, CONTROL, USER_DEFINED, USER_DEFINED,
        USER_DEFINED, USER_DEFINED, USER_DEFINED, USER_DEFINED, USER_DEFINED, CONTROL, CONTROL,
        CONTROL,
    };
    private static final String WORDS = "the of and to in is that for it as was with be by on not this are or from at"
            + " but have an you one all we if so what hello world model user Gemma Java token layer cache quick"
            + " fox over dog sky blue why light call tool answer think weather city time";

    static SyntheticVocabulary build(int size) {
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < SPECIALS.length; i++) {
            tokens.add(SPECIALS[i]);
            types.add(SPECIAL_TYPES[i]);
        }
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(BYTE);
        }
        Set<String> normal = new LinkedHashSet<>(List.of("\n", "\n\n", "\u2581", "\u2581\u2581"));
        for (char ch : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()[]{}<>/=+*_#@&%$|~`^\\".toCharArray()) {
            normal.add(String.valueOf(ch));
        }
        Set<String> merges = new LinkedHashSet<>();
        int base = tokens.size();
        for (String w : WORDS.split(" ")) {
            for (String word : new String[] {"\u2581" + w, w}) {
                // A word adds at most one token per code point after the first: add it only if it fits.
                if (base + normal.size() + word.codePointCount(0, word.length()) - 1 <= size) {
                    addWord(word, normal, merges);
                }
            }
        }
        for (String t : normal) {
            tokens.add(t);
            types.add(NORMAL);
        }
        if (tokens.size() > size) {
            throw new IllegalArgumentException("vocabulary size " + size + " is below the " + tokens.size() + " base tokens");
        }
        for (int k = 2; tokens.size() < size; k++) {
            tokens.add("<unused" + k + ">");
            types.add(UNUSED);
        }
        return new SyntheticVocabulary(tokens.toArray(String[]::new),
                types.stream().mapToInt(Integer::intValue).toArray(), merges.toArray(String[]::new));
    }

    /** Left-to-right merge chain: {@code c0+c1}, {@code (c0c1)+c2}, ... */
    private static void addWord(String w, Set<String> normal, Set<String> merges) {
        int[] cps = w.codePoints().toArray();
        String cur = new String(cps, 0, 1);
        for (int i = 1; i < cps.length; i++) {
            String c = new String(cps, i, 1);
            merges.add(cur + " " + c);
            cur = cur + c;
            normal.add(cur);
        }
    }
}
