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
# Data as it really comes (issue #11), each on a server of its own:
#   BASE_URL_ALMELO  the real Almelo files from ../shared/data (buurten, wijken, gemeente, CBS 47018NED
#                    2023: yearly, the total only; 85984NED population), with the test accounts, and
#                    Almelo's buurten of boundary year 2014 (cut from the national coarse file); empty
#                    when that folder is absent (set WIJKVEILIG_SHARED_DATA to point elsewhere), and the
#                    tests that need it skip saying so;
#   BASE_URL_TWENTE  the 517 Twente buurten (14 gemeenten, 2021) with Almelo's 47018NED figures only;
#   BASE_URL_MONTHLY Almelo's buurten and wijken with a monthly table made from the yearly one (withheld
#                    cells, months without a row; tests/e2e/real-files.mjs);
#   BASE_URL_NATIONAL the national coarse 2014 buurten and wijken (imported with --repair: 10,416 buurten)
#                    and Almelo's 2021 buurten with its 47018NED figures (shown on 2014 through the crosswalk):
#                    the map on vector tiles at the country's scale (issue #12; the tests ask for indeling=2014);
#   BASE_URL_YEARLY  the synthetic town with only its yearly offence rows (2017 and 2018), so a trend
#                    per year has two years to draw;
#   BASE_URL_BASEMAP the imported synthetic town with a basemap URL on a closed local port
#                    (BASEMAP_DEAD_URL): the map must fall back to its plain style and say so.
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

# import_into DB KIND FILE [IMPORT ARGS...]: one import, or the script stops with the importer's words
import_into() {
  local db="$1" kind="$2" file="$3"
  shift 3
  DATABASE_URL="sqlite://$db" "$BIN" import "$kind" "$file" "$@" >/dev/null 2>"$TMP/import.log" || { echo "e2e: import of $file failed:" >&2; cat "$TMP/import.log" >&2; exit 1; }
}

# start_server DB LOG [SERVE ARGS...]: starts a server on a free port; SERVED is its base URL once /api/health answers
start_server() {
  local db="$1" log="$2" port pid
  shift 2
  port="$(free_port)"
  DATABASE_URL="sqlite://$db" "$BIN" serve --addr "127.0.0.1:$port" "$@" >"$log" 2>&1 &
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
  import_into "$TMP/wv-real.db" "$kind" "$file"
done
add_accounts "$TMP/wv-real.db"
# the basemap server's database: a copy taken before any server opens the original
cp "$TMP/wv-real.db" "$TMP/wv-basemap.db"
start_server "$TMP/wv-real.db" "$TMP/server-real.log"
BASE_URL_REAL="$SERVED"
echo "e2e: backend with imported data up at $BASE_URL_REAL ($(curl -fsS "$BASE_URL_REAL/api/health"))"

# Real Almelo data, as it comes: yearly offence totals for one year, no points at all; the
# buurten in two boundary years (2021, and 2014 cut from the national coarse file).
DATA="${WIJKVEILIG_SHARED_DATA:-$ROOT/../shared/data}"
BASE_URL_ALMELO=""
BASE_URL_TWENTE=""
BASE_URL_MONTHLY=""
BASE_URL_NATIONAL=""
if [ -f "$DATA/almelo-buurten.geojson" ] && [ -f "$DATA/almelo-misdrijven-47018NED-2023.csv" ]; then
  # the files made from the real ones (tests/e2e/real-files.mjs): Almelo's 2014 buurten, a monthly table
  node tests/e2e/real-files.mjs "$DATA" "$TMP/real"
  import_into "$TMP/wv-almelo.db" areas "$DATA/almelo-buurten.geojson"
  import_into "$TMP/wv-almelo.db" areas "$DATA/almelo-wijken.geojson"
  import_into "$TMP/wv-almelo.db" areas "$DATA/almelo-gemeente-2021.geojson"
  # the coarse 2014 file has null and self-intersecting geometries: --repair skips or mends them
  import_into "$TMP/wv-almelo.db" areas "$TMP/real/almelo-buurten-2014.geojson" --repair
  import_into "$TMP/wv-almelo.db" offences "$DATA/almelo-misdrijven-47018NED-2023.csv"
  import_into "$TMP/wv-almelo.db" population "$DATA/almelo-bevolking-buurt-85984NED-2024.csv"
  add_accounts "$TMP/wv-almelo.db"
  start_server "$TMP/wv-almelo.db" "$TMP/server-almelo.log"
  BASE_URL_ALMELO="$SERVED"
  echo "e2e: backend with the real Almelo data (boundary years 2021 and 2014) up at $BASE_URL_ALMELO"

  # Twente: the 517 buurten of 14 gemeenten, with Almelo's figures only
  import_into "$TMP/wv-twente.db" areas "$DATA/twente-buurten-2021.geojson"
  import_into "$TMP/wv-twente.db" offences "$DATA/almelo-misdrijven-47018NED-2023.csv"
  add_accounts "$TMP/wv-twente.db"
  start_server "$TMP/wv-twente.db" "$TMP/server-twente.log"
  BASE_URL_TWENTE="$SERVED"
  echo "e2e: backend with the Twente buurten and Almelo's figures up at $BASE_URL_TWENTE"

  # Almelo per month: the yearly totals spread over 2023, with withheld cells and missing months
  import_into "$TMP/wv-monthly.db" areas "$DATA/almelo-buurten.geojson"
  import_into "$TMP/wv-monthly.db" areas "$DATA/almelo-wijken.geojson"
  import_into "$TMP/wv-monthly.db" offences "$TMP/real/almelo-misdrijven-maand-2023.csv"
  import_into "$TMP/wv-monthly.db" population "$DATA/almelo-bevolking-buurt-85984NED-2024.csv"
  add_accounts "$TMP/wv-monthly.db"
  start_server "$TMP/wv-monthly.db" "$TMP/server-monthly.log"
  BASE_URL_MONTHLY="$SERVED"
  echo "e2e: backend with Almelo's monthly table (withheld cells, missing months) up at $BASE_URL_MONTHLY"
else
  echo "e2e: no real Almelo data in $DATA: the tests on it will skip" >&2
fi
if [ -f "$DATA/nl-buurten-2014-coarse.geojson.gz" ] && [ -f "$DATA/nl-wijken-2014-coarse.geojson.gz" ] && [ -f "$DATA/almelo-misdrijven-47018NED-2023.csv" ]; then
  # the whole country, boundary year 2014 (the coarse file has null and invalid geometries: --repair)
  gunzip -c "$DATA/nl-buurten-2014-coarse.geojson.gz" >"$TMP/nl-buurten-2014.geojson"
  gunzip -c "$DATA/nl-wijken-2014-coarse.geojson.gz" >"$TMP/nl-wijken-2014.geojson"
  import_into "$TMP/wv-national.db" areas "$TMP/nl-buurten-2014.geojson" --repair
  import_into "$TMP/wv-national.db" areas "$TMP/nl-wijken-2014.geojson" --repair
  # Almelo's 2021 buurten carry its 47018NED figures (codes of 2023), which the 2014 map shows through the crosswalk
  import_into "$TMP/wv-national.db" areas "$DATA/almelo-buurten.geojson"
  import_into "$TMP/wv-national.db" offences "$DATA/almelo-misdrijven-47018NED-2023.csv"
  add_accounts "$TMP/wv-national.db"
  start_server "$TMP/wv-national.db" "$TMP/server-national.log"
  BASE_URL_NATIONAL="$SERVED"
  echo "e2e: backend with the national 2014 buurten and Almelo's figures up at $BASE_URL_NATIONAL"
else
  echo "e2e: no national 2014 files in $DATA: the national map test will skip" >&2
fi

# The synthetic town with yearly offence figures only (its 2017 and 2018 rows).
{ head -n 1 geodata/offences.csv; grep 'JJ00' geodata/offences.csv; } >"$TMP/offences-yearly.csv"
import_into "$TMP/wv-yearly.db" areas geodata/areas.geojson
import_into "$TMP/wv-yearly.db" population geodata/population.csv
import_into "$TMP/wv-yearly.db" offences "$TMP/offences-yearly.csv"
add_accounts "$TMP/wv-yearly.db"
start_server "$TMP/wv-yearly.db" "$TMP/server-yearly.log"
BASE_URL_YEARLY="$SERVED"
echo "e2e: backend with yearly-only synthetic data up at $BASE_URL_YEARLY"

# A basemap that cannot be reached: a port nothing listens on.
BASEMAP_DEAD_URL="http://127.0.0.1:$(free_port)/style.json"
start_server "$TMP/wv-basemap.db" "$TMP/server-basemap.log" --basemap-style-url "$BASEMAP_DEAD_URL"
BASE_URL_BASEMAP="$SERVED"
echo "e2e: backend with an unreachable basemap ($BASEMAP_DEAD_URL) up at $BASE_URL_BASEMAP"

status=0
if [ "$#" -gt 0 ]; then TESTS=("$@"); else TESTS=(tests/e2e/); fi
BASE_URL="$BASE_URL" BASE_URL_REAL="$BASE_URL_REAL" BASE_URL_ALMELO="$BASE_URL_ALMELO" BASE_URL_YEARLY="$BASE_URL_YEARLY" \
  BASE_URL_TWENTE="$BASE_URL_TWENTE" BASE_URL_MONTHLY="$BASE_URL_MONTHLY" BASE_URL_NATIONAL="$BASE_URL_NATIONAL" WIJKVEILIG_SHARED_DATA="$DATA" \
  BASE_URL_BASEMAP="$BASE_URL_BASEMAP" BASEMAP_DEAD_URL="$BASEMAP_DEAD_URL" E2E_PASSWORD="$E2E_PASSWORD" node --test --test-concurrency=1 "${TESTS[@]}" || status=$?
if [ "$status" != 0 ]; then
  echo "e2e: tests failed; last server log lines:" >&2
  tail -n 40 "$TMP/server.log" >&2 || true
  for s in real almelo twente monthly national yearly basemap; do
    [ -f "$TMP/server-$s.log" ] || continue
    echo "e2e: last lines of the $s server:" >&2
    tail -n 20 "$TMP/server-$s.log" >&2 || true
  done
fi
exit "$status"
