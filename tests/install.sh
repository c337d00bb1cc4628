#!/bin/sh
# tests/install.sh — `make install` as a packager and an operator use it:
# the files land under $(DESTDIR)$(PREFIX), and the installed binary, run
# from / with no environment of ours, finds its data where it was
# installed, scores with a model it trained and serves the page (web/)
# installed beside the data.
#
#   MAKE=make BUILD=build tests/install.sh      (make check runs it)
#
# Prints one line per failed check and closes with
# "install: N passed, M failed".
set -u
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-install-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib/checks.sh"
# Nothing of the source tree or of the caller's settings may help.
unset INCOMESCORE_DATA INCOMESCORE_HOME INCOMESCORE_API_KEYS URL_DATABASE PORT

# ---- a staged install: DESTDIR + PREFIX=/usr, as a package build does ----
STAGE=$WORK/stage
if (cd "$ROOT" && $MAKE BUILD="$BUILD" install DESTDIR="$STAGE" PREFIX=/usr) \
        >"$WORK/make.log" 2>&1; then ok; else
    ko "make install DESTDIR PREFIX=/usr failed"; sed 's/^/    /' "$WORK/make.log"; fi
[ -x "$STAGE/usr/bin/incomescore" ] && ok || ko "no $STAGE/usr/bin/incomescore"
(cd "$ROOT/data" && ls) > "$WORK/shipped"
(cd "$STAGE/usr/share/incomescore" 2>/dev/null && ls | grep -vx web) > "$WORK/installed"
same "every data file is installed" "$WORK/installed" "$(cat "$WORK/shipped")"
(cd "$ROOT/web" && ls) > "$WORK/shipped"
(cd "$STAGE/usr/share/incomescore/web" 2>/dev/null && ls) > "$WORK/installed"
same "every page file is installed beside the data" "$WORK/installed" "$(cat "$WORK/shipped")"
# The staged binary looks in /usr/share/incomescore (not in the stage, not
# in the source tree); INCOMESCORE_DATA still overrides it.
if [ ! -e /usr/share/incomescore ]; then
    (cd / && "$STAGE/usr/bin/incomescore" rules check) >"$WORK/out" 2>"$WORK/err"
    same "the staged binary looks under PREFIX" "$WORK/err" \
        "incomescore rules check: /usr/share/incomescore/rules.json: No such file or directory"
fi
(cd / && INCOMESCORE_DATA="$STAGE/usr/share/incomescore" \
    "$STAGE/usr/bin/incomescore" rules check) >"$WORK/out" 2>"$WORK/err" &&
    ok || ko "INCOMESCORE_DATA does not override: $(cat "$WORK/err")"

# ---- a real install into a prefix, then used from / -----------------------
PREFIX=$WORK/prefix
if (cd "$ROOT" && $MAKE BUILD="$BUILD" install PREFIX="$PREFIX") \
        >"$WORK/make.log" 2>&1; then ok; else
    ko "make install PREFIX failed"; sed 's/^/    /' "$WORK/make.log"; fi
BIN=$PREFIX/bin/incomescore
cd /
"$BIN" --version >"$WORK/out" 2>&1 && ok || ko "--version: $(cat "$WORK/out")"
"$BIN" rules check >"$WORK/out" 2>"$WORK/err" &&
    ok || ko "rules check with the installed data: $(cat "$WORK/err")"
grep -q "^scale: target " "$WORK/out" && ok || ko "rules check says no scale: $(cat "$WORK/out")"

HOME_DIR=$WORK/home
export INCOMESCORE_HOME="$HOME_DIR"
"$BIN" demo-data --count 1500 --seed 3 --as-of 2024-06-30 --out "$WORK/docs.jsonl" 2>"$WORK/err" &&
"$BIN" etl --source "$WORK/docs.jsonl" --out "$WORK/dataset.csv" --as-of 2024-06-30 2>"$WORK/err" &&
    ok || ko "etl with the installed data: $(cat "$WORK/err")"
printf '{"rounds": 20, "max_depth": 3, "eta": 0.3}\n' > "$WORK/params.json"
"$BIN" train --data "$WORK/dataset.csv" --params "$WORK/params.json" >"$WORK/out" 2>"$WORK/err" &&
    ok || ko "train with the installed data: $(cat "$WORK/err")"
same "train into INCOMESCORE_HOME" "$WORK/out" "v0001"
echo '{"ingreso": 45000, "antiguedad_laboral_meses": 50, "tiempo_desempleado": 0, "trabajos_ultimos_5": 1, "semanasCotizadas": 1000, "edad": 32, "crecimiento_ingreso": 265.38, "lugar_actual": 18}' |
    "$BIN" predict >"$WORK/out" 2>"$WORK/err" && ok || ko "predict: $(cat "$WORK/err")"
grep -q '^{"scoring": [0-9]*\.[0-9][0-9], "cluster": "[ABCD]", "model_version": "v0001", ' "$WORK/out" &&
    ok || ko "predict did not score: $(cat "$WORK/out")"
[ -d "$HOME_DIR/registry/versions/v0001" ] && ok || ko "no registry under INCOMESCORE_HOME"

# the installed server sends the installed page at /
"$BIN" serve --port 0 --audit off >/dev/null 2>"$WORK/serve.err" &
SERVE_PID=$!
URL=""
for _ in $(seq 100); do
    URL=$(sed -n 's/^incomescore serve: listening on \(http:[^ ]*\) .*/\1/p' "$WORK/serve.err")
    [ -n "$URL" ] && break
    sleep 0.1
done
if [ -n "$URL" ] && curl -sf "$URL/" -o "$WORK/index.html"; then
    cmp -s "$WORK/index.html" "$PREFIX/share/incomescore/web/index.html" &&
        ok || ko "GET / is not the installed web/index.html"
else
    ko "the installed serve did not answer GET /: $(cat "$WORK/serve.err")"
fi
kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
