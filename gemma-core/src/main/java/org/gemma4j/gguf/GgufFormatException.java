package org.gemma4j.gguf;

import java.io.IOException;
import java.nio.file.Path;

/** A GGUF file is malformed, truncated, or not what the caller needs; the message names file, key or tensor. */
public final class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public GgufFormatException(Path file, String message) {
        super(file + ": " + message);
    }
}
