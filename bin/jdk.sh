# Sourced by bin/* and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: JAVA_HOME if it is new enough, then the java on PATH, then /usr/lib/jvm/*.
_java_major() { # _java_major JAVA_BIN -> major version number, or nothing
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
_jdk_ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(_java_major "$1/bin/java")" -ge 21 ] 2>/dev/null; }
select_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && _jdk_ok "$JAVA_HOME"; then :
  elif command -v javac >/dev/null 2>&1 && _jdk_ok "$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  else
    local found=""
    for j in /usr/lib/jvm/*; do
      if _jdk_ok "$j"; then found=$j; fi
    done
    if [ -z "$found" ]; then
      echo "modelserve needs a JDK >= 21; none found in JAVA_HOME, on PATH or under /usr/lib/jvm. Install one (e.g. apt install openjdk-21-jdk) or set JAVA_HOME." >&2
      return 1
    fi
    JAVA_HOME=$found
  fi
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
}
