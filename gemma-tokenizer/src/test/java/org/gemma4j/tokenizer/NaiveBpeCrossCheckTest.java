package org.gemma4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The heap-based encoder against textbook BPE (quadratic and obviously right: merge the lowest-rank pair, leftmost
 * first, until none is left) on random text with the real vocabulary. Also shows that splitting at newline runs and
 * looking those runs up whole change nothing with Gemma's data.
 */
class NaiveBpeCrossCheckTest {
    private static final String[] ALPHABET = {
        "a", "b", "e", "l", "o", "t", "n", "s", "H", "T", " ", " ", " ", " ", "\n", "\t", "\r", ".", ",", "'", "!", "<", ">",
        "|", "0", "1", "3", "\u2581", "\u00E9", "e\u0301", "\u4E2D", "\u65E5", "\u3042", "\uD83D\uDE00", "\uD83E\uDD99",
        "\u0416", "\u0627", "\u00A0", "\u3000", "\uD800\uDC00", "the", "ing", " the", "  ", "\n\n", "\t\t", "http://", "==",
        "</", "> </", "\u2581</",
    };

    static List<Integer> naive(GemmaTokenizer t, String text) {
        MergeTable merges = t.mergeTable();
        List<Integer> symbols = new ArrayList<>();
        text.codePoints().map(c -> c == ' ' ? 0x2581 : c).forEach(cp -> {
            int id = t.id(new String(Character.toChars(cp)));
            if (id >= 0) {
                symbols.add(id);
            } else {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    symbols.add(t.byteTokenId(b & 0xFF));
                }
            }
        });
        while (true) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int r = merges.rank(symbols.get(i), symbols.get(i + 1));
                if (r >= 0 && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) {
                return symbols;
            }
            symbols.set(best, merges.result(symbols.get(best), symbols.get(best + 1)));
            symbols.remove(best + 1);
        }
    }

    @Test
    void agreesWithTextbookBpeOnRandomText() throws IOException {
        GemmaTokenizer t = RealVocabulary.gemma4();
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder();
            int parts = 1 + random.nextInt(60);
            for (int i = 0; i < parts; i++) {
                text.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            String sample = text.toString();
            List<Integer> actual = Arrays.stream(t.encode(sample, TextMode.USER)).boxed().toList();
            assertEquals(naive(t, sample), actual, () -> "text " + sample.codePoints()
                    .mapToObj(c -> String.format("U+%04X", c)).collect(Collectors.joining(" ")));
        }
    }
}
