#!/usr/bin/env bash
# Browser end-to-end tests against the real backend.
# Builds the frontend, starts the (already built) backend on a free port with a fresh temporary
# SQLite database (it then serves the synthetic demo town), waits for /api/health, runs
# `node --test tests/e2e/` with BASE_URL, and always stops the server.
# Needs: scripts/e2e-setup.sh once; the backend built (cargo build -p wijkveilig).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${WIJKVEILIG_BIN:-target/debug/wijkveilig}"
if [ ! -x "$BIN" ]; then
  echo "e2e: backend binary '$BIN' not found; build it first (cargo build -p wijkveilig) or set WIJKVEILIG_BIN" >&2
  exit 2
fi
if [ ! -d frontend/node_modules ] || [ ! -d tests/e2e/node_modules ]; then
  echo "e2e: npm dependencies missing; run scripts/e2e-setup.sh" >&2
  exit 2
fi

(cd frontend && npm run --silent build)

TMP="$(mktemp -d "${TMPDIR:-/tmp}/wv-e2e.XXXXXX")"
PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

DATABASE_URL="sqlite://$TMP/wv-e2e.db" "$BIN" serve --addr "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
BASE_URL="http://127.0.0.1:$PORT"
for i in $(seq 1 120); do
  if curl -fsS "$BASE_URL/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: the server exited early:" >&2; cat "$TMP/server.log" >&2; exit 1
  fi
  if [ "$i" = 120 ]; then echo "e2e: /api/health did not answer within 60 s" >&2; cat "$TMP/server.log" >&2; exit 1; fi
  sleep 0.5
done
echo "e2e: backend up at $BASE_URL ($(curl -fsS "$BASE_URL/api/health"))"

status=0
BASE_URL="$BASE_URL" node --test --test-concurrency=1 tests/e2e/ || status=$?
if [ "$status" != 0 ]; then
  echo "e2e: tests failed; last server log lines:" >&2
  tail -n 40 "$TMP/server.log" >&2 || true
fi
exit "$status"
