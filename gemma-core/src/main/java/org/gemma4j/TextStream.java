package org.gemma4j;

import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Runs a generation on a virtual thread and hands its text pieces to a {@link Stream}. Closing the stream (or
 * stopping early with a short-circuiting operation inside try-with-resources) cancels the generation; an exception
 * in the generation is rethrown to the stream's consumer.
 */
final class TextStream {
    private static final Object END = new Object();

    private TextStream() {}

    /** {@code generation} receives the options (with this stream's cancellation) and the piece sink. */
    static Stream<String> of(GenerationOptions options, Function<GenerationOptions, Consumer<Consumer<String>>> generation) {
        CancellationToken cancel = options.cancellation() != null ? options.cancellation().child() : new CancellationToken();
        GenerationOptions mine = options.toBuilder().cancellation(cancel).build();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        Thread.ofVirtual().name("gemma4j-stream").start(() -> {
            try {
                generation.apply(mine).accept(queue::add);
                queue.add(END);
            } catch (Throwable t) {
                queue.add(t);
            }
        });
        Spliterator<String> pieces = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            private boolean done;

            @Override
            public boolean tryAdvance(Consumer<? super String> action) {
                if (done) {
                    return false;
                }
                Object o;
                try {
                    o = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel.cancel();
                    throw new IllegalStateException("interrupted while waiting for the next piece", e);
                }
                if (o == END) {
                    done = true;
                    return false;
                }
                if (o instanceof Throwable t) {
                    done = true;
                    if (t instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException("generation failed", t);
                }
                action.accept((String) o);
                return true;
            }
        };
        return StreamSupport.stream(pieces, false).onClose(cancel::cancel);
    }
}
