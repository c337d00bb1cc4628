#!/bin/sh
# bench/pipeline.sh — the daily pipeline end to end on 1,000,000 demo
# documents: a first run on a new registry (ETL, train, evaluate, gate,
# promote, report), the same run again with nothing changed (every stage
# skipped; the target is under a second), and a run on the next day's
# documents against a live model (the whole gate: both models on the
# held-out rows, PSI over both datasets). Prints each run's stage timings
# from its run.json and the peak RSS the command reports.
#
#   bench/pipeline.sh [path/to/incomescore] [documents]   (default 1000000)
#
# Documents are generated once under bench/out/ (seeds 7 and 8); the
# registry is made afresh each time. No test asserts these timings.
set -eu
BIN=${1:-build/incomescore}
COUNT=${2:-1000000}
OUT=$(dirname "$0")/out
mkdir -p "$OUT"
DAY1=$OUT/docs_$COUNT.jsonl
DAY2=$OUT/docs_${COUNT}_day2.jsonl
[ -s "$DAY1" ] || "$BIN" demo-data --count "$COUNT" --seed 7 --as-of 2024-06-30 --out "$DAY1"
[ -s "$DAY2" ] || "$BIN" demo-data --count "$COUNT" --seed 8 --as-of 2024-06-30 --out "$DAY2"
REG=$OUT/pipeline-registry
rm -rf "$REG"

now() { date +%s.%N; }
one() { # one LABEL SOURCE: a run, its wall time, stages and peak RSS
    label=$1 src=$2
    t0=$(now)
    "$BIN" pipeline --registry "$REG" --source "$src" --as-of 2024-06-30 \
        > "$OUT/pipeline.out" 2> "$OUT/pipeline.err" || true
    t1=$(now)
    run=$(ls -d "$REG"/runs/* | sort | tail -1)
    printf '%s: %s, %.2f s wall, %s\n' "$label" "$(cat "$OUT/pipeline.out")" \
        "$(echo "$t1 - $t0" | bc)" \
        "$(sed -n 's/.*(peak RSS \(.*\))$/peak RSS \1/p' "$OUT/pipeline.err")"
    python3 - "$run/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["stages"]:
    print("  %-9s %-8s %7.2f s" % (s["name"], s["status"], s["seconds"]))
m = d.get("metrics") or {}
if m:
    c, l = m["candidate"], m.get("live")
    print("  held out: candidate R2 %.5f MAE %.2f" % (c["r2"], c["mae_points"]),
          "" if not l else "| live R2 %.5f MAE %.2f" % (l["r2"], l["mae_points"]))
print("  decision:", d["decision"], "; ".join(d["reasons"]))
PY
}
one "first run (new registry)" "$DAY1"
one "nothing changed" "$DAY1"
one "next day, against a live model" "$DAY2"
du -sh "$REG/data" | sed 's/^/data versions kept: /'
