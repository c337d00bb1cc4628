#!/bin/sh
# bench/etl.sh — ETL throughput and memory on synthetic documents.
#
#   bench/etl.sh [path/to/incomescore] [documents]     (default 1000000)
#
# Generates the documents once under bench/out/ with demo-data (seeded),
# runs `etl` on them and prints its own summary line: documents/s and the
# peak resident memory. Timings are for reading; no test asserts them.
set -eu
BIN=${1:-build/incomescore}
COUNT=${2:-1000000}
OUT=$(dirname "$0")/out
mkdir -p "$OUT"
DOCS=$OUT/docs_$COUNT.jsonl
[ -s "$DOCS" ] || "$BIN" demo-data --count "$COUNT" --seed 7 --as-of 2024-06-30 --out "$DOCS"
"$BIN" etl --source "$DOCS" --out "$OUT/dataset_$COUNT.csv" --as-of 2024-06-30
