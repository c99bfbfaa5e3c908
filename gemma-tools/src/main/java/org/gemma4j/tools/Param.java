package org.gemma4j.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names and describes a tool parameter (or a record component / field of an argument type). Without it, a parameter
 * is named by the compiler's {@code -parameters} information.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.FIELD})
public @interface Param {
    /** The description shown to the model; empty for none. */
    String value() default "";

    /** The name; empty means the parameter's own name. */
    String name() default "";

    /** Whether the model may leave the argument out (then {@code null} is passed). {@code Optional} parameters are always optional. */
    boolean optional() default false;
}
