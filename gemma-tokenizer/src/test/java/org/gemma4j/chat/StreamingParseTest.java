package org.gemma4j.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming parser, fed every golden case in many different splits, must end with exactly the
 * one-shot parse, and its events must add up to that parse.
 */
class StreamingParseTest {
    private static final Pattern SPECIAL = Pattern.compile("<\\|[a-z_\"]*\\|?>|<[a-z_]+\\|>|<eos>");

    static List<Arguments> cases() {
        return ParseGoldenTest.cases();
    }

    /** Records every event so the deltas can be checked against the final result. */
    static final class Recorder implements OutputListener {
        final StringBuilder content = new StringBuilder();
        final StringBuilder thinking = new StringBuilder();
        final List<ToolCall> calls = new ArrayList<>();
        final List<InvalidToolCall> invalid = new ArrayList<>();
        final List<String> order = new ArrayList<>();

        @Override
        public void onContent(String delta) {
            assertTrue(!delta.isEmpty(), "empty content delta");
            content.append(delta);
        }

        @Override
        public void onThinking(String delta) {
            assertTrue(!delta.isEmpty(), "empty thinking delta");
            thinking.append(delta);
        }

        @Override
        public void onToolCall(ToolCall call) {
            calls.add(call);
            order.add("call:" + call.name());
        }

        @Override
        public void onInvalidToolCall(InvalidToolCall call) {
            invalid.add(call);
            order.add("invalid:" + call.raw());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everySplitGivesTheOneShotParse(String name, JsonNode c) {
        GemmaOutputParser parser = ParseGoldenTest.parserFor(c);
        String prefix = ParseGoldenTest.prefixOf(c);
        String raw = c.get("raw").asText();
        ParsedOutput expected = parser.parse(prefix, raw);
        List<List<String>> splits = new ArrayList<>();
        splits.add(charByChar(raw));
        splits.add(tokenLike(raw));
        Random random = new Random(name.hashCode());
        for (int i = 0; i < 30; i++) {
            splits.add(randomSplit(raw, random));
        }
        for (List<String> pieces : splits) {
            Recorder recorder = new Recorder();
            StreamingOutputParser stream = parser.stream(prefix, recorder);
            for (String piece : pieces) {
                stream.feed(piece);
            }
            ParsedOutput actual = stream.finish();
            assertEquals(expected, actual, "split " + pieces);
            assertEquals(actual.content(), recorder.content.toString(), "content deltas, split " + pieces);
            assertEquals(actual.reasoning(), recorder.thinking.toString(), "thinking deltas, split " + pieces);
            assertEquals(actual.toolCalls(), recorder.calls, "call events, split " + pieces);
            assertEquals(actual.invalidToolCalls(), recorder.invalid, "invalid call events, split " + pieces);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void streamingMatchesGolden(String name, JsonNode c) {
        StreamingOutputParser stream = ParseGoldenTest.parserFor(c).stream(ParseGoldenTest.prefixOf(c), OutputListener.NONE);
        for (String piece : tokenLike(c.get("raw").asText())) {
            stream.feed(piece);
        }
        ParseGoldenTest.assertMatches(c.get("expected"), stream.finish());
    }

    @Test
    void toolCallIsReportedAsSoonAsItCloses() {
        Recorder recorder = new Recorder();
        StreamingOutputParser stream = GemmaOutputParser.create().stream(recorder);
        stream.feed("Checking.<|tool_call>call:f{a:1}");
        assertEquals(List.of(), recorder.calls);
        assertEquals("Checking.", recorder.content.toString());
        stream.feed("<tool_call|>");
        assertEquals(1, recorder.calls.size());
        stream.feed("<|tool_response>");
        assertTrue(stream.isStopped());
        assertEquals(StopToken.TOOL_RESPONSE, stream.stopToken().orElseThrow());
        stream.feed("ignored text");
        assertEquals("Checking.", stream.finish().content());
    }

    @Test
    void thinkingStreamsBeforeTheChannelCloses() {
        Recorder recorder = new Recorder();
        StreamingOutputParser stream = GemmaOutputParser.create().stream(recorder);
        stream.feed("<|channel>");
        stream.feed("thought");
        stream.feed("\nFirst");
        stream.feed(" step ");
        assertEquals("First step", recorder.thinking.toString());
        stream.feed("<channel|>Answer");
        assertEquals("First step", recorder.thinking.toString());
        assertEquals("Answer", recorder.content.toString());
    }

    private static List<String> charByChar(String s) {
        List<String> pieces = new ArrayList<>();
        s.codePoints().forEach(cp -> pieces.add(Character.toString(cp)));
        return pieces;
    }

    /** Special tokens whole, the text between them in short words, like a tokenizer's pieces. */
    static List<String> tokenLike(String s) {
        List<String> pieces = new ArrayList<>();
        Matcher m = SPECIAL.matcher(s);
        int last = 0;
        while (m.find()) {
            words(s.substring(last, m.start()), pieces);
            pieces.add(m.group());
            last = m.end();
        }
        words(s.substring(last), pieces);
        return pieces;
    }

    private static void words(String text, List<String> pieces) {
        for (int i = 0; i < text.length(); i += 3) {
            pieces.add(text.substring(i, Math.min(text.length(), i + 3)));
        }
    }

    private static List<String> randomSplit(String s, Random random) {
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int n = 1 + random.nextInt(8);
            int end = Math.min(s.length(), i + n);
            pieces.add(s.substring(i, end));
            i = end;
        }
        return pieces;
    }
}
