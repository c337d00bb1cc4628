/*
 * audit_pg.h — the audit log in PostgreSQL (serve --audit postgres): one
 * table for every replica of the server, kept in monthly partitions so
 * that retention drops a month whole instead of deleting rows.
 *
 * Connection. A libpq connection string, URI or key=value
 * ("postgresql://user:secret@db:5432/audit?sslmode=require"); libpq's own
 * environment (PGPASSWORD, PGPASSFILE, PGSSLMODE ...) applies too. A
 * connection waits AUDIT_PG_CONNECT_TIMEOUT_S seconds at most unless the
 * string sets connect_timeout. The password never leaves libpq: messages
 * name the target through audit_pg_mask.
 *
 * Schema (made and migrated when a server starts, and again when the
 * writer reconnects; idempotent, and serialized between replicas by a
 * transaction-level advisory lock, so two replicas starting together
 * neither fail nor migrate twice):
 *   audit_schema_version (version integer)    one row: the schema's
 *       version, AUDIT_PG_SCHEMA_VERSION when this program made it.
 *       1: decisions; 2: its replica column.
 *   decisions (id bigserial, time_ms bigint, time timestamptz,
 *       request_id text, model_version text, status integer,
 *       inputs text, outputs text, api_key text, replica text)
 *       PARTITION BY RANGE (time), indexed on time. The columns of the
 *       SQLite log's table, plus replica: the --replica-name of the
 *       server that answered (default its hostname). inputs and outputs
 *       are text, not jsonb, so a row holds the very bytes answered
 *       (jsonb would reorder keys and reprint numbers); text that is not
 *       UTF-8 is kept with each byte outside ASCII as '?', as on stdout.
 *   decisions_yYYYYmMM   the partition of one month (UTC), e.g.
 *       decisions_y2026m11 holds [2026-11-01, 2026-12-01).
 * Partitions: the current and the next month are made at start; a record
 * whose month has none (a clock far off, a server running across months
 * without restarting) gets its month's partition made before its batch
 * is written — create-on-miss, not a DEFAULT partition, because a
 * DEFAULT partition holding rows makes every later partition of their
 * range fail to be created, and retention could no longer drop by month.
 *
 * Durability: a batch is one COPY (its own transaction), so with
 * PostgreSQL's default synchronous_commit=on an answered decision is in
 * the server's WAL on disk. A write that fails rolls back whole. One
 * case is ambiguous, as with any client of a remote database: the
 * connection lost after the server committed a batch but before its
 * answer arrived. The batch then counts as failed and is written again,
 * so its rows may appear twice (same request_id, time and replica) —
 * a decision is never missing, but may be repeated.
 */
#ifndef INCOMESCORE_AUDIT_PG_H
#define INCOMESCORE_AUDIT_PG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"

#define AUDIT_PG_SCHEMA_VERSION 2
#define AUDIT_PG_CONNECT_TIMEOUT_S 5
/* Every round trip of the writer (a statement, a batch's COPY) and every
 * lock it waits for (lock_timeout) ends within this: a server that stops
 * answering fails the write, which audit.c then holds and retries on a
 * new connection (audit.h), and shutdown is not held by it. */
#define AUDIT_PG_ROUND_TRIP_MS 5000
/* The environment variable serve and audit retain read the connection
 * string from when no --audit-url / --url is given. */
#define AUDIT_PG_URL_ENV "INCOMESCORE_AUDIT_URL"

/* conninfo as it may be printed, from libpq's own parse of it: a URI's
 * scheme, user, host, port and dbname ("postgresql://app:***@db:5432/
 * audit"), or key=value's host, hostaddr, port, user, dbname, with ***
 * for a password; no other piece of the string. A string libpq cannot
 * parse, or one whose host holds '@' (an unescaped '@' in a URI's
 * password), is "(the connection string, unreadable: REASON)". */
void audit_pg_mask(const char *conninfo, char *out, size_t size);

/* Retention: drops every monthly partition whose rows are all more than
 * `months` months older than now_ms's month — the current month and the
 * `months` before it stay. Never DELETEs. Each dropped partition's name
 * goes to out, one a line; *dropped counts them, *kept the partitions
 * left. 0, or -1 with the reason (partitions dropped before a failure
 * stay dropped and are counted). */
int audit_pg_retain(const char *conninfo, int months, int64_t now_ms,
                    FILE *out, long *dropped, long *kept,
                    struct errbuf *err);

#endif
