#!/bin/sh
# scripts/demo.sh — what `make demo` shows: the command line, and the
# business rules scoring a small features file.
set -eu
BIN=${1:-build/incomescore}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

"$BIN" --help
echo
echo "== incomescore rules apply < tests/fixtures/features.csv"
"$BIN" rules apply < "$ROOT/tests/fixtures/features.csv"
