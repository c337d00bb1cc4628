#!/bin/sh
# tests/audit_pg.sh — the audit log in PostgreSQL, end to end, against a
# real PostgreSQL 15 this script starts (tests/servers/pg.sh) and stops.
#
#   tests/audit_pg.sh build/incomescore build/unit
#
# 1. the unit suite audit_pg (test_audit_pg.c) with the server's URL;
# 2. serve --audit postgres: rows equal to the answers, whole;
# 3. PostgreSQL stopped (pg_ctl stop -m immediate) under load from four
#    curl clients: decisions answer 503 and /readyz is 503 naming the
#    reason; started again: /readyz is ready again without restarting
#    serve, and afterwards every id answered 200 has its row; stopped
#    while idle: /readyz not ready before any decision fails on it,
#    ready again when it is back; the backend serving serve's connection
#    stopped (kill -STOP: a hung server, a black-holed network): /readyz
#    503 naming how long decisions have waited, /metrics stalled, and
#    ready again once it is resumed (kill -CONT); with the backend
#    stopped the write fails at its deadline (an error line) and is
#    written on a new connection; SIGTERM with the backend stopped still
#    stops serve (a bounded wait);
# 4. the README's lookup SQL, run as written through psql;
# 5. the password of the connection string appears in no output: serve's
#    log, /readyz, /metrics, --help, a refused start, audit retain.
# Closes with "audit_pg: N passed, M failed". Bounded: every wait has a
# count, curl a --max-time.
set -u
BIN=${1:?usage: tests/audit_pg.sh path/to/incomescore path/to/unit}
UNIT=${2:?usage: tests/audit_pg.sh path/to/incomescore path/to/unit}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
case $UNIT in /*) ;; *) UNIT=$(pwd)/$UNIT ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
PG=$HERE/servers/pg.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-auditpg-XXXXXX")
# its own directory: the unprivileged user that runs PostgreSQL must
# reach it, which it cannot inside WORK (0700, ours)
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-pg-XXXXXX")
SERVE_PID=""
STOPPED_PID="" # a PostgreSQL backend this script stopped (kill -STOP)
cleanup() {
    [ -n "$STOPPED_PID" ] && kill -CONT "$STOPPED_PID" 2>/dev/null
    [ -n "$SERVE_PID" ] && kill -9 "$SERVE_PID" 2>/dev/null
    touch "$WORK/stop" 2>/dev/null
    "$PG" stop "$PGDIR" 2>/dev/null
    rm -rf "$WORK" "$PGDIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$(dirname "$0")/lib/checks.sh"
export NO_PROXY='*' no_proxy='*'

URL=$("$PG" start "$PGDIR") || { echo "audit_pg: cannot start PostgreSQL"; exit 1; }
PASSWORD=$(printf '%s' "$URL" | sed 's|^[^:]*://[^:]*:\([^@]*\)@.*|\1|')
[ -n "$PASSWORD" ] && [ "$PASSWORD" != "$URL" ] || { echo "audit_pg: no password in $URL"; exit 1; }
psql_() { psql "$URL" -X -At -v ON_ERROR_STOP=1 "$@"; }

# 1. the library, against the server
if INCOMESCORE_TEST_PG_URL=$URL "$UNIT" audit_pg > "$WORK/unit.out" 2>&1; then
    ok
else
    cat "$WORK/unit.out"
    ko "unit suite audit_pg"
fi
grep -q "SKIPPED" "$WORK/unit.out" && ko "audit_pg tests were skipped"

. "$HERE/lib/serve_load.sh"
small_model "$BIN" "$WORK" || { echo "audit_pg: cannot make a model"; exit 1; }

# the flags: postgres needs a URL; each sink takes only its own target
out=$(env -u INCOMESCORE_AUDIT_URL "$BIN" serve --registry "$WORK/reg" --audit postgres 2>&1)
[ $? -eq 2 ] && [ "$out" = "incomescore serve: --audit postgres needs --audit-url URL (or \$INCOMESCORE_AUDIT_URL)
Try 'incomescore serve --help'." ] && ok || ko "serve --audit postgres without a URL: $out"
out=$("$BIN" serve --registry "$WORK/reg" --audit sqlite --audit-url "$URL" 2>&1)
[ $? -eq 2 ] && [ "$out" = "incomescore serve: --audit-url is for --audit postgres
Try 'incomescore serve --help'." ] && ok || ko "serve --audit-url with sqlite: $out"

# 5a. a start refused: the target is named, masked
"$BIN" serve --registry "$WORK/reg" --port 0 --audit postgres \
    --audit-url "postgresql://incomescore:$PASSWORD@127.0.0.1:1/postgres" \
    > "$WORK/refused.out" 2>&1
[ $? -ne 0 ] && grep -q "postgresql://incomescore:\*\*\*@127.0.0.1:1/postgres" "$WORK/refused.out" &&
    ok || ko "a refused start names the masked URL: $(cat "$WORK/refused.out")"

# serve, with the URL from the environment (the flag's twin)
INCOMESCORE_AUDIT_URL=$URL "$BIN" serve --registry "$WORK/reg" --port 0 \
    --audit postgres --replica-name test-r1 --threads 2 \
    2> "$WORK/serve.err" &
SERVE_PID=$!
API=$(serve_url "$WORK/serve.err")
[ -n "$API" ] || { echo "audit_pg: serve did not start: $(cat "$WORK/serve.err")"; exit 1; }

# Polls /readyz until it answers `code` (10 s, or 30 s for 200: a
# database starting again); leaves the last answer, body and code, in
# READY.
wait_readyz() { # code
    tries=100
    [ "$1" = 200 ] && tries=300
    READY=""
    for _ in $(seq "$tries"); do
        READY=$(curl -s --max-time 5 -w ' %{http_code}' "$API/readyz")
        case $READY in *" $1") return 0 ;; esac
        sleep 0.1
    done
}

request_body "$WORK/one.json"

# PostgreSQL started again: /readyz ready within 30 s, without
# restarting serve
pg_back_ready() { # when
    "$PG" restart "$PGDIR" > /dev/null || ko "PostgreSQL did not start again"
    wait_readyz 200
    case $READY in
    '{"status": "ready", '*' 200') ok ;;
    *) ko "/readyz after $1: $READY" ;;
    esac
}

# 2. whole rows: what was sent and what was answered, byte for byte
for i in 1 2 3; do
    code=$(curl -s --max-time 10 -o "$WORK/answer$i.json" -w '%{http_code}' \
        -H 'Content-Type: application/json' -H "X-Request-Id: whole-$i" \
        --data-binary "@$WORK/one.json" "$API/v1/prediction")
    [ "$code" = 200 ] || ko "whole-$i answered $code"
done
version=$(curl -s --max-time 10 "$API/readyz" | sed -n 's/.*"model_version": "\([^"]*\)".*/\1/p')
for i in 1 2 3; do
    {
        printf '200|%s|test-r1|' "$version"
        cat "$WORK/one.json"
        printf '|'
        cat "$WORK/answer$i.json"
        printf '|\n'
    } > "$WORK/want$i"
    psql_ -c "SELECT status, model_version, replica, inputs, outputs, coalesce(api_key, '') FROM decisions WHERE request_id = 'whole-$i'" > "$WORK/got$i"
    cmp -s "$WORK/want$i" "$WORK/got$i" && ok ||
        ko "the row of whole-$i: $(cat "$WORK/got$i") instead of $(cat "$WORK/want$i")"
done

# 3. PostgreSQL stopped under load
CLIENTS=""
for k in 1 2 3 4; do
    load_client "$k" "$API" "$WORK/one.json" "$WORK/answered$k.txt" 400 50 \
        "$WORK/stop" &
    CLIENTS="$CLIENTS $!"
done
sleep 1
"$PG" stop "$PGDIR"
# not ready within 10 s, with the reason
wait_readyz 503
ready=$READY
echo "$ready" > "$WORK/readyz.down"
case $ready in
'{"status": "audit log unavailable", "reason": "cannot connect to PostgreSQL: connection to server at \"127.0.0.1\", port '*' failed: Connection refused'*' 503') ok ;;
*) ko "/readyz while PostgreSQL is down: $ready" ;;
esac
down=$(curl -s --max-time 5 -o "$WORK/down.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -H "X-Request-Id: while-down" \
    --data-binary "@$WORK/one.json" "$API/v1/prediction")
[ "$down" = 503 ] && ok || ko "a decision while PostgreSQL is down answered $down"
curl -s --max-time 5 "$API/metrics" > "$WORK/metrics.down"
grep -q '^incomescore_audit_failing 1$' "$WORK/metrics.down" && ok ||
    ko "/metrics does not say the audit log is failing"
sleep 1
pg_back_ready "PostgreSQL is back"
sleep 1 # load on the recovered log
touch "$WORK/stop"
# shellcheck disable=SC2086
wait $CLIENTS # each ends within its curl's --max-time
# PostgreSQL stopped while no decision is being written: the idle
# writer's check makes /readyz not ready before any decision fails on
# it, and ready again once it is back
"$PG" stop "$PGDIR"
wait_readyz 503
ready=$READY
case $ready in
'{"status": "audit log unavailable", "reason": "cannot '*' 503') ok ;;
*) ko "/readyz with PostgreSQL stopped while idle: $ready" ;;
esac
echo "$ready" >> "$WORK/readyz.down"
pg_back_ready "an idle PostgreSQL is back"
after=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' -H "X-Request-Id: after-1" \
    --data-binary "@$WORK/one.json" "$API/v1/prediction")
[ "$after" = 200 ] && ok || ko "a decision after recovery answered $after"
# The backend serving serve's connection stopped: PostgreSQL neither
# answers nor refuses, and no write fails — it just does not return.
# The queue's age makes /readyz not ready, naming how long.
STOPPED_PID=$(psql_ -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'incomescore'")
case $STOPPED_PID in
''|*[!0-9]*) ko "serve's PostgreSQL backend: '$STOPPED_PID'"; STOPPED_PID="" ;;
*) kill -STOP "$STOPPED_PID" || ko "cannot stop backend $STOPPED_PID" ;;
esac
stalled=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' -H "X-Request-Id: stalled-1" \
    --data-binary "@$WORK/one.json" "$API/v1/prediction")
[ "$stalled" = 503 ] && ok || ko "a decision with the backend stopped answered $stalled"
wait_readyz 503
case $READY in
'{"status": "audit log unavailable", "reason": "decisions not committed for '*' s: the audit database does not answer"} 503') ok ;;
*) ko "/readyz with the backend stopped: $READY" ;;
esac
curl -s --max-time 5 "$API/metrics" > "$WORK/metrics.stalled"
grep -q '^incomescore_audit_stalled 1$' "$WORK/metrics.stalled" && ok ||
    ko "/metrics does not say the audit log is stalled"
# The round trip's deadline (AUDIT_PG_ROUND_TRIP_MS, 5 s) fails the
# write: one error line, and the retry on a new connection (a new
# backend) writes the batch while the old backend is still stopped.
for _ in $(seq 150); do
    grep -q 'PostgreSQL did not answer within 5000 ms' "$WORK/serve.err" && break
    sleep 0.1
done
grep -q '"level":"error","msg":"audit: [^"]*: cannot write decisions to PostgreSQL","postgres":"PostgreSQL did not answer within 5000 ms"' "$WORK/serve.err" &&
    ok || ko "no error line for the backend that does not answer: $(tail -3 "$WORK/serve.err")"
wait_readyz 200
case $READY in
'{"status": "ready", '*' 200') ok ;;
*) ko "/readyz with the stopped backend abandoned: $READY" ;;
esac
kill -CONT "$STOPPED_PID" 2>/dev/null
STOPPED_PID=""
wait_readyz 200
case $READY in
'{"status": "ready", '*' 200') ok ;;
*) ko "/readyz after the backend resumed: $READY" ;;
esac
after=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' -H "X-Request-Id: after-2" \
    --data-binary "@$WORK/one.json" "$API/v1/prediction")
[ "$after" = 200 ] && ok || ko "a decision after the backend resumed answered $after"
curl -s --max-time 5 "$API/metrics" > "$WORK/metrics.after"
# SIGTERM while serve's backend is stopped and a decision waits on it:
# serve still stops, within 20 s (the round trip's deadline, then the
# close's tries on a new connection), saying it stopped.
STOPPED_PID=$(psql_ -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'incomescore'")
case $STOPPED_PID in
''|*[!0-9]*) ko "serve's PostgreSQL backend: '$STOPPED_PID'"; STOPPED_PID="" ;;
*) kill -STOP "$STOPPED_PID" || ko "cannot stop backend $STOPPED_PID" ;;
esac
curl -s --max-time 10 -o /dev/null -H 'Content-Type: application/json' \
    -H "X-Request-Id: at-term" --data-binary "@$WORK/one.json" \
    "$API/v1/prediction" > /dev/null &
sleep 0.5
kill -TERM "$SERVE_PID"
for _ in $(seq 200); do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$SERVE_PID" 2>/dev/null; then
    ko "serve did not stop within 20 s of SIGTERM with its backend stopped"
    kill -9 "$SERVE_PID"
else
    ok
fi
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=""
wait # the curl, bounded by its --max-time
tail -1 "$WORK/serve.err" | grep -q '"event": "stop", "msg": "stopped"}$' && ok ||
    ko "serve's last lines: $(tail -3 "$WORK/serve.err")"
kill -CONT "$STOPPED_PID" 2>/dev/null
STOPPED_PID=""

cat "$WORK"/answered*.txt > "$WORK/answers"
{ sed -n 's/^200 //p' "$WORK/answers"; echo after-1; echo after-2; } | sort > "$WORK/answered.ids"
psql_ -c "SELECT request_id FROM decisions" | sort > "$WORK/logged.ids"
answered=$(wc -l < "$WORK/answered.ids")
refused=$(grep -c '^503 ' "$WORK/answers")
missing=$(comm -23 "$WORK/answered.ids" "$WORK/logged.ids" | wc -l)
echo "audit_pg: $answered answered 200, $refused answered 503 while PostgreSQL was down, $(wc -l < "$WORK/logged.ids") rows, $missing answered but missing"
[ "$answered" -ge 100 ] && ok || ko "only $answered decisions answered: no real load"
[ "$refused" -ge 1 ] && ok || ko "no decision was answered 503 while PostgreSQL was down"
[ "$missing" -eq 0 ] && ok || ko "$missing answered decisions are not in PostgreSQL: $(comm -23 "$WORK/answered.ids" "$WORK/logged.ids" | head -3)"

# 4. the README's SQL, as written: by request id, and by time window
sql_block() { # the ```sql block after the marker comment $1
    awk -v m="<!-- $1 -->" '$0 == m { on = 1; next }
        on && /^```sql/ { in_ = 1; next }
        in_ && /^```/ { exit }
        in_ { print }' "$HERE/../README.md"
}
sql_block audit-pg-by-id > "$WORK/by_id.sql"
sql_block audit-pg-by-window > "$WORK/by_window.sql"
[ -s "$WORK/by_id.sql" ] && [ -s "$WORK/by_window.sql" ] || ko "README has no lookup SQL"
got=$(psql_ -F'|' -v id=whole-2 -f "$WORK/by_id.sql" 2>&1 | cut -d'|' -f2,3,4)
[ "$got" = "whole-2|test-r1|200" ] && ok || ko "README's lookup by id: $got"
from=$(psql_ -c "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM decisions WHERE request_id = 'whole-1'")
until=$(psql_ -c "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM decisions WHERE request_id = 'whole-3'")
got=$(psql_ -F'|' -v from="$from" -v until="$until" -f "$WORK/by_window.sql" 2>&1 | cut -d'|' -f2 | tr '\n' ' ')
[ "$got" = "whole-1 whole-2 " ] && ok || ko "README's lookup by window [$from, $until): $got"

# retention through the command: nothing is old enough here
out=$(INCOMESCORE_AUDIT_URL=$URL "$BIN" audit retain --months 1 2>&1)
case $out in
'dropped 0, kept '*' monthly partitions (1 months kept before the current one)') ok ;;
*) ko "audit retain: $out" ;;
esac

# 5. the password, nowhere
"$BIN" serve --help > "$WORK/help.out" 2>&1
"$BIN" audit --help >> "$WORK/help.out" 2>&1
"$BIN" audit retain --months 1 \
    --url "postgresql://incomescore:$PASSWORD@127.0.0.1:1/postgres" \
    > "$WORK/retain.out" 2>&1
# a password libpq would quote back (a malformed percent escape)
"$BIN" audit retain --months 1 \
    --url "postgresql://incomescore:%zz$PASSWORD@127.0.0.1:1/postgres" \
    >> "$WORK/retain.out" 2>&1
grep -q 'postgresql://incomescore:\*\*\*@127.0.0.1:1/postgres: cannot connect' "$WORK/retain.out" &&
    ok || ko "audit retain's failure: $(cat "$WORK/retain.out")"
for f in serve.err refused.out readyz.down metrics.down metrics.stalled metrics.after help.out retain.out; do
    if grep -q -F "$PASSWORD" "$WORK/$f"; then
        ko "the password is in $f"
    else
        ok
    fi
done

echo "audit_pg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
