package org.gemma4j.tools;

import java.util.Optional;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.OutputListener;
import org.gemma4j.tokenizer.GemmaTokenizer;

/**
 * What a {@link ToolAgent} needs from a model: the next message of a conversation, streamed to a listener. A
 * {@link GemmaModel} is adapted with {@link #of(GemmaModel)}; tests can script one with fixed outputs.
 *
 * <p>Thread safety: implementations used by an agent shared between threads must be thread-safe
 * (the {@link GemmaModel} adapter is).
 */
public interface ChatModel {
    /** Generates the model's next message for {@code chat}, reporting content and closed calls to {@code listener}. */
    GenerationResult generate(Chat chat, GenerationOptions options, OutputListener listener);

    /** The tokenizer, needed for constrained decoding; empty for models that cannot be constrained. */
    default Optional<GemmaTokenizer> tokenizer() {
        return Optional.empty();
    }

    /** A loaded Gemma model as a {@link ChatModel}. */
    static ChatModel of(GemmaModel model) {
        return new ChatModel() {
            @Override
            public GenerationResult generate(Chat chat, GenerationOptions options, OutputListener listener) {
                return model.stream(chat, options, listener);
            }

            @Override
            public Optional<GemmaTokenizer> tokenizer() {
                return Optional.of(model.tokenizer());
            }
        };
    }
}
