package org.gemma4j;

import java.util.List;
import java.util.function.Consumer;

/**
 * Accumulates generated text, cuts it at the first stop string, and forwards only text that can no longer become
 * part of a stop string, so the forwarded pieces always concatenate to the final text. Not thread-safe.
 */
final class StopStringFilter {
    private final List<String> stops;
    private final Consumer<String> sink;
    private final int holdBack;
    private final StringBuilder text = new StringBuilder();
    private int emitted;

    StopStringFilter(List<String> stops, Consumer<String> sink) {
        this.stops = stops;
        this.sink = sink;
        this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds a piece; returns true if the text now contains a stop string (then the text is cut before it). */
    boolean accept(String piece) {
        if (piece.isEmpty()) {
            return false;
        }
        int searchFrom = Math.max(0, text.length() - holdBack);
        text.append(piece);
        int cut = -1;
        for (String s : stops) {
            int i = text.indexOf(s, searchFrom);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            text.setLength(cut);
            flush(text.length());
            return true;
        }
        flush(Math.max(emitted, text.length() - holdBack));
        return false;
    }

    /** Forwards everything still held back. */
    void finish() {
        flush(text.length());
    }

    private void flush(int upTo) {
        // Never split a surrogate pair between two pieces.
        if (upTo < text.length() && upTo > emitted && Character.isHighSurrogate(text.charAt(upTo - 1))) {
            upTo--;
        }
        if (upTo > emitted) {
            if (sink != null) {
                sink.accept(text.substring(emitted, upTo));
            }
            emitted = upTo;
        }
    }

    String text() {
        return text.toString();
    }
}
