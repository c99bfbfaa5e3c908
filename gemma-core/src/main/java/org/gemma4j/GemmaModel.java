package org.gemma4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.ChatTemplate;
import org.gemma4j.chat.GemmaOutputParser;
import org.gemma4j.chat.OutputListener;
import org.gemma4j.chat.ParsedOutput;
import org.gemma4j.chat.StreamingOutputParser;
import org.gemma4j.model.Gemma4Config;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.KvCache;
import org.gemma4j.model.Numerics;
import org.gemma4j.model.WorkerPool;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded Gemma 4 model: the entry point of gemma4j.
 *
 * <pre>{@code
 * try (var model = GemmaModel.load(Path.of("gemma-4-E2B-it-Q4_K_M.gguf"))) {
 *     String answer = model.generate("Why is the sky blue?").text();
 *     model.stream("Tell me a story.", piece -> view.append(piece));   // each piece as it is produced
 * }
 * }</pre>
 *
 * <p>Loading only maps the file (weights stay off-heap, memory-mapped) and reads the tokenizer; it takes well under a
 * second. Each generation call allocates its own KV cache of {@link Builder#contextLength} positions (sliding-window
 * layers only their window, KV-shared layers none); {@link #kvCacheBytes()} tells how much.
 *
 * <p>Thread safety: a model is safe to share between threads. Concurrent calls interleave on the model's worker
 * pool and never affect each other's results. Cancel a running call with a {@link CancellationToken} or by
 * interrupting its thread; it stops within one token. {@link #close()} must not race with running calls.
 */
public final class GemmaModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GemmaModel.class);

    private final Gemma4Model model;
    private final GemmaTokenizer tokenizer;
    private final int contextLength;
    private final KvCache.Precision kvPrecision;
    private final GenerationOptions defaults;
    private final ChatTemplate template;
    private final Generator generator;

    private GemmaModel(Gemma4Model model, GemmaTokenizer tokenizer, Builder b, ChatTemplate template) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.contextLength = b.contextLength > 0 ? b.contextLength : Math.min(model.config().contextLength(), 8192);
        this.kvPrecision = b.kvPrecision;
        this.defaults = b.defaults;
        this.template = template;
        this.generator = new Generator(model, tokenizer, tokenizer.endOfGenerationIds(), b.suppressedTokens);
    }

    /** Loads a Gemma 4 GGUF with default settings. */
    public static GemmaModel load(Path file) throws IOException {
        return builder(file).build();
    }

    /** A builder to set context length, KV cache precision, threads and generation defaults before loading. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** The tokenizer read from the model file. */
    public GemmaTokenizer tokenizer() {
        return tokenizer;
    }

    /** The decoder's hyper-parameters. */
    public Gemma4Config config() {
        return model.config();
    }

    /** The lower-level decoder (logits for token ids, your own KV caches). */
    public Gemma4Model decoder() {
        return model;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Bytes of the KV cache each generation (or chat session) allocates. */
    public long kvCacheBytes() {
        return model.cacheBytes(contextLength, kvPrecision);
    }

    /** The defaults {@link #generate(String)} uses. */
    public GenerationOptions defaultOptions() {
        return defaults;
    }

    /** The chat template variant this model uses (from the file's {@code tokenizer.chat_template}). */
    public ChatTemplate chatTemplate() {
        return template;
    }

    /** Answers one user message with the default options. */
    public GenerationResult generate(String userMessage) {
        return generate(userMessage, defaults);
    }

    public GenerationResult generate(String userMessage, GenerationOptions options) {
        return generate(userChat(userMessage), options);
    }

    /** Continues a conversation: renders it with the chat template and generates the model's next message. */
    public GenerationResult generate(Chat chat) {
        return generate(chat, defaults);
    }

    public GenerationResult generate(Chat chat, GenerationOptions options) {
        return stream(chat, options, OutputListener.NONE);
    }

    /** Like {@link #generate(String)}, calling {@code onText} with each piece of the answer (not the thinking) as it is produced. */
    public GenerationResult stream(String userMessage, Consumer<String> onText) {
        return stream(userMessage, defaults, onText);
    }

    public GenerationResult stream(String userMessage, GenerationOptions options, Consumer<String> onText) {
        return stream(userChat(userMessage), options, onText);
    }

    /** Streams the answer text of a conversation's next message. */
    public GenerationResult stream(Chat chat, Consumer<String> onText) {
        return stream(chat, defaults, onText);
    }

    public GenerationResult stream(Chat chat, GenerationOptions options, Consumer<String> onText) {
        return stream(chat, options, onText == null ? OutputListener.NONE : new OutputListener() {
            @Override
            public void onContent(String delta) {
                onText.accept(delta);
            }
        });
    }

    /**
     * Streams a conversation's next message with a listener that receives answer text, thinking and each tool call
     * as soon as it closes.
     */
    public GenerationResult stream(Chat chat, GenerationOptions options, OutputListener listener) {
        return generateIn(newCache(), new int[0], chat, options, listener);
    }

    /** A multi-turn conversation that keeps its KV cache between turns. */
    public ChatSession newSession() {
        return new ChatSession(this, Chat.builder().build());
    }

    /** A session continuing {@code history}. */
    public ChatSession newSession(Chat history) {
        return new ChatSession(this, history);
    }

    private static Chat userChat(String userMessage) {
        Objects.requireNonNull(userMessage, "userMessage");
        return Chat.of(ChatMessage.user(userMessage));
    }

    /** Renders, generates in {@code cache} (whose first {@code cached} tokens are reusable) and parses. */
    GenerationResult generateIn(KvCache cache, int[] cachedTokens, Chat chat, GenerationOptions options, OutputListener listener) {
        boolean thinking = options.thinking() != null ? options.thinking() : false;
        ChatPrompt prompt = ChatPrompt.of(template, chat, thinking, tokenizer);
        int reuse = commonPrefix(cachedTokens, prompt.tokens(), cache.position());
        StreamingOutputParser parser = GemmaOutputParser.create(chat.tools()).stream(prompt.generationPrefix(), listener);
        Generator.Output out = generator.run(cache, prompt.tokens(), reuse, options, parser::feed);
        ParsedOutput parsed = parser.finish();
        return new GenerationResult(parsed.content(), parsed.reasoning(), out.text(), parsed.toolCalls(),
                parsed.invalidToolCalls(), java.util.Arrays.stream(out.tokens()).boxed().toList(), out.finishReason(),
                out.stats(), prompt.tokens());
    }

    private static int commonPrefix(int[] a, int[] b, int limit) {
        int n = Math.min(Math.min(a.length, b.length), limit);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    /**
     * The answer as a {@link java.util.stream.Stream} of text pieces, produced on a background virtual thread.
     * Use it in try-with-resources: closing the stream cancels the generation.
     */
    public java.util.stream.Stream<String> textStream(String userMessage, GenerationOptions options) {
        return TextStream.of(options, o -> sink -> stream(userMessage, o, sink));
    }

    /**
     * Generates after a prompt given as token ids (no template applied): for base models, custom formats and tests.
     * The result's text is the decoded generation.
     */
    public GenerationResult generateTokens(int[] prompt, GenerationOptions options, Consumer<String> onText) {
        KvCache cache = newCache();
        Generator.Output out = generator.run(cache, prompt, 0, options, onText);
        return new GenerationResult(out.text(), "", out.text(), java.util.List.of(), java.util.List.of(),
                java.util.Arrays.stream(out.tokens()).boxed().toList(), out.finishReason(), out.stats(), prompt);
    }

    KvCache newCache() {
        return model.newCache(contextLength, kvPrecision);
    }

    @Override
    public void close() {
        model.close();
    }

    /** Settings applied when the model is loaded. Not thread-safe. */
    public static final class Builder {
        private final Path file;
        private int contextLength;
        private KvCache.Precision kvPrecision = KvCache.Precision.F16;
        private int threads = WorkerPool.defaultParallelism();
        private Numerics numerics = Numerics.GGML;
        private GenerationOptions defaults = GenerationOptions.defaults();
        private int[] suppressedTokens = new int[0];
        private Boolean repackWeights; // null: the model's default

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** Positions per generation or chat session (default: the model's trained context, at most 8192). */
        public Builder contextLength(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("context length must be at least 2");
            }
            contextLength = n;
            return this;
        }

        /** KV cache storage (default F16: half the memory of F32, logits within ~0.05). */
        public Builder kvCachePrecision(KvCache.Precision p) {
            kvPrecision = Objects.requireNonNull(p);
            return this;
        }

        /** Worker threads for the matrix products (default: available processors). */
        public Builder threads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
            threads = n;
            return this;
        }

        /** Arithmetic: {@link Numerics#GGML} (llama.cpp-compatible, the default) or {@link Numerics#EXACT}. */
        public Builder numerics(Numerics n) {
            numerics = Objects.requireNonNull(n);
            return this;
        }

        /**
         * Whether decode lays Q4_0, Q4_K and Q6_K weights out again for its faster integer product (default: true,
         * unless the system property {@code gemma4j.repackWeights} is {@code false}). The copy is made off the heap
         * during the first request and takes about as much memory as those weights again (E2B Q4_0:
         * ~1.6 GB; decode 1.3–1.7× faster, the first request after load a few seconds slower). See
         * {@link Gemma4Model#repackWeights(boolean)}.
         */
        public Builder repackWeights(boolean on) {
            repackWeights = on;
            return this;
        }

        /** Generation defaults for calls that pass no options. */
        public Builder defaults(GenerationOptions o) {
            defaults = Objects.requireNonNull(o);
            return this;
        }

        /** Thinking on or off by default. */
        public Builder thinking(boolean on) {
            defaults = defaults.toBuilder().thinking(on).build();
            return this;
        }

        public GemmaModel build() throws IOException {
            long t0 = System.nanoTime();
            Gemma4Model model = Gemma4Model.load(file, threads, numerics);
            if (repackWeights != null) {
                model.repackWeights(repackWeights);
            }
            try {
                var metadata = model.metadata();
                GemmaTokenizer tokenizer;
                try {
                    tokenizer = GemmaTokenizer.fromGgufMetadata(metadata);
                } catch (IllegalArgumentException e) {
                    throw new org.gemma4j.gguf.GgufFormatException(file, e.getMessage());
                }
                if (metadata.get("tokenizer.ggml.suppress_tokens") instanceof int[] s) {
                    suppressedTokens = s.clone();
                }
                // The file's template text decides the variant; without one, PLE models are E2B/E4B-style.
                ChatTemplate template = metadata.get("tokenizer.chat_template") instanceof String t
                        ? ChatTemplate.detect(t)
                        : model.config().hasPerLayerEmbeddings() ? ChatTemplate.forName("e2b") : ChatTemplate.forName("31b");
                GemmaModel m = new GemmaModel(model, tokenizer, this, template);
                LOG.info("loaded {} in {} ms: {} layers, {} tokens context, KV cache {} KiB per sequence ({})",
                        file.getFileName(), (System.nanoTime() - t0) / 1_000_000, model.config().nLayer(), m.contextLength,
                        m.kvCacheBytes() >> 10, kvPrecision);
                return m;
            } catch (IOException | RuntimeException e) {
                model.close(); // the mapping and the worker pool
                throw e;
            }
        }
    }
}
