#!/usr/bin/env bash
# Ten million incidents on PostgreSQL (issue #12, part 4): import rate, database size, API
# latency and the server's peak RSS. A benchmark, not a test; results go into docs/scale.md.
#
#   bench/scale.sh                      # 10,000,000 incidents in 10 files
#   TOTAL=1000000 CHUNKS=2 bench/scale.sh   # a quick run
#
# What it does:
#  1. Builds the release binary and the generator (`--example scale_generate`) unless BIN is set.
#  2. Generates, once per TOTAL/CHUNKS (kept in $WORK/data), TOTAL incidents over 2020-01 ..
#     2024-12 inside the national 2014 buurten of $DATA (weighted by the 2024 population where
#     the code still exists), in CHUNKS time-ordered files, and their per-buurt monthly counts as
#     a 47022NED offences file (bench/scale_generate.rs).
#  3. Makes a fresh PostgreSQL database $DB, imports the buurten and wijken (`import areas
#     --repair`), the incident files one by one (`wijkveilig import incidents`, each timed with
#     /usr/bin/time) and the offences.
#  4. Records the sizes (pg_total_relation_size over the partition tree of incidents, the keys,
#     the aggregates, offences, the whole database).
#  5. Starts `wijkveilig serve`, signs in a beheerder (POST /api/session with an Origin header),
#     and for /api/areas?level=buurt, /api/hotspots and /api/kde, each for gemeente=$GEMEENTE
#     and gemeente=alle, times one cold request with curl and then runs
#     `wrk --latency --timeout 300s` for $DURATION at 1 and at $CONNECTIONS connections.
#     A call whose cold request takes longer than PROBE_TIMEOUT s gets no wrk run (said so); one
#     that takes over 10 s runs at one connection only, for six times its cold time (at most
#     600 s), so that wrk completes a few requests.
#  6. Stops the server and reports its peak RSS (VmHWM from /proc, and /usr/bin/time -v).
#
# Skips (exit 0, with a message) when the national buurten are absent from $DATA.
# Environment: TOTAL (10000000), CHUNKS (10), DATA (../shared/data), WORK
# (/tmp/wijkveilig-scale), DB (wv_scale), PG (postgres://postgres@127.0.0.1:5432),
# GEMEENTE (GM0141), DURATION (30s), CONNECTIONS (8), PROBE_TIMEOUT (300), BIN, SKIP_IMPORT=1
# (reuse the database of an earlier run: only sizes and latency).
# Output: $WORK/results.md (Markdown) and raw logs beside it. Only 127.0.0.1 is contacted.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
DATA=${DATA:-$REPO/../shared/data}
WORK=${WORK:-/tmp/wijkveilig-scale}
TOTAL=${TOTAL:-10000000}
CHUNKS=${CHUNKS:-10}
DB=${DB:-wv_scale}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
GEMEENTE=${GEMEENTE:-GM0141}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-8}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-300}
ADDR=127.0.0.1:18412
BUURTEN_GZ=$DATA/nl-buurten-2014-coarse.geojson.gz
WIJKEN_GZ=$DATA/nl-wijken-2014-coarse.geojson.gz
POPULATION=$DATA/nl-bevolking-buurt-85984NED-2024.csv

if [[ ! -f $BUURTEN_GZ || ! -f $POPULATION ]]; then
    echo "SKIPPED: the national 2014 buurten ($BUURTEN_GZ) or the population ($POPULATION) are absent; see ../shared/data/SOURCES.md"
    exit 0
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is missing" >&2; exit 1; }

if [[ -z ${BIN:-} ]]; then
    (cd "$REPO" && cargo build --release -p wijkveilig --bin wijkveilig --example scale_generate)
    BIN=$REPO/target/release/wijkveilig
fi
GEN=${GEN:-$(dirname "$BIN")/examples/scale_generate}
mkdir -p "$WORK"
RESULTS=$WORK/results.md
log() { echo "$*" | tee -a "$RESULTS"; }
: >"$RESULTS"
log "# bench/scale.sh, $(date -u +%FT%TZ), $(git -C "$REPO" rev-parse --short HEAD), TOTAL=$TOTAL CHUNKS=$CHUNKS"
log "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GB; $(psql "$PG/postgres" -Atc 'SHOW server_version') ; load $(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ data
zcat "$BUURTEN_GZ" >"$WORK/nl-buurten-2014.geojson"
zcat "$WIJKEN_GZ" >"$WORK/nl-wijken-2014.geojson"
DATADIR=$WORK/data-$TOTAL-$CHUNKS
if [[ ! -f $DATADIR/offences.csv ]]; then
    start=$(date +%s.%N)
    "$GEN" "$WORK/nl-buurten-2014.geojson" "$POPULATION" "$DATADIR" "$TOTAL" "$CHUNKS" 2>&1 | tee "$WORK/generate.log"
    log "generated $TOTAL incidents in $(echo "$(date +%s.%N) - $start" | bc) s"
fi
log "input: $(du -ch "$DATADIR"/incidents-*.csv | tail -1 | cut -f1) of incident CSV, sha256 of the first file $(sha256sum "$DATADIR/incidents-00.csv" | cut -c1-16)"

export DATABASE_URL=$PG/$DB
psql_db() { psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -Atc "$1"; }

# ------------------------------------------------------------------ import
if [[ -z ${SKIP_IMPORT:-} ]]; then
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    /usr/bin/time -f "%e s, %M KB" -o "$WORK/areas.time" "$BIN" import areas "$WORK/nl-buurten-2014.geojson" --repair >"$WORK/areas.log" 2>&1
    "$BIN" import areas "$WORK/nl-wijken-2014.geojson" --repair >>"$WORK/areas.log" 2>&1
    log "areas (buurten): $(cat "$WORK/areas.time")"
    log ""
    log "| file | incidents | wall s | incidents/s | importer peak RSS MB |"
    log "|---|---:|---:|---:|---:|"
    total_s=0
    for f in "$DATADIR"/incidents-*.csv; do
        n=$(($(wc -l <"$f") - 1))
        /usr/bin/time -f "%e %M" -o "$WORK/import.time" "$BIN" import incidents "$f" >>"$WORK/import.log" 2>&1
        read -r s kb <"$WORK/import.time"
        total_s=$(echo "$total_s + $s" | bc)
        log "| $(basename "$f") | $n | $s | $(echo "$n / $s" | bc) | $((kb / 1024)) |"
    done
    log "| **all** | $TOTAL | $total_s | **$(echo "$TOTAL / $total_s" | bc)** | |"
    /usr/bin/time -f "%e s, %M KB" -o "$WORK/offences.time" "$BIN" import offences "$DATADIR/offences.csv" >>"$WORK/import.log" 2>&1
    log ""
    log "offences ($(($(wc -l <"$DATADIR/offences.csv") - 1)) rows): $(cat "$WORK/offences.time")"
    psql_db "VACUUM ANALYZE" >/dev/null
fi

# ------------------------------------------------------------------ sizes
log ""
log "| relation | rows | size |"
log "|---|---:|---:|"
size_row() { # label, row-count SQL, size SQL
    log "| $1 | $(psql_db "$2") | $(psql_db "SELECT pg_size_pretty(($3)::bigint)") |"
}
size_row "incidents (partition tree: $(psql_db "SELECT count(*) FROM pg_partition_tree('incidents') WHERE isleaf") leaf partitions)" \
    "SELECT count(*) FROM incidents" "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('incidents')"
size_row "incident_keys" "SELECT count(*) FROM incident_keys" "SELECT pg_total_relation_size('incident_keys')"
size_row "incident_counts" "SELECT count(*) FROM incident_counts" "SELECT pg_total_relation_size('incident_counts')"
size_row "incident_type_counts" "SELECT count(*) FROM incident_type_counts" "SELECT pg_total_relation_size('incident_type_counts')"
size_row "offences" "SELECT count(*) FROM offences" "SELECT pg_total_relation_size('offences')"
size_row "areas" "SELECT count(*) FROM areas" "SELECT pg_total_relation_size('areas')"
size_row "whole database" "SELECT ''" "SELECT pg_database_size(current_database())"
log "$GEMEENTE: $(psql_db "SELECT count(*) FROM incidents WHERE gemeente = '$GEMEENTE'") incidents; busiest gemeente: $(psql_db "SELECT gemeente || ' (' || sum(n) || ')' FROM incident_counts GROUP BY gemeente ORDER BY sum(n) DESC LIMIT 1")"

# ------------------------------------------------------------------ serve
PW=$(head -c 18 /dev/urandom | base64)
psql_db "DELETE FROM users WHERE username = 'bench'" >/dev/null
printf '%s\n' "$PW" | "$BIN" user add bench --role beheerder --password-stdin >/dev/null
/usr/bin/time -v -o "$WORK/serve.time" "$BIN" serve --addr "$ADDR" >"$WORK/serve.log" 2>&1 &
TIME_PID=$!
cleanup() { kill "$(cat "$WORK/serve.pid" 2>/dev/null)" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 600); do
    curl -fs "http://$ADDR/api/health" >/dev/null && break
    sleep 0.5
done
SERVER_PID=$(pgrep -P "$TIME_PID" -x wijkveilig)
echo "$SERVER_PID" >"$WORK/serve.pid"
curl -fs -c "$WORK/cookies" -H "Origin: http://$ADDR" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$PW\"}" "http://$ADDR/api/session" >/dev/null
COOKIE=$(awk '$6 == "wijkveilig_session" {print $6 "=" $7}' "$WORK/cookies")
[[ -n $COOKIE ]] || { echo "no session cookie" >&2; exit 1; }
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$SERVER_PID/status"; }
log ""
log "server started: $(rss)"
log ""
log "| call | scope | cold request s | connections | requests | p50 | p99 | max | non-2xx | load | RSS after |"
log "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
# The country's heatmap at the default 100 m cells comes last: a request the probe gives up on
# keeps the server busy. CALLS is "path scope" pairs.
CALLS=${CALLS:-"/api/areas?level=buurt $GEMEENTE
/api/areas?level=buurt alle
/api/hotspots $GEMEENTE
/api/hotspots alle
/api/kde $GEMEENTE
/api/kde?cell_m=1000 alle
/api/kde alle"}
while read -r path scope; do
    {
        sep='?'; [[ $path == *'?'* ]] && sep='&'
        url="http://$ADDR$path${sep}gemeente=$scope"
        log_load=$(cut -d' ' -f1 /proc/loadavg)
        cold=$(curl -s -o "$WORK/last.json" -w '%{http_code} %{time_total}' -m "$PROBE_TIMEOUT" -H "Cookie: $COOKIE" "$url" || echo "timeout $PROBE_TIMEOUT")
        read -r code secs <<<"$cold"
        if [[ $code != 200 ]]; then
            log "| \`$path\` | $scope | $secs (HTTP $code) | – | not run | | | | | | $(rss) |"
            continue
        fi
        log_load=$(cut -d' ' -f1 /proc/loadavg)
        # A call that takes over 10 s alone runs at one connection only, for about six requests.
        loads="1 $CONNECTIONS"
        duration=$DURATION
        if (($(echo "$secs > 10" | bc))); then
            loads=1
            duration=$(echo "d = $secs * 6; if (d > 600) d = 600; scale = 0; d / 1" | bc)s
        fi
        for c in $loads; do
            t=$((c < 2 ? 1 : 2))
            wrk -t"$t" -c"$c" -d"$duration" --latency --timeout 300s -H "Cookie: $COOKIE" "$url" >"$WORK/wrk.out" 2>&1 || true
            cat "$WORK/wrk.out" >>"$WORK/wrk.log"
            p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.out")
            p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")
            max=$(awk '$1 == "Latency" && NF >= 4 {print $4; exit}' "$WORK/wrk.out")
            reqs=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
            bad=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.out")
            log "| \`$path\` | $scope | $secs | $c | $reqs | $p50 | $p99 | $max | ${bad:-0} | $log_load | $(rss) |"
        done
    } </dev/null
done <<<"$CALLS"
kill "$SERVER_PID"
wait "$TIME_PID" || true
log ""
log "server peak RSS (/usr/bin/time -v): $(awk -F': ' '/Maximum resident/ {printf "%d MB", $2/1024}' "$WORK/serve.time")"
echo "results: $RESULTS"
