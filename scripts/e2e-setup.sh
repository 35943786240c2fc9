#!/usr/bin/env bash
# Idempotent setup for the browser end-to-end tests on a clean Debian machine:
# Chromium from Debian (only if missing) and the npm dependencies of the frontend and the tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "e2e-setup: node/npm missing; install Node.js >= 18 first" >&2
  exit 1
fi

(cd "$ROOT/frontend" && npm ci --no-audit --no-fund)
(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund)
echo "e2e-setup: ok (chromium: $(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
