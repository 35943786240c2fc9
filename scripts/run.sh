#!/usr/bin/env bash
# Sets up a fresh machine and serves the dashboard at http://127.0.0.1:8080. With an empty
# database (the default SQLite file wijkveilig.db here) it shows the synthetic demo town.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd frontend && npm ci --no-audit --no-fund && npm run build)
cargo build --release -p wijkveilig
exec "${CARGO_TARGET_DIR:-target}/release/wijkveilig" serve --addr "${WIJKVEILIG_ADDR:-127.0.0.1:8080}" "$@"
