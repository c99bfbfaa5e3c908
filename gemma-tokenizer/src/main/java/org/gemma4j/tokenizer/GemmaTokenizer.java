package org.gemma4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gemma 4 tokenizer (spec §4): SentencePiece-style BPE driven by merge ranks over Unicode code points,
 * {@code ' '} written as {@code '▁'}, no other normalization or pre-splitting (only at newline runs, which no
 * token crosses), byte fallback to {@code <0xNN>} tokens, and added/special tokens matched leftmost-longest on
 * the raw text in {@link TextMode#TRUSTED} text.
 *
 * <p>Load it from a GGUF's metadata ({@link #fromGgufMetadata}) or a Hugging Face {@code tokenizer.json}
 * ({@link #fromTokenizerJson}). BOS is never added implicitly: pass {@code addBos} or render it in the template,
 * never both.
 *
 * <p>Immutable and thread-safe. {@link #newStreamDecoder()} returns a per-stream, non-thread-safe decoder.
 */
public final class GemmaTokenizer {
    /** Gemma 4's added tokens (HF {@code tokenizer.json} / GGUF), by id. */
    private static final Map<Integer, String> GEMMA4_SPECIALS = new LinkedHashMap<>();
    /** Added tokens llama.cpp marks USER_DEFINED: always rendered when decoding. */
    private static final List<String> RENDERED_SPECIALS = List.of("<|channel>", "<channel|>", "<|tool_call>",
            "<tool_call|>", "<|tool_response>", "<tool_response|>", "<|\"|>");

    static {
        Object[][] table = {
            {0, "<pad>"}, {1, "<eos>"}, {2, "<bos>"}, {3, "<unk>"}, {4, "<mask>"}, {46, "<|tool>"}, {47, "<tool|>"},
            {48, "<|tool_call>"}, {49, "<tool_call|>"}, {50, "<|tool_response>"}, {51, "<tool_response|>"},
            {52, "<|\"|>"}, {98, "<|think|>"}, {100, "<|channel>"}, {101, "<channel|>"}, {105, "<|turn>"},
            {106, "<turn|>"}, {255999, "<|image>"}, {256000, "<|audio>"}, {258880, "<|image|>"},
            {258881, "<|audio|>"}, {258882, "<image|>"}, {258883, "<audio|>"}, {258884, "<|video|>"},
        };
        for (Object[] row : table) {
            GEMMA4_SPECIALS.put((Integer) row[0], (String) row[1]);
        }
    }

    private final String[] tokens;
    private final TokenKind[] kinds;
    private final Map<String, Integer> vocab;
    private final List<String[]> mergeList;
    private final AddedTokens added;
    private final BytePairEncoder bpe;
    private final MergeTable mergeTable;
    private final int[] byteIds = new int[256];
    private final int[] byteOf; // id -> byte value, or -1
    private final int bosId;
    private final int eosId;

    GemmaTokenizer(String[] tokens, TokenKind[] kinds, List<String[]> merges, int bosId, int eosId) {
        this.tokens = tokens;
        this.kinds = kinds;
        this.mergeList = merges;
        this.bosId = bosId;
        this.eosId = eosId;
        this.vocab = new HashMap<>(tokens.length * 2);
        Map<String, Integer> addedTokens = new HashMap<>();
        this.byteOf = new int[tokens.length];
        Arrays.fill(byteOf, -1);
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            if (t == null) {
                continue;
            }
            vocab.putIfAbsent(t, id);
            if (kinds[id].isAdded()) {
                addedTokens.put(t, id);
            }
            if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                try {
                    int b = Integer.parseInt(t.substring(3, 5), 16);
                    byteIds[b] = id;
                    byteOf[id] = b;
                    kinds[id] = TokenKind.BYTE;
                } catch (NumberFormatException e) {
                    // an ordinary token that only looks like a byte token
                }
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) {
                throw new IllegalArgumentException(String.format("vocabulary has no byte-fallback token <0x%02X>", b));
            }
        }
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer l = vocab.get(m[0]);
            Integer r = vocab.get(m[1]);
            Integer result = vocab.get(m[0] + m[1]);
            if (l != null && r != null && result != null) {
                table.put(l, r, rank, result);
            }
        }
        this.mergeTable = table;
        this.added = new AddedTokens(addedTokens);
        this.bpe = new BytePairEncoder(vocab, table, byteIds);
        if (bosId < 0 || bosId >= tokens.length || eosId < 0 || eosId >= tokens.length) {
            throw new IllegalArgumentException("bos/eos token id out of range: " + bosId + "/" + eosId);
        }
    }

    // ---------------------------------------------------------------- loading

    /**
     * Builds the tokenizer from GGUF metadata ({@code tokenizer.ggml.*}): model {@code gemma4}, or {@code llama}
     * with pre-tokenizer {@code gemma4} and merges (as some converters write it).
     *
     * @param metadata the GGUF metadata: {@code String[]} tokens and merges, {@code int[]} or {@code long[]} token types
     */
    public static GemmaTokenizer fromGgufMetadata(Map<String, ?> metadata) {
        Object model = metadata.get("tokenizer.ggml.model");
        Object pre = metadata.get("tokenizer.ggml.pre");
        boolean hasMerges = metadata.get("tokenizer.ggml.merges") != null;
        if (!"gemma4".equals(model) && !("llama".equals(model) && "gemma4".equals(pre) && hasMerges)) {
            throw new IllegalArgumentException("tokenizer.ggml.model is '" + model + "'"
                    + (pre != null ? " (pre '" + pre + "')" : "") + ": not a Gemma 4 tokenizer (expected 'gemma4',"
                    + " or 'llama' with tokenizer.ggml.pre 'gemma4' and merges)");
        }
        String[] tokens = stringArray(metadata, "tokenizer.ggml.tokens");
        long[] types = longArray(metadata, "tokenizer.ggml.token_type", tokens.length);
        String[] mergeStrings = stringArray(metadata, "tokenizer.ggml.merges");
        TokenKind[] kinds = new TokenKind[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            kinds[i] = types == null ? TokenKind.NORMAL : TokenKind.fromGguf(types[i]);
        }
        List<String[]> merges = new ArrayList<>(mergeStrings.length);
        for (String m : mergeStrings) {
            int sp = m.indexOf(' ', 1);
            if (sp < 0) {
                throw new IllegalArgumentException("tokenizer.ggml.merges: entry '" + m + "' has no space");
            }
            merges.add(new String[] {m.substring(0, sp), m.substring(sp + 1)});
        }
        int bos = intKey(metadata, "tokenizer.ggml.bos_token_id", 2);
        int eos = intKey(metadata, "tokenizer.ggml.eos_token_id", 1);
        return new GemmaTokenizer(tokens, kinds, merges, bos, eos);
    }

    private static String[] stringArray(Map<String, ?> md, String key) {
        Object v = md.get(key);
        if (!(v instanceof String[] a)) {
            throw new IllegalArgumentException(v == null ? "missing key " + key : "key " + key + " is not a string array");
        }
        return a;
    }

    private static long[] longArray(Map<String, ?> md, String key, int expected) {
        Object v = md.get(key);
        long[] out;
        switch (v) {
            case null -> {
                return null;
            }
            case int[] a -> out = Arrays.stream(a).asLongStream().toArray();
            case long[] a -> out = a;
            default -> throw new IllegalArgumentException("key " + key + " is not an integer array");
        }
        if (out.length != expected) {
            throw new IllegalArgumentException("key " + key + " has " + out.length + " entries, expected " + expected);
        }
        return out;
    }

    private static int intKey(Map<String, ?> md, String key, int def) {
        Object v = md.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("key " + key + " is not a number");
        }
        return n.intValue();
    }

    /** Loads a Hugging Face {@code tokenizer.json} (stream-parsed; merges as {@code ["a","b"]} or {@code "a b"}). */
    public static GemmaTokenizer fromTokenizerJson(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return fromTokenizerJson(in);
        }
    }

    /** Loads a Hugging Face {@code tokenizer.json} from a stream. */
    public static GemmaTokenizer fromTokenizerJson(InputStream in) throws IOException {
        return TokenizerJson.read(in).build();
    }

    /**
     * This vocabulary with Gemma 4's 24 added tokens (ids 0-4, 46-52, 98, 100, 101, 105, 106, 255999, 256000,
     * 258880-258884) in place of whatever those ids held, and no other added tokens: how a Gemma 4 tokenizer
     * is derived from the Gemma 3 {@code tokenizer.json} (golden tokenizer README §4).
     */
    public GemmaTokenizer withGemma4Specials() {
        int size = 262144;
        String[] t = Arrays.copyOf(tokens, size);
        TokenKind[] k = new TokenKind[size];
        for (int i = 0; i < size; i++) {
            TokenKind old = i < kinds.length ? kinds[i] : null;
            k[i] = old == null || old == TokenKind.CONTROL || old == TokenKind.USER_DEFINED || old == TokenKind.UNKNOWN
                    ? TokenKind.NORMAL : old;
            if (t[i] == null) {
                k[i] = TokenKind.UNUSED;
            }
        }
        GEMMA4_SPECIALS.forEach((id, text) -> {
            t[id] = text;
            k[id] = RENDERED_SPECIALS.contains(text) ? TokenKind.USER_DEFINED : TokenKind.CONTROL;
        });
        k[3] = TokenKind.UNKNOWN;
        return new GemmaTokenizer(t, k, mergeList, 2, 1);
    }

    // ---------------------------------------------------------------- encoding

    /** Tokenizes {@code text} without BOS. */
    public int[] encode(String text, TextMode mode) {
        return encode(text, mode, false);
    }

    /** Tokenizes {@code text}, with {@code <bos>} first if {@code addBos}. */
    public int[] encode(String text, TextMode mode, boolean addBos) {
        String s = replaceLoneSurrogates(text);
        IdBuffer out = new IdBuffer();
        if (addBos) {
            out.add(bosId);
        }
        int segment = 0;
        if (mode == TextMode.TRUSTED && !added.isEmpty()) {
            for (int i = 0; i < s.length(); ) {
                long m = added.matchAt(s, i);
                if (m >= 0) {
                    encodeRaw(s, segment, i, out);
                    out.add((int) (m >>> 32));
                    i += (int) m;
                    segment = i;
                } else {
                    i++;
                }
            }
        }
        encodeRaw(s, segment, s.length(), out);
        return out.toArray();
    }

    /** Text between added tokens: spaces become ▁, then BPE per newline-run / non-newline chunk. */
    private void encodeRaw(String s, int from, int to, IdBuffer out) {
        if (from >= to) {
            return;
        }
        String norm = s.substring(from, to).replace(' ', '\u2581');
        int i = 0;
        while (i < norm.length()) {
            boolean newline = norm.charAt(i) == '\n';
            int j = i + 1;
            while (j < norm.length() && (norm.charAt(j) == '\n') == newline) {
                j++;
            }
            // A newline run is looked up whole, as llama.cpp does; with the real merges BPE gives the same ids.
            Integer run = newline ? vocab.get(norm.substring(i, j)) : null;
            if (run != null) {
                out.add(run);
            } else {
                bpe.encode(norm, i, j, out);
            }
            i = j;
        }
    }

    private static String replaceLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
            if (Character.isHighSurrogate(c) && !lone) {
                if (sb != null) {
                    sb.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (lone && sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(lone ? '\uFFFD' : c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes ids to text, rendering special tokens as their text (like HF with {@code skip_special_tokens=false}). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** Decodes ids; with {@code skipControl}, control tokens ({@code <bos>}, {@code <|turn>}, ...) are left out. */
    public String decode(int[] ids, boolean skipControl) {
        StringBuilder sb = new StringBuilder();
        byte[] run = new byte[ids.length];
        int n = 0;
        for (int id : ids) {
            int b = byteValue(id);
            if (b >= 0) {
                run[n++] = (byte) b;
                continue;
            }
            ByteFallback.decode(run, n, sb);
            n = 0;
            if (!(skipControl && kind(id) == TokenKind.CONTROL)) {
                appendPiece(id, sb);
            }
        }
        ByteFallback.decode(run, n, sb);
        return sb.toString();
    }

    /** A decoder for ids arriving one at a time, rendering every token (like {@link #decode(int[])}). */
    public StreamDecoder newStreamDecoder() {
        return new StreamDecoder(this, false);
    }

    /** A decoder for ids arriving one at a time; with {@code skipControl} control tokens are left out. */
    public StreamDecoder newStreamDecoder(boolean skipControl) {
        return new StreamDecoder(this, skipControl);
    }

    int byteValue(int id) {
        checkId(id);
        return byteOf[id];
    }

    void appendPiece(int id, StringBuilder sb) {
        String t = tokens[id];
        if (t != null) {
            sb.append(t.replace('\u2581', ' '));
        }
    }

    // ---------------------------------------------------------------- vocabulary

    /** For tests: the merge table and the byte-fallback ids. */
    MergeTable mergeTable() {
        return mergeTable;
    }

    int byteTokenId(int b) {
        return byteIds[b];
    }

    /** Number of ids. */
    public int vocabSize() {
        return tokens.length;
    }

    /** The vocabulary string of {@code id} (with ▁ for spaces). */
    public String tokenText(int id) {
        checkId(id);
        return tokens[id];
    }

    public TokenKind kind(int id) {
        checkId(id);
        return kinds[id];
    }

    /** The id of a token string, or -1. */
    public int id(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    /** The tokens that end generation: {@code <eos>}, {@code <turn|>} and {@code <|tool_response>} where present. */
    public int[] endOfGenerationIds() {
        return java.util.stream.IntStream.of(eosId, id("<turn|>"), id("<|tool_response>")).filter(i -> i >= 0).distinct().toArray();
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + tokens.length + ")");
        }
    }
}
