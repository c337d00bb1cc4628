#!/bin/sh
# bench/kmeans.sh — kmeans_fit (kmeans_defaults) on synthetic standardized
# rows × 11 features: the segmentation's share of the training budget.
#
#   bench/kmeans.sh [rows ...]          (default: 1000000 100000)
#
# Works from any directory: `make -s bench/out/kmeans_bench` builds the
# program from bench/kmeans_bench.c against build/libincomescore.a with
# the Makefile's flags (and the library first if need be); it prints, per
# row count, the best of 3 fits, e.g.
#   kmeans: 1000000 rows x 11 in 3.20 s (best of 3, cpu 4.10 s; ...)
# Timings are for reading; no test asserts them. RUNS=1 for a quick look.
set -eu
cd "$(dirname "$0")/.."
OUT=bench/out
make --no-print-directory -s "$OUT/kmeans_bench"

[ $# -gt 0 ] || set -- 1000000 100000
for rows in "$@"; do
    "$OUT/kmeans_bench" "$rows" "${RUNS:-3}"
done
