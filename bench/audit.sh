#!/bin/sh
# bench/audit.sh — decision-log throughput: records per second written to
# SQLite (WAL, one transaction per batch) by 2 submitting threads, and the
# CPU a record costs (submitters and writer together).
#
#   bench/audit.sh [records [threads [capacity [ids]]]]
#                                    (default 200000 2 16384 time)
#
# ids: "time" (growing with time, as the server makes them) or "random"
# (as a client sending UUIDs in X-Request-Id; as cheap since the log is
# indexed by time only, where an index on request_id made them ~4x dearer).
#
# Works from any directory: `make -s bench/out/audit_bench` builds the
# program from bench/audit_bench.c against build/libincomescore.a with
# the Makefile's flags (and the library first if need be); it prints, e.g.
#   audit: 200000 records in 0.90 s = 222222 records/s, 8.1 us of CPU a
#   record (sqlite, WAL; time ids, ...)
# The database goes to a fresh directory under $TMPDIR (or /tmp) and is
# removed after. Timings are for reading; no test asserts them.
set -eu
cd "$(dirname "$0")/.."
OUT=bench/out
make --no-print-directory -s "$OUT/audit_bench"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-audit-bench-XXXXXX")
trap 'rm -rf "$DIR"' EXIT
"$OUT/audit_bench" "$DIR" "${1:-200000}" "${2:-2}" "${3:-16384}" "${4:-time}"
