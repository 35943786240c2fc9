#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: formatting and lints, the Rust unit, doc and
# integration tests (SQLite and PostgreSQL), and the browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL on 127.0.0.1:5432 with trust auth; start the machine's cluster if it is down.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# nginx, for the reverse-proxy example that tests/instances.rs runs (deploy/nginx.conf).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi

# Chromium, the frontend's npm packages and the e2e test packages.
bash scripts/e2e-setup.sh

echo "== frontend: build (with its type check against the API types), type check, lint, unit tests"
npm --prefix frontend run build
npm --prefix frontend run typecheck
npm --prefix frontend run lint
npm --prefix frontend test

echo "== rust: format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings

echo "== rust: unit, doc and integration tests (SQLite and PostgreSQL)"
cargo test --workspace

echo "== browser end-to-end tests"
cargo build -p wijkveilig
WIJKVEILIG_BIN=target/debug/wijkveilig bash scripts/e2e.sh
