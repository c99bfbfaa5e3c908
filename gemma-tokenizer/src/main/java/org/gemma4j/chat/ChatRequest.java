package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An OpenAI-style chat request read from JSON: the conversation and the template options.
 *
 * @param chat    the messages and tools
 * @param options thinking, generation prompt and preserve-thinking
 */
public record ChatRequest(Chat chat, RenderOptions options) {

    /**
     * Reads {@code {"messages":[…], "tools":[…], "enable_thinking", "add_generation_prompt",
     * "preserve_thinking"}}. The three flags may also sit in {@code chat_template_kwargs}. Absent
     * flags take the values of {@link RenderOptions#DEFAULT}.
     *
     * @throws ChatTemplateException if the JSON is not a request, or holds a message the template
     *                               rejects (e.g. tool-call arguments given as a string)
     */
    public static ChatRequest fromJson(String json) {
        return OpenAiChatJson.request(json);
    }

    /** Like {@link #fromJson(String)}, for an already parsed request. */
    public static ChatRequest fromJson(JsonNode request) {
        return OpenAiChatJson.request(request);
    }
}
