#!/usr/bin/env bash
# Getter cost for load-tests/RESULTS.md: JMH (SampleTime, per-call percentiles) of the client's
# getters on a 1,000-key snapshot and of cohort evaluation. Goal: p99 under 1 µs.
# Usage: load-tests/getters.sh [JMH options, e.g. -f 1 -wi 3 -i 5]   (needs a built tree: ./hotswap build)
set -euo pipefail
cd "$(dirname "$0")/.."
java=""
for d in ${JAVA_HOME:-} /usr/lib/jvm/*; do  # a JDK >= 21, as ./hotswap picks one
  [ -x "$d/bin/java" ] || continue
  v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1 || true)
  if [ "${v:-0}" -ge 21 ] 2>/dev/null; then java="$d/bin/java"; break; fi
done
[ -n "$java" ] || { echo "needs a JDK 21 or newer" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $("$java" -version 2>&1 | head -1)"
exec "$java" -cp "load-tests/target/classes:$(cat load-tests/target/classpath.txt)" org.openjdk.jmh.Main GetterBenchmark "$@"
