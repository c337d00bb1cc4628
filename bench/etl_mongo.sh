#!/bin/sh
# bench/etl_mongo.sh — ETL documents per second per process through the
# MongoDB wire (against tests/servers/mongo_responder.py on 127.0.0.1),
# beside the same documents from a JSON-lines file, and a 3-way
# partitioned run with its merge.
#
#   bench/etl_mongo.sh [path/to/incomescore] [documents]  (default 100000)
#
# Prints one line per run: the ETL's own counts line (documents/s, peak
# RSS) and the wall time of the partitioned run. The responder is Python
# encoding BSON by hand: through the wire the figure is a floor set by it,
# not by libmongoc or a real server. Timings are for reading; no test
# asserts them.
set -eu
BIN=${1:-build/incomescore}
COUNT=${2:-100000}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
mkdir -p "$OUT"
DOCS=$OUT/docs_$COUNT.jsonl
[ -s "$DOCS" ] || "$BIN" demo-data --count "$COUNT" --seed 7 --as-of 2024-06-30 --out "$DOCS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-bench-mongo-XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
/usr/bin/python3 "$HERE/../tests/servers/mongo_responder.py" "$WORK" "$DOCS" \
    >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 600); do [ -s "$WORK/port" ] && break; sleep 0.1; done
URI="mongodb://127.0.0.1:$(cat "$WORK/port")/"
now() { date +%s.%N; }

echo "file, 1 process:"
"$BIN" etl --source "$DOCS" --out "$WORK/file.csv" --as-of 2024-06-30
echo "mongodb://, 1 process:"
"$BIN" etl --source "$URI" --out "$WORK/wire.csv" --as-of 2024-06-30
cmp -s "$WORK/file.csv" "$WORK/wire.csv" || echo "bench: the wire's dataset differs from the file's"
echo "mongodb://, --partition K/3, 3 processes at once (each reads every document, maps a third):"
start=$(now)
pids=""
for k in 1 2 3; do
    "$BIN" etl --source "$URI" --partition $k/3 --out "$WORK/p$k" --as-of 2024-06-30 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
"$BIN" etl merge --out "$WORK/merged.csv" "$WORK/p1" "$WORK/p2" "$WORK/p3"
end=$(now)
cmp -s "$WORK/file.csv" "$WORK/merged.csv" || echo "bench: the merged dataset differs from one run's"
echo "partitioned run and merge: $COUNT documents in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s wall"
