#!/bin/sh
# bench/score.sh — scoring speed: one applicant in process, and `predict`
# file to file.
#
#   bench/score.sh [path/to/incomescore] [bundle-dir]
#
# Without a bundle, uses the live version of bench/out/registry_100000
# (bench/train.sh makes it). Builds bench/out/score_bench from
# bench/score_bench.c with `make -s bench/out/score_bench` (the Makefile's
# flags, against build/libincomescore.a) and prints:
#   score_applicant median/p99 ns per applicant   (target: ≤ 3 µs median)
#   score_explain median/p99 ns per applicant     (the model's explanation)
#   predict applicants/s on 1,000,000 requests     (target: ≥ 500,000/s)
# Timings are for reading; no test asserts them.
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-build/incomescore}
OUT=bench/out
REG=$OUT/registry_100000
BUNDLE=${2:-}
if [ -z "$BUNDLE" ]; then
    [ -f "$REG/LIVE" ] || bench/train.sh "$BIN" >/dev/null
    BUNDLE=$REG/versions/$(cat "$REG/LIVE")
fi
make --no-print-directory -s "$OUT/score_bench"
"$OUT/score_bench" "$BUNDLE"

REQ=$OUT/requests_1000000.jsonl
if [ ! -s "$REQ" ]; then
    awk 'BEGIN { srand(11); for (i = 0; i < 1000000; i++) {
        a = rand() < 0.8 ? int(rand() * 300) + 1 : 0
        printf "{\"ingreso\": %.2f, \"antiguedad_laboral_meses\": %d, \"tiempo_desempleado\": %d, \"trabajos_ultimos_5\": %d, \"semanasCotizadas\": %d, \"edad\": %d, \"crecimiento_ingreso\": %.2f, \"lugar_actual\": %d}\n",
            rand() * 90000 + 1, a, a ? 0 : int(rand() * 60), int(rand() * 10),
            int(rand() * 2500), 18 + int(rand() * 63), rand() * 350 - 50, int(rand() * 32) } }' > "$REQ"
fi
start=$(date +%s.%N)
"$BIN" predict --model "$BUNDLE" < "$REQ" > "$OUT/scores.jsonl"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$(wc -l < "$REQ")" 'BEGIN {
    printf "predict: %d applicants in %.2f s = %.0f applicants/s (file to file)\n", n, e - s, n / (e - s) }'
