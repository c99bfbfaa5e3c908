package org.gemma4j.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread that lays row groups out ({@link Q4_0RowGroups}, {@link Q4KRowGroups},
 * {@link Q6KRowGroups}). A tensor's first one-token product starts its layout here and goes on with the file's
 * layout for every group not yet laid out, so that no request waits for it: laid out in the foreground, on first use,
 * E2B Q4_0's groups made the first request after load 5 s slower (11.3 s against 6.2, 55-token prompt, 8 tokens).
 *
 * <p>One daemon thread at minimum priority, shared by all models, taking tensors in the order their products first
 * ran. A layout whose weights are closed under it (the model closed) stops there.
 */
final class RowGroupLayouts {
    private static final Logger LOG = LoggerFactory.getLogger(RowGroupLayouts.class);
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gemma4j-row-groups");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });

    private RowGroupLayouts() {}

    /** Lays groups {@code 0 .. groups} out with {@code layOut}, in the background, then runs {@code done}. */
    static void start(int groups, IntConsumer layOut, Runnable done) {
        THREAD.execute(() -> {
            try {
                for (int g = 0; g < groups; g++) {
                    layOut.accept(g);
                }
                done.run();
            } catch (IllegalStateException e) { // the weights' memory was closed
                LOG.debug("row groups not laid out: {}", e.toString());
            }
        });
    }
}
