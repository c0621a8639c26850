#!/usr/bin/env bash
# Validates docker-compose.yml as Docker Compose reads it — YAML, anchors and merges, variable
# interpolation from .env, the env files — without a Docker engine (these machines have none):
# `docker-compose config -q`, with Debian's docker-compose installed when it is missing, and the
# secrets ./hotswap secrets makes (created when missing; they stay in the ignored secrets/).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "installing Debian's docker-compose (to validate docker-compose.yml)"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get install -y -q docker-compose >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q docker-compose >/dev/null; }
fi
./hotswap secrets >/dev/null
docker-compose config -q
echo "docker-compose.yml: valid ($(docker-compose config --services | tr '\n' ' '))"
