package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.gemma4j.GemmaModel;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.InvalidToolCall;
import org.gemma4j.chat.Role;
import org.gemma4j.chat.ToolCall;
import org.gemma4j.chat.ToolResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tool-calling loop: prompt → model → tool calls → validate → invoke → tool responses → model … until the
 * model answers in text or the round limit is reached.
 *
 * <pre>{@code
 * ToolAgent agent = ToolAgent.builder(model).tools(Tools.from(new Weather())).maxRounds(4).build();
 * AgentResult r = agent.run("What is the weather in Paris?");
 * String answer = r.answer();
 * }</pre>
 *
 * <p>Safety: only registered tools are invoked, and only with arguments that passed schema validation. Unknown tools,
 * invalid or unparseable arguments, exceptions and timeouts become error responses ({@code {"error": "..."}}) that the
 * model sees in the next round; the run itself does not fail. Calls of one round run in parallel, each with the
 * configured timeout (a timed-out tool is interrupted).
 *
 * <p>Constrained decoding (when the model exposes its tokenizer, as the {@link GemmaModel} adapter does): every call
 * the model writes is masked to be syntactically valid and schema-conforming. {@link ToolChoice#REQUIRED} and named
 * choices force the first round to start with a call; later rounds are {@link ToolChoice#AUTO}. {@link
 * ToolChoice#NONE} bans calls in every round.
 *
 * <p>Thread safety: an agent is immutable and can run many conversations at once from different threads, provided
 * the model and the tools are thread-safe.
 */
public final class ToolAgent {
    private static final Logger LOG = LoggerFactory.getLogger(ToolAgent.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ChatModel model;
    private final Tools tools;
    private final ToolChoice choice;
    private final int maxRounds;
    private final Duration timeout;
    private final GenerationOptions options;
    private final int maxCallsPerTurn;
    private final int maxStringLength;
    private volatile TokenAlphabet alphabet;

    private ToolAgent(Builder b) {
        this.model = b.model;
        this.tools = b.tools;
        this.choice = b.choice;
        this.maxRounds = b.maxRounds;
        this.timeout = b.timeout;
        this.options = b.options;
        this.maxCallsPerTurn = b.maxCallsPerTurn;
        this.maxStringLength = b.maxStringLength;
        if (choice.mode() == ToolChoice.Mode.NAMED && tools.get(choice.toolName()).isEmpty()) {
            throw new IllegalArgumentException("tool choice names '" + choice.toolName() + "', which is not registered");
        }
        if (choice.forcesCall() && tools.isEmpty()) {
            throw new IllegalArgumentException("tool choice " + choice.mode() + " needs at least one tool");
        }
    }

    public static Builder builder(GemmaModel model) {
        return new Builder(ChatModel.of(model));
    }

    public static Builder builder(ChatModel model) {
        return new Builder(model);
    }

    /** Runs a conversation starting with one user message. */
    public AgentResult run(String userMessage) {
        return run(Chat.of(ChatMessage.user(userMessage)), AgentListener.NONE);
    }

    /** Continues {@code chat} (e.g. an earlier {@link AgentResult#transcript()} plus a new user message). */
    public AgentResult run(Chat chat) {
        return run(chat, AgentListener.NONE);
    }

    /** Runs and streams text, thinking, calls and results to {@code listener}. */
    public AgentResult run(Chat chat, AgentListener listener) {
        Objects.requireNonNull(listener, "listener");
        Chat transcript = chat.withTools(tools.declarations());
        List<ToolInvocation> all = new ArrayList<>();
        for (int round = 1; round <= maxRounds; round++) {
            ToolChoice roundChoice = round == 1 || choice.mode() == ToolChoice.Mode.NONE ? choice : ToolChoice.AUTO;
            GenerationResult result = model.generate(transcript, optionsFor(roundChoice), listener);
            List<ToolCall> calls = new ArrayList<>();
            for (int i = 0; i < result.toolCalls().size(); i++) {
                calls.add(result.toolCalls().get(i).withId("call_" + round + "_" + (i + 1)));
            }
            if (calls.isEmpty() && result.invalidToolCalls().isEmpty()) {
                transcript = transcript.with(ChatMessage.assistant(result.text()));
                return new AgentResult(transcript, result.text(), all, round, AgentResult.StopReason.ANSWERED);
            }
            List<ToolInvocation> invocations = new ArrayList<>(invokeAll(calls));
            int k = calls.size();
            for (InvalidToolCall bad : result.invalidToolCalls()) {
                ToolCall placeholder = new ToolCall("call_" + round + "_" + (++k), nameOf(bad.raw()), null);
                invocations.add(new ToolInvocation(placeholder,
                        error("could not read the call (" + bad.error() + "): " + bad.detail()),
                        ToolInvocation.Status.INVALID_ARGUMENTS, Duration.ZERO));
            }
            ChatMessage.Builder message = ChatMessage.builder(Role.ASSISTANT).toolCalls(calls);
            if (!result.text().isBlank()) {
                message.content(result.text());
            }
            for (ToolInvocation inv : invocations) {
                listener.onToolResult(inv);
                message.toolResponse(new ToolResponse(inv.call().name(), inv.result()));
            }
            all.addAll(invocations);
            transcript = transcript.with(message.build());
        }
        return new AgentResult(transcript, "", all, maxRounds, AgentResult.StopReason.MAX_ROUNDS);
    }

    /** Validates and runs one call synchronously (also usable without a model). */
    public ToolInvocation invoke(ToolCall call) {
        return invokeAll(List.of(call)).get(0);
    }

    private List<ToolInvocation> invokeAll(List<ToolCall> calls) {
        List<ToolInvocation> out = new ArrayList<>();
        List<Future<JsonNode>> futures = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ToolCall call : calls) {
                RegisteredTool tool = tools.get(call.name()).orElse(null);
                List<String> errors = tool == null ? List.of() : SchemaValidator.validate(tool.parameters(), call.arguments());
                if (tool == null || !errors.isEmpty()) {
                    futures.add(null);
                    starts.add(0L);
                    continue;
                }
                starts.add(System.nanoTime());
                ObjectNode args = call.arguments();
                futures.add(pool.submit(() -> tool.handler().invoke(args)));
            }
            for (int i = 0; i < calls.size(); i++) {
                out.add(collect(calls.get(i), futures.get(i), starts.get(i)));
            }
            pool.shutdownNow();
        }
        return out;
    }

    private ToolInvocation collect(ToolCall call, Future<JsonNode> future, long start) {
        if (future == null) {
            RegisteredTool tool = tools.get(call.name()).orElse(null);
            if (tool == null) {
                LOG.debug("model called unknown tool {}", call.name());
                return new ToolInvocation(call, error("unknown tool '" + call.name() + "'; available: "
                        + tools.list().stream().map(RegisteredTool::name).toList()), ToolInvocation.Status.UNKNOWN_TOOL, Duration.ZERO);
            }
            List<String> errors = SchemaValidator.validate(tool.parameters(), call.arguments());
            return new ToolInvocation(call, error("invalid arguments: " + String.join("; ", errors)),
                    ToolInvocation.Status.INVALID_ARGUMENTS, Duration.ZERO);
        }
        try {
            long remaining = timeout.toNanos() - (System.nanoTime() - start);
            JsonNode value = future.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            return new ToolInvocation(call, value == null ? JSON.nullNode() : value, ToolInvocation.Status.OK, since(start));
        } catch (TimeoutException e) {
            future.cancel(true);
            return new ToolInvocation(call, error("tool '" + call.name() + "' timed out after " + timeout.toMillis() + " ms"),
                    ToolInvocation.Status.TIMED_OUT, since(start));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.debug("tool {} failed", call.name(), cause);
            String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return new ToolInvocation(call, error(msg), ToolInvocation.Status.FAILED, since(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return new ToolInvocation(call, error("interrupted"), ToolInvocation.Status.FAILED, since(start));
        }
    }

    GenerationOptions optionsFor(ToolChoice roundChoice) {
        if (tools.isEmpty()) {
            return options;
        }
        TokenAlphabet a = alphabet();
        if (a == null) {
            return options;
        }
        List<org.gemma4j.chat.ToolDeclaration> allowed = roundChoice.mode() == ToolChoice.Mode.NAMED
                ? List.of(tools.get(roundChoice.toolName()).orElseThrow().declaration())
                : tools.declarations();
        ToolCallGrammar grammar = new ToolCallGrammar(allowed, maxStringLength, maxCallsPerTurn);
        ToolCallConstraint constraint = new ToolCallConstraint(grammar, a, roundChoice.forcesCall(),
                roundChoice.mode() != ToolChoice.Mode.NONE);
        return options.toBuilder().logitsProcessor(constraint).build();
    }

    private TokenAlphabet alphabet() {
        TokenAlphabet a = alphabet;
        if (a == null) {
            a = model.tokenizer().map(TokenAlphabet::new).orElse(null);
            alphabet = a;
        }
        return a;
    }

    private static ObjectNode error(String message) {
        return JSON.objectNode().put("error", message);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static String nameOf(String raw) {
        String s = raw.strip();
        int brace = s.indexOf('{');
        String name = s.startsWith("call:") ? s.substring(5, brace < 0 ? s.length() : brace).strip() : "";
        return name.isEmpty() ? "unknown" : name;
    }

    /** Configures a {@link ToolAgent}. Not thread-safe. */
    public static final class Builder {
        private final ChatModel model;
        private Tools tools = Tools.empty();
        private ToolChoice choice = ToolChoice.AUTO;
        private int maxRounds = 8;
        private Duration timeout = Duration.ofSeconds(30);
        private GenerationOptions options = GenerationOptions.defaults();
        private int maxCallsPerTurn = 4;
        private int maxStringLength = 64;

        private Builder(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        public Builder tools(Tools t) {
            tools = Objects.requireNonNull(t, "tools");
            return this;
        }

        public Builder toolChoice(ToolChoice c) {
            choice = Objects.requireNonNull(c, "choice");
            return this;
        }

        /** How many times the model is asked at most (default 8). */
        public Builder maxRounds(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxRounds must be at least 1");
            }
            maxRounds = n;
            return this;
        }

        /** How long one tool call may run (default 30 s). */
        public Builder timeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            timeout = d;
            return this;
        }

        /** Generation options for every round; the agent adds its own logits processor. */
        public Builder options(GenerationOptions o) {
            options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** The most calls the model can make in one answer under constrained decoding (default 4). */
        public Builder maxCallsPerTurn(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxCallsPerTurn must be at least 1");
            }
            maxCallsPerTurn = n;
            return this;
        }

        /** The longest string argument under constrained decoding (default 64 characters). */
        public Builder maxStringLength(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxStringLength must be at least 1");
            }
            maxStringLength = n;
            return this;
        }

        public ToolAgent build() {
            return new ToolAgent(this);
        }
    }
}
