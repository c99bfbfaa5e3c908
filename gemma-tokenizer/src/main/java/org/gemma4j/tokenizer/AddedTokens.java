package org.gemma4j.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Leftmost-longest matching of added/special tokens on raw text. */
final class AddedTokens {
    private record Entry(String text, int id) {}

    private final Map<Character, Entry[]> byFirstChar = new HashMap<>();

    AddedTokens(Map<String, Integer> tokens) {
        Map<Character, List<Entry>> lists = new HashMap<>();
        tokens.forEach((text, id) -> {
            if (!text.isEmpty()) {
                lists.computeIfAbsent(text.charAt(0), c -> new ArrayList<>()).add(new Entry(text, id));
            }
        });
        lists.forEach((c, l) -> {
            l.sort(Comparator.comparingInt((Entry e) -> e.text().length()).reversed());
            byFirstChar.put(c, l.toArray(Entry[]::new));
        });
    }

    /** The longest added token starting at {@code pos}: {@code id << 32 | length}, or -1. */
    long matchAt(String text, int pos) {
        Entry[] candidates = byFirstChar.get(text.charAt(pos));
        if (candidates != null) {
            for (Entry e : candidates) {
                if (text.startsWith(e.text(), pos)) {
                    return ((long) e.id() << 32) | e.text().length();
                }
            }
        }
        return -1;
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }
}
