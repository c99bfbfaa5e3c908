package org.gemma4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gemma4j.chat.ChatMessage;
import org.gemma4j.chat.ChatTemplate;
import org.gemma4j.chat.ToolCall;
import org.junit.jupiter.api.Test;

class ToolAgentTest {
    private static final String Q = "<|\"|>";
    private final AtomicInteger adds = new AtomicInteger();

    private Tools tools() {
        return Tools.of("add", "Adds two integers",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}",
                args -> {
                    adds.incrementAndGet();
                    return IntNode.valueOf(args.get("a").asInt() + args.get("b").asInt());
                })
                .and("fail", "Always fails", (com.fasterxml.jackson.databind.JsonNode) null, args -> {
                    throw new IllegalStateException("disk on fire");
                })
                .and("slow", "Sleeps", (com.fasterxml.jackson.databind.JsonNode) null, args -> {
                    Thread.sleep(10_000);
                    return null;
                })
                .and("city", "Looks up a city",
                        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}",
                        args -> args.get("name"));
    }

    @Test
    void singleCallThenAnswer() {
        ScriptedChatModel model = new ScriptedChatModel("<|tool_call>call:add{a:2,b:3}<tool_call|>", "The sum is 5.");
        List<String> events = new ArrayList<>();
        AgentResult r = ToolAgent.builder(model).tools(tools()).build().run(
                org.gemma4j.chat.Chat.of(ChatMessage.user("2+3?")), new AgentListener() {
                    @Override
                    public void onContent(String delta) {
                        events.add("text");
                    }

                    @Override
                    public void onToolCall(ToolCall call) {
                        events.add("call " + call.name());
                    }

                    @Override
                    public void onToolResult(ToolInvocation inv) {
                        events.add("result " + inv.result());
                    }
                });
        assertEquals("The sum is 5.", r.answer());
        assertEquals(AgentResult.StopReason.ANSWERED, r.stopReason());
        assertEquals(2, r.rounds());
        assertEquals(1, r.calls().size());
        assertEquals(IntNode.valueOf(5), r.calls().get(0).result());
        assertEquals(List.of("call add", "result 5"), events.subList(0, 2));
        assertEquals(3, r.transcript().messages().size()); // user, assistant(call+response), assistant(answer)
        // The second prompt carries the call and its response, as the template renders them.
        String prompt = ChatTemplate.E2B.render(model.prompts.get(1));
        assertTrue(prompt.endsWith("<|tool_call>call:add{a:2,b:3}<tool_call|><|tool_response>response:add{value:5}<tool_response|>"),
                prompt);
    }

    @Test
    void parallelCallsRunInOneRound() {
        ScriptedChatModel model = new ScriptedChatModel(
                "<|tool_call>call:add{a:1,b:1}<tool_call|><|tool_call>call:city{name:" + Q + "Oslo" + Q + "}<tool_call|>", "done");
        AgentResult r = ToolAgent.builder(model).tools(tools()).build().run("go");
        assertEquals(2, r.calls().size());
        assertEquals("call_1_1", r.calls().get(0).call().id());
        assertEquals("call_1_2", r.calls().get(1).call().id());
        assertEquals("Oslo", r.calls().get(1).result().asText());
        assertEquals(2, model.prompts.size());
    }

    @Test
    void failingInvalidUnknownAndTimedOutCallsBecomeErrorResponses() {
        ScriptedChatModel model = new ScriptedChatModel(
                "<|tool_call>call:fail{}<tool_call|>"
                        + "<|tool_call>call:add{a:" + Q + "two" + Q + ",b:3}<tool_call|>"
                        + "<|tool_call>call:rm_rf{path:" + Q + "/" + Q + "}<tool_call|>"
                        + "<|tool_call>call:slow{}<tool_call|>"
                        + "<|tool_call>call:add{a:1,b:[<tool_call|>",
                "Sorry.");
        AgentResult r = ToolAgent.builder(model).tools(tools()).timeout(Duration.ofMillis(200)).build().run("go");
        assertEquals("Sorry.", r.answer());
        List<ToolInvocation.Status> statuses = r.calls().stream().map(ToolInvocation::status).toList();
        assertEquals(List.of(ToolInvocation.Status.FAILED, ToolInvocation.Status.INVALID_ARGUMENTS,
                ToolInvocation.Status.UNKNOWN_TOOL, ToolInvocation.Status.TIMED_OUT, ToolInvocation.Status.INVALID_ARGUMENTS), statuses);
        assertEquals("disk on fire", r.calls().get(0).result().get("error").asText());
        assertTrue(r.calls().get(1).result().get("error").asText().contains("$.a"));
        assertEquals(0, adds.get(), "invalid arguments never reach the tool");
        String prompt = ChatTemplate.E2B.render(model.prompts.get(1));
        assertTrue(prompt.contains("response:fail{error:" + Q + "disk on fire" + Q + "}"), prompt);
    }

    @Test
    void maxRoundsStopsALoopingModelAndTheTranscriptCanBeContinued() {
        ScriptedChatModel model = new ScriptedChatModel("<|tool_call>call:add{a:1,b:2}<tool_call|>");
        ToolAgent agent = ToolAgent.builder(model).tools(tools()).maxRounds(3).build();
        AgentResult r = agent.run("loop");
        assertEquals(AgentResult.StopReason.MAX_ROUNDS, r.stopReason());
        assertEquals(3, r.calls().size());
        assertEquals(3, adds.get());
        AgentResult again = ToolAgent.builder(new ScriptedChatModel("ok")).tools(tools()).build()
                .run(r.transcript().with(ChatMessage.user("stop")));
        assertEquals("ok", again.answer());
        assertEquals(r.transcript().messages().size() + 2, again.transcript().messages().size());
    }

    @Test
    void namedChoiceMustBeRegistered() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ToolAgent.builder(new ScriptedChatModel("x")).tools(tools()).toolChoice(ToolChoice.named("nope")).build());
    }
}
