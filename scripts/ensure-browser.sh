#!/usr/bin/env bash
# The web console's browser tests (ConsoleIT) drive Debian's Chromium through its ChromeDriver,
# headless. Installs both from Debian's packages when either is missing; ./hotswap test runs this
# first, so a fresh machine needs nothing installed by hand.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
echo "installing Debian's chromium and chromium-driver for the console's browser tests" >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq >&2 || true
$sudo_cmd apt-get install -y -qq chromium chromium-driver >&2
