package org.gemma4j.examples;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.gemma4j.ChatSession;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.OutputListener;

/**
 * {@code gemma chat --model FILE}: an interactive conversation. End a line with {@code \} to continue on the next,
 * or wrap a block in {@code """} lines. Commands: {@code /reset}, {@code /think on|off}, {@code /stats},
 * {@code /exit}.
 */
final class ChatCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "interactive chat (--model FILE); /reset, /think on|off, /stats, /exit";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Set<String> valued = new HashSet<>(GenerationFlags.VALUED);
        valued.addAll(Set.of("model", "ctx", "threads"));
        CliArgs args = CliArgs.parse(argv, valued, GenerationFlags.FLAGS);
        Path file = Path.of(args.require("model"));
        if (!Files.isRegularFile(file)) {
            throw new GemmaCli.CliException("model file not found: " + file);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        GenerationOptions base = GenerationFlags.options(args);
        err.print("Loading " + file.getFileName() + " ... ");
        long t0 = System.nanoTime();
        GemmaModel.Builder b = GemmaModel.builder(file).threads(args.intOption("threads", org.gemma4j.model.WorkerPool.defaultParallelism()));
        if (args.get("ctx") != null) {
            b.contextLength(args.intOption("ctx", 0));
        }
        try (GemmaModel model = b.build()) {
            err.printf(Locale.ROOT, "done in %.2f s (%d-token context). Type /exit to quit.%n", (System.nanoTime() - t0) / 1e9, model.contextLength());
            ChatSession session = model.newSession();
            boolean thinking = Boolean.TRUE.equals(base.thinking());
            GenerationResult last = null;
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                out.print("\n> ");
                String message = readMessage(in);
                if (message == null || message.strip().equals("/exit")) {
                    break;
                }
                String cmd = message.strip();
                if (cmd.isEmpty()) {
                    continue;
                }
                if (cmd.equals("/reset")) {
                    session.reset();
                    out.println("(conversation cleared)");
                    continue;
                }
                if (cmd.startsWith("/think")) {
                    thinking = !cmd.endsWith("off");
                    out.println("(thinking " + (thinking ? "on" : "off") + ")");
                    continue;
                }
                if (cmd.equals("/stats")) {
                    out.println(last == null ? "(no answer yet)" : last.stats() + ", " + session.cachedTokens() + " tokens in the KV cache");
                    continue;
                }
                if (cmd.startsWith("/")) {
                    out.println("(unknown command; /reset, /think on|off, /stats, /exit)");
                    continue;
                }
                session.options(base.toBuilder().thinking(thinking).prefillProgress((done, total) -> {
                    if (total >= 512) {
                        err.printf("\r(prefill %d/%d)", done, total);
                        if (done == total) {
                            err.print("\r                              \r");
                        }
                    }
                }).build());
                last = session.send(ChatMessage.user(message), new OutputListener() {
                    private boolean inThought;

                    @Override
                    public void onThinking(String delta) {
                        if (!inThought) {
                            out.print("[thinking] ");
                            inThought = true;
                        }
                        out.print(delta);
                    }

                    @Override
                    public void onContent(String delta) {
                        if (inThought) {
                            out.print("\n[answer] ");
                            inThought = false;
                        }
                        out.print(delta);
                    }

                    @Override
                    public void onToolCall(org.gemma4j.chat.ToolCall call) {
                        out.print("\n[tool call] " + call.name() + " " + call.arguments());
                    }
                });
                out.println();
                out.printf(Locale.ROOT, "(%d tokens, %.1f tok/s; prefill %d tokens at %.1f tok/s; %s)%n",
                        last.stats().generatedTokens(), last.stats().decodeTokensPerSecond(), last.stats().prefilledTokens(),
                        last.stats().prefillTokensPerSecond(), last.finishReason());
            }
        }
        return 0;
    }

    /** One message: a line; lines ending in a backslash continue; a """ line opens and closes a block. */
    static String readMessage(BufferedReader in) throws java.io.IOException {
        String line = in.readLine();
        if (line == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (line.strip().equals("\"\"\"")) {
            for (String l; (l = in.readLine()) != null && !l.strip().equals("\"\"\""); ) {
                sb.append(l).append('\n');
            }
            return sb.toString();
        }
        while (line != null && line.endsWith("\\")) {
            sb.append(line, 0, line.length() - 1).append('\n');
            line = in.readLine();
        }
        if (line != null) {
            sb.append(line);
        }
        return sb.toString();
    }
}
