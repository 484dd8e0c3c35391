#!/usr/bin/env bash
# Renders /docs in headless Chromium with the network off (a fresh network namespace holding
# only loopback) and checks that the page lists the API's operations.
# Usage: tests/docs/render.sh path/to/rops-hub path/to/openapi.json
set -euo pipefail
bin=$(realpath "$1")
spec=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unshare --net bash -s "$bin" "$work" <<'INNER'
set -euo pipefail
bin=$1 work=$2
ip link set lo up
ROPS_DATA_DIR="$work/data" ROPS_BIND=127.0.0.1:0 DATABASE_URL="$work/data/docs.db" \
  "$bin" serve >"$work/out.log" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 60); do grep -q 'listening on' "$work/out.log" && break; sleep 1; done
base=$(sed -n 's/^rops-hub listening on //p' "$work/out.log" | head -n 1)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chromium" --virtual-time-budget=20000 \
  --dump-dom "$base/docs/" >"$work/dom.html" 2>"$work/chromium.log" || true
kill "$pid"
INNER

operations=$(grep -o 'class="opblock-summary-path"' "$work/dom.html" | wc -l)
expected=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(v) for v in d['paths'].values()))" "$spec")
echo "/docs rendered offline in Chromium: $operations of $expected operations listed"
if [ "$operations" -ne "$expected" ]; then
  echo "the page does not list every operation; its text:" >&2
  sed -e 's/<[^>]*>/ /g' "$work/dom.html" | tr -s ' \n' | head -c 2000 >&2
  exit 1
fi
grep -q '/api/v1/rollups/regions/{code}' "$work/dom.html"
