#!/usr/bin/env bash
# Capacity, open loop (load-tests/RESULTS.md): starts the embedded platform (`./hotswap up`) on its
# own ports, then from another JVM offers fixed rates of writes (new keys over 50 tenants) and reads
# (100 keys), each step a warm-up (reported apart) and a measured period, with push latency to 50
# clients measured idle and during every write step and the audit sink's lag read from PostgreSQL.
# Prints a line per step; writes load-tests/results/capacity-<time>.csv and .html (the curves).
# Traffic goes to loopback only; bounded: every step ends by itself, escalation stops at the first
# step the platform does not hold.
# Usage: load-tests/capacity.sh [--writes=250,500,1000,2000,5000] [--reads=1000,2000,5000,10000,20000]
#          [--seconds=60] [--warmup=15] [--settle=180: writes, then reads, at the first steps' rates, unmeasured]
#          [--tenants=50] [--push-clients=50] [--write-connections=N] [--read-connections=N] [--read-loop=threads] [--write-loop=threads: reads or writes on a thread per connection, as before]
#          [--batch=N: each write request a POST /api/v1/configs:batch of N new keys; rates stay requests/s]
#          [--idempotency-keys=false: writes without an Idempotency-Key, one-off like the CLI's]
# Platform JVM options: HOTSWAP_JAVA_OPTS (default as ./hotswap up). Needs a built tree: ./hotswap build
set -euo pipefail
cd "$(dirname "$0")/.."
export HOTSWAP_RATE_LIMITS_DEFAULTS_READS_PER_MINUTE=100000000
. load-tests/platform.sh
machine
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'), platform options: ${HOTSWAP_JAVA_OPTS:-default}"
java=$(readlink -f "/proc/$pid/exe")
"$java" -Xmx2g -cp "load-tests/target/classes:$(cat load-tests/target/classpath.txt)" io.hotswap.loadtests.Capacity \
  --url="$base" --bootstrap="$bootstrap" --token="$token" --platform-pid="$pid" \
  --db="jdbc:postgresql://localhost:15433/hotswap" --db-user=postgres --db-password=postgres "$@"
