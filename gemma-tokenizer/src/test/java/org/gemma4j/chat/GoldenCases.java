package org.gemma4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/** Loads the golden JSONL cases copied into the test resources (tests never read the shared folder). */
final class GoldenCases {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private GoldenCases() {}

    static List<JsonNode> load(String resource) {
        List<JsonNode> cases = new ArrayList<>();
        try (InputStream in = GoldenCases.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    cases.add(MAPPER.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** The cases as JUnit arguments (name, case). */
    static List<Arguments> arguments(String resource) {
        return load(resource).stream().map(c -> Arguments.of(c.get("name").asText(), c)).toList();
    }
}
