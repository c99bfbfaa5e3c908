package org.gemma4j.chat;

import java.util.Objects;

/**
 * The role of a chat message, as the OpenAI-style name the template compares against.
 *
 * <p>A record rather than an enum because the template prints any unknown role as-is
 * ({@code <|turn>critic}), so the set of roles is open. The template renames only {@code assistant}
 * (to {@code model}).
 *
 * @param name the role name, e.g. {@code user}
 */
public record Role(String name) {
    public static final Role SYSTEM = new Role("system");
    public static final Role DEVELOPER = new Role("developer");
    public static final Role USER = new Role("user");
    public static final Role ASSISTANT = new Role("assistant");
    public static final Role TOOL = new Role("tool");

    public Role {
        Objects.requireNonNull(name, "name");
    }

    public static Role of(String name) {
        return new Role(name);
    }

    /** Whether this is a {@code system} or {@code developer} role (both can open the system turn). */
    public boolean isSystemLike() {
        return equals(SYSTEM) || equals(DEVELOPER);
    }

    /** The name printed after {@code <|turn>}: {@code model} for the assistant, else the name itself. */
    public String turnName() {
        return equals(ASSISTANT) ? "model" : name;
    }

    @Override
    public String toString() {
        return name;
    }
}
