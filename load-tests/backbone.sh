#!/usr/bin/env bash
# Backbone figures for load-tests/RESULTS.md: `./hotswap up` time from start to healthy, resident
# memory of the whole embedded platform idle and after 1,000 writes (10 tenants x 100 writes, 10
# concurrent clients), and the write latency seen by those clients. Bounded: stops by itself.
# Usage: load-tests/backbone.sh   (needs a built tree: ./hotswap build)
set -euo pipefail
cd "$(dirname "$0")/.."
. load-tests/platform.sh
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
machine
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
