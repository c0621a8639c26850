#!/usr/bin/env bash
# Ready means ready (issue #13): starts the embedded platform fresh (`./hotswap up`, new data
# directory) N times; the moment the gateway's readiness answers UP it creates a tenant and writes a
# config, as an orchestrator's first client would, and records both answers and their times. A 503
# here means readiness said UP before a write could make the whole trip. Prints one line per start
# and a summary. Loopback only; each start is stopped before the next.
# Usage: load-tests/ready-check.sh [starts, default 10]. Needs a built tree (./hotswap build).
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-10}
port=18180
export HOTSWAP_JWT_SECRET=${HOTSWAP_JWT_SECRET:-ready-check-secret-0123456789-0123456789-abcdef}
export HOTSWAP_GATEWAY_PORT=$port HOTSWAP_VALIDATION_PORT=18181 HOTSWAP_APPROVAL_PORT=18182 HOTSWAP_ROLLOUT_PORT=18183 \
  HOTSWAP_AUDIT_PORT=18184 HOTSWAP_KAFKA_PORT=19192 HOTSWAP_KAFKA_CONTROLLER_PORT=19193 HOTSWAP_DB_PORT=15533
token=$(./hotswap token --role Admin --subject ready-check)
base=http://localhost:$port
ok=0; unavailable=0; other=0
stop() { [ -n "${launcher:-}" ] && kill "$launcher" 2>/dev/null || true; pkill -f "hotswap-standalone.*exec.jar" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT
echo "machine: $(nproc) cores, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'), $starts fresh starts"
for i in $(seq 1 "$starts"); do
  data=$(mktemp -d /tmp/hotswap-ready.XXXXXX)
  t0=$(date +%s%N)
  HOTSWAP_DATA_DIR=$data ./hotswap up > "$data/platform.log" 2>&1 &
  launcher=$!
  until curl -sf "$base/actuator/health/readiness" > /dev/null 2>&1; do
    if ! kill -0 "$launcher" 2>/dev/null; then echo "start $i: the platform exited; see $data/platform.log"; exit 1; fi
    sleep 0.05
  done
  t1=$(date +%s%N)
  tenant="ready-$i"
  create=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -X POST "$base/api/v1/tenants" -d "{\"tenantId\": \"$tenant\", \"tier\": \"Pro\"}")
  write=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -X POST "$base/api/v1/configs" -d "{\"tenantId\": \"$tenant\", \"key\": \"first.write\", \"value\": 1, \"type\": \"Number\"}")
  echo "start $i: readiness UP after $(( (t1 - t0) / 1000000 )) ms; tenant create ${create% *} in ${create#* } s, first config write ${write% *} in ${write#* } s"
  for status in "${create% *}" "${write% *}"; do
    case "$status" in 2??) ok=$((ok + 1)) ;; 503) unavailable=$((unavailable + 1)) ;; *) other=$((other + 1)) ;; esac
  done
  stop
  launcher=
  rm -rf "$data"
done
echo "summary: $starts starts, $((starts * 2)) writes right after readiness: $ok answered 2xx, $unavailable answered 503, $other other"
