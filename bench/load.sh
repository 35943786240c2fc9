#!/usr/bin/env bash
# Load benchmark for issue #13: the main map calls at 64 connections, before and after, in one
# run on this machine, with wrk.
#
#   bench/load.sh                                  # after = the release binary built here
#   BEFORE_BIN=/tmp/wv-before DURATION=30 bench/load.sh
#
# For each binary (BEFORE_BIN when given, then AFTER_BIN) and each data set:
#   demo    the built-in synthetic demo town (served without accounts, role veiligheidsteam);
#   almelo  Almelo's real 71 buurten and 12 wijken (2021) and its 2023 crime (47018NED, yearly),
#           with a signed-in veiligheidsteam account;
# one warm-up request, then `wrk -t2 -c64 -d${DURATION}s --latency -H 'Accept-Encoding: gzip'`
# on each of
#   /api/areas?level=buurt    /api/hotspots    /api/kde
# The server and wrk share the machine's 2 cores, so every figure includes wrk's own CPU; the
# load average at the end of each run is reported with it.
# Output: bench/out/load.md (Markdown), raw wrk output beside it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
DATA=${DATA:-$REPO/../shared/data}
OUT=${BENCH_OUT:-$HERE/out}
DURATION=${DURATION:-30}
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ -z "${AFTER_BIN:-}" ]; then
    (cd "$REPO" && cargo build --release -p wijkveilig)
    AFTER_BIN=$REPO/target/release/wijkveilig
fi
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
AFTER_BIN=$(abs "$AFTER_BIN")
WORK=$(mktemp -d /tmp/bench-load.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # serve BIN DB: starts a server, sets URL and PID
    local port; port=$(free_port)
    "$1" --database-url "sqlite://$2" serve --addr "127.0.0.1:$port" >"$2.log" 2>&1 &
    PID=$!
    PIDS+=($PID)
    URL="http://127.0.0.1:$port"
    for _ in $(seq 1 600); do curl -fs "$URL/api/health" >/dev/null && return; sleep 0.2; done
    echo "server on $2 did not start" >&2; cat "$2.log" >&2; exit 1
}
sign_in() { # sign_in URL USER: prints the session cookie
    curl -fs -D - -o /dev/null -H "origin: $1" -H 'content-type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"bench-password-123456\"}" "$1/api/session" |
        tr -d '\r' | awk -F': ' 'tolower($1)=="set-cookie"{split($2,a,";"); print a[1]}'
}
REPORT=$OUT/load.md
{
echo "# Load benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
echo "wrk $(wrk --version 2>&1 | head -1 | cut -d' ' -f2); \`wrk -t2 -c64 -d${DURATION}s --latency -H 'Accept-Encoding: gzip' URL\`; server and wrk on the same 2 cores."
echo
echo "| binary | data | endpoint | requests/s | p50 | p99 | errors | load (1 min) |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
} > "$REPORT"

run() { # run LABEL BIN
    local label=$1 bin=$2
    for data in demo almelo; do
        local db=$WORK/$label-$data.db cookie=""
        if [ "$data" = almelo ]; then
            for f in almelo-buurten.geojson almelo-wijken.geojson almelo-misdrijven-47018NED-2023.csv; do
                [ -f "$DATA/$f" ] || { echo "SKIPPED almelo: $DATA/$f is absent" >&2; continue 2; }
            done
            "$bin" --database-url "sqlite://$db" import areas "$DATA/almelo-buurten.geojson" >/dev/null 2>&1
            "$bin" --database-url "sqlite://$db" import areas "$DATA/almelo-wijken.geojson" >/dev/null 2>&1
            "$bin" --database-url "sqlite://$db" import offences "$DATA/almelo-misdrijven-47018NED-2023.csv" >/dev/null 2>&1
            echo "bench-password-123456" | "$bin" --database-url "sqlite://$db" user add admin --role beheerder --password-stdin >/dev/null 2>&1
            echo "bench-password-123456" | "$bin" --database-url "sqlite://$db" user add bench --role veiligheidsteam --password-stdin >/dev/null 2>&1
        fi
        serve "$bin" "$db"
        [ "$data" = almelo ] && cookie=$(sign_in "$URL" bench)
        for path in "/api/areas?level=buurt" "/api/hotspots" "/api/kde"; do
            local name; name=$(echo "$label-$data-$path" | tr '/?=&' '____')
            curl -fs -H "cookie: $cookie" -H 'Accept-Encoding: gzip' "$URL$path" -o /dev/null ||
                echo "warm-up of $path on $label/$data failed" >&2
            wrk -t2 -c64 -d"${DURATION}s" --latency -H "cookie: $cookie" -H 'Accept-Encoding: gzip' "$URL$path" > "$OUT/load-$name.txt" 2>&1 || true
            local load; load=$(cut -d' ' -f1 /proc/loadavg)
            python3 - "$OUT/load-$name.txt" "$label" "$data" "$path" "$load" >> "$REPORT" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    if not m: return "–"
    v = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    return f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms"
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"\n\s+50%\s+(\S+)", text)
p99 = re.search(r"\n\s+99%\s+(\S+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = int(non2xx.group(1)) if non2xx else 0
if sock: errors += sum(int(x) for x in sock.groups())
print(f"| {sys.argv[2]} | {sys.argv[3]} | `{sys.argv[4]}` | {float(rps.group(1)) if rps else 0:,.0f} | "
      f"{ms(p50.group(1)) if p50 else '–'} | {ms(p99.group(1)) if p99 else '–'} | {errors} | {sys.argv[5]} |")
PY
        done
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    done
}
if [ -n "${BEFORE_BIN:-}" ]; then run before "$(abs "$BEFORE_BIN")"; fi
run after "$AFTER_BIN"
cat "$REPORT"
