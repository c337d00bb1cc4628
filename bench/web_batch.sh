#!/bin/sh
# bench/web_batch.sh — the web page's batch view with 50,000 rows in
# headless Chromium (bench/web_batch.mjs says what it measures). Needs
# `make deps` (chromium, tests/browser's npm packages).
#
#   bench/web_batch.sh [path/to/incomescore]      ROWS=n for another count
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec node "$ROOT/bench/web_batch.mjs" "${1:-$ROOT/build/incomescore}"
