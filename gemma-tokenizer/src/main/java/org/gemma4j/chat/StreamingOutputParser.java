package org.gemma4j.chat;

import static org.gemma4j.chat.GemmaTokens.CHANNEL_END;
import static org.gemma4j.chat.GemmaTokens.CHANNEL_START;
import static org.gemma4j.chat.GemmaTokens.TOOL_CALL_END;
import static org.gemma4j.chat.GemmaTokens.TOOL_CALL_START;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Parses the model's output while it is generated: fed text deltas (token pieces, special tokens as
 * their strings), it reports content and thinking deltas and each function call as soon as it closes.
 *
 * <p>The rules are those of {@link GemmaOutputParser} (which is this parser fed in one piece), so
 * {@link #finish()} returns exactly the one-shot parse of all text fed, however it was split. To get
 * there, the parser holds back what it cannot decide yet: the tail of a delta that may be the start of
 * a special token, whitespace at the end of content or thinking (trimmed if a channel or call
 * follows), and the label of a channel until it is known whether it is {@code thought}. Generation
 * stops at the first stop token ({@link StopToken}); text fed after it is ignored.
 *
 * <p>Thread safety: one instance per generated stream, fed from one thread at a time (not
 * thread-safe). The listener is called on the feeding thread.
 */
public final class StreamingOutputParser {
    private static final String MODEL_TURN_HEADER = GemmaTokens.TURN_START + "model\n";
    private static final String THOUGHT = "thought";
    /** Every token whose partial appearance at the end of the input must wait for more input. */
    private static final String[] WATCHED = {
        CHANNEL_START, CHANNEL_END, TOOL_CALL_START, TOOL_CALL_END,
        GemmaTokens.TURN_END, GemmaTokens.TOOL_RESPONSE_START, GemmaTokens.EOS,
    };
    private static final int LONGEST_STOP = maxStopLength();

    private enum State {
        /** At the very start: a leading {@code <|turn>model\n} is skipped. */
        START,
        /** Visible answer text. */
        CONTENT,
        /** Just after {@code <|channel>}: skipping repeated openers and the {@code thought} label. */
        CHANNEL_OPEN,
        /** Inside a channel: thinking text. */
        THINKING,
        /** Just after {@code <channel|>}: skipping whitespace. */
        AFTER_CHANNEL,
        /** Inside {@code <|tool_call>}: the call body. */
        CALL,
        /** Just after {@code <tool_call|>}: skipping whitespace and repeated closers. */
        AFTER_CALL
    }

    private final ToolCallReader reader;
    private final OutputListener listener;

    /** Input not consumed yet; only ever a short tail while streaming. */
    private final StringBuilder input = new StringBuilder();
    private State state = State.START;
    /** No more input will come: a stop token was seen, or {@link #finish()} was called. */
    private boolean inputEnded;
    private boolean finished;
    private StopToken stopToken;

    private final StringBuilder content = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private final List<InvalidToolCall> invalidToolCalls = new ArrayList<>();
    /** Trailing whitespace of the current content segment: dropped if a channel or call follows. */
    private final StringBuilder pendingContentSpace = new StringBuilder();
    /** Trailing whitespace of the current thinking segment: dropped when the segment ends. */
    private final StringBuilder pendingThinkingSpace = new StringBuilder();
    /** Whether the current thinking segment has non-whitespace text yet (its leading whitespace is dropped). */
    private boolean thinkingStarted;
    private final StringBuilder callBody = new StringBuilder();

    StreamingOutputParser(ToolCallReader reader, OutputListener listener) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Feeds the next piece of generated text and reports what it completes.
     *
     * @throws IllegalStateException after {@link #finish()}
     */
    public void feed(CharSequence delta) {
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        if (stopToken != null || delta.isEmpty()) {
            return;
        }
        int searchFrom = Math.max(0, input.length() - (LONGEST_STOP - 1));
        input.append(delta);
        cutAtStopToken(searchFrom);
        process();
        if (inputEnded) {
            finishSegment();
        }
    }

    /** Ends the input (if no stop token did already) and returns the whole parse. Idempotent. */
    public ParsedOutput finish() {
        if (!finished) {
            inputEnded = true;
            process();
            finishSegment();
            finished = true;
        }
        return result();
    }

    /** The parse of the text fed so far, as if it ended here, without ending the stream. */
    public ParsedOutput snapshot() {
        return result();
    }

    /** The stop token that ended the output, once one was seen. */
    public Optional<StopToken> stopToken() {
        return Optional.ofNullable(stopToken);
    }

    /** Whether a stop token was seen: generation should stop, further text is ignored. */
    public boolean isStopped() {
        return stopToken != null;
    }

    private ParsedOutput result() {
        return new ParsedOutput(content.toString(), thinking.toString(), toolCalls, invalidToolCalls);
    }

    private void cutAtStopToken(int searchFrom) {
        int cut = -1;
        StopToken which = null;
        for (StopToken t : StopToken.values()) {
            int at = input.indexOf(t.text(), searchFrom);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
                which = t;
            }
        }
        if (which != null) {
            input.setLength(cut);
            stopToken = which;
            inputEnded = true;
        }
    }

    private void process() {
        boolean progress = true;
        while (progress) {
            progress = switch (state) {
                case START -> start();
                case CONTENT -> content();
                case CHANNEL_OPEN -> channelOpen();
                case THINKING -> thinking();
                case AFTER_CHANNEL -> afterChannel();
                case CALL -> call();
                case AFTER_CALL -> afterCall();
            };
        }
    }

    private boolean start() {
        if (startsWith(MODEL_TURN_HEADER)) {
            consume(MODEL_TURN_HEADER.length());
        } else if (!inputEnded && MODEL_TURN_HEADER.startsWith(input.toString())) {
            return false;
        }
        state = State.CONTENT;
        return true;
    }

    private boolean content() {
        int at = -1;
        String tag = null;
        for (String t : new String[] {CHANNEL_START, TOOL_CALL_START, CHANNEL_END, TOOL_CALL_END}) {
            int i = input.indexOf(t);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                tag = t;
            }
        }
        if (tag == null) {
            int safe = decidedLength();
            if (safe == 0) {
                return false;
            }
            appendContent(take(safe));
            return true;
        }
        appendContent(take(at));
        consume(tag.length());
        if (tag.equals(CHANNEL_START) || tag.equals(TOOL_CALL_START)) {
            pendingContentSpace.setLength(0); // content before a channel or call is right-trimmed
            state = tag.equals(CHANNEL_START) ? State.CHANNEL_OPEN : State.CALL;
        }
        // a stray <channel|> or <tool_call|> is just removed
        return true;
    }

    private boolean channelOpen() {
        while (startsWith(CHANNEL_START)) {
            consume(CHANNEL_START.length());
        }
        if (!inputEnded && input.length() < CHANNEL_START.length() && CHANNEL_START.startsWith(input.toString())) {
            return false;
        }
        if (startsWith(THOUGHT)) {
            String rest = input.substring(THOUGHT.length());
            if (rest.isEmpty() || PythonText.isSpace(rest.charAt(0)) || rest.startsWith(CHANNEL_END)) {
                if (rest.isEmpty() && !inputEnded) {
                    return false;
                }
                consume(THOUGHT.length()); // the channel name; following whitespace goes with the trim
            } else if (!inputEnded && CHANNEL_END.startsWith(rest)) {
                return false;
            }
        } else if (!inputEnded && THOUGHT.startsWith(input.toString())) {
            return false;
        }
        state = State.THINKING;
        thinkingStarted = false;
        pendingThinkingSpace.setLength(0);
        return true;
    }

    private boolean thinking() {
        int end = input.indexOf(CHANNEL_END);
        if (end < 0) {
            int safe = decidedLength();
            if (safe == 0) {
                return false;
            }
            appendThinking(take(safe));
            return true;
        }
        appendThinking(take(end));
        consume(CHANNEL_END.length());
        pendingThinkingSpace.setLength(0);
        state = State.AFTER_CHANNEL;
        return true;
    }

    private boolean afterChannel() {
        consume(PythonText.skipSpace(input, 0));
        if (input.isEmpty()) {
            return false;
        }
        state = State.CONTENT;
        return true;
    }

    private boolean call() {
        int close = input.indexOf(TOOL_CALL_END);
        int reopen = input.indexOf(TOOL_CALL_START);
        if (close < 0 && reopen < 0) {
            int safe = decidedLength();
            if (safe == 0) {
                return false;
            }
            callBody.append(take(safe));
            return true;
        }
        if (close >= 0 && (reopen < 0 || close < reopen)) {
            callBody.append(take(close));
            consume(TOOL_CALL_END.length());
            completeCall();
            state = State.AFTER_CALL;
        } else {
            // a new <|tool_call> before this one closed: it closes this one implicitly
            callBody.append(take(reopen));
            completeCall();
            state = State.CONTENT;
        }
        return true;
    }

    private boolean afterCall() {
        while (true) {
            int next = PythonText.skipSpace(input, 0);
            if (input.length() - next >= TOOL_CALL_END.length()
                    && matchesAt(input, next, TOOL_CALL_END, TOOL_CALL_END.length())) {
                consume(next + TOOL_CALL_END.length());
            } else {
                consume(next);
                break;
            }
        }
        if (input.isEmpty()) {
            return false;
        }
        if (!inputEnded && input.length() < TOOL_CALL_END.length() && TOOL_CALL_END.startsWith(input.toString())) {
            return false;
        }
        state = State.CONTENT;
        return true;
    }

    /** Closes what is open when the input ends: content keeps its trailing whitespace, a call is read. */
    private void finishSegment() {
        switch (state) {
            case CONTENT -> {
                if (!pendingContentSpace.isEmpty()) {
                    emitContent(pendingContentSpace.toString());
                    pendingContentSpace.setLength(0);
                }
            }
            case CALL -> {
                completeCall();
                state = State.AFTER_CALL;
            }
            case THINKING -> pendingThinkingSpace.setLength(0);
            default -> {}
        }
    }

    private void appendContent(String text) {
        if (text.isEmpty()) {
            return;
        }
        int end = PythonText.rstrip(text).length();
        if (end == 0) {
            pendingContentSpace.append(text);
            return;
        }
        emitContent(pendingContentSpace + text.substring(0, end));
        pendingContentSpace.setLength(0);
        pendingContentSpace.append(text, end, text.length());
    }

    private void emitContent(String delta) {
        content.append(delta);
        listener.onContent(delta);
    }

    private void appendThinking(String text) {
        if (!thinkingStarted) {
            text = text.substring(PythonText.skipSpace(text, 0));
            if (text.isEmpty()) {
                return;
            }
            thinkingStarted = true;
        }
        int end = PythonText.rstrip(text).length();
        if (end == 0) {
            pendingThinkingSpace.append(text);
            return;
        }
        String delta = pendingThinkingSpace + text.substring(0, end);
        pendingThinkingSpace.setLength(0);
        pendingThinkingSpace.append(text, end, text.length());
        thinking.append(delta);
        listener.onThinking(delta);
    }

    private void completeCall() {
        ToolCallReader.Outcome outcome = reader.read(callBody.toString());
        callBody.setLength(0);
        if (outcome.call() != null) {
            toolCalls.add(outcome.call());
            listener.onToolCall(outcome.call());
        } else {
            invalidToolCalls.add(outcome.invalid());
            listener.onInvalidToolCall(outcome.invalid());
        }
    }

    /**
     * How much of the input can be consumed now: all of it once the input ended, else all but a tail
     * that may be the beginning of a special token.
     */
    private int decidedLength() {
        if (inputEnded) {
            return input.length();
        }
        int n = input.length();
        for (int k = Math.min(n, longestWatched() - 1); k > 0; k--) {
            for (String token : WATCHED) {
                if (k < token.length() && matchesAt(input, n - k, token, k)) {
                    return n - k;
                }
            }
        }
        return n;
    }

    private static boolean matchesAt(CharSequence s, int at, String token, int length) {
        for (int i = 0; i < length; i++) {
            if (s.charAt(at + i) != token.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWith(String prefix) {
        return input.length() >= prefix.length() && matchesAt(input, 0, prefix, prefix.length());
    }

    private String take(int length) {
        String s = input.substring(0, length);
        input.delete(0, length);
        return s;
    }

    private void consume(int length) {
        input.delete(0, length);
    }

    private static int longestWatched() {
        int max = 0;
        for (String t : WATCHED) {
            max = Math.max(max, t.length());
        }
        return max;
    }

    private static int maxStopLength() {
        int max = 0;
        for (StopToken t : StopToken.values()) {
            max = Math.max(max, t.text().length());
        }
        return max;
    }
}
