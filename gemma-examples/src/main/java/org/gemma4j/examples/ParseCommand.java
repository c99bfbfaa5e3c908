package org.gemma4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.gemma4j.chat.ChatTemplateException;
import org.gemma4j.chat.GemmaOutputParser;
import org.gemma4j.chat.InvalidToolCall;
import org.gemma4j.chat.ParsedOutput;
import org.gemma4j.chat.ToolCall;
import org.gemma4j.chat.ToolDeclaration;

/**
 * {@code gemma parse [--prefix TEXT] [--tools FILE.json]}: reads the raw text a Gemma 4 model generated
 * (special tokens as their strings) on stdin and prints one JSON object: {@code content},
 * {@code reasoning_content}, {@code tool_calls} ({@code [{"name", "arguments"}]}) and
 * {@code invalid_tool_calls} ({@code [{"raw", "error"}]}).
 *
 * <p>{@code --prefix} is the end of the prompt the output continues (e.g. {@code <|channel>thought\n});
 * the escapes {@code \n}, {@code \t} and {@code \\} in it are decoded, so it can be typed in a shell.
 * {@code --tools} is a JSON array of OpenAI-style tools, or a request object with a {@code tools} field.
 */
final class ParseCommand implements GemmaCli.Command {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String summary() {
        return "split generated text read from stdin into content, reasoning and tool calls, as JSON (--prefix TEXT --tools FILE.json)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("prefix", "tools"), Set.of());
        if (!args.positional().isEmpty()) {
            throw new GemmaCli.CliException("unexpected argument '" + args.positional().getFirst() + "' (the text comes on stdin)");
        }
        List<ToolDeclaration> tools = args.get("tools") == null ? List.of() : readTools(Path.of(args.get("tools")));
        String prefix = args.get("prefix") == null ? "" : unescape(args.get("prefix"));
        String raw = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        OutputStream out = System.out;
        out.write((toJson(GemmaOutputParser.create(tools).parse(prefix, raw)) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return 0;
    }

    /** The parse as the command prints it. */
    static String toJson(ParsedOutput parsed) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("content", parsed.content());
        o.put("reasoning_content", parsed.reasoning());
        ArrayNode calls = o.putArray("tool_calls");
        for (ToolCall call : parsed.toolCalls()) {
            calls.addObject().put("name", call.name()).set("arguments", call.arguments());
        }
        ArrayNode invalid = o.putArray("invalid_tool_calls");
        for (InvalidToolCall call : parsed.invalidToolCalls()) {
            invalid.addObject().put("raw", call.raw()).put("error", call.error().code());
        }
        return JSON.writeValueAsString(o);
    }

    static List<ToolDeclaration> readTools(Path file) throws IOException, GemmaCli.CliException {
        if (!Files.isRegularFile(file)) {
            throw new GemmaCli.CliException("tools file not found: " + file);
        }
        JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        JsonNode tools = node != null && node.isObject() ? node.get("tools") : node;
        if (tools == null || tools.isNull()) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw new GemmaCli.CliException(file + ": expected a JSON array of tools or an object with \"tools\"");
        }
        try {
            return ToolDeclaration.listFromJson(tools);
        } catch (ChatTemplateException e) {
            throw new GemmaCli.CliException(file + ": " + e.describe());
        }
    }

    /** Decodes {@code \n}, {@code \t}, {@code \r} and {@code \\}; any other backslash stays as it is. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                switch (n) {
                    case 'n' -> { sb.append('\n'); i++; }
                    case 't' -> { sb.append('\t'); i++; }
                    case 'r' -> { sb.append('\r'); i++; }
                    case '\\' -> { sb.append('\\'); i++; }
                    default -> sb.append(c);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
