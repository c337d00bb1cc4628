#!/bin/sh
# tests/mongo_wire.sh — `etl --source mongodb://...` over the real wire
# protocol, against tests/servers/mongo_responder.py (a MongoDB responder
# started here on 127.0.0.1, one per case, with the fault the case needs):
# batches through getMore, a cursor failing mid-stream, a connection
# dropped mid-stream, wrong credentials, no server, and partitioned runs
# merged. There is no real MongoDB server here; see the README.
#
#   tests/mongo_wire.sh build/incomescore
#
# Prints one line per failed check and closes with
# "mongo_wire: N passed, M failed".
set -u
BIN=${1:?usage: tests/mongo_wire.sh path/to/incomescore}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 (scripts/deps.sh installs it): the responder needs no
# module beyond the standard library
PY=/usr/bin/python3
RESPONDER=$HERE/servers/mongo_responder.py
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-mongo-XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"


# run NAME EXPECTED_EXIT CMD...: stdout/stderr in $WORK/out, $WORK/err;
# every run is bounded (a hang fails the test instead of the make)
run() {
    name=$1 want=$2
    shift 2
    timeout 120 "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        ko "$name: exit $got, expected $want"; sed 's/^/    /' "$WORK/err"; fi
}
# nothing_at NAME DIR: DIR holds no file (no dataset, no temporary file)
nothing_at() {
    if [ -z "$(ls -A "$2")" ]; then ok; else ko "$1: left"; ls -A "$2" | sed 's/^/    /'; fi
}

# start_responder NAME DOCS [FAULT]: a responder in $WORK/NAME serving
# DOCS; its URI in URI ("" when it did not start within 10 s)
start_responder() {
    mkdir -p "$WORK/$1"
    "$PY" "$RESPONDER" "$WORK/$1" "$2" ${3:-} >"$WORK/$1/log" 2>&1 &
    PIDS="$PIDS $!"
    URI=""
    for _ in $(seq 100); do
        if [ -s "$WORK/$1/port" ]; then
            URI="mongodb://127.0.0.1:$(cat "$WORK/$1/port")/"
            return
        fi
        sleep 0.1
    done
    ko "responder $1 did not start"; sed 's/^/    /' "$WORK/$1/log"
}
# commands NAME: what the responder NAME received, one line per kind with
# its count
commands() { uniq -c "$WORK/$1/commands.log" | sed 's/^ *//'; }

AS_OF=2024-06-30
DOCS=$WORK/docs.jsonl
"$BIN" demo-data --count 2500 --seed 3 --as-of $AS_OF --out "$DOCS" 2>/dev/null ||
    ko "demo-data"

# ---- several batches through getMore --------------------------------------
run "etl from a JSON-lines file" 0 "$BIN" etl --source "$DOCS" --out "$WORK/file.csv" --as-of $AS_OF
start_responder batches "$DOCS"
run "etl through the wire" 0 "$BIN" etl --source "$URI" --out "$WORK/wire.csv" --as-of $AS_OF
has "wire counts" "$WORK/err" "incomescore etl: read 2500, written 2464, duplicates 28, rejected 8 ("
same_file "the wire's dataset is the file's, byte for byte" "$WORK/wire.csv" "$WORK/file.csv"
# 2,500 documents in batches of 101: a find, 24 getMores, then the session
# ends; the cursor was exhausted, so nothing to kill
same "the conversation" /dev/stdin "$(commands batches)" <<'E'
1 OP_QUERY isMaster
1 OP_MSG find
24 OP_MSG getMore
1 OP_MSG endSessions
E

# ---- a cursor failing mid-stream -------------------------------------------
mkdir -p "$WORK/out-cursor"
start_responder cursor "$DOCS" getmore-error:1000
run "a getMore answered with an error" 1 "$BIN" etl --source "$URI" --out "$WORK/out-cursor/d.csv" --as-of $AS_OF
same "cursor error message" "$WORK/err" "incomescore etl: MongoDB: the server failed the read after 1010 documents: operation was interrupted by the test responder (error 11601)"
nothing_at "cursor error: no partial dataset, no temporary file" "$WORK/out-cursor"
same "cursor error: the driver kills the cursor" /dev/stdin "$(commands cursor)" <<'E'
1 OP_QUERY isMaster
1 OP_MSG find
10 OP_MSG getMore
1 OP_MSG killCursors
1 OP_MSG endSessions
E

# ---- a connection dropped mid-stream ---------------------------------------
mkdir -p "$WORK/out-drop"
start_responder drop "$DOCS" drop:1000
run "a connection dropped mid-stream" 1 "$BIN" etl --source "$URI" --out "$WORK/out-drop/d.csv" --as-of $AS_OF
same "drop message" "$WORK/err" "incomescore etl: MongoDB: the connection was lost after 1010 documents: Failed to send \"getMore\" command with database \"validationsdb\": Failed to read 4 bytes: socket error or timeout"
nothing_at "drop: no partial dataset, no temporary file" "$WORK/out-drop"

# ---- wrong credentials -----------------------------------------------------
mkdir -p "$WORK/out-auth"
start_responder auth "$DOCS"
AUTH_URI=$(echo "$URI" | sed 's|//|//alice:s3cret-pw@|')
run "wrong credentials" 1 "$BIN" etl --source "$AUTH_URI" --out "$WORK/out-auth/d.csv" --as-of $AS_OF
same "auth message" "$WORK/err" "incomescore etl: MongoDB: authentication failed for user 'alice' (authSource admin): Authentication failed."
hasnt "auth: the password is not printed" "$WORK/err" "s3cret-pw"
nothing_at "auth: nothing written" "$WORK/out-auth"
same "auth: SCRAM's first step refused" /dev/stdin "$(commands auth)" <<'E'
1 OP_QUERY isMaster
1 OP_MSG saslStart
E

# ---- no server -------------------------------------------------------------
# a port just released by a listener of our own: nothing listens there
FREE=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run "nothing listening" 1 "$BIN" etl --source "mongodb://127.0.0.1:$FREE/?serverSelectionTimeoutMS=2000&connectTimeoutMS=2000" --out "$WORK/x.csv" --as-of $AS_OF
same "no server message" "$WORK/err" "incomescore etl: MongoDB: no server could be reached (connectTimeoutMS 2000, serverSelectionTimeoutMS 2000): No suitable servers found (\`serverSelectionTryOnce\` set): [connection refused calling hello on '127.0.0.1:$FREE']"
[ -e "$WORK/x.csv" ] && ko "no server: a dataset was written" || ok

# ---- partitioned runs, merged ---------------------------------------------
# the same 2,500 documents as three slices, from the file and through the
# wire; about 3% of people are checked more than once, so some have
# documents in two slices: the merge must decide across them as one run
for src in file wire; do
    SRC=$DOCS
    if [ $src = wire ]; then start_responder parts "$DOCS"; SRC=$URI; fi
    for k in 1 2 3; do
        run "$src: partition $k/3" 0 "$BIN" etl --source "$SRC" --partition $k/3 --out "$WORK/$src-$k.part" --as-of $AS_OF
    done
    run "$src: merge" 0 "$BIN" etl merge --out "$WORK/$src-merged.csv" "$WORK/$src-3.part" "$WORK/$src-1.part" "$WORK/$src-2.part"
    has "$src: merged counts" "$WORK/err" "incomescore etl: merged: read 2500, written 2464, duplicates 28, rejected 8 ("
    same_file "$src: 3 partitions merged are one run's dataset" "$WORK/$src-merged.csv" "$WORK/file.csv"
    run "$src: partition 1/1" 0 "$BIN" etl --source "$SRC" --partition 1/1 --out "$WORK/$src-only.part" --as-of $AS_OF
    run "$src: merge of one" 0 "$BIN" etl merge --out "$WORK/$src-one.csv" "$WORK/$src-only.part"
    same_file "$src: 1 partition merged is one run's dataset" "$WORK/$src-one.csv" "$WORK/file.csv"
done
same_file "file: merged rejects are one run's" "$WORK/file-merged.rejects.jsonl" "$WORK/file.rejects.jsonl"
# the summaries differ only in the output names and the time taken
for f in file file-merged; do
    grep -v -e '"dataset"' -e '"rejects"' -e '"seconds"' "$WORK/$f.summary.json" > "$WORK/$f.counts"
done
same_file "file: the merged summary's counts are one run's" "$WORK/file-merged.counts" "$WORK/file.counts"

# a partition whose connection drops leaves no part file (nor a temporary)
mkdir -p "$WORK/out-part-drop"
start_responder part-drop "$DOCS" drop:500
run "a partition's connection dropped" 1 "$BIN" etl --source "$URI" --partition 2/3 --out "$WORK/out-part-drop/p2" --as-of $AS_OF
has "partition drop message" "$WORK/err" "incomescore etl: MongoDB: the connection was lost after 505 documents: "
nothing_at "partition drop: no part file, no temporary file" "$WORK/out-part-drop"
# people split across slices: more duplicates in the whole than in the parts
cross=$(cat "$WORK"/file-[123].part | sed -n 's/^S\t.*"duplicates":\([0-9]*\).*/\1/p' | paste -sd+)
cross=$(( $cross ))
[ "$cross" -lt 28 ] && ok || ko "no person's documents fell in two slices ($cross duplicates within slices)"

# ---- usage -------------------------------------------------------------------
run "a partition out of range" 2 "$BIN" etl --source "$DOCS" --partition 4/3 --out "$WORK/x"
has "partition range message" "$WORK/err" "incomescore etl: --partition '4/3' is not K/N with 1 <= K <= N <= 1024"
run "a partition with --rejects" 2 "$BIN" etl --source "$DOCS" --partition 1/3 --out "$WORK/x" --rejects "$WORK/r"
has "partition --rejects message" "$WORK/err" "incomescore etl: --partition writes one part file (--out); --rejects and --summary belong to \`etl merge\`"
run "a merge without parts" 2 "$BIN" etl merge --out "$WORK/x.csv"
has "merge without parts message" "$WORK/err" "incomescore etl merge: the part files of \`etl --partition K/N\` are required"
run "a merge of a part that is an output" 1 "$BIN" etl merge --out "$WORK/file-1.part" "$WORK/file-1.part" "$WORK/file-2.part" "$WORK/file-3.part"
has "part over output message" "$WORK/err" "incomescore etl merge: $WORK/file-1.part is both a part and an output"
run "etl help" 0 "$BIN" etl --help
has "help names the partitions" "$WORK/out" "--partition K/N"
has "help names the timeouts" "$WORK/out" "connectTimeoutMS"

echo "mongo_wire: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
