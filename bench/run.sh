#!/usr/bin/env bash
# Benchmark `wijkveilig join` against DuckDB spatial and geopandas, and check agreement.
#
#   bench/run.sh            # = all: bench + agreement, then writes bench/RESULTS.md
#   bench/run.sh bench      # 10M points x 14k polygons: wijkveilig, DuckDB, geopandas, compare
#   bench/run.sh refs       # DuckDB + geopandas only (no Rust binary needed); report -> bench/out/
#   bench/run.sh agreement  # Twente per-point agreement check (1M points + boundary points)
#
# Environment: VENV (default /work/venv-bench), WIJKVEILIG_BIN (default target/release/wijkveilig),
# SKIP_BUILD=1 (do not run `cargo build --release -p wijkveilig` first), DATA (default ../shared/data),
# REPEAT (runs per tool, default 1), POSTGIS=1 (also PostGIS on a 1M-point prefix; creates and drops
# database bench_postgis on 127.0.0.1:5432, user postgres).
# Everything generated goes to bench/out/ (git-ignored). Nothing here reaches the internet: the
# venv is installed from the package registry with pinned versions, DuckDB's spatial extension is
# loaded from its PyPI wheel by path.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
VENV=${VENV:-/work/venv-bench}
DATA=${DATA:-$REPO/../shared/data}
OUT=${BENCH_OUT:-$HERE/out}
BIN=${WIJKVEILIG_BIN:-$REPO/target/release/wijkveilig}
REPEAT=${REPEAT:-1}
RESULTS_MD=${RESULTS_MD:-$HERE/RESULTS.md}
MODE=${1:-all}
PY=$VENV/bin/python

case "$MODE" in all|bench|refs|agreement) ;; *) echo "usage: $0 [all|bench|refs|agreement]" >&2; exit 2;; esac

# GNU time measures wall time and peak RSS of each tool. It is Debian's `time` package.
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (Debian package 'time')" >&2
    apt-get update -qq && apt-get install -y -qq time
fi

# Python venv outside the repo, pinned by bench/requirements.txt (reinstalled when that changes).
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
fi
REQ_SUM=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$VENV/.bench-requirements.sha256" 2>/dev/null)" != "$REQ_SUM" ]; then
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -r "$HERE/requirements.txt"
    echo "$REQ_SUM" > "$VENV/.bench-requirements.sha256"
fi

mkdir -p "$OUT"

need_inputs() {
    if [ ! -s "$OUT/polygons.geojson" ] || [ ! -s "$OUT/points.csv" ]; then
        echo "generating benchmark inputs into $OUT" >&2
        "$PY" "$HERE/generate.py" --out "$OUT"
    fi
    echo "checking input hashes against bench/inputs.sha256" >&2
    if ! (cd "$OUT" && sha256sum -c --quiet "$HERE/inputs.sha256"); then
        echo "WARNING: inputs differ from bench/inputs.sha256 (other numpy/scipy?); numbers are not comparable" >&2
    fi
}

need_binary() {
    if [ "${SKIP_BUILD:-0}" != 1 ] && [ -z "${WIJKVEILIG_BIN:-}" ]; then
        (cd "$REPO" && cargo build --release -p wijkveilig)
    fi
    if ! "$BIN" join --help >/dev/null 2>&1; then
        echo "no working '$BIN join' (build it with: cargo build --release -p wijkveilig)" >&2
        exit 1
    fi
}

env_info() {
    echo "date:      $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cpu:       $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "memory:    $(free -g | awk '/Mem:/{print $2}') GiB"
    echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg) (before the first tool)"
    echo "repo:      $(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD -- backend Cargo.toml Cargo.lock || echo ' (+ uncommitted changes under backend/)')"
    [ -x "$BIN" ] && echo "wijkveilig: $BIN ($(stat -c %y "$BIN" | cut -d. -f1))"
    echo "python:    $("$PY" -c 'import sys,duckdb,geopandas,shapely,pandas;print(sys.version.split()[0], "duckdb", duckdb.__version__, "geopandas", geopandas.__version__, "shapely", shapely.__version__, "GEOS", shapely.geos_version_string, "pandas", pandas.__version__)')"
    echo "polygons:  $(grep -o '"type":"Feature"' "$OUT/polygons.geojson" | wc -l) features; points: $(($(wc -l < "$OUT/points.csv") - 1))"
    echo "inputs:    $(cd "$OUT" && sha256sum polygons.geojson points.csv | awk '{printf "%s %s  ", $2, $1}')"
}

run_bench() {  # $1 = with_wijkveilig (1/0)
    local stamp run
    exec 3>&1 1>&2  # runs in a $(...) subshell: only the run directory goes to stdout
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    run="$OUT/runs/$stamp"
    mkdir -p "$run"
    env_info > "$run/env.txt"
    cat "$run/env.txt" >&2
    local P="$OUT/polygons.geojson" Q="$OUT/points.csv" N
    N=$(($(wc -l < "$Q") - 1))
    local outs=()
    for i in $(seq 1 "$REPEAT"); do
        if [ "$1" = 1 ]; then
            "$PY" "$HERE/timed.py" --label "wijkveilig join" --record "$run/results.jsonl" --points $N \
                --note "release build" -- "$BIN" join --polygons "$P" --points "$Q" --out "$run/wijkveilig.csv" \
                2> >(tee "$run/wijkveilig.stderr" >&2)
        fi
        "$PY" "$HERE/timed.py" --label "DuckDB spatial" --record "$run/results.jsonl" --points $N \
            --note "duckdb 1.5.5 + spatial, threads=2, JSON reader + ST_GeomFromGeoJSON, SPATIAL_JOIN on ST_Contains" \
            -- "$PY" "$HERE/duckdb_join.py" --threads 2 --polygons "$P" --points "$Q" --out "$run/duckdb.csv"
        "$PY" "$HERE/timed.py" --label "geopandas sjoin" --record "$run/results.jsonl" --points $N \
            --note "geopandas sjoin within (STRtree, 1 thread), pandas read_csv" \
            -- "$PY" "$HERE/geopandas_join.py" --polygons "$P" --points "$Q" --out "$run/geopandas.csv"
    done
    if [ "${POSTGIS:-0}" = 1 ]; then
        # Optional: PostGIS is ~100x slower per point here (GiST probe per point), so it runs on the
        # first 1,000,000 points only, next to geopandas on the same prefix for the comparison.
        if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15-postgis-3
        fi
        head -n 1000001 "$Q" > "$OUT/points-1M-prefix.csv"
        local NP=$(($(wc -l < "$OUT/points-1M-prefix.csv") - 1))
        chmod a+r "$OUT/points-1M-prefix.csv" "$P"
        "$PY" "$HERE/timed.py" --label "PostGIS (1M-point prefix)" --record "$run/results.jsonl" --points "$NP" \
            --note "PostgreSQL 15 + PostGIS 3.3 (Debian), GiST + ST_Contains, server-side COPY; whole process incl. createdb + CREATE EXTENSION" \
            -- "$PY" "$HERE/postgis_join.py" --polygons "$P" --points "$OUT/points-1M-prefix.csv" --out "$run/postgis-1M.csv" \
            2> >(tee "$run/postgis.stderr" >&2)
        "$PY" "$HERE/timed.py" --label "geopandas sjoin (1M-point prefix)" --record "$run/results.jsonl" --points "$NP" \
            --note "same prefix as PostGIS, for the comparison" \
            -- "$PY" "$HERE/geopandas_join.py" --polygons "$P" --points "$OUT/points-1M-prefix.csv" --out "$run/geopandas-1M.csv"
    fi
    echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg) (after the last tool; other jobs on the machine show up here)" >> "$run/env.txt"
    if [ "$1" = 1 ]; then outs=("$run/wijkveilig.csv"); fi
    outs+=("$run/duckdb.csv" "$run/geopandas.csv")
    set +e
    "$PY" "$HERE/compare.py" "${outs[@]}" > "$run/compare.txt"
    local cmp_rc=$?
    if [ "$1" = 1 ] && ! "$PY" "$HERE/compare.py" "$run/wijkveilig.csv" "$run/geopandas.csv" >/dev/null; then
        {
            echo
            echo "explain_diff.py (wijkveilig vs geopandas):"
            "$PY" "$HERE/explain_diff.py" --polygons "$P" --points "$Q" --wijkveilig "$run/wijkveilig.csv" \
                --reference "$run/geopandas.csv" --bin "$BIN" && cmp_rc=0
        } >> "$run/compare.txt" 2>&1
    fi
    if [ "${POSTGIS:-0}" = 1 ]; then
        "$PY" "$HERE/compare.py" "$run/geopandas-1M.csv" "$run/postgis-1M.csv" >> "$run/compare.txt" || cmp_rc=1
        grep '^postgis:' "$run/postgis.stderr" >> "$run/compare.txt" || true
    fi
    cat "$run/compare.txt"
    set -e
    if [ "$1" = 1 ]; then
        {
            echo
            echo "wijkveilig stderr (last lines):"
            tail -n 5 "$run/wijkveilig.stderr"
            echo "DuckDB/geopandas: $("$PY" - "$run/duckdb.csv" "$N" <<'EOF'
import sys, csv
n = sum(int(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:])
print(f"{n} points inside a polygon, {int(sys.argv[2]) - n} in none (ST_Contains / within: boundary points count as none)")
EOF
)"
        } >> "$run/compare.txt"
    fi
    ln -sfn "runs/$stamp" "$OUT/latest"
    echo "$run" >&3
    return $cmp_rc
}

LATEST_RUN=""
RC=0
if [ "$MODE" = all ] || [ "$MODE" = bench ]; then
    need_binary
    need_inputs
    LATEST_RUN=$(run_bench 1) || RC=1
elif [ "$MODE" = refs ]; then
    need_inputs
    run=$(run_bench 0) || RC=1
    "$PY" "$HERE/report.py" --run-dir "$run" --out "$OUT/RESULTS-refs.md"
    echo "wrote $OUT/RESULTS-refs.md" >&2
fi
if [ "$MODE" = all ] || [ "$MODE" = agreement ]; then
    [ "$MODE" = agreement ] && need_binary
    "$PY" "$HERE/agreement.py" --bin "$BIN" --polygons "$DATA/twente-buurten-2021.geojson" \
        --out "$OUT/agreement" || RC=1
fi
if [ "$MODE" != refs ]; then
    [ -z "$LATEST_RUN" ] && [ -e "$OUT/latest" ] && LATEST_RUN=$(readlink -f "$OUT/latest")
    args=()
    [ -n "$LATEST_RUN" ] && args+=(--run-dir "$LATEST_RUN")
    [ -f "$OUT/agreement/summary.json" ] && args+=(--agreement "$OUT/agreement/summary.json")
    "$PY" "$HERE/report.py" "${args[@]}" --out "$RESULTS_MD"
    echo "wrote $RESULTS_MD" >&2
fi
exit $RC
