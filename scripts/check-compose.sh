#!/usr/bin/env bash
# Validates docker-compose.yml as Docker Compose reads it — YAML, anchors and merges, variable
# interpolation from .env, the env files — without a Docker engine (these machines have none):
# `docker-compose config -q`, with Debian's docker-compose installed when it is missing, and the
# secrets ./hotswap secrets makes (created when missing; they stay in the ignored secrets/).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=debian-package.sh
source scripts/debian-package.sh
needs_command docker-compose docker-compose "to validate docker-compose.yml"
./hotswap secrets >/dev/null
docker-compose config -q
echo "docker-compose.yml: valid ($(docker-compose config --services | tr '\n' ' '))"
