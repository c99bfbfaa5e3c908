package org.gemma4j.chat;

import java.util.Objects;

/**
 * One part of a multi-part message content: text, or a media item that the template prints as a
 * placeholder token ({@code <|image|>}, {@code <|audio|>}, {@code <|video|>}) for the multimodal
 * processor to expand.
 *
 * <p>Media parts carry their {@code source} (a URL, path or {@code data:} URI, as the request gave
 * it; may be {@code null}) for the generation side; the template itself never reads it.
 */
public sealed interface ContentPart {

    static ContentPart text(String text) {
        return new Text(text);
    }

    static ContentPart image(String source) {
        return new Image(source);
    }

    static ContentPart audio(String source) {
        return new Audio(source);
    }

    static ContentPart video(String source) {
        return new Video(source);
    }

    /** A text part. */
    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image ({@code image} or {@code image_url} part). */
    record Image(String source) implements ContentPart {}

    /** An audio clip ({@code audio} or {@code input_audio} part). */
    record Audio(String source) implements ContentPart {}

    /** A video ({@code video} part). */
    record Video(String source) implements ContentPart {}

    /** A part of a type the template does not know; it renders as nothing. */
    record Other(String type) implements ContentPart {}

    /**
     * A part that is not a JSON object in the request (e.g. a bare string in the list, or a key of a
     * mapping given as content). The template fails on it wherever it reads the part's type, and the
     * renderer fails the same way; only the leading system message reads such a part without error.
     *
     * @param pythonType the Python type name of the value, as the template's error message names it
     */
    record Unreadable(String pythonType) implements ContentPart {}
}
