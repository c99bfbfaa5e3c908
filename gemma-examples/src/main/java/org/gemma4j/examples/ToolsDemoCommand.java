package org.gemma4j.examples;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.model.SyntheticGemma4;
import org.gemma4j.tools.AgentResult;
import org.gemma4j.tools.Param;
import org.gemma4j.tools.Tool;
import org.gemma4j.tools.ToolAgent;
import org.gemma4j.tools.ToolChoice;
import org.gemma4j.tools.ToolInvocation;
import org.gemma4j.tools.Tools;

/**
 * {@code gemma tools-demo [--model FILE] [--runs N] [--seed S]}: registers two small tools (one annotated method, one
 * lambda with an explicit schema), runs N seeded conversations with tool choice {@code required} (on a synthetic
 * random-weight model when no model is given), invokes what the model calls, and prints how many runs produced only
 * valid, schema-conforming calls: {@code valid tool calls: M of N}.
 */
final class ToolsDemoCommand implements GemmaCli.Command {
    /** Units of {@link Weather#weather}. */
    public enum Unit { celsius, fahrenheit }

    /** A tool given as an annotated method. */
    public static final class Weather {
        @Tool(value = "Current weather in a city", name = "get_weather")
        public ObjectNode weather(@Param(name = "city", value = "City name") String city,
                @Param(name = "unit", value = "Temperature unit", optional = true) Unit unit) {
            int t = Math.floorMod(city.hashCode(), 30);
            return JsonNodeFactory.instance.objectNode().put("city", city)
                    .put("temperature", unit == Unit.fahrenheit ? t * 9 / 5 + 32 : t)
                    .put("unit", unit == null ? "celsius" : unit.name());
        }
    }

    @Override
    public String summary() {
        return "N seeded tool-calling runs with tool choice 'required' (--model FILE --runs N)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("model", "runs", "seed", "max-tokens"), Set.of());
        int runs = args.intOption("runs", 10);
        int seed = args.intOption("seed", 0);
        if (runs < 1) {
            throw new GemmaCli.CliException("--runs must be at least 1");
        }
        Path file;
        Path temp = null;
        if (args.get("model") != null) {
            file = Path.of(args.get("model"));
        } else {
            temp = Files.createTempDirectory("gemma-tools-demo");
            file = temp.resolve("synthetic-tiny-e2b.gguf");
            SyntheticGemma4.write(file, SyntheticGemma4.Spec.tinyE2b(), SyntheticGemma4.FileType.Q8_0, 1);
            System.err.println("no --model: using a synthetic random-weight model " + file);
        }
        Tools tools = Tools.from(new Weather()).and("add", "Adds two integers",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}",
                a -> IntNode.valueOf(a.get("a").asInt() + a.get("b").asInt()));
        int valid = 0;
        try (GemmaModel model = GemmaModel.builder(file).contextLength(2048).build()) {
            for (int i = 0; i < runs; i++) {
                ToolAgent agent = ToolAgent.builder(model).tools(tools).toolChoice(ToolChoice.REQUIRED).maxRounds(1)
                        .maxStringLength(24)
                        .options(GenerationOptions.builder().seed(seed + i).maxTokens(args.intOption("max-tokens", 512)).build())
                        .build();
                AgentResult r = agent.run("What is the weather in Paris, and what is 2 + 3?");
                boolean ok = !r.calls().isEmpty() && r.calls().stream().allMatch(ToolInvocation::succeeded);
                valid += ok ? 1 : 0;
                for (ToolInvocation c : r.calls()) {
                    System.out.printf("run %d: %s%s -> %s (%s)%n", i + 1, c.call().name(), c.call().arguments(), c.result(), c.status());
                }
                if (r.calls().isEmpty()) {
                    System.out.printf("run %d: no call%n", i + 1);
                }
            }
        } finally {
            if (temp != null) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(temp);
            }
        }
        System.out.println("valid tool calls: " + valid + " of " + runs);
        return 0;
    }
}
