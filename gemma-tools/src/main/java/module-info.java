/** gemma4j tools: Java methods as tools the model can call. */
module org.gemma4j.tools {
    requires transitive org.gemma4j.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
}
