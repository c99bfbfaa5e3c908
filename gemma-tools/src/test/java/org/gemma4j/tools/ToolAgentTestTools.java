package org.gemma4j.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.gemma4j.chat.ToolDeclaration;

/** Two small tools used by the grammar and constrained-decoding tests. */
final class ToolAgentTestTools {
    private ToolAgentTestTools() {}

    public enum Unit { celsius, fahrenheit }

    public static final class Weather {
        @Tool(value = "Current weather in a city", name = "get_weather")
        public ObjectNode weather(@Param("City name") String city, @Param(value = "Unit", optional = true) Unit unit) {
            return JsonNodeFactory.instance.objectNode().put("city", city).put("temperature", ThreadLocalRandom.current().nextInt(30))
                    .put("unit", unit == null ? "celsius" : unit.name());
        }

        @Tool("Adds two integers")
        public long add(@Param(name = "a") long a, @Param(name = "b") long b,
                @Param(name = "tags", optional = true) List<Integer> tags,
                @Param(name = "ratio", optional = true) @JsonSchemaGeneratorTest.Nullable Double ratio) {
            return a + b;
        }
    }

    static Tools tools() {
        return Tools.from(new Weather());
    }

    static List<ToolDeclaration> declarations() {
        return tools().declarations();
    }
}
