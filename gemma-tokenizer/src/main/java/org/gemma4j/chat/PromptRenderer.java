package org.gemma4j.chat;

import static org.gemma4j.chat.GemmaTokens.AUDIO;
import static org.gemma4j.chat.GemmaTokens.BOS;
import static org.gemma4j.chat.GemmaTokens.CHANNEL_END;
import static org.gemma4j.chat.GemmaTokens.CHANNEL_START;
import static org.gemma4j.chat.GemmaTokens.IMAGE;
import static org.gemma4j.chat.GemmaTokens.VIDEO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The official Gemma 4 chat template, written out in Java. One instance renders one prompt; use it
 * through {@link ChatTemplate#render}.
 *
 * <p>The structure follows the template step by step (system block, then one pass over the
 * messages with the template's {@code prev_message_type} / {@code prev_non_tool_role} state, then the
 * generation prompt), so that inputs the golden cases do not cover still render as the template
 * renders them. The two template variants differ only in the generation prompt.
 */
final class PromptRenderer {
    private static final String PREV_TOOL_CALL = "tool_call";
    private static final String PREV_TOOL_RESPONSE = "tool_response";
    private static final String ASSISTANT = Role.ASSISTANT.name();
    private static final String TOOL = Role.TOOL.name();

    private final boolean emptyThoughtWhenThinkingOff;
    private final RenderOptions options;
    private final StringBuilder out = new StringBuilder();
    /** {@code [start, end)} ranges of {@link #out} that hold message content rather than template markup. */
    private final List<int[]> contentRanges = new java.util.ArrayList<>();
    /** The template's {@code ns.prev_message_type}: what the last rendered thing was. */
    private String prevMessageType;
    /** The template's {@code ns.prev_non_tool_role}: the raw role of the previous non-tool message. */
    private String prevNonToolRole;

    /** Calls whose arguments the request gave as something other than an object (see {@link OpenAiChatJson}). */
    private final Set<ToolCall> rejectedCalls;

    PromptRenderer(boolean emptyThoughtWhenThinkingOff, RenderOptions options) {
        this(emptyThoughtWhenThinkingOff, options, Set.of());
    }

    PromptRenderer(boolean emptyThoughtWhenThinkingOff, RenderOptions options, Set<ToolCall> rejectedCalls) {
        this.emptyThoughtWhenThinkingOff = emptyThoughtWhenThinkingOff;
        this.options = Objects.requireNonNull(options, "options");
        this.rejectedCalls = rejectedCalls;
    }

    String render(Chat chat) {
        List<ChatMessage> messages = chat.messages();
        out.append(BOS);
        List<ChatMessage> loop = messages;
        boolean leadingSystem = !messages.isEmpty() && messages.getFirst().role().isSystemLike();
        if (options.enableThinking() || !chat.tools().isEmpty() || leadingSystem) {
            out.append("<|turn>system\n");
            if (options.enableThinking()) {
                out.append(GemmaTokens.THINK).append('\n');
                prevMessageType = "think";
            }
            if (leadingSystem) {
                writeSystemText(messages.getFirst().content());
                loop = messages.subList(1, messages.size());
            }
            for (ToolDeclaration tool : chat.tools()) {
                out.append(GemmaTokens.TOOL_START).append(ToolDeclarationWriter.write(tool)).append(GemmaTokens.TOOL_END);
                prevMessageType = "tool";
            }
            out.append("<turn|>\n");
        }
        int lastUser = -1;
        for (int i = 0; i < loop.size(); i++) {
            if (loop.get(i).role().equals(Role.USER)) {
                lastUser = i;
            }
        }
        for (int i = 0; i < loop.size(); i++) {
            if (!loop.get(i).role().name().equals(TOOL)) {
                writeMessage(loop, i, lastUser);
            }
        }
        if (options.addGenerationPrompt()) {
            if (!PREV_TOOL_RESPONSE.equals(prevMessageType) && !PREV_TOOL_CALL.equals(prevMessageType)) {
                out.append("<|turn>model\n");
                if (emptyThoughtWhenThinkingOff && !options.enableThinking()) {
                    out.append(CHANNEL_START).append("thought\n").append(CHANNEL_END);
                }
            } else if (PREV_TOOL_RESPONSE.equals(prevMessageType) && options.enableThinking()) {
                out.append(CHANNEL_START).append("thought\n");
            }
        }
        return out.toString();
    }

    /** The leading system message: a string trimmed; parts each trimmed and followed by one space. */
    private void writeSystemText(MessageContent content) {
        switch (content) {
            case null -> {}
            case MessageContent.Value v -> {} // neither a string nor a sequence: nothing is printed
            case MessageContent.Text t -> appendContent(PythonText.strip(t.text()));
            case MessageContent.Parts p -> {
                for (ContentPart part : p.parts()) {
                    // The template reads item['text'] of every part; a media part has none and prints "".
                    String text = part instanceof ContentPart.Text t ? t.text() : "";
                    appendContent(PythonText.strip(text));
                    out.append(' ');
                }
            }
        }
    }

    private void writeMessage(List<ChatMessage> loop, int index, int lastUser) {
        ChatMessage message = loop.get(index);
        String rawRole = message.role().name();
        String role = message.role().turnName();
        prevMessageType = null;
        boolean continueSameModelTurn = role.equals("model") && ASSISTANT.equals(prevNonToolRole);
        if (!continueSameModelTurn) {
            out.append(GemmaTokens.TURN_START).append(role).append('\n');
        }

        boolean thinkingGate = index > lastUser || (options.preserveThinking() && !message.toolCalls().isEmpty());
        if (message.reasoning() != null && !message.reasoning().isEmpty() && thinkingGate) {
            out.append(CHANNEL_START).append("thought\n");
            appendContent(message.reasoning());
            out.append('\n').append(CHANNEL_END);
        }

        for (ToolCall call : message.toolCalls()) {
            if (rejectedCalls.contains(call)) {
                throw OpenAiChatJson.argumentsNotMapping();
            }
            out.append(GemmaTokens.TOOL_CALL_START).append("call:").append(call.name()).append('{');
            GemmaValueWriter.writeMembers(call.arguments(), out, contentRanges);
            out.append('}').append(GemmaTokens.TOOL_CALL_END);
            prevMessageType = PREV_TOOL_CALL;
        }

        boolean wroteResponses = false;
        if (!message.toolResponses().isEmpty()) {
            for (ToolResponse response : message.toolResponses()) {
                String name = response.name() == null || response.name().isEmpty() ? "unknown" : response.name();
                writeToolResponse(name, response.response());
                wroteResponses = true;
                prevMessageType = PREV_TOOL_RESPONSE;
            }
        } else if (!message.toolCalls().isEmpty()) {
            // OpenAI style: the role:tool messages right after this one hold the results.
            for (int k = index + 1; k < loop.size() && loop.get(k).role().name().equals(TOOL); k++) {
                writeToolMessage(message.toolCalls(), loop.get(k));
                wroteResponses = true;
                prevMessageType = PREV_TOOL_RESPONSE;
            }
        }

        String content = capturedContent(message.content(), role.equals("model"));
        writeCapturedContent(message.content(), role.equals("model"));
        boolean hasContent = !PythonText.isBlank(content);

        String nextRole = null;
        for (int j = index + 1; j < loop.size() && nextRole == null; j++) {
            if (!loop.get(j).role().name().equals(TOOL)) {
                nextRole = loop.get(j).role().name();
            }
        }
        boolean continuesIntoNext = role.equals("model")
                && ASSISTANT.equals(nextRole)
                && (message.toolCalls().isEmpty() || wroteResponses);

        if (PREV_TOOL_CALL.equals(prevMessageType) && !wroteResponses) {
            out.append(GemmaTokens.TOOL_RESPONSE_START); // calls pending: the model waits for results
        } else if (continuesIntoNext) {
            // the next assistant message continues this model turn
        } else if (!(wroteResponses && !hasContent && nextRole == null)) {
            out.append(GemmaTokens.TURN_END).append('\n');
        }
        prevNonToolRole = rawRole;
    }

    /** One role:tool message as a response block, named after the call it answers. */
    private void writeToolMessage(List<ToolCall> calls, ChatMessage follow) {
        String name = follow.name() == null || follow.name().isEmpty() ? "unknown" : follow.name();
        // Every call whose id equals the message's tool_call_id (two missing ids count as equal) renames
        // it, so the last match wins: without any ids that is always the last call.
        for (ToolCall call : calls) {
            if (Objects.equals(call.id(), follow.toolCallId())) {
                name = call.name();
            }
        }
        switch (follow.content()) {
            case null -> writeToolResponse(name, NullNode.getInstance());
            case MessageContent.Value v -> writeToolResponse(name, v.value());
            case MessageContent.Text t -> writeToolResponse(name, TextNode.valueOf(t.text()));
            case MessageContent.Parts p -> {
                StringBuilder text = new StringBuilder();
                for (ContentPart part : p.parts()) {
                    if (part instanceof ContentPart.Text t) {
                        text.append(t.text());
                    } else if (part instanceof ContentPart.Unreadable u) {
                        throw unreadable(u);
                    }
                }
                writeToolResponse(name, TextNode.valueOf(text.toString()));
                for (ContentPart part : p.parts()) {
                    out.append(placeholder(part));
                }
            }
        }
    }

    private void writeToolResponse(String name, JsonNode response) {
        out.append(GemmaTokens.TOOL_RESPONSE_START).append("response:").append(name).append('{');
        if (response.isObject()) {
            GemmaValueWriter.writeMembers(response, out, contentRanges);
        } else {
            out.append("value:");
            GemmaValueWriter.write(response, false, out, contentRanges);
        }
        out.append('}').append(GemmaTokens.TOOL_RESPONSE_END);
    }

    /** Appends {@code text} as message content (recorded in {@link #contentRanges}). */
    private void appendContent(String text) {
        int start = out.length();
        out.append(text);
        if (out.length() > start) {
            contentRanges.add(new int[] {start, out.length()});
        }
    }

    /** Writes {@link #capturedContent}: text pieces as content, media placeholders as template markup. */
    private void writeCapturedContent(MessageContent content, boolean model) {
        if (content instanceof MessageContent.Parts p) {
            for (ContentPart part : p.parts()) {
                if (part instanceof ContentPart.Text t) {
                    appendContent(model ? stripThinking(t.text()) : PythonText.strip(t.text()));
                } else {
                    out.append(placeholder(part));
                }
            }
        } else {
            appendContent(capturedContent(content, model));
        }
    }

    /** After {@link #render}: the prompt with the ranges of message content marked. */
    RenderedPrompt rendered() {
        return new RenderedPrompt(out.toString(), contentRanges.stream().map(r -> new RenderedPrompt.Range(r[0], r[1])).toList());
    }

    /** The content as the template captures it: model text stripped of thinking, other text trimmed. */
    private static String capturedContent(MessageContent content, boolean model) {
        return switch (content) {
            case null -> "";
            case MessageContent.Value v -> "";
            case MessageContent.Text t -> model ? stripThinking(t.text()) : PythonText.strip(t.text());
            case MessageContent.Parts p -> {
                StringBuilder sb = new StringBuilder();
                for (ContentPart part : p.parts()) {
                    if (part instanceof ContentPart.Text t) {
                        sb.append(model ? stripThinking(t.text()) : PythonText.strip(t.text()));
                    } else {
                        sb.append(placeholder(part));
                    }
                }
                yield sb.toString();
            }
        };
    }

    private static String placeholder(ContentPart part) {
        return switch (part) {
            case ContentPart.Image i -> IMAGE;
            case ContentPart.Audio a -> AUDIO;
            case ContentPart.Video v -> VIDEO;
            case ContentPart.Text t -> "";
            case ContentPart.Other o -> "";
            case ContentPart.Unreadable u -> throw unreadable(u);
        };
    }

    /** What jinja2 raises when the template calls {@code part.get(…)} on a part that is not a mapping. */
    private static ChatTemplateException unreadable(ContentPart.Unreadable part) {
        String owner = part.pythonType().equals("NoneType") ? "'None'" : "'" + part.pythonType() + " object'";
        return new ChatTemplateException("UndefinedError", owner + " has no attribute 'get'");
    }

    /**
     * The template's {@code strip_thinking}: split at every {@code <channel|>}, keep of each piece only
     * what comes before its first {@code <|channel>}, join, trim.
     */
    static String stripThinking(String text) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        while (true) {
            int close = text.indexOf(CHANNEL_END, from);
            String piece = close < 0 ? text.substring(from) : text.substring(from, close);
            int open = piece.indexOf(CHANNEL_START);
            sb.append(open < 0 ? piece : piece.substring(0, open));
            if (close < 0) {
                break;
            }
            from = close + CHANNEL_END.length();
        }
        return PythonText.strip(sb.toString());
    }
}
