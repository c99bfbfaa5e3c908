package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * The content of a chat message: either one string or a list of parts.
 *
 * <p>The two are kept apart because the template treats them differently: a system string is
 * trimmed once, while each text part of a system parts list is trimmed and followed by a space; a
 * user string is trimmed, while parts are trimmed one by one and concatenated. A message with no
 * content at all has {@code null} content (which differs again for tool results: {@code value:null}).
 */
public sealed interface MessageContent {

    static MessageContent of(String text) {
        return new Text(text);
    }

    static MessageContent of(List<ContentPart> parts) {
        return new Parts(parts);
    }

    static MessageContent of(ContentPart... parts) {
        return new Parts(List.of(parts));
    }

    /** Content given as a single string. */
    record Text(String text) implements MessageContent {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Content given as a bare JSON scalar (a number or a boolean). Only a tool result renders it (as
     * {@code value:42}); for any other message the template prints nothing.
     */
    record Value(JsonNode value) implements MessageContent {
        public Value {
            value = value.deepCopy();
        }

        /** A copy of the value. */
        @Override
        public JsonNode value() {
            return value.deepCopy();
        }
    }

    /** Content given as a list of parts. */
    record Parts(List<ContentPart> parts) implements MessageContent {
        public Parts {
            parts = List.copyOf(parts);
        }
    }
}
