#!/usr/bin/env bash
# What sessions and the access policy add to the main map call, measured against the same
# build with auth off, in one run.
#
#   bench/auth_overhead.sh [BIN]        # default target/release/wijkveilig
#   ROUNDS=3 DURATION=10 CONNS=16 PATHS="/api/areas?level=buurt /api/crime-types" bench/auth_overhead.sh
#
# Two servers of the same binary on the demo town, each with its own fresh SQLite file:
#   on   a signed-in beheerder (session cookie from POST /api/session): every request loads the
#        session and the account from the database and passes the route policy;
#   off  `serve --benchmark-without-auth`: no session layer work, no policy, no audit.
# The main map call is GET /api/areas?level=buurt (the choropleth); /api/crime-types, a call
# that does almost nothing else, shows the session and policy cost on its own. wrk --latency with 2
# threads and 16 connections, DURATION s per cell, the two servers interleaved ROUNDS times so
# load drifts hit both alike. CONNS=1 shows the added latency of one request without queueing.
# Output: bench/out/auth_overhead.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/target/release/wijkveilig}"
ROUNDS="${ROUNDS:-3}"
CONNS="${CONNS:-16}"
DURATION="${DURATION:-10}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PASSWORD="benchmark password 1"
start() { # name, extra flags
  local name=$1; shift
  mkdir -p "$TMP/$name"
  local port; port=$(free_port)
  printf '%s\n' "$PASSWORD" | DATABASE_URL="sqlite://$TMP/$name/db" "$BIN" user add bench --role beheerder --password-stdin 2>/dev/null
  DATABASE_URL="sqlite://$TMP/$name/db" RUST_LOG=warn "$BIN" serve --addr "127.0.0.1:$port" "$@" >"$TMP/$name/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break; sleep 0.5; done
  echo "$port"
}
PORT_ON=$(start on)
PORT_OFF=$(start off --benchmark-without-auth)
curl -fsS -c "$TMP/jar" -H 'content-type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$PORT_ON/api/session"
COOKIE=$(awk '$6=="wijkveilig_session"{print $6"="$7}' "$TMP/jar")
[ -n "$COOKIE" ] || { echo "no session cookie" >&2; exit 1; }
PATHS="${PATHS:-/api/areas?level=buurt /api/crime-types}"
PATH_Q="/api/areas?level=buurt"
# Both answer the same bytes; warm both up (the first request builds the area cache).
for i in 1 2 3; do
  curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT_ON$PATH_Q" -o "$TMP/on.json"
  curl -fsS "http://127.0.0.1:$PORT_OFF$PATH_Q" -o "$TMP/off.json"
done
cmp -s "$TMP/on.json" "$TMP/off.json" || echo "note: the two answers differ in bytes" >&2

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }
cell() { # name port [header]
  local name=$1 port=$2; shift 2
  local threads=2; [ "$CONNS" -lt 2 ] && threads=1
  local out; out=$(wrk -t"$threads" -c"$CONNS" -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$port$PATH_Q")
  local p50 p99 rps
  p50=$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%"{print $2}' | to_ms)
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/{print $NF}')
  echo "| \`$PATH_Q\` | $round | $name | $rps | $p50 ms | $p99 ms | ${non2xx:-0} | $(cut -d' ' -f1 /proc/loadavg) |"
}
{
  echo "# Auth overhead (bench/auth_overhead.sh)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, binary $(basename "$BIN") sha256 $(sha256sum "$BIN" | cut -c1-12)"
  echo "- the demo town, wrk -c$CONNS -d${DURATION}s --latency, $ROUNDS interleaved rounds per call"
  echo
  echo "| call | round | auth | req/s | p50 | p99 | non-2xx | load |"
  echo "|---|---|---|---|---|---|---|---|"
  for PATH_Q in $PATHS; do
    for round in $(seq 1 "$ROUNDS"); do
      cell on "$PORT_ON" -H "Cookie: $COOKIE"
      cell off "$PORT_OFF"
    done
  done
} | tee "$OUT/auth_overhead.md"
