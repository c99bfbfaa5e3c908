package org.gemma4j.gguf;

import java.util.Arrays;
import org.gemma4j.tensor.GgmlType;

/**
 * One entry of a GGUF tensor table. Immutable and thread-safe.
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type storage type
 * @param shape GGUF {@code ne}, innermost first
 * @param offset byte offset of the data, relative to the start of the data section
 * @param byteSize bytes of data
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset, long byteSize) {
    public GgufTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of values. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset;
    }
}
