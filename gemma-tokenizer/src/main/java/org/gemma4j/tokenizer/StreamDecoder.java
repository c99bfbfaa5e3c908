package org.gemma4j.tokenizer;

import java.util.Arrays;

/**
 * Turns generated token ids into text incrementally. Byte-fallback tokens are held back until their run ends
 * (a multi-byte character can be split across tokens), so every piece returned is complete text, and the pieces
 * concatenate to exactly {@link GemmaTokenizer#decode(int[], boolean)} of all ids.
 *
 * <p>Not thread-safe: one decoder per stream.
 */
public final class StreamDecoder {
    private final GemmaTokenizer tokenizer;
    private final boolean skipControl;
    private byte[] pending = new byte[16];
    private int pendingCount;

    StreamDecoder(GemmaTokenizer tokenizer, boolean skipControl) {
        this.tokenizer = tokenizer;
        this.skipControl = skipControl;
    }

    /** Adds one token; returns the text that is now complete (possibly empty). */
    public String push(int id) {
        int b = tokenizer.byteValue(id);
        if (b >= 0) {
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pendingCount * 2);
            }
            pending[pendingCount++] = (byte) b;
            return "";
        }
        StringBuilder sb = new StringBuilder();
        flushTo(sb);
        if (!(skipControl && tokenizer.kind(id) == TokenKind.CONTROL)) {
            tokenizer.appendPiece(id, sb);
        }
        return sb.toString();
    }

    /** Ends the stream; returns what was held back. */
    public String finish() {
        StringBuilder sb = new StringBuilder();
        flushTo(sb);
        return sb.toString();
    }

    private void flushTo(StringBuilder sb) {
        ByteFallback.decode(pending, pendingCount, sb);
        pendingCount = 0;
    }
}
