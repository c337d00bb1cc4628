#!/bin/sh
# bench/rules_apply.sh — `rules apply` throughput on a large features CSV.
#
#   bench/rules_apply.sh [path/to/incomescore] [rows]     (default 1000000)
#
# Generates a seeded synthetic features CSV under bench/out/ (once per row
# count), runs `rules apply` on it three times and prints the best run as
# rows per second. Timings are for reading; no test asserts them.
set -eu
BIN=${1:-build/incomescore}
ROWS=${2:-1000000}
OUT=$(dirname "$0")/out
mkdir -p "$OUT"
IN=$OUT/features_$ROWS.csv

if [ ! -s "$IN" ]; then
    awk -v n="$ROWS" 'BEGIN {
        srand(42)
        print "ingreso,antiguedad_laboral_meses,tiempo_desempleado,trabajos_ultimos_5,semanasCotizadas,edad,crecimiento_ingreso,decil_ingreso_ENIGH,liquidez_porcentual,costo_de_vida,crecimiento_gral,estado,jubilado"
        for (i = 0; i < n; i++) {
            ing = int(exp(8 + rand() * 3.5) * 100) / 100
            ant = rand() < 0.8 ? int(rand() * 200) : 0
            des = ant > 0 ? 0 : int(rand() * 60)
            printf "%.2f,%d,%d,%d,%d,%d,%.2f,%d,%.6f,%.6f,%.6f,%d,%d\n",
                ing, ant, des, 1 + int(rand() * 9), int(rand() * 2500),
                18 + int(rand() * 62), rand() * 400 - 100, int(rand() * 11),
                (ing - 12628) / 12628 * 100, (ing - 11764) / 11764 * 100,
                rand() * 10 - 5, int(rand() * 32), rand() < 0.02
        }
    }' > "$IN"
fi

best=""
for run in 1 2 3; do
    start=$(date +%s.%N)
    "$BIN" rules apply < "$IN" > "$OUT/scored.csv" 2>"$OUT/apply.err"
    end=$(date +%s.%N)
    best=$(awk -v s="$start" -v e="$end" -v b="$best" \
        'BEGIN { t = e - s; print (b == "" || t < b) ? t : b }')
done
rows=$(($(wc -l < "$OUT/scored.csv") - 1))
awk -v n="$rows" -v t="$best" 'BEGIN {
    printf "rules apply: %d rows in %.2f s = %.0f rows/s (best of 3)\n", n, t, n / t }'
