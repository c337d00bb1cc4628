/*
 * audit.h — every decision the API makes, recorded: time, request id,
 * model version, inputs, outputs. To SQLite by default (WAL mode, batched
 * transactions written by a background thread, off the request path), or
 * as JSON lines on stdout for container logs.
 *
 * When the queue is full. A lender must be able to show every decision
 * it made, so a decision is never answered without its record: a request
 * thread waits up to `wait_ms` for room in the queue; if there is still
 * none, audit_submit fails and the API answers 503 without a decision
 * (counted in audit_stats as refused). The queue is full at
 * queue_capacity records, or when the records waiting hold
 * AUDIT_QUEUE_BYTES of text (so memory stays bounded whatever their
 * size). Nothing queued is dropped while the database accepts writes,
 * and audit_close writes all of it before returning. A batch the
 * database refuses is retried once; if it fails again its records are
 * counted in failed_writes and reported on stderr (a disk that stays
 * broken cannot be waited on forever).
 *
 * A group of records (a batch request's decisions) is queued whole or
 * not at all, so an answer refused for want of room leaves none of its
 * decisions in the log: a record in the log is a decision answered.
 *
 * Which API key made the request is recorded by the key's name (from
 * the key file, apikeys.h), never the key or its hash; a server without
 * keys records none (SQL NULL, JSON null). A database made before the
 * column existed gains it when opened; its old rows read NULL.
 *
 * Queued is not yet written: the writer lets a batch gather for a few
 * milliseconds (or until a few hundred records wait) and commits it in
 * one transaction, so a record reaches the database within ~5 ms plus
 * one batch's write of being queued. A process crash loses what is still
 * queued; audit_close does not.
 */
#ifndef INCOMESCORE_AUDIT_H
#define INCOMESCORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "http/apikeys.h"
#include "base/errbuf.h"

enum audit_sink { AUDIT_SQLITE, AUDIT_STDOUT, AUDIT_OFF };

#define AUDIT_ID_SIZE 64
#define AUDIT_VERSION_SIZE 32
#define AUDIT_JSON_SIZE 2048
/* Bytes the queued records may hold at most (a typical record queues
 * ~650 bytes, the largest ~4.2 KB). */
#define AUDIT_QUEUE_BYTES (16u << 20)

struct audit_record {
    int64_t time_ms;                      /* when the request arrived */
    char request_id[AUDIT_ID_SIZE];
    char api_key[APIKEY_NAME_SIZE];       /* the key's name; "": none */
    char model_version[AUDIT_VERSION_SIZE];
    int status;                           /* HTTP status answered */
    char inputs[AUDIT_JSON_SIZE];         /* the request body (JSON) */
    char outputs[AUDIT_JSON_SIZE];        /* the response body (JSON) */
};

/* Records, not submissions: a refused group counts each of its records
 * as refused. */
struct audit_stats {
    uint64_t queued, written, refused, failed_writes;
    uint64_t waiting; /* submitters waiting for room now */
};

struct audit_log;

/* Records to be queued together or not at all: a compact copy of each,
 * as the queue holds them. */
struct audit_group;

/* Opens the log. For AUDIT_SQLITE, `path` is the database file (created
 * with its table when absent). queue_capacity records may wait (and no
 * more than AUDIT_QUEUE_BYTES of them). */
int audit_open(struct audit_log **out, enum audit_sink sink, const char *path,
               size_t queue_capacity, struct errbuf *err);

/* Queues a copy of rec; waits up to wait_ms for room. 0, or -1 when the
 * queue stayed full (the caller must not answer with a decision). Safe
 * from any number of threads. */
int audit_submit(struct audit_log *log, const struct audit_record *rec,
                 int wait_ms);

/* An empty group; room for `expected` records is made at once (more may
 * be added). NULL when out of memory; every function below takes NULL as
 * a group that cannot be queued. */
struct audit_group *audit_group_new(size_t expected);

/* Adds a copy of rec. -1 when out of memory; the group is then refused
 * whole when submitted, as a record without memory to hold it would be. */
int audit_group_add(struct audit_group *g, const struct audit_record *rec);

/* Queues every record of g, or none: waits up to wait_ms for room for
 * all of them together (in records and in bytes). 0 (an empty group
 * included), or -1 when they did not fit in time. A group bigger than
 * the whole queue can never fit and is refused at once, without waiting.
 * Either way g is left empty, ready to be filled again. */
int audit_submit_group(struct audit_log *log, struct audit_group *g,
                       int wait_ms);

void audit_group_free(struct audit_group *g);

void audit_get_stats(struct audit_log *log, struct audit_stats *out);

/* Writes everything queued, stops the writer, closes. NULL is fine. */
void audit_close(struct audit_log *log);

#endif
