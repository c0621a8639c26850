# Sourced by the load-test scripts: starts the embedded platform (`./hotswap up`) on its own ports and
# data directory, waits until it is healthy, and stops it on exit. Sets: data, base, bootstrap,
# launcher, pid, t0 (start, ns), t1 (healthy, ns), token (Admin), auth.
data=$(mktemp -d /tmp/hotswap-bench.XXXXXX)
port=18080
# the benchmarks measure the pipeline, not the per-tenant write limit (100/min by default)
export HOTSWAP_RATE_LIMITS_DEFAULTS_WRITES_PER_MINUTE=100000000
export HOTSWAP_DATA_DIR=$data HOTSWAP_GATEWAY_PORT=$port HOTSWAP_VALIDATION_PORT=18081 HOTSWAP_APPROVAL_PORT=18082 \
  HOTSWAP_ROLLOUT_PORT=18083 HOTSWAP_AUDIT_PORT=18084 HOTSWAP_KAFKA_PORT=19092 HOTSWAP_KAFKA_CONTROLLER_PORT=19093 HOTSWAP_DB_PORT=15433
base=http://localhost:$port
bootstrap=localhost:19092
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
machine() { echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), java $("$(readlink -f "/proc/$pid/exe")" -version 2>&1 | head -1)"; }
