#!/bin/sh
# bench/s3_registry.sh — the registry in object storage, timed against
# npm's s3rver on the loopback (tests/servers/s3; `make deps`): a push of
# a full-size version (the shipped XGBoost parameters), a pull of it into
# an empty registry (download and every check), and how long a promotion
# in the bucket takes to reach a running `serve --registry s3:// --poll 1`
# (the poll interval, then the pull and the swap).
#
#   bench/s3_registry.sh [documents]       (default 20000)
#
# Prints, e.g.
#   s3_registry: bundle 0.9 MB in 9 objects; push 0.42 s, pull 0.43 s
#   s3_registry: promotion seen by serve after 1.91 s (--poll 1, push included)
# Against a real bucket add the network's round trips (one per object).
# Timings are for reading; no test asserts them.
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory -s build/incomescore
BIN=$(pwd)/build/incomescore
DOCS=${1:-20000}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-s3-bench-XXXXXX")
SERVE_PID=""
# s3rver as the tests start it (tests/servers/cluster.sh: a free port,
# the bucket, the credentials in the environment)
ROOT=$(pwd) WORK=$DIR
. tests/servers/cluster.sh
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" || :; cluster_stop; rm -rf "$DIR"' EXIT
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.2f", $1 - $2}'; }

cluster_start_s3 bench

"$BIN" demo-data --count "$DOCS" --seed 5 --as-of 2024-06-30 \
    --out "$DIR/docs.jsonl" 2>/dev/null
"$BIN" etl --source "$DIR/docs.jsonl" --out "$DIR/dataset.csv" \
    --as-of 2024-06-30 2>/dev/null
for seed in 1 2; do
    "$BIN" train --data "$DIR/dataset.csv" --registry "$DIR/reg" \
        --seed $seed > /dev/null 2>&1
done
URL=s3://bench/registry
t=$(now)
"$BIN" models push v0001 "$URL" --registry "$DIR/reg" > /dev/null
push=$(since "$t")
t=$(now)
"$BIN" models pull live "$URL" --registry "$DIR/copy" > /dev/null
pull=$(since "$t")
size=$(du -sk "$DIR/reg/versions/v0001" | awk '{printf "%.1f", $1 / 1024}')
files=$(find "$DIR/reg/versions/v0001" -type f | wc -l)
echo "s3_registry: bundle $size MB in $files objects; push $push s, pull $pull s"

"$BIN" serve --registry "$URL" --cache "$DIR/cache" --poll 1 --port 0 \
    --audit off 2> "$DIR/serve.err" &
SERVE_PID=$!
SERVE=""
for _ in $(seq 100); do
    SERVE=$(sed -n 's/^incomescore serve: listening on \(http:[^ ]*\) .*/\1/p' "$DIR/serve.err")
    [ -n "$SERVE" ] && break
    sleep 0.1
done
[ -n "$SERVE" ] || { echo "s3_registry: serve did not start"; exit 1; }
t=$(now)
"$BIN" models push v0002 "$URL" --registry "$DIR/reg" --live > /dev/null
for _ in $(seq 300); do
    curl -s "$SERVE/v1/model" | grep -q '^{"version":"v0002"' && break
    sleep 0.05
done
echo "s3_registry: promotion seen by serve after $(since "$t") s (--poll 1, push included)"
