package org.gemma4j.chat;

/**
 * The Gemma 4 special-token strings that structure prompts and model output. Each is a single token
 * in the vocabulary; the chat format writes and parses them as these literal strings.
 */
public final class GemmaTokens {
    /** Start of sequence; the template writes it as the first thing in a prompt. */
    public static final String BOS = "<bos>";
    /** End of sequence; a stop token. */
    public static final String EOS = "<eos>";
    /** Opens a turn; followed by the role name and a newline. */
    public static final String TURN_START = "<|turn>";
    /** Closes a turn; generation stops when the model emits it. */
    public static final String TURN_END = "<turn|>";
    /** Turns thinking on when placed at the top of the system turn. */
    public static final String THINK = "<|think|>";
    /** Opens a side channel; the model's reasoning is the {@code thought} channel. */
    public static final String CHANNEL_START = "<|channel>";
    /** Closes a side channel. */
    public static final String CHANNEL_END = "<channel|>";
    /** Opens one tool declaration in the system turn. */
    public static final String TOOL_START = "<|tool>";
    /** Closes one tool declaration. */
    public static final String TOOL_END = "<tool|>";
    /** Opens one function call written by the model. */
    public static final String TOOL_CALL_START = "<|tool_call>";
    /** Closes one function call. */
    public static final String TOOL_CALL_END = "<tool_call|>";
    /** Opens one tool result; when the model emits it, it waits for results, so it is also a stop token. */
    public static final String TOOL_RESPONSE_START = "<|tool_response>";
    /** Closes one tool result. */
    public static final String TOOL_RESPONSE_END = "<tool_response|>";
    /** Delimits every string in declarations, calls and responses; it has no escape mechanism. */
    public static final String STRING_DELIMITER = "<|\"|>";
    /** Image placeholder in content (the multimodal processor expands it). */
    public static final String IMAGE = "<|image|>";
    /** Audio placeholder in content. */
    public static final String AUDIO = "<|audio|>";
    /** Video placeholder in content. */
    public static final String VIDEO = "<|video|>";

    private GemmaTokens() {}
}
