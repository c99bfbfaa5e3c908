package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The code behind a tool: receives arguments that already passed schema validation and returns the result, which
 * is rendered back to the model. Exceptions are reported to the model as an error response. Implementations must
 * be safe to call from several threads when the agent runs parallel calls of the same tool.
 */
@FunctionalInterface
public interface ToolHandler {
    /**
     * @param arguments the validated arguments (a private copy)
     * @return the result; {@code null} renders as {@code null}
     */
    JsonNode invoke(ObjectNode arguments) throws Exception;
}
