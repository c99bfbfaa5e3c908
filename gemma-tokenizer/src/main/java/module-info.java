/**
 * gemma4j tokenizer: Gemma 4 BPE tokenization, chat-template rendering and output parsing.
 */
module org.gemma4j.tokenizer {
    exports org.gemma4j.tokenizer;

    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports org.gemma4j.chat;
}
