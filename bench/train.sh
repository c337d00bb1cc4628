#!/bin/sh
# bench/train.sh — model quality and training speed.
#
#   bench/train.sh [path/to/incomescore]
#
# 1. quality: demo-data 100,000 → etl → train; prints the held-out R² of
#    the target (target: ≥ 0.998).
# 2. speed: demo-data 1,000,000 → etl → train; prints the training time
#    and peak RSS (target: ≤ 60 s on 2 cores).
# Uses the default hyper-parameters (data/model.json). Outputs and the
# registry go to bench/out/. Timings are for reading; no test asserts them.
set -eu
BIN=${1:-build/incomescore}
OUT=$(dirname "$0")/out
mkdir -p "$OUT"
for n in 100000 1000000; do
    docs=$OUT/docs_$n.jsonl data=$OUT/dataset_$n.csv
    [ -s "$docs" ] || "$BIN" demo-data --count "$n" --seed 7 --as-of 2024-06-30 --out "$docs"
    [ -s "$data" ] || "$BIN" etl --source "$docs" --out "$data" --as-of 2024-06-30
    echo "== train on $n documents"
    SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600} \
        "$BIN" train --data "$data" --registry "$OUT/registry_$n"
done
