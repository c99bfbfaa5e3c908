package org.gemma4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** tokenizer.json in both merge encodings, added tokens, and malformed files. */
class TokenizerJsonTest {
    /** A tiny vocabulary: specials, 256 byte tokens, a few pieces; merges as arrays or as "a b" strings. */
    static String json(boolean stringMerges) {
        StringBuilder v = new StringBuilder("\"<pad>\":0,\"<eos>\":1,\"<bos>\":2,\"<unk>\":3");
        int id = 4;
        for (int b = 0; b < 256; b++) {
            v.append(String.format(",\"<0x%02X>\":%d", b, id++));
        }
        String[] pieces = {"h", "e", "l", "o", "\u2581", "he", "ll", "hell", "hello", "\u2581h", "\u2581he"};
        int first = id;
        for (String p : pieces) {
            v.append(",\"").append(p).append("\":").append(id++);
        }
        String[][] merges = {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"\u2581", "h"}, {"\u2581h", "e"}};
        StringBuilder m = new StringBuilder();
        for (String[] mg : merges) {
            m.append(m.length() > 0 ? "," : "");
            m.append(stringMerges ? "\"" + mg[0] + " " + mg[1] + "\"" : "[\"" + mg[0] + "\",\"" + mg[1] + "\"]");
        }
        return "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":2,\"content\":\"<bos>\",\"special\":true},"
                + "{\"id\":" + id + ",\"content\":\"<|turn>\",\"special\":true}],"
                + "\"normalizer\":{\"type\":\"Replace\"},\"model\":{\"type\":\"BPE\",\"byte_fallback\":true,"
                + "\"vocab\":{" + v + "},\"merges\":[" + m + "]}}";
    }

    static GemmaTokenizer load(String json) throws IOException {
        return GemmaTokenizer.fromTokenizerJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bothMergeEncodingsGiveTheSameTokenizer() throws IOException {
        GemmaTokenizer arrays = load(json(false));
        GemmaTokenizer strings = load(json(true));
        for (String text : new String[] {"hello", " hello he", "hell<|turn>o", "héllo"}) {
            assertArrayEquals(arrays.encode(text, TextMode.TRUSTED), strings.encode(text, TextMode.TRUSTED), text);
        }
        assertEquals("hello", arrays.tokenText(arrays.encode("hello", TextMode.USER)[0]));
        int[] withTurn = arrays.encode("he<|turn>", TextMode.TRUSTED);
        assertEquals(TokenKind.CONTROL, arrays.kind(withTurn[withTurn.length - 1]));
        assertEquals("héllo", arrays.decode(arrays.encode("héllo", TextMode.USER)), "é goes through byte fallback");
    }

    @Test
    void malformedFilesAreReported() {
        IOException notBpe = assertThrows(IOException.class, () -> load(json(false).replace("\"BPE\"", "\"Unigram\"")));
        assertTrue(notBpe.getMessage().contains("model.type is 'Unigram'"), notBpe.getMessage());
        IllegalArgumentException noBytes = assertThrows(IllegalArgumentException.class, () -> load(json(false).replace("\"<0x41>\"", "\"A\"")));
        assertTrue(noBytes.getMessage().contains("<0x41>"), noBytes.getMessage());
        assertThrows(IOException.class, () -> load("{\"model\": [1, 2"));
    }
}
