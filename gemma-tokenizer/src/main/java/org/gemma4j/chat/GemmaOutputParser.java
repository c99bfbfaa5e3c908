package org.gemma4j.chat;

import java.util.List;

/**
 * Splits the text Gemma 4 generated into visible content, thinking and function calls.
 *
 * <p>The text is read with special tokens as their strings. It ends at the first stop token
 * ({@code <turn|>}, {@code <|tool_response>}, {@code <eos>}); a leading {@code <|turn>model\n} is
 * skipped; {@code <|channel>…<channel|>} blocks are thinking (the {@code thought} label and the
 * surrounding whitespace removed, several blocks concatenated); {@code <|tool_call>call:NAME{…}<tool_call|>}
 * blocks are function calls in Gemma value syntax (a new {@code <|tool_call>} or the end also closes
 * one); everything else is content, kept verbatim except that it is right-trimmed before a channel or
 * call and stray closing tokens are removed. A call that cannot be read, even after the repairs for
 * typical model slips, is reported in {@link ParsedOutput#invalidToolCalls()}, never thrown or
 * dropped.
 *
 * <p>The declared tools are optional: they only enable one repair (a raw, unquoted value of a string
 * parameter). Call names are not checked against them.
 *
 * <p>Thread safety: immutable; one parser can serve any number of threads and streams.
 */
public final class GemmaOutputParser {
    private static final GemmaOutputParser WITHOUT_TOOLS = new GemmaOutputParser(List.of());

    private final ToolCallReader reader;

    private GemmaOutputParser(List<ToolDeclaration> tools) {
        this.reader = new ToolCallReader(List.copyOf(tools));
    }

    /** A parser without declared tools. */
    public static GemmaOutputParser create() {
        return WITHOUT_TOOLS;
    }

    /** A parser that knows the declared tools (for the schema-gated repair of raw string values). */
    public static GemmaOutputParser create(List<ToolDeclaration> tools) {
        return tools.isEmpty() ? WITHOUT_TOOLS : new GemmaOutputParser(tools);
    }

    /** Parses generated text. */
    public ParsedOutput parse(String raw) {
        return parse("", raw);
    }

    /**
     * Parses generated text that continues a prompt ending in {@code generationPrefix} (e.g.
     * {@code <|channel>thought\n} after a tool response with thinking on): the text parsed is
     * {@code generationPrefix + raw}.
     */
    public ParsedOutput parse(String generationPrefix, String raw) {
        StreamingOutputParser stream = stream(generationPrefix, OutputListener.NONE);
        stream.feed(raw);
        return stream.finish();
    }

    /** A streaming parser reporting to {@code listener}; its {@code finish()} equals {@link #parse(String)}. */
    public StreamingOutputParser stream(OutputListener listener) {
        return stream("", listener);
    }

    /**
     * A streaming parser for output that continues a prompt ending in {@code generationPrefix}. The
     * prefix is fed first; it is part of the prompt, so it only sets the starting state (e.g. inside
     * the thought channel).
     */
    public StreamingOutputParser stream(String generationPrefix, OutputListener listener) {
        StreamingOutputParser stream = new StreamingOutputParser(reader, listener);
        stream.feed(generationPrefix);
        return stream;
    }
}
