/** Runnable gemma4j programs, including the {@code gemma} command-line tool. */
module org.gemma4j.examples {
    requires org.gemma4j.core;
    requires org.gemma4j.tokenizer;
    requires org.gemma4j.vision;
    requires org.gemma4j.tools;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires jdk.management; // gemma bench: heap allocated per token (com.sun.management.ThreadMXBean)

    // The tools demo registers an annotated method; the tools module invokes it reflectively
    // and Jackson converts its arguments.
    opens org.gemma4j.examples to org.gemma4j.tools, com.fasterxml.jackson.databind;
}
