package org.gemma4j.chat;

/**
 * A conversation the official template refuses to render, or a request that cannot be read.
 *
 * <p>{@link #errorType()} names the error the jinja2 template raises for the same input
 * ({@code TemplateError} for its own {@code raise_exception}, {@code UndefinedError} where jinja2 fails
 * on a missing attribute), so that {@code errorType() + ": " + getMessage()} reads like the
 * reference error.
 */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorType;

    public ChatTemplateException(String errorType, String message) {
        super(message);
        this.errorType = errorType;
    }

    /** The reference error type, e.g. {@code TemplateError}. */
    public String errorType() {
        return errorType;
    }

    /** {@code "<errorType>: <message>"}. */
    public String describe() {
        return errorType + ": " + getMessage();
    }
}
