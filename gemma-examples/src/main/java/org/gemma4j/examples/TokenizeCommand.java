package org.gemma4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tokenizer.TextMode;

/**
 * {@code gemma tokenize --tokenizer FILE [--gemma4-specials] [--bos]}: reads JSON lines {@code {"text": ...}} on
 * stdin and writes {@code {"ids": [...]}} per line, like Hugging Face's {@code encode(text, add_special_tokens=False)}
 * (added tokens written in the text are matched); no BOS unless {@code --bos}.
 */
final class TokenizeCommand implements GemmaCli.Command {
    @Override
    public String summary() {
        return "tokenize JSON lines {\"text\": ...} from stdin (--tokenizer FILE.gguf|tokenizer.json [--gemma4-specials] [--bos])";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("tokenizer"), Set.of("gemma4-specials", "bos"));
        GemmaTokenizer t = TokenizerFiles.open(Path.of(args.require("tokenizer")));
        if (args.flag("gemma4-specials")) {
            t = t.withGemma4Specials();
        }
        ObjectMapper json = new ObjectMapper();
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = json.readTree(line);
            if (node == null || !node.has("text") || !node.get("text").isTextual()) {
                throw new GemmaCli.CliException("line " + lineNo + ": expected {\"text\": \"...\"}");
            }
            int[] ids = t.encode(node.get("text").asText(), TextMode.TRUSTED, args.flag("bos"));
            ObjectNode o = json.createObjectNode();
            ArrayNode a = o.putArray("ids");
            for (int id : ids) {
                a.add(id);
            }
            out.println(json.writeValueAsString(o));
        }
        out.flush();
        return 0;
    }
}
