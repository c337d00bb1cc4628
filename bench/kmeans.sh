#!/bin/sh
# bench/kmeans.sh — kmeans_fit (kmeans_defaults) on synthetic standardized
# rows × 11 features: the segmentation's share of the training budget.
#
#   bench/kmeans.sh [rows ...]          (default: 1000000 100000)
#
# Run from the repository root after `make`: builds bench/out/kmeans_bench
# from bench/kmeans_bench.c against build/libincomescore.a with the
# Makefile's flags, then prints, per row count, the best of 3 fits, e.g.
#   kmeans: 1000000 rows x 11 in 3.20 s (best of 3, cpu 4.10 s; ...)
# Timings are for reading; no test asserts them. RUNS=1 for a quick look.
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-cc}
LIB=build/libincomescore.a
OUT=bench/out
if [ ! -f "$LIB" ]; then
    echo "bench/kmeans.sh: $LIB is missing; run make first" >&2
    exit 1
fi
mkdir -p "$OUT"
$CC -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
    -Wstrict-prototypes -Wmissing-prototypes -iquote src \
    -o "$OUT/kmeans_bench" bench/kmeans_bench.c "$LIB" -lm -pthread

[ $# -gt 0 ] || set -- 1000000 100000
for rows in "$@"; do
    "$OUT/kmeans_bench" "$rows" "${RUNS:-3}"
done
