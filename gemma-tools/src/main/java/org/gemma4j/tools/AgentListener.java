package org.gemma4j.tools;

import org.gemma4j.chat.OutputListener;

/**
 * Streams an agent run: answer text and thinking as they are generated, each tool call as soon as it closes (from
 * {@link OutputListener}), and each tool result once the tool has run. All methods do nothing by default. Called
 * on the thread that runs the agent, in order.
 */
public interface AgentListener extends OutputListener {
    /** A listener that ignores everything. */
    AgentListener NONE = new AgentListener() {};

    /** A tool call has run (or was rejected) and its response is about to be sent to the model. */
    default void onToolResult(ToolInvocation invocation) {}
}
