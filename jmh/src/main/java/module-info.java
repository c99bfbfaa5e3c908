/** JMH benchmarks of gemma4j kernels and decoder steps (run from benchmarks.jar on the class path). */
module org.gemma4j.jmh {
    requires org.gemma4j.core;
    requires org.gemma4j.tools;
    requires jmh.core;
    requires jdk.incubator.vector;

    exports org.gemma4j.jmh;
}
