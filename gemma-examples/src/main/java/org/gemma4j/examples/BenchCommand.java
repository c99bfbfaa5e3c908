package org.gemma4j.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.KvCache;

/**
 * {@code gemma bench --model FILE -p 128 -n 64 -t 2 [-r 3] [-d 0] [--json]}: prefill and decode tokens/s like
 * llama-bench (warm-up runs, then {@code r} repetitions, mean ± sd; with {@code -d} each test starts on a context
 * already holding that many tokens, filled untimed, as llama-bench's {@code -d}), plus load time, peak RSS and the heap
 * allocated per token by all threads during the timed repetitions (a kernel whose vector operations C2 left
 * un-inlined shows up there as megabytes per token long before it shows in the timings' noise).
 */
final class BenchCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "prefill/decode tokens/s like llama-bench (--model FILE -p 128 -n 64 -t 2 [-d DEPTH] [--json])";
    }

    @Override
    public int run(String[] argv) throws Exception {
        String[] normalized = argv.clone();
        for (int i = 0; i < normalized.length; i++) {
            normalized[i] = switch (normalized[i]) {
                case "-p" -> "--prompt-tokens";
                case "-n" -> "--gen-tokens";
                case "-t" -> "--threads";
                case "-r" -> "--repetitions";
                case "-m" -> "--model";
                case "-d" -> "--depth";
                default -> normalized[i];
            };
        }
        CliArgs args = CliArgs.parse(normalized, Set.of("model", "prompt-tokens", "gen-tokens", "threads", "repetitions", "depth"), Set.of("json"));
        Path file = Path.of(args.require("model"));
        int p = args.intOption("prompt-tokens", 128);
        int n = args.intOption("gen-tokens", 64);
        int threads = args.intOption("threads", org.gemma4j.model.WorkerPool.defaultParallelism());
        int reps = args.intOption("repetitions", 3);
        int depth = args.intOption("depth", 0);
        if (p < 0 || n < 0 || depth < 0 || reps < 0) {
            throw new GemmaCli.CliException("-p, -n, -d and -r take counts of zero or more");
        }
        if (!Files.isRegularFile(file)) {
            throw new GemmaCli.CliException("model file not found: " + file);
        }
        long t0 = System.nanoTime();
        try (Gemma4Model model = Gemma4Model.load(file, threads)) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            SplittableRandom r = new SplittableRandom(1);
            int[] prompt = randomTokens(r, p, model.vocabSize());
            int[] context = randomTokens(r, depth, model.vocabSize());
            double[] pp = new double[reps];
            double[] tg = new double[reps];
            long ppAllocated = 0;
            long tgAllocated = 0;
            Context filled = new Context(model, context, Math.max(p, n));
            int warmups = warmUp(filled, prompt, n);
            for (int rep = 0; rep < reps; rep++) {
                if (p > 0) {
                    KvCache cache = filled.withRoomFor(p);
                    long a = allocatedBytes();
                    pp[rep] = prefill(model, cache, prompt);
                    ppAllocated += allocatedBytes() - a;
                }
                if (n > 0) {
                    KvCache cache = filled.withRoomFor(n);
                    long a = allocatedBytes();
                    tg[rep] = decode(model, cache, n);
                    tgAllocated += allocatedBytes() - a;
                }
            }
            long rss = peakRssBytes();
            boolean counted = allocatedBytes() >= 0; // -1 per token where the JVM cannot count allocations
            double ppAllocPerToken = !counted || p == 0 || reps == 0 ? -1 : ppAllocated / ((double) p * reps);
            double tgAllocPerToken = !counted || n == 0 || reps == 0 ? -1 : tgAllocated / ((double) n * reps);
            if (args.flag("json")) {
                System.out.printf(Locale.ROOT,
                        "{\"pp_tps\": %.3f, \"pp_sd\": %.3f, \"tg_tps\": %.3f, \"tg_sd\": %.3f, \"threads\": %d, \"model\": \"%s\", "
                                + "\"pp\": %d, \"tg\": %d, \"load_s\": %.3f, \"peak_rss_bytes\": %d, "
                                + "\"pp_alloc_bytes_per_token\": %.0f, \"tg_alloc_bytes_per_token\": %.0f, \"warmups\": %d, "
                                + "\"depth\": %d}%n",
                        mean(pp), sd(pp), mean(tg), sd(tg), threads, jsonEscape(file.getFileName().toString()), p, n,
                        loadSeconds, rss, ppAllocPerToken, tgAllocPerToken, warmups, depth);
            } else {
                System.out.printf(Locale.ROOT, "model %s, %d threads, load %.2f s, peak RSS %.2f GiB, %d warm-up runs%n",
                        file.getFileName(), threads, loadSeconds, rss / (double) (1L << 30), warmups);
                String at = depth > 0 ? " @ d" + depth : "";
                if (p > 0) {
                    System.out.printf(Locale.ROOT, "%-10s %8.2f ± %.2f tok/s%s%n", "pp" + p + at, mean(pp), sd(pp), allocation(ppAllocPerToken));
                }
                if (n > 0) {
                    System.out.printf(Locale.ROOT, "%-10s %8.2f ± %.2f tok/s%s%n", "tg" + n + at, mean(tg), sd(tg), allocation(tgAllocPerToken));
                }
            }
        }
        return 0;
    }

    /**
     * Untimed runs of the prefill and the decode until the JVM has compiled what they run: llama-bench warms up with
     * one run; here the JIT also compiles the hot code during the first runs, on the same cores the model uses, and
     * recompiles some of it when a path is first taken (a cache past 64 positions, say). Runs repeat, at most
     * {@link #MAX_WARMUPS}, until one in which the compilers worked for under 2 % of its time. E2B Q4_0 tg128, after
     * one warm-up run: the slowest tenth of the tokens of the first timed run took 70–73 ms, its slowest 125 ms;
     * with the JIT settled 56–61 and 61–72 (median 52 either way). Returns the number of runs.
     */
    static int warmUp(Context context, int[] prompt, int n) {
        Gemma4Model model = context.model;
        var jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        int runs = 0;
        while (true) {
            long compiled = timed ? jit.getTotalCompilationTime() : 0;
            long start = System.nanoTime();
            if (prompt.length > 0) {
                prefill(model, context.withRoomFor(prompt.length), prompt);
            }
            if (n > 0) {
                decode(model, context.withRoomFor(n), n);
            }
            runs++;
            double millis = (System.nanoTime() - start) / 1e6;
            if (!timed || runs == MAX_WARMUPS || jit.getTotalCompilationTime() - compiled < 0.02 * millis) {
                return runs;
            }
        }
    }

    static final int MAX_WARMUPS = 5;

    /** {@code count} token ids drawn from {@code [3, vocab)}: no padding, end or start of sequence. */
    private static int[] randomTokens(SplittableRandom r, int count, int vocab) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = 3 + r.nextInt(vocab - 3);
        }
        return tokens;
    }

    /**
     * The tokens every test starts after ({@code -d}), prefilled untimed once and handed to each test rewound to their
     * end: filling 2048 tokens of E2B takes ~40 s, and each repetition and warm-up has two tests. A test that went
     * further than the cache can rewind ({@link KvCache#maxRewind}) is followed by a fresh fill.
     */
    static final class Context {
        final Gemma4Model model;
        private final int[] tokens;
        private final int room;
        private KvCache cache;

        /** Room for up to {@code room} tokens after {@code tokens} in each test. */
        Context(Gemma4Model model, int[] tokens, int room) {
            this.model = model;
            this.tokens = tokens;
            this.room = room;
        }

        /** A cache holding just the context, with room for {@code more} tokens (at most the room asked for). */
        KvCache withRoomFor(int more) {
            if (more > room) {
                throw new IllegalArgumentException(more + " tokens after the context, room for " + room);
            }
            if (tokens.length == 0) {
                return model.newCache(more);
            }
            if (cache != null && cache.position() - tokens.length <= cache.maxRewind()) {
                cache.rewindTo(tokens.length);
            } else {
                cache = model.newCache(tokens.length + room);
                model.forward(cache, tokens);
            }
            return cache;
        }
    }

    /** One prefill of {@code prompt} into an empty cache; tokens/s. */
    static double prefill(Gemma4Model model, KvCache cache, int[] prompt) {
        long s = System.nanoTime();
        model.forward(cache, prompt);
        return prompt.length / ((System.nanoTime() - s) / 1e9);
    }

    /** Like llama-bench tg: {@code n} single-token steps from an empty cache, greedy; tokens/s. */
    static double decode(Gemma4Model model, KvCache cache, int n) {
        int token = 2;
        float[] logits = null;
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) {
            logits = model.forward(cache, new int[] {token}, logits);
            token = argmax(logits);
        }
        return n / ((System.nanoTime() - s) / 1e9);
    }

    /** Heap bytes allocated so far by all threads, or -1 where the JVM does not count them. */
    static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    private static String allocation(double bytesPerToken) {
        return bytesPerToken < 0 ? "" : String.format(Locale.ROOT, "   %.3f MB allocated/token", bytesPerToken / 1e6);
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    static double mean(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x;
        }
        return a.length == 0 ? 0 : s / a.length;
    }

    static double sd(double[] a) {
        if (a.length < 2) {
            return 0;
        }
        double m = mean(a);
        double s = 0;
        for (double x : a) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (a.length - 1));
    }

    /** VmHWM from /proc (Linux); -1 where unavailable. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return -1;
    }

    static String jsonEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
