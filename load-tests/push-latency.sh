#!/usr/bin/env bash
# Push latency for load-tests/RESULTS.md: starts the embedded platform, then in another JVM sends
# N writes through the REST gateway one at a time and times each from the HTTP request to the
# listener call in 1 and in 50 HotSwap clients; also one raw Kafka produce->consume hop as the
# physical reference. Bounded: stops by itself.
# Usage: load-tests/push-latency.sh [writes=200] [clients=50] [warm-up writes=200, reported separately]
#   HOTSWAP_COMMIT_INTERVAL_MS=100 HOTSWAP_POLL_MS=100 HOTSWAP_RETRY_BACKOFF_MS=100 load-tests/push-latency.sh
#   compares other Streams settings (Kafka's defaults here)
# Needs a built tree: ./hotswap build
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${HOTSWAP_COMMIT_INTERVAL_MS:-}" ]; then export SPRING_KAFKA_STREAMS_PROPERTIES_COMMIT_INTERVAL_MS=$HOTSWAP_COMMIT_INTERVAL_MS; fi
if [ -n "${HOTSWAP_POLL_MS:-}" ]; then export SPRING_KAFKA_STREAMS_PROPERTIES_POLL_MS=$HOTSWAP_POLL_MS; fi
if [ -n "${HOTSWAP_RETRY_BACKOFF_MS:-}" ]; then export SPRING_KAFKA_STREAMS_PROPERTIES_PRODUCER_RETRY_BACKOFF_MS=$HOTSWAP_RETRY_BACKOFF_MS; fi
. load-tests/platform.sh
machine
echo "exactly-once commit interval: ${HOTSWAP_COMMIT_INTERVAL_MS:-default (StreamsDefaults)} ms, stream poll: ${HOTSWAP_POLL_MS:-default (StreamsDefaults)} ms, producer retry back-off: ${HOTSWAP_RETRY_BACKOFF_MS:-default (StreamsDefaults)} ms"
java=$(readlink -f "/proc/$pid/exe")
"$java" -cp "load-tests/target/classes:$(cat load-tests/target/classpath.txt)" io.hotswap.loadtests.PushLatency \
  "$base" "$bootstrap" "$token" "${1:-200}" "${2:-50}" "${3:-200}"
