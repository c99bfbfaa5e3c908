/** gemma4j tools: Java methods as tools the model can call, an agent loop, and constrained decoding of calls. */
module org.gemma4j.tools {
    requires transitive org.gemma4j.core;
    requires transitive com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports org.gemma4j.tools;
}
