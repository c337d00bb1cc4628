#!/bin/sh
# bench/audit_pg.sh — serve with the audit log in PostgreSQL, beside the
# SQLite log and nginx `return 200`, in one run (bench/serve.sh does the
# loads: wrk -t2, c=64 throughput and c=8 p99, the median of REPEAT runs).
#
#   bench/audit_pg.sh [path/to/incomescore] [bundle-or-registry-dir]
#
# Starts a throwaway PostgreSQL 15 (tests/servers/pg.sh: fsync on, the
# default synchronous_commit=on, on this machine's disk) and runs
# RUNS="postgres-commit postgres-queue sqlite-commit" by default. In
# commit mode every request answered 200 is a row committed, so the c=64
# figure of postgres-commit is also the rows per second PostgreSQL took;
# serve.sh prints the rows and the transactions they came in (xmin).
set -eu
HERE=$(dirname "$(realpath "$0")")
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/incomescore-benchpg-XXXXXX")
trap '"$HERE/../tests/servers/pg.sh" stop "$PGDIR"; rm -rf "$PGDIR"' EXIT INT TERM
INCOMESCORE_AUDIT_URL=$("$HERE/../tests/servers/pg.sh" start "$PGDIR")
export INCOMESCORE_AUDIT_URL
echo "PostgreSQL $(psql "$INCOMESCORE_AUDIT_URL" -X -At -c 'SHOW server_version') in $PGDIR (fsync $(psql "$INCOMESCORE_AUDIT_URL" -X -At -c 'SHOW fsync'), synchronous_commit $(psql "$INCOMESCORE_AUDIT_URL" -X -At -c 'SHOW synchronous_commit'))"
RUNS=${RUNS:-postgres-commit postgres-queue sqlite-commit} "$HERE/serve.sh" "$@"
