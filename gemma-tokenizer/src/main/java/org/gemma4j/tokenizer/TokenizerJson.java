package org.gemma4j.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stream-reads the parts of a Hugging Face {@code tokenizer.json} the Gemma tokenizer needs: {@code model.vocab},
 * {@code model.merges} (either encoding) and {@code added_tokens}. The file is 33 MB; nothing but these is kept.
 */
final class TokenizerJson {
    private final Map<String, Integer> vocab = new HashMap<>(300_000);
    private final List<String[]> merges = new ArrayList<>(520_000);
    private final Map<Integer, String> addedText = new HashMap<>();
    private final Map<Integer, Boolean> addedSpecial = new HashMap<>();
    private String modelType;

    static TokenizerJson read(InputStream in) throws IOException {
        TokenizerJson t = new TokenizerJson();
        try (JsonParser p = new JsonFactory().createParser(in)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "model" -> t.readModel(p);
                    case "added_tokens" -> t.readAdded(p);
                    default -> p.skipChildren();
                }
            }
        }
        if (!"BPE".equals(t.modelType)) {
            throw new IOException("tokenizer.json: model.type is '" + t.modelType + "', expected 'BPE'");
        }
        return t;
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken want, String where) throws IOException {
        if (got != want) {
            throw new IOException("tokenizer.json: expected " + want + " at " + where + ", got " + got + " (" + p.currentLocation() + ")");
        }
    }

    private void readModel(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "model");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> modelType = p.getText();
                case "vocab" -> {
                    expect(p, v, JsonToken.START_OBJECT, "model.vocab");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String token = p.currentName();
                        p.nextToken();
                        vocab.put(token, p.getIntValue());
                    }
                }
                case "merges" -> {
                    expect(p, v, JsonToken.START_ARRAY, "model.merges");
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        if (e == JsonToken.VALUE_STRING) {
                            String m = p.getText();
                            int sp = m.indexOf(' ', 1);
                            if (sp < 0) {
                                throw new IOException("tokenizer.json: merge '" + m + "' has no space");
                            }
                            merges.add(new String[] {m.substring(0, sp), m.substring(sp + 1)});
                        } else {
                            expect(p, e, JsonToken.START_ARRAY, "a merge");
                            p.nextToken();
                            String a = p.getText();
                            p.nextToken();
                            String b = p.getText();
                            expect(p, p.nextToken(), JsonToken.END_ARRAY, "end of a merge");
                            merges.add(new String[] {a, b});
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private void readAdded(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "added_tokens");
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Integer id = null;
            String content = null;
            boolean special = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> id = p.getIntValue();
                    case "content" -> content = p.getText();
                    case "special" -> special = p.getBooleanValue();
                    default -> p.skipChildren();
                }
            }
            if (id == null || content == null) {
                throw new IOException("tokenizer.json: an added token without id or content");
            }
            addedText.put(id, content);
            addedSpecial.put(id, special);
        }
    }

    GemmaTokenizer build() {
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (int id : addedText.keySet()) {
            size = Math.max(size, id + 1);
        }
        String[] tokens = new String[size];
        TokenKind[] kinds = new TokenKind[size];
        java.util.Arrays.fill(kinds, TokenKind.UNUSED);
        vocab.forEach((t, id) -> {
            tokens[id] = t;
            kinds[id] = TokenKind.NORMAL;
        });
        addedText.forEach((id, t) -> {
            tokens[id] = t;
            kinds[id] = addedSpecial.get(id) ? TokenKind.CONTROL : TokenKind.USER_DEFINED;
        });
        int unk = vocab.getOrDefault("<unk>", -1);
        if (unk >= 0) {
            kinds[unk] = TokenKind.UNKNOWN;
        }
        return new GemmaTokenizer(tokens, kinds, merges, vocab.getOrDefault("<bos>", 2), vocab.getOrDefault("<eos>", 1));
    }
}
