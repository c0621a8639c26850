#!/usr/bin/env bash
# Backbone figures for load-tests/RESULTS.md: `./hotswap up` time from start to healthy, resident
# memory of the whole embedded platform idle and after 1,000 writes (10 tenants x 100 writes, 10
# concurrent clients), and the write latency seen by those clients. Bounded: stops by itself.
# Usage: load-tests/backbone.sh   (needs a built tree: ./hotswap build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/hotswap-bench.XXXXXX)
port=18080
# the benchmark measures the pipeline, not the per-tenant write limit (100/min by default)
export HOTSWAP_RATE_LIMITS_DEFAULTS_WRITES_PER_MINUTE=1000000
export HOTSWAP_DATA_DIR=$data HOTSWAP_GATEWAY_PORT=$port HOTSWAP_VALIDATION_PORT=18081 HOTSWAP_APPROVAL_PORT=18082 \
  HOTSWAP_ROLLOUT_PORT=18083 HOTSWAP_AUDIT_PORT=18084 HOTSWAP_KAFKA_PORT=19092 HOTSWAP_KAFKA_CONTROLLER_PORT=19093 HOTSWAP_DB_PORT=15433
base=http://localhost:$port
t0=$(date +%s%N)
./hotswap up > "$data/platform.log" 2>&1 &
launcher=$!
cleanup() { kill "$launcher" 2>/dev/null || true; pkill -f "hotswap-standalone.*exec.jar" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  if curl -sf "$base/actuator/health/readiness" > /dev/null 2>&1 && grep -q "HotSwap is up" "$data/platform.log"; then break; fi
  sleep 0.25
done
t1=$(date +%s%N)
pid=$(pgrep -f "hotswap-standalone.*exec.jar" | head -1)
token=$(./hotswap token --role Admin --subject bench)
export auth="Authorization: Bearer $token"
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), java $(java_v=$(readlink -f /proc/$pid/exe); "$java_v" -version 2>&1 | head -1)"
echo "startup to healthy: $(( (t1 - t0) / 1000000 )) ms ($(grep -o 'HotSwap is up in [0-9]* ms' "$data/platform.log"))"
sleep 5
echo "resident memory idle: $(rss) MB"
for t in $(seq 0 9); do
  curl -sf -o /dev/null -X POST "$base/api/v1/tenants" -H "$auth" -H 'Content-Type: application/json' -d "{\"tenantId\":\"bench-$t\",\"tier\":\"Enterprise\"}"
done
write() { # tenant index, key index
  local s; s=$(date +%s%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/configs" -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"tenantId\":\"bench-$1\",\"key\":\"bench.key$2\",\"value\":$2,\"type\":\"Number\"}")
  echo "$code $(( ($(date +%s%N) - s) / 1000000 ))"
}
export -f write; export base
w0=$(date +%s%N)
for t in $(seq 0 9); do for k in $(seq 1 100); do echo "$t $k"; done; done | xargs -P 10 -n 2 bash -c 'write "$0" "$1"' > "$data/writes.txt"
w1=$(date +%s%N)
ok=$(awk '$1 == 201' "$data/writes.txt" | wc -l)
echo "1,000 writes: $ok answered 201 in $(( (w1 - w0) / 1000000 )) ms ($(awk -v n=1000 -v ms=$(( (w1 - w0) / 1000000 )) 'BEGIN {printf "%.0f", n * 1000 / ms}') writes/s, 10 concurrent clients)"
sort -n -k2 "$data/writes.txt" | awk '{a[NR]=$2} END {printf "write latency ms: p50 %d, p95 %d, p99 %d, max %d\n", a[int(NR*0.5)], a[int(NR*0.95)], a[int(NR*0.99)], a[NR]}'
echo "resident memory after 1,000 writes: $(rss) MB"
