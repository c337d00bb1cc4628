#!/bin/sh
# tests/cli.sh — the command line as a user meets it: exit codes, usage
# errors, and the files and streams each command produces.
#
#   tests/cli.sh build/incomescore
#
# Prints one line per failed check and closes with "cli: N passed, M failed".
set -u
BIN=${1:?usage: tests/cli.sh path/to/incomescore}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/fixtures
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-cli-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_EXIT CMD...: runs CMD with stdout/stderr in $WORK/out,
# $WORK/err and checks the exit code.
run() {
    name=$1 want=$2
    shift 2
    "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        ko "$name: exit $got, expected $want"; sed 's/^/    /' "$WORK/err"; fi
}
# run_in NAME EXPECTED_EXIT INPUT CMD...: the same with INPUT on stdin.
run_in() {
    name=$1 want=$2 input=$3
    shift 3
    "$@" <"$input" >"$WORK/out" 2>"$WORK/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        ko "$name: exit $got, expected $want"; sed 's/^/    /' "$WORK/err"; fi
}
same() { # same NAME FILE EXPECTED_TEXT
    if [ "$(cat "$2")" = "$3" ]; then ok; else
        ko "$1: got"; sed 's/^/    /' "$2"; echo "  expected"; echo "$3" | sed 's/^/    /'; fi
}
same_file() { # same_file NAME GOT EXPECTED_FILE
    if cmp -s "$2" "$3"; then ok; else ko "$1"; diff "$3" "$2" | head -20; fi
}
has() { # has NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then ok; else ko "$1: no '$3' in"; sed 's/^/    /' "$2"; fi
}

# ---- dispatch and usage --------------------------------------------------
run "no command" 2 "$BIN"
same "no command message" "$WORK/err" "incomescore: a command is needed
Try 'incomescore --help'."
run "help" 0 "$BIN" --help
has "help lists rules" "$WORK/out" "rules"
run "version" 0 "$BIN" --version
has "version" "$WORK/out" "incomescore 0."
run "unknown command" 2 "$BIN" frobnicate
same "unknown command message" "$WORK/err" "incomescore: 'frobnicate' is not a command
Try 'incomescore --help'."
run "rules help" 0 "$BIN" rules --help
has "rules help names apply" "$WORK/out" "rules apply"
run "rules apply help" 0 "$BIN" rules apply --help
run "rules without subcommand" 2 "$BIN" rules
run "rules unknown subcommand" 2 "$BIN" rules squash
run "unknown option" 2 "$BIN" rules apply --frob
same "unknown option message" "$WORK/err" "incomescore rules apply: option '--frob' is unknown
Try 'incomescore rules apply --help'."
run "option lacking its value" 2 "$BIN" rules apply --rules
run "stray argument" 2 "$BIN" rules check extra
run "calibrate needs --data" 2 "$BIN" rules calibrate

# ---- rules apply -----------------------------------------------------------
run_in "apply" 0 "$FIX/features.csv" "$BIN" rules apply
same_file "apply output" "$WORK/out" "$FIX/features.scored.csv"
same "apply summary" "$WORK/err" "incomescore rules apply: 3 rows scored, 0 bad"

run_in "apply with bad rows" 1 "$FIX/features_bad_rows.csv" "$BIN" rules apply
same "apply bad rows: stderr" "$WORK/err" "line 3: column 'edad': 'veinte' is not a number
line 4: 9 fields, the header has 11
incomescore rules apply: 2 rows scored, 2 bad"
head -1 "$FIX/features.scored.csv" > "$WORK/want"
sed -n '2p;4p' "$FIX/features.scored.csv" >> "$WORK/want"
same_file "apply bad rows: good rows kept in order" "$WORK/out" "$WORK/want"

printf 'ingreso,edad\n1,2\n' > "$WORK/narrow.csv"
run_in "apply missing columns" 1 "$WORK/narrow.csv" "$BIN" rules apply
has "apply missing columns names them" "$WORK/err" "missing columns: antiguedad_laboral_meses"

# ---- rules check / calibrate ---------------------------------------------
run "check shipped rules" 0 "$BIN" rules check
has "check lists variables" "$WORK/out" "variables: ingreso antiguedad_laboral_meses"
printf '{"format": "incomescore-rules/1", "divisor": 0}' > "$WORK/bad.json"
run "check bad rules" 1 "$BIN" rules check --rules "$WORK/bad.json"
same "check bad rules message" "$WORK/err" "incomescore rules check: $WORK/bad.json: \"divisor\" must be a whole number from 1 to 1000000"

cp "$(dirname "$HERE")/data/rules.json" "$WORK/rules.json"
run "calibrate in place" 0 "$BIN" rules calibrate --data "$FIX/features.csv" --rules "$WORK/rules.json"
same "calibrate summary" "$WORK/err" "incomescore rules calibrate: target 0.32 -> 300, 0.80 -> 850 (3 rows); written to $WORK/rules.json"
run "calibrated rules check" 0 "$BIN" rules check --rules "$WORK/rules.json"
has "calibrated scale" "$WORK/out" "scale: target 0.32 -> 300, 0.8 -> 850"
ls "$WORK" | grep -q '\.tmp\.' && ko "calibrate left a temporary file" || ok

cp "$WORK/rules.json" "$WORK/before.json"
run "calibrate refuses bad rows" 1 "$BIN" rules calibrate --data "$FIX/features_bad_rows.csv" --rules "$WORK/rules.json"
has "calibrate bad rows reason" "$WORK/err" "2 bad rows (listed above); fix them first"
same_file "calibrate refused: rules untouched" "$WORK/rules.json" "$WORK/before.json"

run "calibrate to --out" 0 "$BIN" rules calibrate --data "$FIX/features.csv" --out "$WORK/new.json"
run "calibrated --out is valid" 0 "$BIN" rules check --rules "$WORK/new.json"
run "calibrate to stdout" 0 "$BIN" rules calibrate --data "$FIX/features.csv"
has "calibrate stdout is the rules" "$WORK/out" '"target_at_850": 0.8'

# ---- data directory ------------------------------------------------------
mkdir "$WORK/empty"
run_in "apply without rules file" 1 "$FIX/features.csv" env INCOMESCORE_DATA="$WORK/empty" "$BIN" rules apply
has "missing rules file named" "$WORK/err" "$WORK/empty/rules.json: No such file or directory"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
