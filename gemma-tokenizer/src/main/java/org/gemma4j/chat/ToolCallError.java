package org.gemma4j.chat;

/** Why a function call written by the model could not be read. */
public enum ToolCallError {
    /** The call body does not start with {@code call:}. */
    MISSING_CALL_PREFIX("missing_call_prefix"),
    /** The call body has no {@code {} opening the arguments. */
    MISSING_ARGUMENTS("missing_arguments"),
    /** Nothing between {@code call:} and the arguments. */
    MISSING_NAME("missing_name"),
    /** The arguments are not one Gemma-syntax object, even after the repairs. */
    INVALID_ARGUMENTS("invalid_arguments");

    private final String code;

    ToolCallError(String code) {
        this.code = code;
    }

    /** The error code as reported in {@code invalid_tool_calls[].error}, e.g. {@code invalid_arguments}. */
    public String code() {
        return code;
    }
}
