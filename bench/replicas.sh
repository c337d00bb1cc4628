#!/bin/sh
# bench/replicas.sh — throughput through nginx with 1, 2 and 3 `serve`
# replicas (registry in s3rver, audit in PostgreSQL, commit durability:
# the deployment tests/replicas.sh checks), beside one replica alone and
# nginx answering `return 200` itself, in the same run.
#
#   bench/replicas.sh [path/to/incomescore]
#
# wrk -t2 -c64 -d${DURATION:-10s} POSTing the original's first request;
# prints requests/s and the c=8 p99 of each configuration, the answers
# that were not 2xx and the socket errors, the audit rows PostgreSQL took
# per second, and the bytes a decision takes in PostgreSQL. On a 2-core machine the replicas,
# nginx, PostgreSQL and wrk share the same two cores: expect no scaling
# (each replica added competes for the CPU the others use).
set -eu
BIN=$(realpath "${1:-build/incomescore}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10s}
WORK=$(mktemp -d)
. "$ROOT/tests/servers/cluster.sh"
trap 'cluster_stop; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

request_body "$WORK/body.json"
BODY=$(cat "$WORK/body.json")
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
LUA

rows() {
    psql -X -q -A -t "$PG_URL" -c "SELECT count(*) FROM decisions"
}
# measure NAME URL: one line: req/s at c=64, p99 at c=8, errors
measure() {
    before=$(rows)
    wrk -t2 -c64 -d"$DURATION" -s "$WORK/post.lua" "$2/v1/prediction" > "$WORK/w64" 2>&1
    after=$(rows)
    wrk -t2 -c8 -d"$DURATION" --latency -s "$WORK/post.lua" "$2/v1/prediction" > "$WORK/w8" 2>&1
    rps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' "$WORK/w64")
    p99=$(awk '$1 == "99%" { print $2 }' "$WORK/w8")
    # non-2xx: 503s when a commit outwaits serve's audit wait (200 ms)
    errs=$(cat "$WORK/w64" "$WORK/w8" | awk '/Non-2xx/ { a += $NF } /Socket errors/ { gsub(",", ""); b += $4 + $6 + $8 + $10 } END { printf "%d/%d", a, b }')
    secs=$(echo "$DURATION" | tr -d s)
    printf '%-34s %8s req/s  c=8 p99 %-8s non-2xx/socket errors %-5s audit rows/s %s\n' "$1" "$rps" "$p99" "$errs" \
        "$(( (after - before) / secs ))"
}

echo "replicas bench: training, starting PostgreSQL, s3rver, 3 replicas ..." >&2
cluster_models 1
cluster_start_pg
cluster_start_s3 models
"$BIN" models push v0001 "$REG_URL" --live --registry "$WORK/reg" > /dev/null
for i in 1 2 3; do cluster_start_replica $i; done

echo "incomescore $("$BIN" --version 2>/dev/null | head -1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
measure "one replica, direct" "http://127.0.0.1:$REPLICA_PORT_1"
for set in "1" "1 2" "1 2 3"; do
    # shellcheck disable=SC2086
    cluster_start_nginx $set
    measure "nginx + $(echo $set | wc -w) replica(s)" "http://127.0.0.1:$NGINX_PORT"
    kill "$(cat "$WORK/nginx/nginx.pid")"
    while [ -f "$WORK/nginx/nginx.pid" ]; do sleep 0.1; done
done
# the ceiling: nginx answering itself
P=$(cluster_free_port)
nginx_conf "$WORK/nginx200" "    server { listen 127.0.0.1:$P; location / { return 200 '{\"ok\":true}'; } }"
"$NGINX" -p "$WORK/nginx200" -c "$WORK/nginx200/nginx.conf" &
CLUSTER_PIDS="$CLUSTER_PIDS $!"
sleep 0.5
measure "nginx return 200 (ceiling)" "http://127.0.0.1:$P"
# what a decision costs on PostgreSQL's disk, for sizing (README "Scaling")
psql -X -q -A -t -F ' ' "$PG_URL" -c "SELECT count(*),
    (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
      WHERE inhparent = 'decisions'::regclass)
    FROM decisions" | awk '{ printf "audit: %d rows, %d bytes on disk, %.0f bytes a decision (table and index)\n", $1, $2, $2 / $1 }'
