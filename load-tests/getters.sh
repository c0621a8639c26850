#!/usr/bin/env bash
# Getter cost for load-tests/RESULTS.md: JMH (SampleTime, per-call percentiles) of the client's
# getters on a 1,000-key snapshot and of cohort evaluation. Goal: p99 under 1 µs.
# Usage: load-tests/getters.sh [JMH options, e.g. -f 1 -wi 3 -i 5]   (needs a built tree: ./hotswap build)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jdk.sh
source load-tests/jdk.sh
exec "$java" -cp "load-tests/target/classes:$(cat load-tests/target/classpath.txt)" org.openjdk.jmh.Main GetterBenchmark "$@"
