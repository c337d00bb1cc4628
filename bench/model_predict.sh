#!/bin/sh
# bench/model_predict.sh — the model alone: training time, held-out R²,
# and the time to score one row with our forest and with XGBoost.
#
#   bench/model_predict.sh [path/to/incomescore] [params.json]
#
# Trains with data/model.json (or the given params) on demo-data → etl
# datasets of 100,000 and 1,000,000 documents (shared with bench/train.sh
# under bench/out/): 72% train, 8% early stopping, 20% held out. Prints
# `key: value` lines from bench/model_bench.c, among them:
#   test_r2                        held out (target: >= 0.998 on 100,000)
#   train_seconds                  XGBoost alone (well under 45 s on
#                                  1,000,000, 2 cores)
#   forest_predict_median_ns       our forest, one held-out row per call,
#                                  each call timed alone; the forest is
#                                  most of a score's 3 us median budget
#   xgboost_single_row_median_ns   XGBoosterPredictFromDense, one row
#   forest_vs_xgboost_max_abs_diff the two on every held-out row
# The machine may be shared: rerun before quoting a time. Timings are for
# reading; no test asserts them.
set -eu
# paths given are the caller's; the rest is relative to the tree
BIN=$(realpath "${1:-$(dirname "$0")/../build/incomescore}")
PARAMS=$(realpath "${2:-$(dirname "$0")/../data/model.json}")
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"

# built by the Makefile, with its flags, against build/libincomescore.a
make --no-print-directory -s "$OUT/model_bench"
[ "$BIN" != "$(realpath build/incomescore)" ] ||
    make --no-print-directory -s build/incomescore

for n in 100000 1000000; do
    docs=$OUT/docs_$n.jsonl data=$OUT/dataset_$n.csv
    [ -s "$docs" ] || "$BIN" demo-data --count "$n" --seed 7 \
        --as-of 2024-06-30 --out "$docs" >/dev/null
    [ -s "$data" ] || "$BIN" etl --source "$docs" --out "$data" \
        --as-of 2024-06-30 >/dev/null
    echo "== $n documents, $PARAMS"
    if [ "$n" = 100000 ]; then
        "$OUT/model_bench" --params "$PARAMS" --data "$data"
    else
        "$OUT/model_bench" --params "$PARAMS" --data "$data" --no-predict
    fi
done
