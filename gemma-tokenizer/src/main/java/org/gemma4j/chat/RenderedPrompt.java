package org.gemma4j.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A rendered prompt and the character ranges in it that hold message content (as opposed to template markup).
 *
 * @param text exactly what {@link ChatTemplate#render} returns
 * @param content ascending, non-overlapping ranges of {@code text} that are message content
 */
public record RenderedPrompt(String text, List<Range> content) {
    /** {@code text[start, end)}. */
    public record Range(int start, int end) {}

    public RenderedPrompt {
        content = List.copyOf(content);
    }

    /** One piece of the prompt: template markup or message content. */
    public record Segment(String text, boolean content) {}

    /** The prompt cut into alternating template and content segments, in order. */
    public List<Segment> segments() {
        List<Segment> out = new ArrayList<>();
        int at = 0;
        for (Range r : content) {
            if (r.start() > at) {
                out.add(new Segment(text.substring(at, r.start()), false));
            }
            out.add(new Segment(text.substring(r.start(), r.end()), true));
            at = r.end();
        }
        if (at < text.length()) {
            out.add(new Segment(text.substring(at), false));
        }
        return out;
    }
}
