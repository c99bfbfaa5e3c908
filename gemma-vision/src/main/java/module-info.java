/** gemma4j vision and audio: image and audio encoders and their preprocessing. */
module org.gemma4j.vision {
    requires transitive org.gemma4j.core;
    requires org.slf4j;
}
