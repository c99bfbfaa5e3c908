package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gemma4j.chat.ToolDeclaration;

/**
 * An immutable set of tools, in declaration order. Build it fluently:
 *
 * <pre>{@code
 * Tools tools = Tools.from(new Weather())
 *         .and("add", "Adds two numbers", schema, args -> IntNode.valueOf(args.get("a").asInt() + args.get("b").asInt()));
 * }</pre>
 *
 * <p>Only what is registered here can ever be invoked: methods are found once, at registration, among the
 * {@link Tool}-annotated public methods of the given object's class; nothing else is reflected on later.
 * Annotated methods must be public, in a class the {@code org.gemma4j.tools} module can read (an exported or open
 * package); argument types such as records must be readable by Jackson.
 *
 * <p>Thread safety: immutable; safe to share. Each {@code and…} returns a new set.
 */
public final class Tools {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaGenerator SCHEMAS = new JsonSchemaGenerator(MAPPER);

    private final Map<String, RegisteredTool> tools;

    private Tools(Map<String, RegisteredTool> tools) {
        this.tools = java.util.Collections.unmodifiableMap(tools);
    }

    /** No tools. */
    public static Tools empty() {
        return new Tools(new LinkedHashMap<>());
    }

    /** The {@link Tool}-annotated methods of {@code target} (instance and static ones). */
    public static Tools from(Object target) {
        return empty().and(target);
    }

    /** The {@link Tool}-annotated static methods of {@code type}. */
    public static Tools fromStatic(Class<?> type) {
        return empty().andMethods(null, type);
    }

    /** A single tool from a handler and an explicit JSON schema of its arguments. */
    public static Tools of(String name, String description, JsonNode parameters, ToolHandler handler) {
        return empty().and(name, description, parameters, handler);
    }

    /** A single tool from a handler and a JSON schema given as text. */
    public static Tools of(String name, String description, String parametersJson, ToolHandler handler) {
        return empty().and(name, description, parametersJson, handler);
    }

    /** This set plus the annotated methods of {@code target}. */
    public Tools and(Object target) {
        Objects.requireNonNull(target, "target");
        return andMethods(target, target.getClass());
    }

    /** This set plus a tool given as a handler with an explicit schema ({@code null} for no arguments). */
    public Tools and(String name, String description, JsonNode parameters, ToolHandler handler) {
        return and(new RegisteredTool(ToolDeclaration.of(name, description, parameters), handler));
    }

    /** This set plus a tool whose schema is given as JSON text. */
    public Tools and(String name, String description, String parametersJson, ToolHandler handler) {
        return and(name, description, JsonSchemaGenerator.parse(MAPPER, parametersJson), handler);
    }

    /** This set plus one tool. @throws IllegalArgumentException if the name is taken or unusable */
    public Tools and(RegisteredTool tool) {
        checkName(tool.name());
        if (tools.containsKey(tool.name())) {
            throw new IllegalArgumentException("tool '" + tool.name() + "' is registered twice");
        }
        Map<String, RegisteredTool> copy = new LinkedHashMap<>(tools);
        copy.put(tool.name(), tool);
        return new Tools(copy);
    }

    /** This set plus all tools of {@code other}. */
    public Tools and(Tools other) {
        Tools result = this;
        for (RegisteredTool t : other.tools.values()) {
            result = result.and(t);
        }
        return result;
    }

    /** The tool named {@code name}, if registered. */
    public Optional<RegisteredTool> get(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    public List<RegisteredTool> list() {
        return List.copyOf(tools.values());
    }

    /** The declarations to put into a {@link org.gemma4j.chat.Chat}. */
    public List<ToolDeclaration> declarations() {
        return tools.values().stream().map(RegisteredTool::declaration).toList();
    }

    public int size() {
        return tools.size();
    }

    public boolean isEmpty() {
        return tools.isEmpty();
    }

    private Tools andMethods(Object target, Class<?> type) {
        Tools result = this;
        Method[] methods = type.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName)); // getMethods has no defined order
        for (Method m : methods) {
            Tool tool = m.getAnnotation(Tool.class);
            if (tool == null) {
                continue;
            }
            boolean isStatic = Modifier.isStatic(m.getModifiers());
            if (target == null && !isStatic) {
                throw new IllegalArgumentException("@Tool method " + m + " is not static; register an instance");
            }
            result = result.and(fromMethod(isStatic ? null : target, m, tool));
        }
        return result;
    }

    private static RegisteredTool fromMethod(Object target, Method m, Tool tool) {
        String name = tool.name().isEmpty() ? m.getName() : tool.name();
        ObjectNode schema = MAPPER.createObjectNode().put("type", "object");
        ObjectNode props = MAPPER.createObjectNode();
        List<String> required = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Parameter p : m.getParameters()) {
            Param param = p.getAnnotation(Param.class);
            String pname = param != null && !param.name().isEmpty() ? param.name() : p.isNamePresent() ? p.getName() : null;
            if (pname == null) {
                throw new IllegalArgumentException("parameter " + p.getName() + " of " + m
                        + " has no name: annotate it with @Param(name = ...) or compile with -parameters");
            }
            names.add(pname);
            ObjectNode ps = MAPPER.createObjectNode();
            if (param != null && !param.value().isEmpty()) {
                ps.put("description", param.value());
            }
            ps.setAll(SCHEMAS.schemaOf(p.getParameterizedType()));
            boolean nullable = JsonSchemaGenerator.isNullable(p) || JsonSchemaGenerator.isNullableType(p.getAnnotatedType());
            if (nullable) {
                ps.put("nullable", true);
            }
            props.set(pname, ps);
            if (!nullable && !JsonSchemaGenerator.isOptionalType(p.getParameterizedType()) && (param == null || !param.optional())) {
                required.add(pname);
            }
        }
        if (!props.isEmpty()) {
            schema.set("properties", props);
        }
        if (!required.isEmpty()) {
            ArrayNode r = schema.putArray("required");
            required.forEach(r::add);
        }
        ToolDeclaration decl = ToolDeclaration.of(name, tool.value(), props.isEmpty() ? null : schema);
        return new RegisteredTool(decl, new MethodToolHandler(target, m, names, MAPPER));
    }

    private static void checkName(String name) {
        if (name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
            throw new IllegalArgumentException("tool name '" + name + "' must be letters, digits, _ . - (not starting with a digit)");
        }
    }

    @Override
    public String toString() {
        return "Tools" + tools.keySet();
    }
}
