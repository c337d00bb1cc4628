#!/bin/sh
# scripts/demo.sh — what `make demo` shows, end to end on synthetic data:
# documents → dataset → model → scores, then the API serving that model
# until Ctrl-C (PORT=8080 make demo for another port).
#
# Everything goes to var/demo/ (the registry to var/demo/registry), so the
# demo never touches a real registry. Re-running it adds a model version.
set -eu
BIN=${1:-build/incomescore}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO=$ROOT/var/demo
AS_OF=2024-06-30
mkdir -p "$DEMO"

step() { printf '\n== %s\n' "$*"; }

step "incomescore demo-data: 20,000 synthetic validation documents"
"$BIN" demo-data --count 20000 --seed 7 --as-of $AS_OF --out "$DEMO/docs.jsonl"

step "incomescore etl: documents -> training dataset"
"$BIN" etl --source "$DEMO/docs.jsonl" --out "$DEMO/dataset.csv" --as-of $AS_OF
head -3 "$DEMO/dataset.csv"

step "incomescore train: segments + model -> a new registry version"
"$BIN" train --data "$DEMO/dataset.csv" --registry "$DEMO/registry"
"$BIN" models list --registry "$DEMO/registry"

step "incomescore predict: the original API's two test requests"
printf '%s\n' \
  '{"ingreso": 45000, "antiguedad_laboral_meses": 50, "tiempo_desempleado": 0, "trabajos_ultimos_5": 1, "semanasCotizadas": 1000, "edad": 32, "crecimiento_ingreso": 265.38, "lugar_actual": 18}' \
  '{"ingreso": 1000, "antiguedad_laboral_meses": 0, "tiempo_desempleado": 13, "trabajos_ultimos_5": 2, "semanasCotizadas": 198, "edad": 29, "crecimiento_ingreso": 0, "lugar_actual": 5}' |
  "$BIN" predict --registry "$DEMO/registry"

LIVE=$(cat "$DEMO/registry/LIVE")
step "the training report: $DEMO/registry/versions/$LIVE/report.html"

PORT=${PORT:-8000}
step "incomescore serve: open http://127.0.0.1:$PORT/ in a browser (the web page; API docs at /docs; Ctrl-C stops)"
exec "$BIN" serve --registry "$DEMO/registry" --port "$PORT" \
    --audit-db "$DEMO/audit.sqlite3"
