package org.gemma4j.tools;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Derives a JSON schema from a Java type, with Jackson's type model: {@code boolean}, integral types → {@code
 * integer}, floating types → {@code number}, {@code String}/{@code char} → {@code string}, enums → {@code string}
 * with {@code enum}, collections and arrays → {@code array} with {@code items}, {@code Map<String,V>} → {@code object}
 * with {@code additionalProperties}, records and beans → {@code object} with {@code properties} and {@code required},
 * {@code Optional<T>} → the schema of {@code T}, not required, {@code JsonNode}/{@code Object} → {@code {}} (any).
 *
 * <p>A component or property is optional when its type is {@code Optional}, when it carries an annotation named
 * {@code Nullable}, or {@code @Param(optional = true)}; nullable ones also get {@code nullable: true}.
 *
 * <p>Thread safety: stateless apart from an internal Jackson mapper; safe to use from any thread.
 */
public final class JsonSchemaGenerator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 16;

    private final ObjectMapper mapper;

    public JsonSchemaGenerator() {
        this(new ObjectMapper());
    }

    public JsonSchemaGenerator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The schema of {@code type}. @throws IllegalArgumentException for recursive or unsupported types */
    public ObjectNode schemaOf(Type type) {
        return schema(mapper.constructType(type), new HashSet<>(), 0);
    }

    /** Whether values of {@code type} may be left out of an object: {@code Optional} types. */
    static boolean isOptionalType(Type type) {
        return type instanceof Class<?> c ? c == Optional.class
                : type instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == Optional.class;
    }

    /** Whether an element carries an annotation whose simple name is {@code Nullable} (any library's). */
    static boolean isNullable(AnnotatedElement e) {
        for (Annotation a : e.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }

    /** Whether an element carries a type-use annotation named Nullable on its type. */
    static boolean isNullableType(java.lang.reflect.AnnotatedType t) {
        for (Annotation a : t.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    private ObjectNode schema(JavaType t, Set<Class<?>> inProgress, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("type nested too deeply for a schema: " + t);
        }
        Class<?> raw = t.getRawClass();
        ObjectNode s = JSON.objectNode();
        if (raw == Optional.class) {
            return schema(t.containedTypeOrUnknown(0), inProgress, depth + 1);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return s.put("type", "boolean");
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class || raw == short.class
                || raw == Short.class || raw == byte.class || raw == Byte.class || raw == BigInteger.class) {
            return s.put("type", "integer");
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class
                || raw == BigDecimal.class) {
            return s.put("type", "number");
        }
        if (raw == String.class || raw == char.class || raw == Character.class || CharSequence.class.isAssignableFrom(raw)) {
            return s.put("type", "string");
        }
        if (raw.isEnum()) {
            s.put("type", "string");
            ArrayNode values = s.putArray("enum");
            for (Object constant : raw.getEnumConstants()) {
                values.add(((Enum<?>) constant).name());
            }
            return s;
        }
        if (t.isArrayType() || t.isCollectionLikeType()) {
            s.put("type", "array");
            s.set("items", schema(t.getContentType(), inProgress, depth + 1));
            return s;
        }
        if (t.isMapLikeType()) {
            Class<?> key = t.getKeyType().getRawClass();
            if (key != String.class && key != Object.class && !key.isEnum()) {
                throw new IllegalArgumentException("map keys must be strings in a JSON schema: " + t);
            }
            s.put("type", "object");
            ObjectNode values = schema(t.getContentType(), inProgress, depth + 1);
            if (!values.isEmpty()) {
                s.set("additionalProperties", values);
            }
            return s;
        }
        if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
            return s; // any value
        }
        if (raw.isPrimitive() || raw.getName().startsWith("java.")) {
            throw new IllegalArgumentException("no JSON schema for " + raw.getName());
        }
        if (!inProgress.add(raw)) {
            throw new IllegalArgumentException("recursive type " + raw.getName() + " has no finite JSON schema");
        }
        try {
            return raw.isRecord() ? recordSchema(raw, inProgress, depth) : beanSchema(t, inProgress, depth);
        } finally {
            inProgress.remove(raw);
        }
    }

    private ObjectNode recordSchema(Class<?> raw, Set<Class<?>> inProgress, int depth) {
        ObjectNode s = JSON.objectNode().put("type", "object");
        ObjectNode props = s.putObject("properties");
        List<String> required = new ArrayList<>();
        for (RecordComponent c : raw.getRecordComponents()) {
            Param p = c.getAnnotation(Param.class);
            String name = p != null && !p.name().isEmpty() ? p.name() : c.getName();
            ObjectNode ps = schema(mapper.constructType(c.getGenericType()), inProgress, depth + 1);
            boolean nullable = isNullable(c) || isNullableType(c.getAnnotatedType());
            addProperty(props, name, ps, p, nullable);
            if (!nullable && !isOptionalType(c.getGenericType()) && (p == null || !p.optional())) {
                required.add(name);
            }
        }
        return finishObject(s, required);
    }

    private ObjectNode beanSchema(JavaType t, Set<Class<?>> inProgress, int depth) {
        BeanDescription bean = mapper.getDeserializationConfig().introspect(t);
        ObjectNode s = JSON.objectNode().put("type", "object");
        ObjectNode props = s.putObject("properties");
        List<String> required = new ArrayList<>();
        for (BeanPropertyDefinition def : bean.findProperties()) {
            if (!def.couldDeserialize()) {
                continue;
            }
            AnnotatedMember m = def.getPrimaryMember();
            Param p = m == null ? null : m.getAnnotation(Param.class);
            ObjectNode ps = schema(def.getPrimaryType(), inProgress, depth + 1);
            boolean nullable = m != null && m.getAnnotated() instanceof AnnotatedElement e && isNullable(e);
            addProperty(props, def.getName(), ps, p, nullable);
            boolean primitive = def.getPrimaryType().isPrimitive();
            if (!nullable && !def.getPrimaryType().hasRawClass(Optional.class) && (p == null || !p.optional())
                    && (primitive || def.isRequired() || p != null)) {
                required.add(def.getName());
            }
        }
        return finishObject(s, required);
    }

    private static void addProperty(ObjectNode props, String name, ObjectNode schema, Param p, boolean nullable) {
        ObjectNode out = JSON.objectNode();
        if (p != null && !p.value().isEmpty()) {
            out.put("description", p.value());
        }
        out.setAll(schema);
        if (nullable) {
            out.put("nullable", true);
        }
        props.set(name, out);
    }

    private static ObjectNode finishObject(ObjectNode s, List<String> required) {
        if (!required.isEmpty()) {
            ArrayNode r = s.putArray("required");
            required.forEach(r::add);
        }
        return s;
    }

    /** Reads a schema given as JSON text. */
    static ObjectNode parse(ObjectMapper mapper, String json) {
        try {
            return (ObjectNode) mapper.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a JSON schema object: " + e.getMessage(), e);
        }
    }
}
