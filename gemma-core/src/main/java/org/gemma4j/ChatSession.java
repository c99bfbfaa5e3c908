package org.gemma4j;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.OutputListener;
import org.gemma4j.model.KvCache;

/**
 * A multi-turn conversation with its own KV cache. Each turn renders the whole conversation with the chat template,
 * but only the tokens after what the cache already holds are prefilled: a second turn costs its own tokens, not the
 * history's. Reasoning from earlier turns is left out of the history, as the template requires.
 *
 * <pre>{@code
 * ChatSession chat = model.newSession();
 * chat.send("Hi! My name is Ada.");
 * String answer = chat.send("What is my name?").text();
 * }</pre>
 *
 * <p>Not thread-safe: a session is one conversation; use one thread at a time (many sessions may share a model).
 */
public final class ChatSession {
    private final GemmaModel model;
    private final KvCache cache;
    private Chat history;
    /** The token ids the cache holds, position by position. */
    private int[] cached = new int[0];
    private GenerationOptions options;

    ChatSession(GemmaModel model, Chat history) {
        this.model = model;
        this.history = Objects.requireNonNull(history);
        this.cache = model.newCache();
        this.options = model.defaultOptions();
    }

    /** Options for the following turns (sampling, thinking, limits). */
    public ChatSession options(GenerationOptions o) {
        this.options = Objects.requireNonNull(o);
        return this;
    }

    public GenerationOptions options() {
        return options;
    }

    /** Sends a user message and returns the model's answer, which is appended to the history. */
    public GenerationResult send(String userMessage) {
        return send(ChatMessage.user(userMessage), OutputListener.NONE);
    }

    /** Like {@link #send(String)}, streaming the answer text. */
    public GenerationResult send(String userMessage, Consumer<String> onText) {
        return send(ChatMessage.user(userMessage), new OutputListener() {
            @Override
            public void onContent(String delta) {
                onText.accept(delta);
            }
        });
    }

    /** Appends {@code message} (a user message or tool results) and generates the model's next message. */
    public GenerationResult send(ChatMessage message, OutputListener listener) {
        Chat next = history.with(message);
        GenerationResult r = model.generateIn(cache, cached, next, options, listener);
        int[] prompt = r.promptTokens();
        int[] all = Arrays.copyOf(prompt, prompt.length + r.tokens().size());
        for (int i = 0; i < r.tokens().size(); i++) {
            all[prompt.length + i] = r.tokens().get(i);
        }
        cached = Arrays.copyOf(all, Math.min(all.length, cache.position()));
        history = next.with(r.toAssistantMessage());
        return r;
    }

    /** The conversation so far. */
    public Chat history() {
        return history;
    }

    /** Forgets the conversation (and the cache). */
    public void reset() {
        history = Chat.builder().build();
        cached = new int[0];
        cache.reset();
    }

    /** Tokens the KV cache holds now. */
    public int cachedTokens() {
        return cache.position();
    }
}
