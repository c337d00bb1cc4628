/*
 * audit_query.h — reading and trimming the audit log (audit.h's SQLite
 * file) from outside the server: finding decisions, and retention.
 *
 * Finding. The table is indexed by time (time_ms, the millisecond the
 * request arrived), never by request id (audit.c says why). An id the
 * server made is 11 hex digits of that millisecond and 5 of a counter, so
 * it is found through the time index at once; a batch's decisions are
 * "<id>/<n>" and are found with it. A client's own id carries no time:
 * give the window it was sent in, or every row is read (a full scan).
 * Finding opens the file read-only and never creates one.
 *
 * Retention. A lender keeps credit decisions for years (audit_prune's
 * caller chooses how many); pruning deletes the rows older than a cut,
 * after copying them, when asked, into an archive: a new SQLite file with
 * the same schema, written under a temporary name and linked into place
 * only when complete and synced, so an archive either holds every row
 * that is then deleted or does not exist. Deleting goes in transactions
 * of AUDIT_PRUNE_BATCH rows, so a running server's writer (WAL, a busy
 * timeout) waits at most one such transaction. Only rows that existed
 * when the copy was taken are deleted: a row is never deleted unless it
 * is in the archive.
 */
#ifndef INCOMESCORE_AUDIT_QUERY_H
#define INCOMESCORE_AUDIT_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"

#define AUDIT_PRUNE_BATCH 10000

/* What to find: the rows of request id `id` (and its batch items), or
 * with id NULL every row; within [since_ms, until_ms) when has_since /
 * has_until say so. */
struct audit_query {
    const char *id;
    bool has_since, has_until;
    int64_t since_ms, until_ms;
};

/* A TIME argument: milliseconds since 1970 (digits only), or an ISO
 * date or date-time, UTC unless it names a zone ("2026-11-26",
 * "2026-11-26T10:00:00Z"). -1 with the reason. */
int audit_time_parse(const char *s, int64_t *ms, struct errbuf *err);

/* The arrival millisecond an id the server made carries: 0 and *ms when
 * id has that shape (16 lowercase hex digits), else -1. A client may
 * send an id of the same shape: a miss is not proof of absence. */
int audit_id_time(const char *id, int64_t *ms);

/* Writes every matching row of the database at path to out, oldest
 * first, as one JSON object a line: id, time_ms, time, request_id,
 * model_version, status, inputs, outputs (as JSON when they are JSON,
 * else as strings), api_key. *found counts them. An id of the server's
 * shape and no window is looked up at its millisecond first, and in
 * every row when not found there. 0, or -1 with the reason (a missing
 * file is named). */
int audit_find(const char *path, const struct audit_query *q, FILE *out,
               long *found, struct errbuf *err);

struct audit_prune_result {
    long archived; /* rows copied into the archive (0 without one) */
    long deleted;  /* rows deleted */
};

/* Deletes the rows of the database at path whose time_ms is before
 * cut_ms. With archive non-NULL they are first copied into that new file
 * (refused when it exists). Safe while a server writes the log. 0, or -1
 * with the reason; rows deleted before a failure stay deleted (each is
 * in the archive) and are counted in *res. */
int audit_prune(const char *path, int64_t cut_ms, const char *archive,
                struct audit_prune_result *res, struct errbuf *err);

#endif
