#!/usr/bin/env bash
# A real Prometheus scrapes the running platform: starts the embedded platform (./hotswap up, on
# its own ports and data directory: load-tests/platform.sh), then Debian's prometheus (installed
# when missing) with a scrape job like docker/prometheus.yml's — a Viewer token, all five services
# — writes a tenant and a key through the REST API, and asks Prometheus's query API until it
# answers with the seeds' metrics for them: every service up, tenants_active >= 1 (the gateway's
# stores) and configs_creations_total >= 1 (counted by the audit service from the trail).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=debian-package.sh
source scripts/debian-package.sh
needs_command prometheus prometheus "a real Prometheus to scrape the platform"
# shellcheck source=../load-tests/platform.sh
source load-tests/platform.sh
prom_dir="$data/prometheus"
mkdir -p "$prom_dir"
./hotswap token --role Viewer --subject prometheus > "$prom_dir/token"
cat > "$prom_dir/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
scrape_configs:
  - job_name: hotswap
    metrics_path: /actuator/prometheus
    authorization: { type: Bearer, credentials_file: token }
    static_configs:
      - targets: ["localhost:18080", "localhost:18081", "localhost:18082", "localhost:18083", "localhost:18084"]
YAML
prometheus --config.file="$prom_dir/prometheus.yml" --storage.tsdb.path="$prom_dir/tsdb" \
  --web.listen-address=127.0.0.1:19090 > "$prom_dir/prometheus.log" 2>&1 &
prom=$!
trap 'kill $prom 2>/dev/null || true; cleanup' EXIT
curl -sf -H "$auth" -H 'Content-Type: application/json' -X POST "$base/api/v1/tenants" -d '{"tenantId": "prom-check", "tier": "Pro"}' > /dev/null
curl -sf -H "$auth" -H 'Content-Type: application/json' -X POST "$base/api/v1/configs" \
  -d '{"tenantId": "prom-check", "key": "feature.scraped", "value": true, "type": "Boolean"}' > /dev/null
query() { curl -sf --data-urlencode "query=$1" http://127.0.0.1:19090/api/v1/query | sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p'; }
for _ in $(seq 1 120); do
  up=$(query 'count(up{job="hotswap"} == 1)' || true)
  tenants=$(query 'max(tenants_active)' || true)
  created=$(query 'sum(configs_creations_total)' || true)
  if [ "${up:-0}" = "5" ] && [ "${tenants:-0}" != "0" ] && [ -n "$tenants" ] && [ "${created:-0}" != "0" ] && [ -n "$created" ]; then
    echo "Prometheus scraped the platform: services up $up, max(tenants_active) $tenants, sum(configs_creations_total) $created"
    exit 0
  fi
  sleep 1
done
echo "Prometheus did not get the platform's metrics: services up '${up:-}', max(tenants_active) '${tenants:-}', sum(configs_creations_total) '${created:-}'"
tail -20 "$prom_dir/prometheus.log"
exit 1
