#!/bin/sh
# tests/replicas.sh — three `serve` replicas working as one, on loopback:
# a PostgreSQL 15 for the one audit trail, npm's s3rver as the registry's
# bucket, Debian's nginx as the load balancer in front, and wrk's load
# through it (tests/servers/cluster.sh starts them, load.lua records every
# answer's status and request id).
#
#   tests/replicas.sh build/incomescore   closes with "replicas: N passed, M failed"
#
# Under load, for LOAD_SECONDS (24):
#   - a promotion in the bucket (`models push v0002 --live`) reaches all
#     three replicas (each asked on its own port) within PROMOTION_BOUND
#     seconds (20; they poll every second and download the version while
#     serving the load on the same two cores: 2-8 s measured), with no
#     failed request;
#   - replica r3 is killed with SIGKILL; nginx sends the following
#     requests to r1 and r2 (a refused connection is retried); only the
#     requests in flight on r3 fail (nginx's 502), at most one a
#     connection, counted;
#   - afterwards every request answered 200 has its row in PostgreSQL,
#     naming the replica that answered; rows without a 200 are only the
#     decisions r3 committed but could not answer before it died and
#     those committed as wrk stopped, its last request on each connection
#     unread (no more than the failed requests plus the connections);
#     every replica wrote rows.
# Prints the promotion's time and the failures counted. KEEP_WORK=DIR
# keeps a copy of the working directory (every server's log) there.
set -u
BIN=${1:?usage: tests/replicas.sh path/to/incomescore}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-replicas-XXXXXX")
LOAD_SECONDS=${LOAD_SECONDS:-24}
PROMOTION_BOUND=${PROMOTION_BOUND:-20}
CONNECTIONS=16
. "$ROOT/tests/servers/cluster.sh"
WRK_PID=""
cleanup() {
    [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null
    cluster_stop
    [ -n "${KEEP_WORK:-}" ] && cp -r "$WORK" "$KEEP_WORK"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$(dirname "$0")/lib/checks.sh"
check() { # check NAME CONDITION...
    name=$1; shift
    if "$@"; then ok; else ko "$name"; fi
}
for tool in wrk psql node; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "replicas: $tool is missing: run 'make deps'"; exit 1; }
done
[ -x "$NGINX" ] || { echo "replicas: nginx is missing: run 'make deps'"; exit 1; }

cluster_models 2 || { echo "replicas: cannot train"; exit 1; }
cluster_start_pg || { echo "replicas: PostgreSQL did not start"; exit 1; }
cluster_start_s3 models || exit 1
"$BIN" models push v0001 "$REG_URL" --live --registry "$WORK/reg" > /dev/null ||
    { echo "replicas: cannot push v0001"; exit 1; }
for i in 1 2 3; do cluster_start_replica $i || exit 1; done
cluster_start_nginx 1 2 3 || exit 1

version_of() { # version_of PORT: the model version a replica serves
    curl -s "http://127.0.0.1:$1/v1/model" |
        sed -n 's/.*"version": *"\([^"]*\)".*/\1/p'

}
for i in 1 2 3; do
    eval "port=\$REPLICA_PORT_$i"
    check "r$i serves v0001 at start" [ "$(version_of "$port")" = v0001 ]
done

request_body "$WORK/body.json"
LOAD_BODY=$(cat "$WORK/body.json")
export LOAD_BODY LOAD_OUT="$WORK/answers"
wrk -t2 -c$CONNECTIONS -d${LOAD_SECONDS}s --timeout 5s -s "$ROOT/tests/servers/load.lua" \
    "http://127.0.0.1:$NGINX_PORT" > "$WORK/wrk.out" 2>&1 &
WRK_PID=$!
sleep 4

# --- a promotion in the bucket ---------------------------------------
"$BIN" models push v0002 "$REG_URL" --live --registry "$WORK/reg" > "$WORK/push.out" 2>&1 ||
    ko "push v0002 --live: $(cat "$WORK/push.out")"
pushed=$(date +%s.%N)
reached=""
while :; do
    all=1
    for i in 1 2 3; do
        eval "port=\$REPLICA_PORT_$i"
        [ "$(version_of "$port")" = v0002 ] || all=0
    done
    now=$(date +%s.%N)
    if [ $all -eq 1 ]; then reached=$now; break; fi
    awk -v a="$now" -v b="$pushed" -v m="$PROMOTION_BOUND" 'BEGIN { exit !(a - b > m) }' && break
    sleep 0.05
done
if [ -n "$reached" ]; then
    ok
    # when each replica swapped, from its own log (the loop above also
    # waits for its questions to be answered under the load)
    for i in 1 2 3; do
        swapped=$(sed -n 's/^{"time": "\([^"]*\)".*"serving model v0002.*/\1/p' "$WORK/r$i.log")
        printf 'r%s %s\n' "$i" "$(date -d "$swapped" +%s.%N)"
    done > "$WORK/swaps"
    echo "replicas: the promotion reached all three replicas $(awk -v b="$pushed" '{ d = $2 - b; if (d > m) m = d } END { printf "%.2f", m }' "$WORK/swaps") s after the push ended (each one's swap in its log; seen from outside after $(awk -v a="$reached" -v b="$pushed" 'BEGIN { printf "%.2f", a - b }') s)"
else
    ko "the promotion did not reach all replicas within $PROMOTION_BOUND s"
fi
# what was answered until now: all 200
cat "$WORK"/answers.* 2>/dev/null | grep -v '^200 ' > "$WORK/early-failures"
check "no failed request through the promotion ($(wc -l < "$WORK/early-failures") failed)" \
    [ ! -s "$WORK/early-failures" ]

# --- one replica killed mid-load -------------------------------------
sleep 4
kill -9 "$REPLICA_PID_3"
wait "$WRK_PID"
WRK_PID=""
sh "$ROOT/tests/stale_counters.sh" >/dev/null 2>&1

cat "$WORK"/answers.* > "$WORK/answers"
grep '^200 ' "$WORK/answers" | cut -d' ' -f2 | sort > "$WORK/ok-ids"
answered=$(wc -l < "$WORK/ok-ids")
grep -v '^200 ' "$WORK/answers" > "$WORK/failures"
failures=$(wc -l < "$WORK/failures")
socket_errors=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$WORK/wrk.out" |
    awk '{ print $1 + $2 + $3 + $4 }')
socket_errors=${socket_errors:-0}
echo "replicas: $answered answered 200, $failures failed answers ($(cut -d' ' -f1 "$WORK/failures" | sort | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/,$//')), $socket_errors socket errors, after r3 was killed"
check "load ran ($answered answered)" [ "$answered" -gt 1000 ]
check "failed only the requests in flight on r3: $failures answers + $socket_errors socket errors <= $CONNECTIONS" \
    [ $((failures + socket_errors)) -le $CONNECTIONS ]
check "the failures are nginx's 502 (the replica died mid-request)" \
    [ -z "$(cut -d' ' -f1 "$WORK/failures" | grep -v '^502$')" ]

# --- the one audit trail ---------------------------------------------
psql -X -q -A -t -F ' ' "$PG_URL" \
    -c "SELECT request_id, replica FROM decisions ORDER BY request_id" \
    > "$WORK/rows" 2> "$WORK/psql.err" || ko "psql: $(cat "$WORK/psql.err")"
cut -d' ' -f1 "$WORK/rows" | sort > "$WORK/row-ids"
comm -23 "$WORK/ok-ids" "$WORK/row-ids" > "$WORK/missing"
check "every 200 has its row ($(wc -l < "$WORK/missing") missing of $answered)" [ ! -s "$WORK/missing" ]
extra=$(comm -13 "$WORK/ok-ids" "$WORK/row-ids" | wc -l)
echo "replicas: $(wc -l < "$WORK/rows") audit rows, $extra of them for requests not answered 200"
check "rows beyond the 200s ($extra): at most the failed requests ($failures) and one unread answer a connection ($CONNECTIONS)" \
    [ "$extra" -le $((failures + CONNECTIONS)) ]
check "no request id twice" [ -z "$(uniq -d "$WORK/row-ids")" ]
for i in 1 2 3; do
    n=$(awk -v r="r$i" '$2 == r' "$WORK/rows" | wc -l)
    echo "replicas: r$i wrote $n rows"
    check "r$i wrote rows" [ "$n" -gt 0 ]
done
check "every row names one of the replicas" \
    [ -z "$(awk '$2 != "r1" && $2 != "r2" && $2 != "r3"' "$WORK/rows")" ]

echo "replicas: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
