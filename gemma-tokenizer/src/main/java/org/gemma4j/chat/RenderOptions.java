package org.gemma4j.chat;

/**
 * The template variables that shape a prompt besides the conversation itself.
 *
 * @param enableThinking      put {@code <|think|>} in the system turn so the model reasons first
 *                            ({@code enable_thinking})
 * @param addGenerationPrompt end the prompt with the cue for the model's answer
 *                            ({@code add_generation_prompt})
 * @param preserveThinking    keep the reasoning of earlier tool-calling assistant messages
 *                            ({@code preserve_thinking})
 */
public record RenderOptions(boolean enableThinking, boolean addGenerationPrompt, boolean preserveThinking) {

    /** Thinking off, generation prompt on, preserve-thinking off: the usual prompt for generation. */
    public static final RenderOptions DEFAULT = new RenderOptions(false, true, false);

    public RenderOptions withThinking(boolean on) {
        return new RenderOptions(on, addGenerationPrompt, preserveThinking);
    }

    public RenderOptions withGenerationPrompt(boolean on) {
        return new RenderOptions(enableThinking, on, preserveThinking);
    }

    public RenderOptions withPreserveThinking(boolean on) {
        return new RenderOptions(enableThinking, addGenerationPrompt, on);
    }
}
