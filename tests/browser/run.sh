#!/usr/bin/env bash
# The sign-in pages, the analysts' pages, reporting and review in headless Chromium (playwright-core), against the
# release binary with a fresh data folder and `serve --demo`, on SQLite or on a fresh
# PostgreSQL database.
# Usage: tests/browser/run.sh path/to/rops-hub NODE_PREFIX [sqlite|postgres://…/any_database]
# NODE_PREFIX is an npm prefix folder where playwright-core is installed when missing;
# SCREENSHOT_DIR (default: a temporary folder) keeps the screenshots.
set -euo pipefail
bin=$(realpath "$1")
prefix=$2
backend=${3:-sqlite}
here=$(cd "$(dirname "$0")" && pwd)
PLAYWRIGHT_VERSION=1.65.1
if [ "$(node -p "require('$prefix/node_modules/playwright-core/package.json').version" 2>/dev/null)" != "$PLAYWRIGHT_VERSION" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-fund --no-audit --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi
work=$(mktemp -d)
pid=""
pg_admin=""
pg_db=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
case "$backend" in
  sqlite) url="$work/data/browser.db" ;;
  postgres://*)
    # A database of its own, dropped at the end; the server named in the URL is kept.
    pg_admin=$backend
    pg_db="rops_browser_$$"
    psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
    url="${backend%/*}/$pg_db"
    ;;
  *) echo "backend: sqlite or a postgres:// URL, not $backend" >&2; exit 2 ;;
esac
ROPS_DATA_DIR="$work/data" ROPS_BIND=127.0.0.1:0 DATABASE_URL="$url" \
  "$bin" serve --demo >"$work/out.log" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 60); do grep -q 'listening on' "$work/out.log" && break; sleep 1; done
base=$(sed -n 's/^rops-hub listening on //p' "$work/out.log" | head -n 1)
link=$(grep -o 'http://[^ ]*/setup?token=[A-Za-z0-9_-]*' "$work/out.log" | head -n 1)
if [ -z "$base" ] || [ -z "$link" ]; then
  echo "the server did not start or print the setup link:" >&2
  cat "$work/out.log" "$work/server.log" >&2
  exit 1
fi
# The modules resolve playwright-core from the prefix (ESM ignores NODE_PATH).
cp "$here/signin.mjs" "$here/region.mjs" "$here/entry.mjs" "$here/figures.mjs" "$prefix/"
node "$prefix/signin.mjs" "$base" "$link"
# The first admin signin.mjs created, on the demo data of `serve --demo`.
shots="${SCREENSHOT_DIR:-$work/screenshots}"
mkdir -p "$shots"
# The workbook entry.mjs uploads, made with rust_xlsxwriter by the `workbook` example built
# beside the binary: the current quarter of OWES-PN.
workbook_tool="$(dirname "$bin")/examples/workbook"
quarter="$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))"
"$workbook_tool" "$work/owes-pn.xlsx" "$quarter" jobs_created=3 enterprises_created=1 initiative_groups_created=1
# region.mjs makes the OWES official's account that entry.mjs signs in with.
if ! node "$prefix/region.mjs" "$base" admin@rops.opole.pl 'Ekonomia-społeczna-2025' "$shots" ||
  ! node "$prefix/entry.mjs" "$base" admin@rops.opole.pl 'Ekonomia-społeczna-2025' \
    jan.kowalski@owes-pn.pl 'Własne-hasło-OWES-2025' "$shots" "$work/owes-pn.xlsx"; then
  echo "the server's log:" >&2
  tail -n 40 "$work/server.log" >&2
  exit 1
fi
echo "screenshots of the pages ($backend) in $shots"
