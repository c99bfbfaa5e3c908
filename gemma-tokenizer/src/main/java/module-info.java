/**
 * gemma4j tokenizer: Gemma 4 BPE tokenization, chat-template rendering and output parsing.
 */
module org.gemma4j.tokenizer {
    exports org.gemma4j.tokenizer;

    requires transitive com.fasterxml.jackson.databind; // org.gemma4j.chat exposes JsonNode in its API
    requires org.slf4j;

    exports org.gemma4j.chat;
}
