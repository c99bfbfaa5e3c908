package org.gemma4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.gemma4j.chat.ChatRequest;
import org.gemma4j.chat.ChatTemplate;
import org.gemma4j.chat.ChatTemplateException;
import org.gemma4j.gguf.GgufFile;

/**
 * {@code gemma render [--template e2b|31b|FILE.gguf|FILE.jinja]}: reads one OpenAI-style chat request
 * ({@code messages}, {@code tools}, {@code enable_thinking}, {@code add_generation_prompt},
 * {@code preserve_thinking}) on stdin and prints exactly the prompt the Gemma 4 chat template makes of
 * it, nothing added. A conversation the template rejects exits 1 with the template's reason.
 */
final class RenderCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "print the prompt for an OpenAI-style chat request read from stdin (--template e2b|31b|FILE.gguf, default e2b)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("template"), Set.of());
        if (!args.positional().isEmpty()) {
            throw new GemmaCli.CliException("unexpected argument '" + args.positional().getFirst() + "' (the request comes on stdin)");
        }
        ChatTemplate template = template(args.get("template"));
        String prompt = render(template, System.in);
        OutputStream out = System.out;
        out.write(prompt.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return 0;
    }

    /**
     * The prompt for the request read from {@code in}.
     *
     * @throws IllegalArgumentException with the template's reason when it rejects the conversation
     */
    static String render(ChatTemplate template, InputStream in) throws IOException {
        String request = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        try {
            return template.render(ChatRequest.fromJson(request));
        } catch (ChatTemplateException e) {
            throw new IllegalArgumentException(e.describe(), e);
        }
    }

    /**
     * The template variant named by {@code --template}: {@code e2b} or {@code 31b} (default e2b), or
     * the one a model file's own jinja template calls for ({@code tokenizer.chat_template} of a GGUF, or
     * a {@code .jinja} file).
     */
    static ChatTemplate template(String option) throws IOException, GemmaCli.CliException {
        if (option == null) {
            return ChatTemplate.E2B;
        }
        try {
            return ChatTemplate.forName(option);
        } catch (IllegalArgumentException notAName) {
            Path file = Path.of(option);
            if (!Files.isRegularFile(file)) {
                throw new GemmaCli.CliException("--template must be e2b, 31b or a model file; no file " + option);
            }
            return ChatTemplate.detect(templateText(file));
        }
    }

    private static String templateText(Path file) throws IOException {
        if (!isGguf(file)) {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        try (GgufFile gguf = GgufFile.open(file)) {
            if (gguf.metadata().get("tokenizer.chat_template") instanceof String text) {
                return text;
            }
            throw new IOException(file + " has no tokenizer.chat_template");
        }
    }

    private static boolean isGguf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return new String(magic, StandardCharsets.ISO_8859_1).equals("GGUF");
        }
    }
}
