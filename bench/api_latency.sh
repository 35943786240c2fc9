#!/usr/bin/env bash
# API latency benchmark: two or more wijkveilig binaries side by side, in one run.
#
#   bench/api_latency.sh before=/work/bin-before/wijkveilig after=target/release/wijkveilig
#   DATASETS=demo DURATION=3 bench/api_latency.sh a=BIN b=BIN
#
# What it measures: requests/s, p50 and p99 latency and errors (non-2xx responses; socket
# connect/read/write errors and timeouts) of GET /api/hotspots, /api/coverage and /api/report
# (JSON, default query), with `wrk --latency --timeout 60s` at 1 connection (-t1 -c1) and at
# 16 connections (-t2 -c16), for a fixed duration per cell.
#
# How: for each dataset, every binary gets a fresh SQLite database in a temp dir (the same input
# files imported into each) and its own `wijkveilig serve --addr 127.0.0.1:PORT`. All servers
# run at once, but only one is measured at a time, and every cell starts only when all servers
# are idle (no CPU use for a second). Warm-up: each endpoint is requested with curl (the first
# request also builds the area index); status codes and times are recorded. A binary whose
# first request to an endpoint fails to answer within PROBE_TIMEOUT gets no wrk cells for it
# (the table says so): wrk would only count timeouts while the server kept working. Then the
# cells are interleaved: per endpoint and connection count binary A, then B, ..., so machine
# load drifts affect all alike; `cat /proc/loadavg` is recorded before each cell. A server
# still busy IDLE_WAIT s after a cell or probe (abandoned requests) is restarted, and that is
# recorded. Servers are always stopped on exit (trap).
#
# Datasets (DATASETS, default "demo national"):
#   demo      an empty database: `serve` loads the built-in synthetic demo town itself.
#   national  the national 2014 buurten and wijken from $DATA (coarse CBS polygons), as ONE area
#             file, imported with `import areas --repair`. Dropped first: features with null
#             geometry (older binaries refuse them even with --repair), then the features that
#             any of the binaries refuses with --repair (found by dry runs; see
#             bench/api_latency.py). The same file goes to every binary; the table says how
#             many were dropped and why. The data has no figures, so deterministic synthetic
#             offences (47018NED-shaped totals per buurt, 2022 and 2023), 20,000 incidents
#             inside buurten and 40 cameras are generated (fixed seed) and imported into every
#             database. Import times are recorded.
#             At 7ad246c no national request answers within 60 s (one /api/hotspots takes ~4 min,
#             almost all in the offence-sums SQL query; /api/coverage over 15 min, in the KDE),
#             so that binary's national cells show "not run"; PROBE_TIMEOUT=N raises the limit.
#
# Environment: DURATION (s per cell, default 10), NATIONAL_DURATION (s per cell on the national
# set, default 3 x DURATION), WARMUP (curl requests per endpoint and binary, default 2; only one
# when the first takes over 10 s), PROBE_TIMEOUT (s, default 60, as wrk's timeout), IDLE_WAIT
# (s, default 15), DATASETS, ENDPOINTS (default "/api/hotspots /api/coverage /api/report"),
# DATA (default ../shared/data beside the repo), BENCH_OUT (default bench/out), KEEP_WORK=1
# (keep the temp dir: databases, server logs, raw wrk output).
# At the defaults a run of two binaries takes 10-15 minutes.
#
# Output: a Markdown table per dataset on standard output and in bench/out/api_latency.md; the
# raw records in bench/out/api_latency.jsonl. Installs `wrk` (Debian package) if it is missing.
# Only 127.0.0.1 is contacted.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
DATA=${DATA:-$REPO/../shared/data}
OUT=${BENCH_OUT:-$HERE/out}
DURATION=${DURATION:-10}
NATIONAL_DURATION=${NATIONAL_DURATION:-$((DURATION * 3))}
WARMUP=${WARMUP:-2}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-60}
IDLE_WAIT=${IDLE_WAIT:-15}
DATASETS=${DATASETS:-demo national}
ENDPOINTS=${ENDPOINTS:-/api/hotspots /api/coverage /api/report}
LOADS="1:1 2:16" # wrk threads:connections per cell
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-300}
PY=${PYTHON:-python3}

usage() {
    echo "usage: $0 LABEL=BINARY LABEL=BINARY [...]   (env: DATASETS, DURATION, ...; see the header)" >&2
    exit 2
}

# ---------------------------------------------------------------- arguments
LABELS=()
BINS=()
for arg in "$@"; do
    case "$arg" in
        *=*) label=${arg%%=*}; bin=${arg#*=} ;;
        *) usage ;;
    esac
    [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bad label '$label' (letters, digits, . _ -)" >&2; exit 2; }
    for l in "${LABELS[@]}"; do [ "$l" != "$label" ] || { echo "label '$label' given twice" >&2; exit 2; }; done
    [ -x "$bin" ] || { echo "$label: '$bin' is not an executable file" >&2; exit 2; }
    LABELS+=("$label")
    BINS+=("$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")")
done
[ "${#LABELS[@]}" -ge 2 ] || usage
for ds in $DATASETS; do
    case "$ds" in demo|national) ;; *) echo "unknown dataset '$ds' (demo, national)" >&2; exit 2;; esac
done

# ---------------------------------------------------------------- tools
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package 'wrk')" >&2
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
for tool in curl "$PY" gunzip awk; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done

mkdir -p "$OUT"
RESULTS=$OUT/api_latency.jsonl
REPORT=$OUT/api_latency.md
: > "$RESULTS"
WORK=$(mktemp -d /tmp/api-latency.XXXXXX)
DS=""          # the dataset being measured
SPID=()        # per binary index: server pid, port, database, log
SPORT=()
SDB=()
SLOG=()

# record JSON: appends one JSON object (built by the caller) to the results.
record() { printf '%s\n' "$1" >> "$RESULTS"; }
jstr() { "$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
note() { # note LABEL TEXT: a line under the dataset's heading
    echo "  $1: $2" >&2
    record "{\"kind\":\"setup\",\"dataset\":\"$DS\",\"label\":\"$1\",\"text\":$(jstr "$2")}"
}

# ---------------------------------------------------------------- servers
kill_server() { # kill_server I: TERM, then KILL after 5 s (a busy server may not stop on TERM)
    local pid=${SPID[$1]:-}
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    SPID[$1]=""
}
stop_servers() {
    local i
    for i in "${!SPID[@]}"; do kill_server "$i"; done
}
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    stop_servers
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() { # start_server I: serve SDB[I] on a free port, wait for /api/health
    local i=$1 t0 pid
    SPORT[i]=$(free_port)
    DATABASE_URL="sqlite://${SDB[$i]}" "${BINS[$i]}" serve --addr "127.0.0.1:${SPORT[$i]}" \
        >>"${SLOG[$i]}" 2>&1 &
    pid=$!
    SPID[i]=$pid
    t0=$(date +%s)
    until curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:${SPORT[$i]}/api/health" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "${LABELS[$i]}: the server exited; its log:" >&2; tail -20 "${SLOG[$i]}" >&2; exit 1
        fi
        if [ $(($(date +%s) - t0)) -ge "$HEALTH_TIMEOUT" ]; then
            echo "${LABELS[$i]}: no /api/health after ${HEALTH_TIMEOUT}s; log: ${SLOG[$i]}" >&2; exit 1
        fi
        sleep 0.2
    done
    START_SECS=$(($(date +%s) - t0))
}

cpu_ticks() { # CPU time (clock ticks) used so far by server I, 0 if it is gone
    awk '{ print $14 + $15 }' "/proc/${SPID[$1]}/stat" 2>/dev/null || echo 0
}

# wait_idle: until no server used more than 5 % of a core over one second; a server still busy
# after IDLE_WAIT seconds (working on requests its client gave up on) is restarted.
wait_idle() {
    local i t0 before=() busy
    t0=$(date +%s)
    while :; do
        for i in "${!LABELS[@]}"; do before[i]=$(cpu_ticks "$i"); done
        sleep 1
        busy=()
        for i in "${!LABELS[@]}"; do
            [ $(($(cpu_ticks "$i") - before[i])) -le 5 ] || busy+=("$i")
        done
        [ "${#busy[@]}" -gt 0 ] || return 0
        if [ $(($(date +%s) - t0)) -ge "$IDLE_WAIT" ]; then
            for i in "${busy[@]}"; do
                kill_server "$i"
                start_server "$i"
                note "${LABELS[$i]}" "restarted before the $1: still busy after ${IDLE_WAIT} s of waiting (requests whose client gave up); up again after ${START_SECS} s"
            done
            return 0
        fi
    done
}

# ---------------------------------------------------------------- wrk
# wrk reports through this script's done() hook as one JSON line (latencies in microseconds).
cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
LUA

# ---------------------------------------------------------------- run header
{
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- DURATION=${DURATION}s (national: ${NATIONAL_DURATION}s), WARMUP=$WARMUP, PROBE_TIMEOUT=${PROBE_TIMEOUT}s, IDLE_WAIT=${IDLE_WAIT}s, wrk --timeout 60s, loads (threads:connections) $LOADS"
    for i in "${!LABELS[@]}"; do
        echo "- \`${LABELS[$i]}\` = \`${BINS[$i]}\` ($("${BINS[$i]}" --version 2>/dev/null | head -1), sha256 $(sha256sum "${BINS[$i]}" | cut -c1-12))"
    done
} > "$WORK/header.md"
record "{\"kind\":\"run\",\"text\":$(jstr "$(cat "$WORK/header.md")")}"
cat "$WORK/header.md" >&2

# ---------------------------------------------------------------- datasets
# prepare_national DIR: the filtered area file and synthetic figures, the same for every binary.
prepare_national() {
    local dir=$1 screen=() i
    mkdir -p "$dir"
    gunzip -c "$DATA/nl-buurten-2014-coarse.geojson.gz" > "$dir/nl-buurten-2014-coarse.geojson"
    gunzip -c "$DATA/nl-wijken-2014-coarse.geojson.gz" > "$dir/nl-wijken-2014-coarse.geojson"
    for i in "${!LABELS[@]}"; do screen+=(--screen "${LABELS[$i]}=${BINS[$i]}"); done
    "$PY" "$HERE/api_latency.py" national "$dir/nl-buurten-2014-coarse.geojson" \
        "$dir/nl-wijken-2014-coarse.geojson" "$dir" "${screen[@]}" > "$dir/prepare.json"
    record "{\"kind\":\"inputs\",\"dataset\":\"national\",\"data\":$(cat "$dir/prepare.json")}"
}

# import_national I INPUTS: imports the national files into SDB[I]; 1 if an import fails.
import_national() {
    local i=$1 in=$2 label=${LABELS[$1]} spec kind file flags t0 secs rc repairs log
    for spec in "areas:nl-areas-2014.geojson:--repair" "offences:offences.csv:" \
                "incidents:incidents.csv:" "cameras:cameras.csv:"; do
        IFS=: read -r kind file flags <<< "$spec"
        log="$WORK/national/import-$label-$kind.log"
        t0=$(date +%s.%N)
        rc=0
        # shellcheck disable=SC2086  # flags is empty or one word
        DATABASE_URL="sqlite://${SDB[$i]}" "${BINS[$i]}" import "$kind" "$in/$file" $flags \
            > "$log" 2>&1 || rc=$?
        secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        repairs=$(grep -c '^  - repaired' "$log" || true)
        note "$label" "import $kind $file $flags: $secs s, exit $rc: $(grep -v -e '^  - repaired' -e 'WARN' "$log" | tail -4 | tr '\n' ' ' | tr -s ' ' | cut -c1-400)$([ "$repairs" = 0 ] || echo " ($repairs repairs reported)")"
        if [ "$rc" -ne 0 ]; then
            tail -5 "$log" >&2
            return 1
        fi
    done
}

# probe I ENDPOINT: warm-up requests with curl; records statuses, times and size. Sets PROBE_OK
# to 0 when the first request got no answer within PROBE_TIMEOUT.
probe() {
    local i=$1 ep=$2 n statuses=() times=() out bytes=0
    PROBE_OK=1
    for n in $(seq "$WARMUP"); do
        rm -f "$WORK/probe.body"
        out=$(curl -s -o "$WORK/probe.body" -w '%{http_code} %{time_total}' --max-time "$PROBE_TIMEOUT" \
            "http://127.0.0.1:${SPORT[$i]}$ep" || true)
        [ -n "$out" ] || out="000 0"
        statuses+=("\"${out% *}\"")
        times+=("${out#* }")
        bytes=$(stat -c %s "$WORK/probe.body" 2>/dev/null || echo 0)
        if [ "${out% *}" = 000 ]; then
            [ "$n" -gt 1 ] || PROBE_OK=0
            break
        fi
        # One slow request is warm-up enough.
        awk -v t="${out#* }" 'BEGIN { exit !(t > 10) }' && break
    done
    echo "  ${LABELS[$i]} $ep: HTTP ${statuses[*]//\"/} in ${times[*]} s" >&2
    if [ "${statuses[0]}" != '"200"' ] && [ -s "$WORK/probe.body" ]; then
        echo "    $(head -c 300 "$WORK/probe.body")" >&2
    fi
    record "{\"kind\":\"probe\",\"dataset\":\"$DS\",\"label\":\"${LABELS[$i]}\",\"endpoint\":\"$ep\",\"timeout_s\":$PROBE_TIMEOUT,\"statuses\":[$(IFS=,; echo "${statuses[*]}")],\"times_s\":[$(IFS=,; echo "${times[*]}")],\"bytes\":$bytes}"
}

# measure I ENDPOINT THREADS CONNECTIONS SECONDS
measure() {
    local i=$1 ep=$2 t=$3 c=$4 secs=$5 load raw json
    load=$(cat /proc/loadavg)
    raw="$WORK/$DS/wrk-${LABELS[$i]}-${ep//\//_}-c$c.txt"
    wrk -t"$t" -c"$c" -d"${secs}s" --timeout 60s --latency -s "$WORK/report.lua" \
        "http://127.0.0.1:${SPORT[$i]}$ep" > "$raw" 2>&1 || true
    json=$(sed -n 's/^WRKJSON //p' "$raw")
    [ -n "$json" ] || json=null
    echo "  $ep c=$c ${LABELS[$i]}: $(grep -E 'Requests/sec|Non-2xx|Socket errors' "$raw" | tr -s ' ' | tr '\n' ';')" >&2
    record "{\"kind\":\"wrk\",\"dataset\":\"$DS\",\"label\":\"${LABELS[$i]}\",\"endpoint\":\"$ep\",\"threads\":$t,\"connections\":$c,\"seconds\":$secs,\"loadavg\":\"$load\",\"wrk\":$json}"
}

run_dataset() {
    local secs=$DURATION i ep load t c
    DS=$1
    echo "== dataset $DS" >&2
    mkdir -p "$WORK/$DS"
    if [ "$DS" = national ]; then
        secs=$NATIONAL_DURATION
        echo "  preparing the national inputs (filter, screen with each binary, synthetic figures)" >&2
        prepare_national "$WORK/national/inputs"
    fi
    for i in "${!LABELS[@]}"; do
        SDB[i]="$WORK/$DS/${LABELS[$i]}.sqlite"
        SLOG[i]="$WORK/$DS/serve-${LABELS[$i]}.log"
        if [ "$DS" = national ] && ! import_national "$i" "$WORK/national/inputs"; then
            note "${LABELS[$i]}" "IMPORT FAILED: no measurements on this dataset"
            FAILED=1
            stop_servers
            "$PY" "$HERE/api_latency.py" table "$RESULTS" "$REPORT" --dataset "$DS"
            return 0
        fi
        start_server "$i"
        note "${LABELS[$i]}" "serve: /api/health answered ${START_SECS} s after start"
    done
    # skip[i,ep]=1: the first request timed out, so no wrk cells for that pair.
    declare -A skip=()
    for ep in $ENDPOINTS; do
        for i in "${!LABELS[@]}"; do
            wait_idle "warm-up of ${LABELS[$i]} $ep"
            probe "$i" "$ep"
            [ "$PROBE_OK" = 1 ] || skip["$i,$ep"]=1
        done
    done
    for ep in $ENDPOINTS; do
        for load in $LOADS; do
            IFS=: read -r t c <<< "$load"
            for i in "${!LABELS[@]}"; do
                if [ -n "${skip["$i,$ep"]:-}" ]; then
                    record "{\"kind\":\"wrk\",\"dataset\":\"$DS\",\"label\":\"${LABELS[$i]}\",\"endpoint\":\"$ep\",\"threads\":$t,\"connections\":$c,\"seconds\":$secs,\"loadavg\":\"$(cat /proc/loadavg)\",\"wrk\":null,\"skipped\":\"first request: no answer within ${PROBE_TIMEOUT} s\"}"
                    continue
                fi
                wait_idle "cell ${LABELS[$i]} $ep c=$c"
                measure "$i" "$ep" "$t" "$c" "$secs"
            done
        done
    done
    stop_servers
    echo >&2
    "$PY" "$HERE/api_latency.py" table "$RESULTS" "$REPORT" --dataset "$DS"
    echo
}

# Unexpected errors abort the run (set -e; the trap stops the servers). A binary that cannot
# import a dataset is recorded, that dataset is skipped and the exit status is 1.
FAILED=0
for ds in $DATASETS; do
    run_dataset "$ds"
done
"$PY" "$HERE/api_latency.py" table "$RESULTS" "$REPORT"
echo "written: $REPORT (raw records: $RESULTS)" >&2
exit "$FAILED"
