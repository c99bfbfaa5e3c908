package org.gemma4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonSchemaGeneratorTest {
    private final JsonSchemaGenerator gen = new JsonSchemaGenerator();
    private final ObjectMapper mapper = new ObjectMapper();

    enum Color { RED, GREEN }

    @Retention(RetentionPolicy.RUNTIME)
    @interface Nullable {}

    record Point(int x, @Param("vertical") double y) {}

    record Shape(String name, List<Point> points, Optional<Color> color, @Nullable String note,
            @Param(optional = true) Integer layer) {}

    record Node(String id, Node next) {}

    public static class Bean {
        private String title;
        private int pages;

        public String getTitle() { return title; }
        public void setTitle(String title) { this.title = title; }
        public int getPages() { return pages; }
        public void setPages(int pages) { this.pages = pages; }
    }

    private void check(Type t, String expected) throws Exception {
        assertEquals(mapper.readTree(expected), gen.schemaOf(t), t.getTypeName());
    }

    private static Type typeOf(String field) throws Exception {
        return Holder.class.getDeclaredField(field).getGenericType();
    }

    @SuppressWarnings("unused")
    private static final class Holder {
        List<String> list;
        Set<Integer> set;
        long[] longs;
        Map<String, Double> map;
        Map<String, Object> anyMap;
        Optional<Boolean> optional;
        JsonNode json;
    }

    @Test
    void primitivesAndBoxes() throws Exception {
        check(int.class, "{\"type\":\"integer\"}");
        check(Long.class, "{\"type\":\"integer\"}");
        check(short.class, "{\"type\":\"integer\"}");
        check(java.math.BigInteger.class, "{\"type\":\"integer\"}");
        check(double.class, "{\"type\":\"number\"}");
        check(Float.class, "{\"type\":\"number\"}");
        check(boolean.class, "{\"type\":\"boolean\"}");
        check(Boolean.class, "{\"type\":\"boolean\"}");
        check(String.class, "{\"type\":\"string\"}");
        check(char.class, "{\"type\":\"string\"}");
    }

    @Test
    void enums() throws Exception {
        check(Color.class, "{\"type\":\"string\",\"enum\":[\"RED\",\"GREEN\"]}");
    }

    @Test
    void collectionsAndArrays() throws Exception {
        check(typeOf("list"), "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
        check(typeOf("set"), "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}");
        check(typeOf("longs"), "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}");
        check(String[].class, "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
    }

    @Test
    void maps() throws Exception {
        check(typeOf("map"), "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"}}");
        check(typeOf("anyMap"), "{\"type\":\"object\"}");
    }

    @Test
    void optionalAndAny() throws Exception {
        check(typeOf("optional"), "{\"type\":\"boolean\"}");
        assertEquals(true, JsonSchemaGenerator.isOptionalType(typeOf("optional")));
        check(typeOf("json"), "{}");
        check(Object.class, "{}");
    }

    @Test
    void records() throws Exception {
        check(Point.class, """
                {"type":"object","properties":{"x":{"type":"integer"},"y":{"description":"vertical","type":"number"}},
                 "required":["x","y"]}""");
        check(Shape.class, """
                {"type":"object","properties":{
                  "name":{"type":"string"},
                  "points":{"type":"array","items":{"type":"object","properties":{"x":{"type":"integer"},
                            "y":{"description":"vertical","type":"number"}},"required":["x","y"]}},
                  "color":{"type":"string","enum":["RED","GREEN"]},
                  "note":{"type":"string","nullable":true},
                  "layer":{"type":"integer"}},
                 "required":["name","points"]}""");
    }

    @Test
    void beans() throws Exception {
        check(Bean.class, """
                {"type":"object","properties":{"title":{"type":"string"},"pages":{"type":"integer"}},"required":["pages"]}""");
    }

    @Test
    void recursiveTypesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> gen.schemaOf(Node.class));
    }
}
