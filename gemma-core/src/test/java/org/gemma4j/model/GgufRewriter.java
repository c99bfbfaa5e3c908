package org.gemma4j.model;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import org.gemma4j.gguf.GgufFile;
import org.gemma4j.gguf.GgufTensorInfo;
import org.gemma4j.gguf.GgufValueType;
import org.gemma4j.gguf.GgufWriter;

/** Test helper: copies a GGUF with edits to its metadata and tensor table, to build broken files on purpose. */
final class GgufRewriter {
    private GgufRewriter() {}

    /**
     * @param metadata returns the value to write for a key (null drops it)
     * @param tensors returns the info to write for a tensor (null drops it; the data is kept, cut or zero-padded to the new size)
     */
    static void rewrite(Path src, Path dst, BiFunction<String, Object, Object> metadata,
            java.util.function.Function<GgufTensorInfo, GgufTensorInfo> tensors) throws IOException {
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(src)) {
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
                Object v = metadata.apply(e.getKey(), e.getValue());
                if (v != null) {
                    put(w, e.getKey(), v);
                }
            }
            for (GgufTensorInfo info : f.tensorInfos()) {
                GgufTensorInfo out = tensors.apply(info);
                if (out == null) {
                    continue;
                }
                byte[] data = f.tensorData(info.name()).toArray(ValueLayout.JAVA_BYTE);
                long size = out.type().bytesFor(out.elementCount());
                w.addTensor(out.name(), out.type(), out.shape(), java.util.Arrays.copyOf(data, (int) size));
            }
        }
        w.write(dst);
    }

    private static void put(GgufWriter w, String key, Object v) {
        switch (v) {
            case String s -> w.putString(key, s);
            case Integer i -> w.putI32(key, i);
            case Long l -> w.put(key, l <= 0xFFFFFFFFL && l >= 0 ? GgufValueType.UINT32 : GgufValueType.INT64, l);
            case Float f -> w.putF32(key, f);
            case Double d -> w.put(key, GgufValueType.FLOAT64, d);
            case Boolean b -> w.putBool(key, b);
            case String[] a -> w.putArray(key, GgufValueType.STRING, a);
            case int[] a -> w.putArray(key, GgufValueType.INT32, a);
            case long[] a -> w.putArray(key, GgufValueType.UINT64, a);
            case float[] a -> w.putArray(key, GgufValueType.FLOAT32, a);
            case boolean[] a -> w.putArray(key, GgufValueType.BOOL, a);
            default -> throw new IllegalArgumentException("cannot rewrite " + key + ": " + v.getClass());
        }
    }
}
