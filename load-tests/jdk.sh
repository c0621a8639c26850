# Sourced by the benchmark scripts: sets $java to a JDK >= 21 (JAVA_HOME if it is one, else the
# first under /usr/lib/jvm), as ./hotswap picks one, and prints the machine line RESULTS.md records.
java=""
for d in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$d/bin/java" ] || continue
  v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1 || true)
  if [ "${v:-0}" -ge 21 ] 2>/dev/null; then java="$d/bin/java"; break; fi
done
[ -n "$java" ] || { echo "needs a JDK 21 or newer" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $("$java" -version 2>&1 | head -1)"
