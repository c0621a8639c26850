#!/usr/bin/env bash
# Capacity of the production shape (load-tests/RESULTS.md): starts `./hotswap cluster` — each service
# its own JVM, by default two gateways, two validation, two rollout, one approval and one audit, on
# the embedded broker and PostgreSQL — on its own ports and data directory, then runs the same
# open-loop generator as capacity.sh against the first gateway (requests for tenants the other
# gateway owns are forwarded, as they would be behind a load balancer). "platform cores" sums the
# launcher (broker, PostgreSQL) and every service JVM.
# Usage: load-tests/cluster-capacity.sh [capacity.sh's options, e.g. --writes=100,200,400 --reads= --seconds=60]
# Instances: HOTSWAP_CLUSTER; each service JVM's options: HOTSWAP_SERVICE_JAVA_OPTS. Needs a built tree: ./hotswap build
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/hotswap-cluster-bench.XXXXXX)
export HOTSWAP_DATA_DIR=$data HOTSWAP_GATEWAY_PORT=18080 HOTSWAP_VALIDATION_PORT=18081 HOTSWAP_APPROVAL_PORT=18082 \
  HOTSWAP_ROLLOUT_PORT=18083 HOTSWAP_AUDIT_PORT=18084 HOTSWAP_KAFKA_PORT=19092 HOTSWAP_KAFKA_CONTROLLER_PORT=19093 HOTSWAP_DB_PORT=15433
# the services get compose's environment only (HOTSWAP_* is theirs): the benchmark lifts the per-tenant
# limits through Spring's own variable, which they inherit
export SPRING_APPLICATION_JSON='{"hotswap":{"rate-limits":{"defaults":{"writes-per-minute":100000000,"reads-per-minute":100000000}}}}'
t0=$(date +%s)
./hotswap cluster > "$data/cluster.log" 2>&1 &
launcher=$!
cleanup() { kill "$launcher" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
gateways=$(echo "${HOTSWAP_CLUSTER:-gateway=2}" | sed -n 's/.*gateway=\([0-9]\).*/\1/p'); gateways=${gateways:-1}
for _ in $(seq 1 600); do
  ready=0
  for i in $(seq 0 $((gateways - 1))); do
    if curl -sf "http://localhost:$((18080 + 10 * i))/actuator/health/readiness" > /dev/null 2>&1; then ready=$((ready + 1)); fi
  done
  if [ "$ready" = "$gateways" ] && grep -q "is up" "$data/cluster.log"; then break; fi
  sleep 0.5
done
echo "cluster ready in $(( $(date +%s) - t0 )) s: $(grep -m1 'is up' "$data/cluster.log" | sed 's/.*: //')"
pids=$( (echo "$launcher"; pgrep -f "hotswap-[a-z]*-.*-exec.jar" | grep -v "^$launcher\$" || true; pgrep -f "hotswap-standalone.*exec.jar" || true) | sort -u | paste -sd,)
token=$(./hotswap token --role Admin --subject bench)
pid=$(pgrep -f "hotswap-standalone.*exec.jar" | head -1)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), java $("$(readlink -f "/proc/$pid/exe")" -version 2>&1 | head -1)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'), cluster ${HOTSWAP_CLUSTER:-gateway=2,validation=2,rollout=2}, service JVMs: ${HOTSWAP_SERVICE_JAVA_OPTS:-default}"
java=$(readlink -f "/proc/$pid/exe")
"$java" -Xmx2g -cp "load-tests/target/classes:$(cat load-tests/target/classpath.txt)" io.hotswap.loadtests.Capacity \
  --url=http://localhost:18080 --bootstrap=localhost:19092 --token="$token" --platform-pid="$pids" \
  --db="jdbc:postgresql://localhost:15433/hotswap" --db-user=postgres --db-password=postgres "$@"
