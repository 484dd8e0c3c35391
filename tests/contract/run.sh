#!/usr/bin/env bash
# The contract, checked from outside against the release binary:
#   1. a Python client generated from the served document (openapi-python-client) runs a real
#      flow: region 16, an OWES report put, submitted and approved, the rollup as JSON (a
#      model), CSV (text) and XLSX (bytes);
#   2. schemathesis with every check against the served document, on a fresh SQLite database
#      and, given a PostgreSQL URL, on a fresh PostgreSQL database;
#   3. Spectral lints the committed document (tests/contract/.spectral.yaml).
# Tools are installed when missing (schemathesis and the generator into VENV_DIR from PyPI,
# Spectral into NODE_PREFIX from npm) and reused after.
#
# Usage: bash tests/contract/run.sh BINARY VENV_DIR NODE_PREFIX [postgres-url]
#   BINARY        the rops-hub binary to test (a release build)
#   VENV_DIR      a Python virtual environment (created when missing)
#   NODE_PREFIX   an npm prefix folder for Spectral (created when missing)
#   postgres-url  a PostgreSQL server URL whose user may create databases, e.g.
#                 postgres://postgres@127.0.0.1:5432/rops_ci; a database is created on it for
#                 the run and dropped after
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  sed -n '2,19p' "$0" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "$1")
venv=$(realpath -m "$2")
node_prefix=$(realpath -m "$3")
pg_url="${4:-}"

SCHEMATHESIS_VERSION=4.32.5
GENERATOR_VERSION=0.29.1
SPECTRAL_VERSION=6.16.3
SEED=20261123
MAX_EXAMPLES=30

started=$(date +%s)
step() { printf '\n== contract: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

step "tools"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
pip_has() { "$venv/bin/python" -m pip show "$1" 2>/dev/null | grep -qx "Version: $2"; }
if ! pip_has schemathesis "$SCHEMATHESIS_VERSION"; then
  "$venv/bin/python" -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
if ! pip_has openapi-python-client "$GENERATOR_VERSION"; then
  "$venv/bin/python" -m pip install --quiet "openapi-python-client==$GENERATOR_VERSION"
fi
# Builds the generated client in place (--no-build-isolation): setuptools with bdist_wheel.
if ! "$venv/bin/python" -c 'import setuptools.command.bdist_wheel' 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet "setuptools>=70.1"
fi
spectral="$node_prefix/node_modules/.bin/spectral"
if [ ! -x "$spectral" ] || [ "$("$spectral" --version 2>/dev/null)" != "$SPECTRAL_VERSION" ]; then
  mkdir -p "$node_prefix"
  npm install --prefix "$node_prefix" --no-fund --no-audit --loglevel=error \
    "@stoplight/spectral-cli@$SPECTRAL_VERSION" >/dev/null
fi
echo "schemathesis $SCHEMATHESIS_VERSION, openapi-python-client $GENERATOR_VERSION, spectral $("$spectral" --version)"

work=$(mktemp -d)
server_pid=""
pg_db=""
pg_admin=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_db" ]; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# One secret for the servers and the tokens of this run.
export ROPS_JWT_SECRET
ROPS_JWT_SECRET=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')

# Starts the binary on a fresh data folder (and DATABASE_URL when given); sets $base.
start_server() {
  local name=$1 database_url=${2:-}
  mkdir -p "$work/$name"
  (
    export ROPS_DATA_DIR="$work/$name/data" ROPS_BIND=127.0.0.1:0 ROPS_LOG_FORMAT=json
    unset ROPS_CORS_ORIGINS
    if [ -n "$database_url" ]; then export DATABASE_URL="$database_url"; else unset DATABASE_URL; fi
    exec "$binary" serve >"$work/$name/out.log" 2>"$work/$name/server.log"
  ) &
  server_pid=$!
  for _ in $(seq 1 120); do
    grep -q 'listening on' "$work/$name/out.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  base=$(sed -n 's/^rops-hub listening on //p' "$work/$name/out.log" | head -n 1)
  if [ -z "$base" ]; then
    echo "rops-hub did not start ($name):" >&2
    tail -n 20 "$work/$name/server.log" >&2
    exit 1
  fi
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

token() { ROPS_DATA_DIR="$work/token" "$binary" token --role "$1" --ttl 1h --sub contract; }

run_schemathesis() {
  local name=$1
  echo "schemathesis on $name: $base"
  # --generation-database none: nothing is written into the work tree.
  # Run from the work folder, so that nothing it writes lands in the repository.
  (cd "$work" && PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    SCHEMATHESIS_HOOKS=schemathesis_hooks \
    timeout 600 "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run \
    "$base/api-docs/openapi.json" \
    --header "Authorization: Bearer $(token admin)" \
    --checks all \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" --workers 2 --seed "$SEED" \
    --generation-database none --no-color)
}

step "SQLite: a generated Python client runs the flow"
start_server sqlite
curl -fsS "$base/api-docs/openapi.json" -o "$work/openapi.json"
"$venv/bin/openapi-python-client" generate --path "$work/openapi.json" \
  --config "$here/generator.yaml" --meta setup --output-path "$work/client" >"$work/generate.log" 2>&1 ||
  { cat "$work/generate.log" >&2; exit 1; }
# The one part this generator cannot use: a text/csv request body (it sends no text bodies;
# each stream's import takes XLSX through it). Anything else it warns about fails the run.
unexpected=$(grep '^WARNING' "$work/generate.log" | grep -vxE 'WARNING parsing POST /api/v1/[a-z]+/\{[a-z]+\}/reports/import within [a-z_]+\.' || true)
warnings=$(grep -c '^WARNING' "$work/generate.log" || true)
csv_warnings=$(grep -cx 'Unsupported content type text/csv' "$work/generate.log" || true)
if [ -n "$unexpected" ] || [ "$warnings" != "$csv_warnings" ]; then
  echo "openapi-python-client could not use parts of the document:" >&2
  cat "$work/generate.log" >&2
  exit 1
fi
# Its dependencies (httpx, attrs, python-dateutil) come with the generator.
"$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation --force-reinstall "$work/client"
"$venv/bin/python" "$here/flow.py" --base "$base" --token "$(token admin)"

step "SQLite: schemathesis, every check"
run_schemathesis sqlite
stop_server

if [ -n "$pg_url" ]; then
  step "PostgreSQL: schemathesis, every check"
  pg_db="rops_contract_$$_$(date +%s)"
  pg_admin="$pg_url"
  psql "$pg_admin" -qc "CREATE DATABASE \"$pg_db\"" >/dev/null
  # The same server and user, the new database.
  pg_run_url=$("$venv/bin/python" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_url" "$pg_db")
  start_server postgres "$pg_run_url"
  run_schemathesis postgres
  stop_server
  psql "$pg_admin" -qc "DROP DATABASE \"$pg_db\" WITH (FORCE)" >/dev/null
  pg_db=""
fi

step "Spectral lints api-spec/openapi.json"
"$spectral" lint --ruleset "$here/.spectral.yaml" --fail-severity error "$root/api-spec/openapi.json"

step "passed"
