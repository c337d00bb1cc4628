#!/bin/sh
# tests/audit_crash.sh — kill -9 under load loses no answered decision.
#
#   tests/audit_crash.sh build/incomescore [commit|queue]
#
# The real server (default --audit-durability commit, or the mode given)
# on a loopback port, four curl processes of four parallel keep-alive
# connections each sending decisions with their own X-Request-Id, and
# kill -9 a second into the load. Every id answered 200 (curl prints a
# line when a whole response has arrived) must be a row of the SQLite
# audit log left behind. Bounded: curl gives up on a dead server at
# once and after 20 s at most; the server is killed after LOAD_S.
#
# Run with `queue` it shows what that mode costs (answered decisions
# missing after the crash, usually); the check then reports rather than
# fails. Closes with "audit_crash: N passed, M failed".
set -u
BIN=${1:?usage: tests/audit_crash.sh path/to/incomescore [commit|queue]}
MODE=${2:-commit}
LOAD_S=${LOAD_S:-1}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-crash-XXXXXX")
SERVE_PID=""
trap '[ -n "$SERVE_PID" ] && kill -9 "$SERVE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"

. "$(dirname "$0")/lib/serve_load.sh"
small_model "$BIN" "$WORK" || { echo "audit_crash: cannot make a model"; exit 1; }

DB=$WORK/audit.sqlite3
"$BIN" serve --registry "$WORK/reg" --port 0 --audit-db "$DB" \
    --audit-durability "$MODE" --threads 2 2> "$WORK/serve.err" &
SERVE_PID=$!
URL=$(serve_url "$WORK/serve.err")
[ -n "$URL" ] || { echo "audit_crash: serve did not start: $(cat "$WORK/serve.err")"; exit 1; }

request_body "$WORK/one.json"
# Four clients of rounds of 250 requests, until the server is gone (curl
# fails) or 200 rounds are done.
for k in 1 2 3 4; do
    load_client "$k" "$URL" "$WORK/one.json" "$WORK/answered$k.txt" 200 250 &
done
sleep "$LOAD_S"
kill -9 "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
"$(dirname "$0")/stale_counters.sh" "$SERVE_PID" # what the kill left
SERVE_PID=""
wait

cat "$WORK"/answered*.txt | sed -n 's/^200 //p' | sort > "$WORK/answered.ids"
sqlite3 "$DB" 'SELECT request_id FROM decisions' | sort > "$WORK/logged.ids"
answered=$(wc -l < "$WORK/answered.ids")
logged=$(wc -l < "$WORK/logged.ids")
missing=$(comm -23 "$WORK/answered.ids" "$WORK/logged.ids" | wc -l)
echo "audit_crash ($MODE): $answered answered 200 before kill -9, $logged rows, $missing answered but missing"
[ "$answered" -ge 100 ] && ok || ko "only $answered decisions answered: no real load"
if [ "$MODE" = commit ]; then
    [ "$missing" -eq 0 ] && ok || ko "$missing answered decisions are not in the audit log"
fi

echo "audit_crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
