package org.gemma4j.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method as a tool the model may call. Register the object (or class, for static methods) with
 * {@link Tools#from(Object)}; only the annotated methods become tools.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Tool {
    /** What the tool does, shown to the model. */
    String value();

    /** The tool's name; empty means the method name. */
    String name() default "";
}
