#!/usr/bin/env bash
# Plugin costs for load-tests/RESULTS.md: load time of a signed 1 MB plugin (verify + load + start,
# then unload; warm-up reported apart) and the per-call overhead of the plugin boundary (JMH,
# SampleTime). Goals: load p99 < 50 ms (the seed asks < 200 ms).
# Usage: load-tests/plugins.sh [--rounds=1000 --warmup=200 --bytes=1048576] (needs a built tree: ./hotswap build)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jdk.sh
source load-tests/jdk.sh
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
cp="load-tests/target/classes:$(cat load-tests/target/classpath.txt)"
"$java" -Xmx512m -cp "$cp" io.hotswap.loadtests.PluginLoad "$@"
"$java" -cp "$cp" org.openjdk.jmh.Main PluginCallBenchmark -f 1 -wi 3 -i 5
