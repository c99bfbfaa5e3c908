package org.gemma4j.examples;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import org.gemma4j.model.Gemma4Model;
import org.gemma4j.model.KvCache;
import org.gemma4j.model.Numerics;

/**
 * {@code gemma logits --model FILE --tokens 2,17,42 --out FILE.f32 [--stepwise] [--threads N]}: writes
 * little-endian float32 {@code [n_tokens × n_vocab]}, row p = logits after position p. {@code --stepwise}
 * feeds one token at a time through the KV cache instead of one batch. {@code --numerics exact} uses float
 * activations instead of llama.cpp's activation rounding (the default, {@code ggml}).
 */
final class LogitsCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "write the logits of a token sequence (--model FILE --tokens 2,17,42 --out FILE.f32 [--stepwise])";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "tokens", "out", "threads", "numerics"), Set.of("stepwise"));
        Numerics numerics = switch (String.valueOf(args.get("numerics"))) {
            case "null", "ggml" -> Numerics.GGML;
            case "exact" -> Numerics.EXACT;
            default -> throw new GemmaCli.CliException("--numerics must be ggml or exact");
        };
        Path model = Path.of(args.require("model"));
        int[] tokens = parseTokens(args.require("tokens"));
        Path out = Path.of(args.require("out"));
        int threads = args.intOption("threads", org.gemma4j.model.WorkerPool.defaultParallelism());
        if (!Files.isRegularFile(model)) {
            throw new GemmaCli.CliException("model file not found: " + model);
        }
        try (Gemma4Model m = Gemma4Model.load(model, threads, numerics)) {
            KvCache cache = m.newCache(tokens.length);
            float[] logits;
            if (args.flag("stepwise")) {
                int vocab = m.vocabSize();
                logits = new float[tokens.length * vocab];
                for (int p = 0; p < tokens.length; p++) {
                    System.arraycopy(m.forward(cache, new int[] {tokens[p]}), 0, logits, p * vocab, vocab);
                }
            } else {
                logits = m.forwardAll(cache, tokens);
            }
            writeFloats(out, logits);
        }
        return 0;
    }

    static int[] parseTokens(String s) throws GemmaCli.CliException {
        String[] parts = s.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new GemmaCli.CliException("--tokens: '" + parts[i] + "' is not a token id");
            }
        }
        if (ids.length == 0) {
            throw new GemmaCli.CliException("--tokens: no token ids");
        }
        return ids;
    }

    /** Writes via a temporary file, so a failure never leaves a half-written output. */
    static void writeFloats(Path out, float[] values) throws IOException {
        Path abs = out.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".partial");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    if (!buf.hasRemaining()) {
                        os.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
                os.write(buf.array(), 0, buf.position());
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
