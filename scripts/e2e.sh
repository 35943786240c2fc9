#!/usr/bin/env bash
# Browser end-to-end tests against the real backend.
# Builds the frontend, starts the (already built) backend on a free port with a fresh temporary
# SQLite database (it then serves the synthetic demo town), waits for /api/health, runs
# `node --test tests/e2e/` with BASE_URL, and always stops the server.
#
# Accounts: before the server starts, the CLI adds one account per role to that database (the
# demo town with accounts: a signed-in account wins over the demo visitor), all with one random
# password, passed to the tests as E2E_PASSWORD (names: tests/e2e/lib.mjs ACCOUNTS).
# A second server (BASE_URL_REAL) serves the same synthetic files imported as if they were real
# data: there, nobody is a demo visitor, so signing in is required and an ended session answers
# 401 (tests/e2e/session.test.mjs).
#
# Usage: scripts/e2e.sh [test files...]   (default: all of tests/e2e/)
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
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# One password for every test account (at least 12 characters), new for each run.
E2E_PASSWORD="e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
# add_account DB NAME ROLE [--wijk WK...]...
add_account() {
  local db="$1" name="$2" role="$3"
  shift 3
  printf '%s\n' "$E2E_PASSWORD" | DATABASE_URL="sqlite://$db" "$BIN" user add "$name" --role "$role" "$@" --password-stdin >/dev/null
}
add_accounts() {
  add_account "$1" bea beheerder
  add_account "$1" vera veiligheidsteam
  add_account "$1" wim wijkregisseur --wijk WK999902 --wijk WK999905
  add_account "$1" sterre stuurgroep
}

# start_server DB LOG: starts a server on a free port, prints its base URL once /api/health answers
start_server() {
  local db="$1" log="$2" port pid
  port="$(free_port)"
  DATABASE_URL="sqlite://$db" "$BIN" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for i in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: the server exited early:" >&2; cat "$log" >&2; exit 1
    fi
    if [ "$i" = 120 ]; then echo "e2e: /api/health did not answer within 60 s" >&2; cat "$log" >&2; exit 1; fi
    sleep 0.5
  done
  SERVED="http://127.0.0.1:$port"
}

# The demo town, with an account per role.
add_accounts "$TMP/wv-e2e.db"
start_server "$TMP/wv-e2e.db" "$TMP/server.log"
BASE_URL="$SERVED"
echo "e2e: backend up at $BASE_URL ($(curl -fsS "$BASE_URL/api/health"))"

# The same synthetic town imported as real data: no demo visitor, sign-in required.
for kind in areas population offences cameras enforcement initiatives; do
  file="geodata/$kind.csv"
  [ "$kind" = areas ] && file=geodata/areas.geojson
  [ "$kind" = initiatives ] && file=geodata/initiatives.geojson
  DATABASE_URL="sqlite://$TMP/wv-real.db" "$BIN" import "$kind" "$file" >/dev/null 2>"$TMP/import.log" || { echo "e2e: import of $file failed:" >&2; cat "$TMP/import.log" >&2; exit 1; }
done
add_accounts "$TMP/wv-real.db"
start_server "$TMP/wv-real.db" "$TMP/server-real.log"
BASE_URL_REAL="$SERVED"
echo "e2e: backend with imported data up at $BASE_URL_REAL ($(curl -fsS "$BASE_URL_REAL/api/health"))"

status=0
if [ "$#" -gt 0 ]; then TESTS=("$@"); else TESTS=(tests/e2e/); fi
BASE_URL="$BASE_URL" BASE_URL_REAL="$BASE_URL_REAL" E2E_PASSWORD="$E2E_PASSWORD" node --test --test-concurrency=1 "${TESTS[@]}" || status=$?
if [ "$status" != 0 ]; then
  echo "e2e: tests failed; last server log lines:" >&2
  tail -n 40 "$TMP/server.log" >&2 || true
  echo "e2e: last lines of the server with imported data:" >&2
  tail -n 20 "$TMP/server-real.log" >&2 || true
fi
exit "$status"
