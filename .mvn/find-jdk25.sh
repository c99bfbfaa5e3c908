# Sourced by ./mvnw and ./gemma: points JAVA_HOME at a JDK 25 or newer.
# Order: $JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm (or $GEMMA4J_JVM_DIR).
java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
gemma4j_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  best=""; best_v=0
  for d in "${GEMMA4J_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "gemma4j: no JDK 25 or newer found." >&2
    echo "  JAVA_HOME=${JAVA_HOME:-<unset>} is not a JDK 25+, and ${GEMMA4J_JVM_DIR:-/usr/lib/jvm} holds none." >&2
    echo "  Install one (e.g. Temurin 25) or set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME="$best"; export JAVA_HOME
}
gemma4j_find_jdk || exit 1
