/**
 * gemma4j core: GGUF loading, quantized tensors and their kernels, the Gemma 4 decoder and the generation API.
 */
module org.gemma4j.core {
    requires transitive org.gemma4j.tokenizer;
    requires jdk.incubator.vector;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    exports org.gemma4j;
    exports org.gemma4j.gguf;
    exports org.gemma4j.model;
    exports org.gemma4j.tensor;
}
