#!/usr/bin/env bash
# Idempotent setup for the browser end-to-end tests on a clean Debian machine:
# Chromium and poppler-utils (pdftotext/pdftoppm, for the report PDF test) from Debian, only if
# missing, and the npm dependencies of the frontend and the tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

MISSING=""
[ -x /usr/bin/chromium ] || MISSING="$MISSING chromium"
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || MISSING="$MISSING poppler-utils"
if [ -n "$MISSING" ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $MISSING
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "e2e-setup: node/npm missing; install Node.js >= 18 first" >&2
  exit 1
fi

(cd "$ROOT/frontend" && npm ci --no-audit --no-fund)
(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund)
echo "e2e-setup: ok (chromium: $(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
