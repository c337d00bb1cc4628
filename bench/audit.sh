#!/bin/sh
# bench/audit.sh — decision-log throughput: records per second written to
# SQLite (WAL, one transaction per batch) by 2 submitting threads, and the
# CPU a record costs (submitters and writer together).
#
#   bench/audit.sh [records [threads [capacity [ids]]]]
#                                    (default 200000 2 16384 time)
#
# ids: "time" (growing with time, as the server makes them) or "random"
# (as a client sending UUIDs in X-Request-Id; far costlier for the
# request_id index).
#
# Run from the repository root after `make`: builds bench/out/audit_bench
# from bench/audit_bench.c against build/libincomescore.a with the
# Makefile's flags and prints, e.g.
#   audit: 200000 records in 0.90 s = 222222 records/s, 8.1 us of CPU a
#   record (sqlite, WAL; time ids, ...)
# The database goes to a fresh directory under $TMPDIR (or /tmp) and is
# removed after. Timings are for reading; no test asserts them.
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-cc}
LIB=build/libincomescore.a
OUT=bench/out
if [ ! -f "$LIB" ]; then
    echo "bench/audit.sh: $LIB is missing; run make first" >&2
    exit 1
fi
mkdir -p "$OUT"
# shellcheck disable=SC2046
$CC -std=c11 -D_GNU_SOURCE -pthread -O2 -g -Wall -Wextra -Werror -Wshadow \
    -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -iquote src \
    $(pkg-config --cflags sqlite3 jansson) \
    -o "$OUT/audit_bench" bench/audit_bench.c "$LIB" \
    $(pkg-config --libs sqlite3 jansson) -pthread

DIR=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-audit-bench-XXXXXX")
trap 'rm -rf "$DIR"' EXIT
"$OUT/audit_bench" "$DIR" "${1:-200000}" "${2:-2}" "${3:-16384}" "${4:-time}"
