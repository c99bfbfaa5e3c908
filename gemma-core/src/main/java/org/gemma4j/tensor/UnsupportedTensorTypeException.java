package org.gemma4j.tensor;

/** A tensor's storage type is known to ggml but not implemented by gemma4j. */
public final class UnsupportedTensorTypeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedTensorTypeException(String tensor, GgmlType type) {
        super("tensor " + tensor + ": storage type " + type + " is not supported by gemma4j");
    }
}
