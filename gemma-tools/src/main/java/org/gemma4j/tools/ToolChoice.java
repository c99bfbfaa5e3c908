package org.gemma4j.tools;

import java.util.Objects;

/**
 * Whether and which tool the model must call in the first round of an agent run. Later rounds are always
 * {@link #AUTO}, so that the model can answer once it has the results. Immutable and thread-safe.
 *
 * @param mode the kind of choice
 * @param toolName for {@link Mode#NAMED}: the tool that must be called; otherwise {@code null}
 */
public record ToolChoice(Mode mode, String toolName) {
    /** The kinds of tool choice. */
    public enum Mode {
        /** The model decides; once it opens a call, the call is constrained to be valid. */
        AUTO,
        /** The model must start its answer with a call of some registered tool. */
        REQUIRED,
        /** The model must not call tools. */
        NONE,
        /** The model must call one particular tool. */
        NAMED
    }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);

    public ToolChoice {
        Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.NAMED) != (toolName != null)) {
            throw new IllegalArgumentException("a tool name goes with NAMED, and only with NAMED");
        }
    }

    /** The model must call {@code name}. */
    public static ToolChoice named(String name) {
        return new ToolChoice(Mode.NAMED, Objects.requireNonNull(name, "name"));
    }

    /** Whether the first output must be a call. */
    public boolean forcesCall() {
        return mode == Mode.REQUIRED || mode == Mode.NAMED;
    }
}
