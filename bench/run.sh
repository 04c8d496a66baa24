# Sourced by the benchmark commands: picks a JDK >= 21 and runs a benchmark class of bench/target.
# Extra JVM options for the benchmark's own JVM: BENCH_JAVA_OPTS; for the modelserve head it starts:
# MODELSERVE_JAVA_OPTS (e.g. -XX:StartFlightRecording=filename=head.jfr to profile it).
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$root/bin/jdk.sh"
select_jdk
run_bench() { # run_bench CLASS [-Dkey=value ...]
  local class=$1; shift
  if [ ! -f "$root/bench/target/bench.jar" ] || [ ! -f "$root/cli/target/modelserve-cli.jar" ]; then
    echo "not built yet: run  $root/bin/mvn -B -DskipTests install  first" >&2
    exit 2
  fi
  extra=()
  [ "$(_java_major "$JAVA_HOME/bin/java")" -ge 24 ] && extra+=(--sun-misc-unsafe-memory-access=allow)
  export DJL_OFFLINE=true OPT_OUT_TRACKING=true
  exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} "${extra[@]}" --enable-native-access=ALL-UNNAMED \
    -Dai.djl.offline=true -Dmodelserve.root="$root" "$@" \
    -cp "$root/bench/target/bench.jar:$root/bench/target/lib/*" "io.modelserve.bench.$class"
}
