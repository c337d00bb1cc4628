# tests/lib/checks.sh — sourced by the shell tests: the count of checks
# passed and failed, and the checks they share. Each script closes with
# `echo "NAME: $passed passed, $failed failed"` and exits non-zero when
# any failed.
#   ok / ko MESSAGE        count a check (ko prints "FAIL: MESSAGE")
#   same NAME FILE TEXT    FILE holds exactly TEXT
#   same_file NAME GOT EXPECTED_FILE   byte for byte
#   has NAME FILE TEXT     FILE holds TEXT somewhere
#   hasnt NAME FILE TEXT   FILE does not hold TEXT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
same() {
    if [ "$(cat "$2")" = "$3" ]; then ok; else
        ko "$1: got"; sed 's/^/    /' "$2"; echo "  expected"; echo "$3" | sed 's/^/    /'; fi
}
same_file() {
    if cmp -s "$2" "$3"; then ok; else ko "$1"; diff "$3" "$2" | head -20; fi
}
has() {
    if grep -qF -- "$3" "$2"; then ok; else ko "$1: no '$3' in"; sed 's/^/    /' "$2"; fi
}
hasnt() {
    if grep -qF -- "$3" "$2"; then ko "$1: '$3' in"; sed 's/^/    /' "$2"; else ok; fi
}
