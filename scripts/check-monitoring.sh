#!/usr/bin/env bash
# Checks the monitoring that docker-compose ships with the tool Prometheus itself uses: the scrape
# configuration and alert rules load (`promtool check config`), and the rules fire — and stay
# quiet — as their unit tests say (`promtool test rules docker/alerts.test.yml`). Installs Debian's
# prometheus package (for promtool) when missing. That the rules' metrics exist is
# GatewaySurfaceIT's to show (it scrapes the running services).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=debian-package.sh
source scripts/debian-package.sh
needs_command promtool prometheus "for promtool"
# the configuration as compose mounts it: beside its rules and the scrape token (a stand-in here)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp docker/prometheus.yml docker/alerts.yml "$dir/"
echo "stand-in" > "$dir/token"
promtool check config "$dir/prometheus.yml"
promtool test rules docker/alerts.test.yml
