package org.gemma4j.tools;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;

/**
 * Calls one registered Java method: converts each argument with Jackson to the parameter's type, invokes, and
 * converts the return value to JSON. Thread-safe if the target method is.
 */
final class MethodToolHandler implements ToolHandler {
    private final Object target;
    private final Method method;
    private final List<String> names;
    private final ObjectMapper mapper;

    MethodToolHandler(Object target, Method method, List<String> names, ObjectMapper mapper) {
        this.target = target;
        this.method = method;
        this.names = List.copyOf(names);
        this.mapper = mapper;
    }

    @Override
    public JsonNode invoke(ObjectNode arguments) throws Exception {
        Parameter[] params = method.getParameters();
        Object[] values = new Object[params.length];
        for (int i = 0; i < params.length; i++) {
            JsonNode arg = arguments.get(names.get(i));
            values[i] = convert(arg, params[i].getParameterizedType(), params[i].getType());
        }
        Object result;
        try {
            result = method.invoke(target, values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
        if (method.getReturnType() == void.class) {
            return mapper.getNodeFactory().textNode("done");
        }
        return mapper.valueToTree(result);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }

    private Object convert(JsonNode arg, Type generic, Class<?> raw) {
        if (raw == Optional.class) {
            Type inner = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            return arg == null || arg.isNull() ? Optional.empty() : Optional.of(convert(arg, inner, mapper.constructType(inner).getRawClass()));
        }
        if (arg == null || arg.isNull()) {
            if (raw.isPrimitive()) {
                throw new IllegalArgumentException("missing value for a primitive parameter");
            }
            return null;
        }
        if (raw.isEnum() && arg.isTextual()) {
            // Without Jackson: works even when the enum's package is not open to Jackson.
            return enumConstant(raw, arg.asText());
        }
        JavaType type = mapper.constructType(generic);
        return mapper.convertValue(arg, type);
    }
}
