package org.gemma4j.jmh;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gemma4j.FinishReason;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.GenerationStats;
import org.gemma4j.LogitsProcessor;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.GemmaOutputParser;
import org.gemma4j.chat.OutputListener;
import org.gemma4j.chat.ParsedOutput;
import org.gemma4j.tokenizer.GemmaTokenizer;
import org.gemma4j.tools.AgentResult;
import org.gemma4j.tools.ChatModel;
import org.gemma4j.tools.ToolAgent;
import org.gemma4j.tools.ToolChoice;
import org.gemma4j.tools.Tools;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The constrained-decoding mask of a forced tool call on the real 262 144-token Gemma vocabulary. One operation is
 * one whole call: a stand-in model draws random logits for each step, the agent's mask is applied, the best token
 * is taken, until the call closes. Divide the time per operation by the tokens per call printed at the end for the
 * cost per token (it includes copying the logits and the argmax, which a real sampler also pays); compare it with
 * {@code gemma bench}'s decode step on an E2B file.
 *
 * <p>{@code -p tokenizerJson=PATH} names a Gemma {@code tokenizer.json}; by default the one gemma-tokenizer's tests
 * cache in {@code ~/.cache/gemma4j}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ToolCallMaskBenchmark {
    @Param({""})
    public String tokenizerJson;

    private ToolAgent agent;
    private long calls;
    private long tokens;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path json = tokenizerJson.isEmpty()
                ? Path.of(System.getProperty("user.home"), ".cache", "gemma4j", "gemma3-tokenizer.json")
                : Path.of(tokenizerJson);
        if (!Files.exists(json)) {
            throw new IllegalStateException("no tokenizer.json at " + json + " (run ./mvnw verify once, or pass -p tokenizerJson=PATH)");
        }
        GemmaTokenizer tokenizer = GemmaTokenizer.fromTokenizerJson(json).withGemma4Specials();
        Tools tools = Tools.of("get_weather", "Current weather in a city",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
                        + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"]}",
                a -> TextNode.valueOf("sunny"))
                .and("add", "Adds two integers",
                        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}",
                        a -> IntNode.valueOf(a.get("a").asInt() + a.get("b").asInt()));
        agent = ToolAgent.builder(new RandomLogitsModel(tokenizer, tools)).tools(tools).toolChoice(ToolChoice.REQUIRED)
                .maxRounds(1).maxStringLength(16).build();
    }

    @Benchmark
    public AgentResult oneForcedCall() {
        return agent.run("What is the weather in Paris?");
    }

    @TearDown(Level.Trial)
    public void report() {
        System.err.printf(java.util.Locale.ROOT, "%nmasked tokens per call: %.1f%n", tokens / (double) calls);
    }

    /** A stand-in model: random logits through the request's logits processor, best token each step. */
    private final class RandomLogitsModel implements ChatModel {
        private final GemmaTokenizer tokenizer;
        private final GemmaOutputParser parser;
        private final float[][] noise = new float[8][];
        private final float[] logits;
        private final int stop;
        private final SplittableRandom random = new SplittableRandom(1);

        RandomLogitsModel(GemmaTokenizer tokenizer, Tools tools) {
            this.tokenizer = tokenizer;
            this.parser = GemmaOutputParser.create(tools.declarations());
            this.logits = new float[tokenizer.vocabSize()];
            this.stop = tokenizer.id("<|tool_response>");
            for (int i = 0; i < noise.length; i++) {
                noise[i] = new float[logits.length];
                for (int j = 0; j < logits.length; j++) {
                    noise[i][j] = (float) random.nextGaussian();
                }
            }
        }

        @Override
        public GenerationResult generate(Chat chat, GenerationOptions options, OutputListener listener) {
            LogitsProcessor mask = options.logitsProcessor();
            int[] generated = new int[512];
            int count = 0;
            int start = random.nextInt(noise.length);
            while (count < generated.length) {
                System.arraycopy(noise[(start + count) % noise.length], 0, logits, 0, logits.length);
                mask.process(logits, generated, count);
                int best = 0;
                for (int i = 1; i < logits.length; i++) {
                    if (logits[i] > logits[best]) {
                        best = i;
                    }
                }
                generated[count++] = best;
                if (best == stop) {
                    break;
                }
            }
            calls++;
            tokens += count;
            String raw = tokenizer.decode(java.util.Arrays.copyOf(generated, count - 1));
            ParsedOutput p = parser.parse(raw);
            return new GenerationResult(p.content(), p.reasoning(), raw, p.toolCalls(), p.invalidToolCalls(), List.of(),
                    FinishReason.STOP_TOKEN, new GenerationStats(0, 0, count, Duration.ZERO, Duration.ZERO, Duration.ZERO), new int[0]);
        }

        @Override
        public Optional<GemmaTokenizer> tokenizer() {
            return Optional.of(tokenizer);
        }
    }
}
