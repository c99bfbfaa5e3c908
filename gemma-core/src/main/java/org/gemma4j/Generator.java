package org.gemma4j;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import org.gemma4j.model.ContextOverflowException;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.KvCache;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.StreamDecoder;

/**
 * The token loop of one generation: prefill what the cache does not hold yet, then sample, stream and feed back
 * one token at a time until a stop token, a stop string, the token limit, a full context or cancellation.
 *
 * <p>Streamed text is exactly the final text: pieces that might still turn into a stop string are held back until
 * they cannot. Not thread-safe: one generator per call.
 */
final class Generator {
    /** What the loop produced: the raw text (special tokens as text), the generated ids, why it stopped, stats. */
    record Output(String text, int[] tokens, FinishReason finishReason, GenerationStats stats) {}

    private static final int PREFILL_CHUNK = Gemma4Model.DEFAULT_MAX_BATCH;

    private final Gemma4Model model;
    private final GemmaTokenizer tokenizer;
    private final int[] stopTokens;
    private final int[] suppressed;

    Generator(Gemma4Model model, GemmaTokenizer tokenizer, int[] stopTokens, int[] suppressed) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.stopTokens = stopTokens.clone();
        this.suppressed = suppressed.clone();
    }

    /**
     * Generates after {@code prompt}. The first {@code cached} prompt tokens are already in {@code cache} (a chat
     * session's earlier turns); the rest is prefilled.
     *
     * @param onText receives the raw text as it becomes final, in order
     */
    Output run(KvCache cache, int[] prompt, int cached, GenerationOptions o, Consumer<String> onText) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        long start = System.nanoTime();
        int ctx = cache.contextLength();
        if (prompt.length >= ctx || (o.contextPolicy() == ContextPolicy.FAIL && (long) prompt.length + o.maxTokens() > ctx)) {
            int needed = o.contextPolicy() == ContextPolicy.FAIL ? o.maxTokens() : 1;
            throw new ContextOverflowException(0, prompt.length + needed, ctx);
        }
        // Re-feed at least the last prompt token: its logits start the generation.
        int reuse = Math.min(cached, prompt.length - 1);
        if (cache.position() != reuse) {
            if (cache.position() > reuse && tryRewind(cache, reuse)) {
                // rewound
            } else {
                cache.reset();
                reuse = 0;
            }
        }
        int[] history = Arrays.copyOf(prompt, prompt.length + Math.min(o.maxTokens(), ctx));
        int historyLength = prompt.length;
        float[] logits = prefill(cache, prompt, reuse, o);
        long prefillEnd = System.nanoTime();

        Sampler sampler = new Sampler(o.sampling(), suppressed);
        StreamDecoder decoder = tokenizer.newStreamDecoder(true); // markers like <|channel> stay; control tokens go
        StopStringFilter filter = new StopStringFilter(o.stopStrings(), onText);
        int generated = 0;
        long firstToken = -1;
        FinishReason reason;
        while (true) {
            if (cancelled(o)) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (o.logitsProcessor() != null) {
                o.logitsProcessor().process(logits, Arrays.copyOfRange(history, prompt.length, historyLength), generated);
            }
            int token = sampler.sample(logits, history, historyLength);
            if (firstToken < 0) {
                firstToken = System.nanoTime();
            }
            if (isStop(token)) {
                reason = FinishReason.STOP_TOKEN;
                break;
            }
            history[historyLength++] = token;
            generated++;
            if (filter.accept(decoder.push(token))) {
                reason = FinishReason.STOP_STRING;
                break;
            }
            if (generated >= o.maxTokens()) {
                reason = FinishReason.LENGTH;
                break;
            }
            if (cache.position() >= ctx) {
                reason = FinishReason.CONTEXT_FULL;
                break;
            }
            logits = model.forward(cache, new int[] {token}, logits); // reuses the array: no allocation per step
        }
        if (reason != FinishReason.STOP_STRING) {
            // Held-back bytes may complete a stop string only now.
            if (filter.accept(decoder.finish())) {
                reason = FinishReason.STOP_STRING;
            }
            filter.finish();
        }
        long end = System.nanoTime();
        long first = firstToken < 0 ? end : firstToken;
        GenerationStats stats = new GenerationStats(prompt.length, prompt.length - reuse, generated,
                Duration.ofNanos(first - start), Duration.ofNanos(prefillEnd - start), Duration.ofNanos(Math.max(0, end - first)));
        return new Output(filter.text(), Arrays.copyOfRange(history, prompt.length, historyLength), reason, stats);
    }

    /** Prefills {@code prompt[from..]} in chunks, reporting progress and honouring cancellation between them. */
    private float[] prefill(KvCache cache, int[] prompt, int from, GenerationOptions o) {
        int total = prompt.length - from;
        float[] logits = null;
        for (int at = from; at < prompt.length; at += PREFILL_CHUNK) {
            if (o.prefillProgress() != null) {
                o.prefillProgress().update(at - from, total);
            }
            if (cancelled(o)) {
                return null; // the token loop sees the cancellation before it needs logits
            }
            int end = Math.min(prompt.length, at + PREFILL_CHUNK);
            logits = model.forward(cache, Arrays.copyOfRange(prompt, at, end));
        }
        if (o.prefillProgress() != null) {
            o.prefillProgress().update(total, total);
        }
        return logits;
    }

    private static boolean tryRewind(KvCache cache, int pos) {
        try {
            cache.rewindTo(pos);
            return true;
        } catch (IllegalArgumentException e) {
            return false; // too far back for the sliding-window rings: prefill again from the start
        }
    }

    private static boolean cancelled(GenerationOptions o) {
        return (o.cancellation() != null && o.cancellation().isCancelled()) || Thread.currentThread().isInterrupted();
    }

    private boolean isStop(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }
}
