package org.gemma4j.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gemma4j.FinishReason;
import org.gemma4j.GenerationOptions;
import org.gemma4j.GenerationResult;
import org.gemma4j.GenerationStats;
import org.gemma4j.chat.Chat;
import org.gemma4j.chat.GemmaOutputParser;
import org.gemma4j.chat.OutputListener;
import org.gemma4j.chat.ParsedOutput;
import org.gemma4j.chat.StreamingOutputParser;

/** A stand-in model that answers with fixed raw outputs, one per call, parsed as the real model's output is. */
final class ScriptedChatModel implements ChatModel {
    private final List<String> outputs;
    final List<Chat> prompts = new ArrayList<>();

    ScriptedChatModel(String... outputs) {
        this.outputs = List.of(outputs);
    }

    @Override
    public GenerationResult generate(Chat chat, GenerationOptions options, OutputListener listener) {
        String raw = outputs.get(Math.min(prompts.size(), outputs.size() - 1));
        prompts.add(chat);
        StreamingOutputParser parser = GemmaOutputParser.create(chat.tools()).stream(listener);
        for (int i = 0; i < raw.length(); i += 3) { // in small pieces, as a stream would arrive
            parser.feed(raw.substring(i, Math.min(raw.length(), i + 3)));
        }
        ParsedOutput p = parser.finish();
        return new GenerationResult(p.content(), p.reasoning(), raw, p.toolCalls(), p.invalidToolCalls(), List.of(),
                FinishReason.STOP_TOKEN, new GenerationStats(0, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO), new int[0]);
    }
}
