/*
 * audit.h — every decision the API makes, recorded: time, request id,
 * model version, inputs, outputs. To SQLite by default (WAL mode, batched
 * transactions written by a background thread), to PostgreSQL (one table
 * for many replicas: audit_pg.h; the same queue, promise and failure
 * handling as SQLite, a commit there being PostgreSQL's), or as JSON
 * lines on stdout for container logs.
 *
 * When a decision is acknowledged (enum audit_ack). A lender must be
 * able to show every decision it made, so a decision is never answered
 * without its record:
 *   AUDIT_ACK_COMMITTED (the default): audit_submit returns 0 only once
 *     the record is committed — in the SQLite file, or written and
 *     flushed (fflush) to stdout. Group commit: the writer commits every
 *     record waiting in one transaction and wakes all their submitters
 *     at once, so many requests share one commit. SQLite runs in WAL
 *     mode with synchronous=NORMAL: a commit is in the operating
 *     system's hands when it returns, so killing the process (kill -9,
 *     a crash, the OOM killer) loses no acknowledged record; a power
 *     loss or kernel crash can lose the transactions since the WAL was
 *     last synced (at a checkpoint, every few MB), never the file's
 *     consistency. FULL (an fsync a commit) would cover power loss at
 *     the price of a disk flush in every answer's latency.
 *   AUDIT_ACK_QUEUED: audit_submit returns 0 once the record is queued;
 *     it reaches the database a few milliseconds later. Faster, but a
 *     process crash loses what is still queued (up to queue_capacity
 *     records).
 * A submitter waits at most `wait_ms` in all (for room, then for its
 * commit); past that, audit_submit fails and the API answers 503. A
 * record whose wait ran out is usually committed afterwards: the log may
 * hold a decision that was answered 503 (counted as unconfirmed), never
 * the reverse.
 *
 * When writing fails (disk full, read-only file system, I/O error). The
 * failed batch is held at the head of the queue and tried again, 50 ms
 * later and then twice as far apart each time up to a second, until it
 * is written; nothing queued is dropped. While the log is failing it
 * takes no new record (audit_submit fails at once, the API answers 503,
 * /readyz is not ready with audit_health's reason), and waiting
 * submitters are released with a failure. One error line goes to stderr
 * when an episode starts and an info line when writing works again.
 * audit_close tries a held batch a few more times and then gives up on
 * it, counted in failed_writes and reported: a disk that stays broken
 * cannot be waited on forever at shutdown. For that a sink's write must
 * return: PostgreSQL's round trips have a deadline (audit_pg.h), and a
 * store that hangs without failing is seen meanwhile by audit_health
 * (the queue's age, below). On stdout a batch tried
 * again may repeat lines that were already out before the failure: a
 * repeated request_id, never a missing one.
 *
 * A deleted or replaced database file. Before each batch, and after its
 * commit, the writer asks SQLite whether the file it writes is still the
 * one at the path (the path's inode against the open file's). If not,
 * it logs a warning, opens the path again (creating the file and its
 * table; a WAL left beside a deleted file is removed first) and writes
 * the batch there — again, when it was committed into the file that
 * went away. Rows committed before the file was deleted go with it.
 *
 * The queue is full at queue_capacity records, or when the records
 * waiting hold AUDIT_QUEUE_BYTES of text (so memory stays bounded
 * whatever their size); a submitter waits for room within its wait_ms.
 * audit_close writes everything queued before returning.
 *
 * A group of records (a batch request's decisions) is queued whole or
 * not at all, and acknowledged once all of them are committed (they are
 * written in one transaction unless the group is larger than a batch):
 * an answer refused leaves none of its decisions unlogged.
 *
 * Which API key made the request is recorded by the key's name (from
 * the key file, apikeys.h), never the key or its hash; a server without
 * keys records none (SQL NULL, JSON null). A database made before the
 * column existed gains it when opened; its old rows read NULL.
 */
#ifndef INCOMESCORE_AUDIT_H
#define INCOMESCORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/apikeys.h"
#include "base/errbuf.h"

/* AUDIT_POSTGRES: audit_pg.h says how its rows are kept. */
enum audit_sink { AUDIT_SQLITE, AUDIT_STDOUT, AUDIT_OFF, AUDIT_POSTGRES };

/* When audit_submit says yes: on commit (the default) or on queueing. */
enum audit_ack { AUDIT_ACK_COMMITTED, AUDIT_ACK_QUEUED };

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
 * as refused. queued = written + failed_writes + (records still queued);
 * refused records were never queued; unconfirmed ones were queued but
 * their submitter gave up waiting for the commit (answered 503). */
struct audit_stats {
    uint64_t queued, written, refused, failed_writes, unconfirmed;
    uint64_t waiting;  /* submitters waiting for room now */
    uint64_t reopened; /* times the database file was found deleted or
                        * replaced and opened again */
    bool failing;      /* writes fail now; new records are refused */
    int64_t oldest_wait_ms; /* how long the oldest queued record has
                             * waited for its commit; 0: none queued */
    bool stalled;      /* oldest_wait_ms is past audit_stall_ms */
};

struct audit_log;

/* The decisions table and its index (SQL, run on a new database): one
 * definition for the log and for archives made of it (audit_query.h). */
extern const char audit_schema[];

/* Records to be queued together or not at all: a compact copy of each,
 * as the queue holds them. */
struct audit_group;

/* Opens the log. For AUDIT_SQLITE, `path` is the database file (created
 * with its table when absent). queue_capacity records may wait (and no
 * more than AUDIT_QUEUE_BYTES of them). `ack` says when a submission is
 * acknowledged. */
int audit_open(struct audit_log **out, enum audit_sink sink,
               enum audit_ack ack, const char *path, size_t queue_capacity,
               struct errbuf *err);

/* audit_open, naming the replica whose decisions these are (a row's
 * replica column, PostgreSQL only; NULL or "": the hostname). For
 * AUDIT_POSTGRES `path` is the connection string (audit_pg.h); it may
 * hold a password, which no message, log line or /readyz reason shows. */
int audit_open_replica(struct audit_log **out, enum audit_sink sink,
                       enum audit_ack ack, const char *path,
                       const char *replica, size_t queue_capacity,
                       struct errbuf *err);

/* Queues a copy of rec and, with AUDIT_ACK_COMMITTED, waits for its
 * commit; waits up to wait_ms in all. 0, or -1 when the queue stayed
 * full, the log is failing, or (on commit) the record was not committed
 * in time: the caller must not answer with a decision. Safe from any
 * number of threads. */
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
 * all of them together (in records and in bytes) and, on commit, for
 * all of their commits. 0 (an empty group included), or -1 when they did
 * not fit or were not committed in time, or the log is failing. A group bigger than
 * the whole queue can never fit and is refused at once, without waiting.
 * Either way g is left empty, ready to be filled again. */
int audit_submit_group(struct audit_log *log, struct audit_group *g,
                       int wait_ms);

void audit_group_free(struct audit_group *g);

/* Waiting for a commit without holding a thread (the server parks the
 * connection instead). audit_enqueue and audit_enqueue_group queue as
 * audit_submit and audit_submit_group do (waiting up to wait_ms for
 * room, 0 or -1 alike) but never wait for the commit: they fill a ticket
 * naming the records queued, which audit_ticket_check reads. */
struct audit_ticket {
    uint64_t first, last; /* the records' numbers; 0, 0: nothing queued */
};

int audit_enqueue(struct audit_log *log, const struct audit_record *rec,
                  int wait_ms, struct audit_ticket *ticket);
int audit_enqueue_group(struct audit_log *log, struct audit_group *g,
                        int wait_ms, struct audit_ticket *ticket);

/* 1 when every record of the ticket is committed (an empty ticket, or
 * AUDIT_OFF, included); 0 while they wait; -1 when the log is failing or
 * closing, or give_up is true (the caller's wait is over) and they are
 * not committed: the caller answers 503, and the records count as
 * unconfirmed. */
int audit_ticket_check(struct audit_log *log, const struct audit_ticket *t,
                       bool give_up);

/* fn(arg) is called by the writer thread after every batch it writes
 * (or fails to write), without the log's lock: the moment to check
 * tickets. It must not call audit_submit or audit_close. */
void audit_set_notify(struct audit_log *log, void (*fn)(void *arg),
                      void *arg);

void audit_get_stats(struct audit_log *log, struct audit_stats *out);

/* A store that stops answering (a hung database server, a black-holed
 * network, a lock held by another process) fails no write: the write
 * just does not return. So the log is also unhealthy while its oldest
 * queued record has waited longer than audit_stall_ms of the longest
 * wait_ms submitted so far — AUDIT_STALL_WAITS waits, at least
 * AUDIT_STALL_MIN_MS — and healthy again as soon as that record is
 * committed. */
#define AUDIT_STALL_MIN_MS 1000
#define AUDIT_STALL_WAITS 5
int64_t audit_stall_ms(int wait_ms);

/* 0 while records are being written (or there is no log); -1 while the
 * log is failing, with why ("cannot write decisions: database or disk is
 * full") in why[0..size), or stalled (above), with how long
 * ("decisions not committed for 2.3 s: the audit database does not
 * answer"). */
int audit_health(struct audit_log *log, char *why, size_t size);

/* Writes everything queued, stops the writer, closes. NULL is fine. */
void audit_close(struct audit_log *log);

#endif
