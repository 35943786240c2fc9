#!/usr/bin/env bash
# Tile and figures benchmark for issue #12 (national scale), with wrk.
#
#   bench/tiles.sh                       # builds the release binary, runs everything
#   WIJKVEILIG_BIN=target/release/wijkveilig DURATION=30 bench/tiles.sh
#
# 1. The national 2014 buurten and wijken (../shared/data, coarse CBS polygons) are imported
#    with --repair into a fresh SQLite database, and served.
# 2. Uncached tiles: every tile of zooms 6–14 over a fixed sample of 600 tiles (deterministic:
#    the tiles under 60 spread buurt label points, per zoom), each requested exactly once, one
#    at a time: `wrk -t1 -c1` with a Lua script that walks the list (bench/tiles_walk.lua) and
#    prints p50/p95/p99 of those first requests. Tile size: the largest of every tile of
#    zooms 0–14 via `wijkveilig tiles export` (the same bytes as served).
# 3. Cached tiles: `wrk -t2 -c64 -d$DURATION --latency -H 'Accept-Encoding: gzip'` on one
#    tile URL with its generation (?g=), and on the 600 tiles of step 2 (now cached).
# 4. Figures: Almelo's real 2021 buurten and 2023 crime in another database; `wrk -t2 -c64`
#    on /api/figures?level=buurt as a signed-in veiligheidsteam account.
# The server and wrk share this 2-core machine, so every figure includes wrk's own CPU.
# Output: bench/out/tiles.md (Markdown), raw wrk output beside it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
DATA=${DATA:-$REPO/../shared/data}
OUT=${BENCH_OUT:-$HERE/out}
DURATION=${DURATION:-30}
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
for f in nl-buurten-2014-coarse.geojson.gz nl-wijken-2014-coarse.geojson.gz almelo-buurten.geojson almelo-wijken.geojson almelo-misdrijven-47018NED-2023.csv; do
    [ -f "$DATA/$f" ] || { echo "SKIPPED: $DATA/$f is absent (the real CBS data lives in ../shared/data)"; exit 0; }
done
if [ -z "${WIJKVEILIG_BIN:-}" ]; then
    (cd "$REPO" && cargo build --release -p wijkveilig)
    WIJKVEILIG_BIN=$REPO/target/release/wijkveilig
fi
BIN=$(cd "$(dirname "$WIJKVEILIG_BIN")" && pwd)/$(basename "$WIJKVEILIG_BIN")
WORK=$(mktemp -d /tmp/bench-tiles.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # serve DB: starts a server, sets URL
    local port; port=$(free_port)
    "$BIN" --database-url "sqlite://$1" serve --addr "127.0.0.1:$port" >"$1.log" 2>&1 &
    PIDS+=($!)
    URL="http://127.0.0.1:$port"
    for _ in $(seq 1 600); do curl -fs "$URL/api/health" >/dev/null && return; sleep 0.2; done
    echo "server on $1 did not start" >&2; cat "$1.log" >&2; exit 1
}
REPORT=$OUT/tiles.md
{
echo "# Tiles and figures benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "Binary: \`$BIN\` ($(git -C "$REPO" rev-parse --short HEAD)); wrk $(wrk --version 2>&1 | head -1 | cut -d' ' -f2)."
} > "$REPORT"

# ---- 1. national set
NL=$WORK/nl.db
t0=$(date +%s.%N)
"$BIN" --database-url "sqlite://$NL" import areas "$DATA/nl-buurten-2014-coarse.geojson.gz" --repair >/dev/null 2>"$WORK/import.log"
"$BIN" --database-url "sqlite://$NL" import areas "$DATA/nl-wijken-2014-coarse.geojson.gz" --repair >/dev/null 2>>"$WORK/import.log"
echo "national import: $(echo "$(date +%s.%N) - $t0" | bc) s" >&2
t0=$(date +%s.%N)
"$BIN" --database-url "sqlite://$NL" tiles export --out "$WORK/nl.pmtiles" --level buurt 2>"$WORK/export.log"
export_s=$(echo "$(date +%s.%N) - $t0" | bc)
echo "- PMTiles export of the national buurten, zooms 0–14: $(cat "$WORK/export.log" | tail -1) (wall $export_s s)" >> "$REPORT"
"$BIN" --database-url "sqlite://$NL" tiles export --out "$WORK/nl-wijk.pmtiles" --level wijk 2>"$WORK/export-wijk.log"
echo "- The same for the wijken: $(tail -1 "$WORK/export-wijk.log")" >> "$REPORT"

echo "bench-password-123456" | "$BIN" --database-url "sqlite://$NL" user add bench --role beheerder --password-stdin >/dev/null 2>&1
serve "$NL"
NLURL=$URL
INFO=$(curl -fs "$NLURL/api/tiles")
G=$(echo "$INFO" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
# The sample: per zoom 6..14, the tiles under 60 buurt label points spread over the country.
python3 - "$INFO" > "$WORK/paths.txt" <<'PY'
import json, math, sys
info = json.loads(sys.argv[1])
b = info["bounds"]
g = info["generation"]
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
seen = []
for z in range(6, 15):
    for i in range(60):
        # a fixed low-discrepancy walk over the national box (land-heavy: the middle 80 %)
        fx, fy = (0.1 + 0.8 * ((i * 0.618034) % 1), 0.1 + 0.8 * ((i * 0.754878) % 1))
        x, y = tile(b[0] + fx * (b[2] - b[0]), b[1] + fy * (b[3] - b[1]), z)
        p = f"/tiles/buurt/{z}/{x}/{y}.mvt?indeling={info['boundary_year']}&g={g}"
        if p not in seen:
            seen.append(p)
print("\n".join(seen))
PY
N=$(wc -l < "$WORK/paths.txt")
cp "$HERE/tiles_walk.lua" "$WORK/walk.lua"
# ---- 2. uncached: each tile once, one at a time
PATHS_FILE="$WORK/paths.txt" wrk -t1 -c1 -d600s -s "$WORK/walk.lua" -H 'Accept-Encoding: gzip' "$NLURL" > "$OUT/tiles-uncached.txt" 2>&1 || true
{
echo
echo "## Uncached tiles (national buurten, $N distinct tiles of zooms 6–14, each requested once)"
echo
echo '```'
echo "PATHS_FILE=paths.txt wrk -t1 -c1 -d600s -s bench/tiles_walk.lua -H 'Accept-Encoding: gzip' $NLURL"
grep -E "first requests|p50|p95|p99|max" "$OUT/tiles-uncached.txt"
echo '```'
} >> "$REPORT"
# ---- 3. cached
ONE=$(grep '/tiles/buurt/10/' "$WORK/paths.txt" | head -1)
curl -fs -H 'Accept-Encoding: gzip' "$NLURL$ONE" -o /dev/null
wrk -t2 -c64 -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' "$NLURL$ONE" > "$OUT/tiles-cached-one.txt" 2>&1
PATHS_FILE="$WORK/paths.txt" LOOP=1 wrk -t2 -c64 -d"${DURATION}s" --latency -s "$WORK/walk.lua" -H 'Accept-Encoding: gzip' "$NLURL" > "$OUT/tiles-cached-all.txt" 2>&1
{
echo
echo "## Cached tiles at 64 connections"
echo
echo '```'
echo "wrk -t2 -c64 -d${DURATION}s --latency -H 'Accept-Encoding: gzip' $NLURL$ONE"
grep -E "Requests/sec|Latency |50%|99%|Non-2xx|Socket errors" "$OUT/tiles-cached-one.txt"
echo
echo "PATHS_FILE=paths.txt LOOP=1 wrk -t2 -c64 -d${DURATION}s --latency -s bench/tiles_walk.lua -H 'Accept-Encoding: gzip' $NLURL   # all $N tiles, cached"
grep -E "Requests/sec|Latency |50%|99%|Non-2xx|Socket errors" "$OUT/tiles-cached-all.txt"
echo '```'
} >> "$REPORT"

# ---- 4. Almelo figures
AL=$WORK/almelo.db
"$BIN" --database-url "sqlite://$AL" import areas "$DATA/almelo-buurten.geojson" >/dev/null 2>&1
"$BIN" --database-url "sqlite://$AL" import areas "$DATA/almelo-wijken.geojson" >/dev/null 2>&1
"$BIN" --database-url "sqlite://$AL" import offences "$DATA/almelo-misdrijven-47018NED-2023.csv" >/dev/null 2>&1
echo "bench-password-123456" | "$BIN" --database-url "sqlite://$AL" user add admin --role beheerder --password-stdin >/dev/null 2>&1
echo "bench-password-123456" | "$BIN" --database-url "sqlite://$AL" user add bench --role veiligheidsteam --password-stdin >/dev/null 2>&1
serve "$AL"
ALURL=$URL
COOKIE=$(curl -fs -D - -o /dev/null -H "origin: $ALURL" -H 'content-type: application/json' \
    -d '{"username":"bench","password":"bench-password-123456"}' "$ALURL/api/session" | tr -d '\r' | awk -F': ' 'tolower($1)=="set-cookie"{split($2,a,";"); print a[1]}')
Q="/api/figures?level=buurt&from=2023&to=2023"
curl -fs -H "cookie: $COOKIE" "$ALURL$Q" -o /dev/null
wrk -t2 -c64 -d"${DURATION}s" --latency -H "cookie: $COOKIE" -H 'Accept-Encoding: gzip' "$ALURL$Q" > "$OUT/figures-almelo.txt" 2>&1
{
echo
echo "## Almelo figures endpoint at 64 connections (signed in, real 2023 data)"
echo
echo '```'
echo "wrk -t2 -c64 -d${DURATION}s --latency -H 'cookie: wijkveilig_session=…' -H 'Accept-Encoding: gzip' $ALURL$Q"
grep -E "Requests/sec|Latency |50%|99%|Non-2xx|Socket errors" "$OUT/figures-almelo.txt"
echo '```'
} >> "$REPORT"
cat "$REPORT"
