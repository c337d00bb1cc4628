/*
 * audit.c — the decision log behind audit.h: a bounded queue filled by
 * request threads and emptied by one writer thread.
 *
 * Where the writer writes is a backend (audit_backend.h): SQLite and
 * stdout here, PostgreSQL in audit_pg.c. The writer hands each a batch
 * of rows (pointers into the queued records, with their time as text)
 * and learns only whether it was committed; the queue, group commit,
 * tickets, failure episodes and backoff below are the same for all.
 *
 * The queue is a ring of `capacity` pointers under one mutex, with three
 * condition variables: `not_empty` wakes the writer, `not_full` wakes
 * submitters waiting for room, `committed` those waiting for their
 * commit. audit_submit copies the record, before
 * taking the lock, into one compact allocation holding only the text it
 * carries (a few hundred bytes, where struct audit_record is over 4 KB):
 * memory follows what is queued rather than the capacity, and the lock is
 * held for a pointer's store. A group (audit_group) is copied the same
 * way while it is filled, and goes into the ring under one hold of the
 * lock only when there is room for all of it: the writer never sees part
 * of a group that could still be refused. The ring also counts the bytes
 * of those allocations and takes no more than AUDIT_QUEUE_BYTES of them,
 * so a deep queue of unusually large records cannot take the process's
 * memory with it.
 *
 * A record keeps its slot until the writer has written it: the writer
 * reads the oldest `n` slots without holding the lock (submitters only
 * ever write past head + count, and count still includes those n), and
 * frees the slots only after the transaction commits. So `capacity` is an
 * exact bound on decisions answered but not yet on disk.
 *
 * Group commit. On commit acknowledgement (the default) the writer
 * writes as soon as anything is queued: every record waiting, up to
 * BATCH, in one transaction — BEGIN IMMEDIATE, one prepared INSERT per
 * record, COMMIT — then broadcasts `committed`, and each submitter
 * whose records are now below `done` returns. What arrives while a
 * batch is written is the next batch, so the batch grows with the load
 * and a commit's cost is shared by every request that waited for it.
 * On queue acknowledgement the answer does not wait, so the writer lets
 * a batch gather for GATHER_MS, or until WAKE_RECORDS are queued (the
 * submitter that queues that one wakes it): woken for every record it
 * wrote ~11 records a commit, each commit appending the same rightmost
 * table and index pages to the WAL again — 11 µs of CPU a record, where
 * a gathered batch of a few hundred costs ~4 µs. With WAL and
 * synchronous=NORMAL a commit is an append to the WAL without fsync
 * (audit.h says what that means for a crash and for a power loss).
 * Checkpoints run in the writer every CHECKPOINT_BYTES of WAL (SQLite's
 * PASSIVE auto-checkpoint): small ones, because a checkpoint is a burst
 * of copying and fsync that holds a core.
 *
 * Room is given in arrival order. A submitter that must wait joins a
 * line, and while anyone waits, newcomers queue behind them even when a
 * slot is free: otherwise every slot the writer frees would go to the
 * next single decision and a batch needing thousands of slots at once
 * would never get them (measured: 20 of 20 batches of 10,000 refused
 * under a steady backlog of singles, none of the singles).
 *
 * A failed batch stays at the head of the queue and is tried again with
 * a growing pause (audit.h); while it fails, `failing` refuses new
 * records, so the held ones cannot be joined by answers that would
 * depend on the same broken disk. Only audit_close gives a held batch
 * up, after CLOSE_TRIES, counting it in failed_writes.
 *
 * A store that hangs (a write that never returns) sets no `failing`:
 * each slot's queueing time (queued_at) makes the head's wait known to
 * audit_health and /metrics without asking the blocked writer.
 *
 * The api_key column came after the first release: a new table has it
 * last, where ALTER TABLE puts it in an old one, so both read alike.
 *
 * The counters obey queued = written + failed_writes + (records still in
 * the queue); refused records were never queued. Records are numbered
 * in queue order by `queued`, and `done` = written + failed_writes is
 * the number of the last one to leave the head: a submitter knows its
 * records are committed when `done` reaches the number of its last.
 */
#include "http/audit.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "base/text.h"
#include "http/audit_backend.h"
#include "http/audit_pg.h"

/* Records per transaction at most: large enough that the per-commit cost
 * vanishes, small enough that slots come back to waiting submitters
 * often. */
#define BATCH 512
/* How long a batch may gather, and the count that ends the gathering
 * early (or the capacity, when smaller: a full queue is written at
 * once). */
#define GATHER_MS 5
#define WAKE_RECORDS 256
/* The writer's idle tick, and the first pause before retrying a failed
 * batch; each further failure doubles the pause up to BACKOFF_MAX_MS. A
 * log being closed tries a held batch CLOSE_TRIES times, then gives up. */
#define TICK_MS 50
#define BACKOFF_MAX_MS 1000
#define CLOSE_TRIES 3
/* New databases get 16 KiB pages: the WAL is written a page per syscall
 * (two, with its frame header), and a row is ~700 bytes, so bigger pages
 * mean a quarter of the syscalls for the same bytes. An existing file
 * keeps the page size it was made with. */
#define DB_PAGE_SIZE 16384
/* WAL bytes between checkpoints; SQLite counts them in pages. */
#define CHECKPOINT_BYTES (4 << 20)
/* A WAL that grew past this (a reader held a snapshot through many
 * checkpoints) is truncated back to it once it is reset. */
#define WAL_KEEP_BYTES (16 << 20)
/* How long an INSERT waits for another connection's write lock (a reader
 * of the log running a long checkpoint, sqlite3 CLI open on it). */
#define BUSY_TIMEOUT_MS 5000

struct audit_log {
    enum audit_sink sink;
    const struct audit_backend *backend; /* NULL for AUDIT_OFF */
    void *state;                         /* the backend's own */
    char *where; /* the target as it may be printed: a file, "stdout", a
                  * connection string without its password */

    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    pthread_cond_t committed; /* broadcast when the head moves or fails */
    enum audit_ack ack;
    /* Under mu: */
    struct entry **ring;
    size_t capacity, head, count;
    size_t bytes;   /* of the entries in the ring, at most AUDIT_QUEUE_BYTES */
    size_t wake_at; /* a submitter that brings count to this wakes the writer */
    bool stopping;
    struct audit_stats stats;
    struct waiter *waiters;       /* the line for room, oldest first */
    struct waiter **waiters_tail; /* where the next one joins */
    /* Records are numbered from 1 in queue order: `done` records have
     * left the head (written or given up at close), those numbered up to
     * `lost_through` may have been given up. */
    uint64_t done, lost_through;
    bool failing;        /* the last write failed; nothing new is taken */
    /* When each queued record was queued (monotonic ms), slot for slot
     * with ring: the head's is the oldest wait, which says a stalled
     * store (a write that does not return) where `failing` cannot. */
    int64_t *queued_at;
    int64_t stall_ms; /* audit_stall_ms of the longest wait_ms seen */
    void (*notify)(void *arg); /* audit_set_notify's, after every batch */
    void *notify_arg;
    char failure[64 + 2 + 192]; /* why, for /readyz: what: detail */

    /* Writer-only: */
    bool reported; /* the failing episode is already on stderr */
    struct audit_fault fault; /* why the last write failed */
    int64_t second;      /* the second `second_text` spells, */
    char second_text[24]; /* "2023-11-14T22:13:20"; "" when none yet */
    struct audit_row rows[BATCH]; /* the batch being written, */
    char times[BATCH][32];        /* and its rows' time texts */
};

/* The SQLite sink's state. */
struct sqlite_sink {
    char *path;
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *rollback, *insert;
    uint64_t reopened; /* also read by audit_get_stats, atomically */
    struct audit_fault fault; /* note_error's, copied out by write */
};

/* A queued record: the fixed fields, then request id, key name, model
 * version, inputs and outputs back to back, each with its terminator. */
enum {
    ID = AUDIT_F_ID,
    KEY = AUDIT_F_KEY,
    VERSION = AUDIT_F_VERSION,
    INPUTS = AUDIT_F_INPUTS,
    OUTPUTS = AUDIT_F_OUTPUTS,
    FIELDS = AUDIT_FIELDS
};

struct entry {
    int64_t time_ms;
    int status;
    unsigned short len[FIELDS]; /* each at most AUDIT_JSON_SIZE */
    char text[];
};

static const char *entry_field(const struct entry *e, int field)
{
    const char *p = e->text;
    for (int i = 0; i < field; i++)
        p += e->len[i] + 1;
    return p;
}

static size_t entry_size(const struct entry *e)
{
    size_t n = sizeof *e;
    for (int i = 0; i < FIELDS; i++)
        n += e->len[i] + 1u;
    return n;
}

/* The record's fields are fixed arrays a caller may have filled to the
 * brim without a terminator; every read is bounded by the array. */
static struct entry *entry_from(const struct audit_record *r)
{
    const char *src[FIELDS] = {[ID] = r->request_id, [KEY] = r->api_key,
                               [VERSION] = r->model_version,
                               [INPUTS] = r->inputs, [OUTPUTS] = r->outputs};
    size_t cap[FIELDS] = {[ID] = sizeof r->request_id,
                          [KEY] = sizeof r->api_key,
                          [VERSION] = sizeof r->model_version,
                          [INPUTS] = sizeof r->inputs,
                          [OUTPUTS] = sizeof r->outputs};
    size_t len[FIELDS], total = 0;
    for (int i = 0; i < FIELDS; i++) {
        len[i] = strnlen(src[i], cap[i]);
        total += len[i] + 1;
    }
    struct entry *e = malloc(sizeof *e + total);
    if (!e)
        return NULL;
    e->time_ms = r->time_ms;
    e->status = r->status;
    char *p = e->text;
    for (int i = 0; i < FIELDS; i++) {
        e->len[i] = (unsigned short)len[i];
        memcpy(p, src[i], len[i]);
        p[len[i]] = '\0';
        p += len[i] + 1;
    }
    return e;
}

/* ---- time ------------------------------------------------------------- */

int64_t audit_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void deadline_after(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* "2023-11-14T22:13:20.123Z" — sorts as text in time order, which is what
 * someone querying the table by hand will do. A batch's records share
 * their second, so its text is made once per second, not per record
 * (gmtime_r and strftime were a twentieth of the writer's time). */
static void iso_time(struct audit_log *log, int64_t time_ms, char out[32])
{
    int64_t sec = time_ms / 1000, ms = time_ms % 1000;
    if (ms < 0) { /* floor, so instants before 1970 still read forwards */
        ms += 1000;
        sec--;
    }
    if (!log->second_text[0] || sec != log->second) {
        time_t t = (time_t)sec;
        struct tm tm;
        if (!gmtime_r(&t, &tm) ||
            strftime(log->second_text, sizeof log->second_text,
                     "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
            log->second_text[0] = '\0';
            snprintf(out, 32, "%lld", (long long)time_ms);
            return;
        }
        log->second = sec;
    }
    /* By hand: snprintf here was as costly as the strftime it saves. */
    size_t n = strlen(log->second_text);
    memcpy(out, log->second_text, n);
    out[n] = '.';
    out[n + 1] = (char)('0' + ms / 100);
    out[n + 2] = (char)('0' + ms / 10 % 10);
    out[n + 3] = (char)('0' + ms % 10);
    out[n + 4] = 'Z';
    out[n + 5] = '\0';
}

/* ---- reporting -------------------------------------------------------- */

/* One JSON line on stderr: this thread has no caller to hand an errbuf
 * to. A path or message that is not UTF-8 cannot go into JSON; the line
 * still goes out, without them. */
static void report_line(const char *where, const char *backend,
                        const char *level, const char *msg,
                        const char *detail)
{
    char full[512];
    snprintf(full, sizeof full, "audit: %s: %s", where, msg);
    /* the detail's key names the store whose message it is ("sqlite",
     * "postgres"); stdout's are the C library's */
    json_t *line = json_pack("{s:s, s:s, s:s}", "level", level, "msg", full,
                             strcmp(backend, "stdout") == 0 ? "error"
                                                            : backend,
                             detail ? detail : "");
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    fprintf(stderr, "%s\n",
            text ? text
                 : "{\"level\":\"error\","
                   "\"msg\":\"audit: cannot write decisions\"}");
    free(text);
    json_decref(line);
}

static void report(const struct audit_log *log, const char *level,
                   const char *msg, const char *detail)
{
    report_line(log->where, log->backend->name, level, msg, detail);
}

void audit_fault_set(struct audit_fault *f, const char *what,
                     const char *detail)
{
    snprintf(f->what, sizeof f->what, "%s", what);
    /* cut to fit: a reason, not a transcript */
    size_t n = detail ? strnlen(detail, sizeof f->detail - 1) : 0;
    memcpy(f->detail, detail ? detail : "", n);
    f->detail[n] = '\0';
}

/* Why the SQLite sink's last step failed, for write to hand back. */
static void note_error(struct sqlite_sink *sq, const char *what,
                       const char *detail)
{
    audit_fault_set(&sq->fault, what, detail);
}

/* ---- SQLite sink ------------------------------------------------------ */

/* One index, on time: rows arrive in time order, so it grows at its
 * right edge. An index on request_id did too while ids were ours (they
 * start with the time), but clients may send their own, and random ones
 * (UUIDv4) landed each on a random page of it: the server fell from ~69,000
 * to ~16,000 decisions/s and its p99 went to 38 ms. A decision is found by
 * its time window (our ids carry their millisecond; README shows how) and
 * then its id among that window's rows. The first release made the
 * request_id index; it is dropped when such a database is opened. */
const char audit_schema[] =
    "CREATE TABLE IF NOT EXISTS decisions ("
    " id INTEGER PRIMARY KEY,"
    " time_ms INTEGER NOT NULL,"
    " time TEXT NOT NULL,"
    " request_id TEXT NOT NULL,"
    " model_version TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " inputs TEXT NOT NULL,"
    " outputs TEXT NOT NULL,"
    " api_key TEXT);"
    "CREATE INDEX IF NOT EXISTS decisions_time_ms ON decisions(time_ms);"
    "DROP INDEX IF EXISTS decisions_request_id;";

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out,
                   const char *path, struct errbuf *err)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
                           NULL) != SQLITE_OK)
        return err_set(err, "audit: %s: cannot prepare '%s': %s", path, sql,
                       sqlite3_errmsg(db));
    return 0;
}

/* Whether decisions has the api_key column: 1, 0, or -1 on error. */
static int has_api_key_column(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM pragma_table_info('decisions')"
                           " WHERE name = 'api_key'",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) > 0
                                            : -1;
    sqlite3_finalize(st);
    return rc;
}

/* A table of the first release gains the api_key column. Looked at
 * again inside a write transaction, so that two servers opening the same
 * old file cannot both add it; the common case, a table that has it,
 * takes no write lock at all. */
static int add_api_key_column(struct sqlite_sink *sq, struct errbuf *err)
{
    int has = has_api_key_column(sq->db);
    if (has == 1)
        return 0;
    if (has == 0 &&
        sqlite3_exec(sq->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
            SQLITE_OK) {
        has = has_api_key_column(sq->db);
        if (has == 0 &&
            sqlite3_exec(sq->db,
                         "ALTER TABLE decisions ADD COLUMN api_key TEXT",
                         NULL, NULL, NULL) == SQLITE_OK)
            has = 1;
        if (has == 1 &&
            sqlite3_exec(sq->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            has = -1;
    }
    if (has == 1)
        return 0;
    err_set(err, "audit: %s: cannot add the api_key column: %s", sq->path,
            sqlite3_errmsg(sq->db));
    if (!sqlite3_get_autocommit(sq->db))
        sqlite3_exec(sq->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int sqlite_open(struct sqlite_sink *sq, struct errbuf *err)
{
    const char *path = sq->path;
    /* NOMUTEX: after audit_open only the writer thread touches the
     * connection, so SQLite's own locking would be paid for nothing. */
    int rc = sqlite3_open_v2(path, &sq->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK)
        return err_set(err, "audit: %s: cannot open: %s", path,
                       sq->db ? sqlite3_errmsg(sq->db) : sqlite3_errstr(rc));
    sqlite3_extended_result_codes(sq->db, 1);
    sqlite3_busy_timeout(sq->db, BUSY_TIMEOUT_MS);
    /* Before anything writes the file; a no-op on an existing database. */
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA page_size=%d", DB_PAGE_SIZE);
    sqlite3_exec(sq->db, pragma, NULL, NULL, NULL);

    /* journal_mode answers with the mode it ended in; a database that
     * cannot do WAL (in memory, some network file systems) says so here
     * rather than failing later under load. */
    sqlite3_stmt *st;
    if (prepare(sq->db, "PRAGMA journal_mode=WAL", &st, path, err) < 0)
        return -1;
    rc = sqlite3_step(st);
    char mode[16] = "";
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(mode, sizeof mode, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return err_set(err, "audit: %s: cannot open: %s", path,
                       sqlite3_errmsg(sq->db));
    if (strcmp(mode, "wal") != 0)
        return err_set(err, "audit: %s: journal mode is '%s', WAL is needed",
                       path, mode);

    char *msg = NULL;
    if (sqlite3_exec(sq->db, "PRAGMA synchronous=NORMAL", NULL, NULL, &msg) !=
            SQLITE_OK ||
        sqlite3_exec(sq->db, audit_schema, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(err, "audit: %s: cannot create the decisions table: %s", path,
                msg ? msg : sqlite3_errmsg(sq->db));
        sqlite3_free(msg);
        return -1;
    }
    /* A file we may only read opens "successfully" read-only; the table
     * may already exist, so nothing above would have noticed. */
    if (sqlite3_db_readonly(sq->db, "main") == 1)
        return err_set(err, "audit: %s: database is read-only", path);
    if (add_api_key_column(sq, err) < 0)
        return -1;

    if (prepare(sq->db, "PRAGMA page_size", &st, path, err) < 0)
        return -1;
    int page = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (page <= 0)
        page = DB_PAGE_SIZE;
    sqlite3_wal_autocheckpoint(sq->db, CHECKPOINT_BYTES / page);
    snprintf(pragma, sizeof pragma, "PRAGMA journal_size_limit=%d",
             WAL_KEEP_BYTES);
    sqlite3_exec(sq->db, pragma, NULL, NULL, NULL);

    if (prepare(sq->db, "BEGIN IMMEDIATE", &sq->begin, path, err) < 0 ||
        prepare(sq->db, "COMMIT", &sq->commit, path, err) < 0 ||
        prepare(sq->db, "ROLLBACK", &sq->rollback, path, err) < 0 ||
        prepare(sq->db,
                "INSERT INTO decisions (time_ms, time, request_id,"
                " model_version, status, inputs, outputs, api_key)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &sq->insert, path, err) < 0)
        return -1;
    return 0;
}

static bool step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

static bool insert_one(struct sqlite_sink *sq, const struct audit_row *r)
{
    sqlite3_stmt *st = sq->insert;
    sqlite3_bind_int64(st, 1, r->time_ms);
    /* SQLITE_STATIC for the row's text: it lives until write returns,
     * and the statement is stepped and reset before this one does. */
    sqlite3_bind_text(st, 2, r->time, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, r->status);
    static const int column[FIELDS] = {[ID] = 3, [KEY] = 8, [VERSION] = 4,
                                       [INPUTS] = 6, [OUTPUTS] = 7};
    for (int f = 0; f < FIELDS; f++)
        if (f == KEY && r->len[KEY] == 0)
            sqlite3_bind_null(st, column[f]);
        else
            sqlite3_bind_text(st, column[f], r->text[f], r->len[f],
                              SQLITE_STATIC);
    return step_done(st);
}

static void sqlite_close(struct sqlite_sink *sq)
{
    sqlite3_finalize(sq->begin);
    sqlite3_finalize(sq->commit);
    sqlite3_finalize(sq->rollback);
    sqlite3_finalize(sq->insert);
    sqlite3_close(sq->db);
    sq->begin = sq->commit = sq->rollback = sq->insert = NULL;
    sq->db = NULL;
}

/* Whether the file the connection writes is no longer the one at the
 * path (deleted, or renamed and replaced): SQLite compares the path's
 * inode with the open file's. A check that cannot be made counts as
 * moved, so the file is opened again rather than trusted. */
static bool file_moved(struct sqlite_sink *sq)
{
    int moved = 0;
    if (sqlite3_file_control(sq->db, "main", SQLITE_FCNTL_HAS_MOVED,
                             &moved) != SQLITE_OK)
        return true;
    return moved != 0;
}

/* A new connection to the file at the path, made (with its table) when
 * the old one was deleted. A WAL and shared-memory file left beside a
 * deleted database belong to the old file; a new database must not
 * start from them, so they go first. */
static bool sqlite_reopen(struct sqlite_sink *sq)
{
    sqlite_close(sq);
    struct stat st;
    if (stat(sq->path, &st) < 0 && errno == ENOENT) {
        char side[4200];
        snprintf(side, sizeof side, "%s-wal", sq->path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", sq->path);
        unlink(side);
    }
    struct errbuf err;
    if (sqlite_open(sq, &err) < 0) {
        sqlite_close(sq);
        note_error(sq, "cannot open the database again", err.msg);
        return false;
    }
    return true;
}

/* Ring slots [first, first + n) (wrapping) in one transaction. */
static bool sqlite_insert_batch(struct sqlite_sink *sq,
                                const struct audit_row *rows, size_t n)
{
    bool ok = step_done(sq->begin);
    for (size_t i = 0; ok && i < n; i++)
        ok = insert_one(sq, &rows[i]);
    if (ok)
        ok = step_done(sq->commit);
    if (!ok) {
        note_error(sq, "cannot write decisions", sqlite3_errmsg(sq->db));
        if (!sqlite3_get_autocommit(sq->db))
            step_done(sq->rollback);
    }
    return ok;
}

/* Writes the batch, and is true only when it is committed in the file
 * that is at the path afterwards. The file is checked before the batch
 * (a deletion found then costs nothing) and after its commit: a batch
 * committed into a file deleted meanwhile went nowhere anyone can read,
 * so it is written again into a new file at the path. Records committed
 * to a file before it was deleted go with it: that is the deletion's
 * doing, and the warning line says when it was found. */
static bool sqlite_write_rows(struct sqlite_sink *sq,
                              const struct audit_row *rows, size_t n)
{
    for (int pass = 0; pass < 2; pass++) {
        if (sq->db && file_moved(sq)) {
            report_line(sq->path, "sqlite", "warning",
                   "the database file was deleted or replaced; a new one is "
                   "opened at the path",
                   NULL);
            __atomic_add_fetch(&sq->reopened, 1, __ATOMIC_RELAXED);
            /* The WAL is named after the path, not the file: SQLite does
             * not checkpoint a moved database when it closes, so what is
             * in the WAL would stay beside the path for whatever file
             * comes there next. Copied into the file it belongs to
             * (wherever it was moved) first. */
            sqlite3_wal_checkpoint_v2(sq->db, "main",
                                      SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
            sqlite_close(sq);
        }
        if (!sq->db && !sqlite_reopen(sq))
            return false;
        if (!sqlite_insert_batch(sq, rows, n))
            return false;
        if (!file_moved(sq))
            return true;
    }
    note_error(sq, "cannot write decisions",
               "the database file keeps being deleted or replaced");
    return false;
}

static int sqlite_sink_open(void **state, const char *path,
                            const char *replica, struct errbuf *err)
{
    (void)replica; /* one file, one process: the file names its replica */
    struct sqlite_sink *sq = calloc(1, sizeof *sq);
    if (!sq || !(sq->path = strdup(path))) {
        free(sq);
        return err_set(err, "audit: out of memory");
    }
    if (sqlite_open(sq, err) < 0) {
        sqlite_close(sq);
        free(sq->path);
        free(sq);
        return -1;
    }
    *state = sq;
    return 0;
}

static int sqlite_sink_write(void *state, const struct audit_row *rows,
                             size_t n, struct audit_fault *fault)
{
    struct sqlite_sink *sq = state;
    if (sqlite_write_rows(sq, rows, n))
        return 0;
    *fault = sq->fault;
    return -1;
}

static void sqlite_sink_close(void *state)
{
    struct sqlite_sink *sq = state;
    if (!sq)
        return;
    sqlite_close(sq);
    free(sq->path);
    free(sq);
}

static const struct audit_backend backend_sqlite = {
    "sqlite", sqlite_sink_open, sqlite_sink_write, NULL, sqlite_sink_close,
};

/* ---- stdout sink ------------------------------------------------------ */

/* A string as JSON in jansson's rendering, which these lines were once
 * printed through (text.h's audit style); n <= AUDIT_JSON_SIZE. */
static void put_string(FILE *out, const char *s, size_t n)
{
    char copy[AUDIT_JSON_SIZE], quoted[JSON_QUOTE_MAX(AUDIT_JSON_SIZE)];
    if (!utf8_valid(s, n)) {
        /* Not UTF-8: JSON cannot carry the bytes, so each byte outside
         * ASCII becomes '?' — the line stays parseable and the rest of
         * the text readable. */
        for (size_t i = 0; i < n; i++)
            copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
        s = copy;
    }
    size_t len = json_quote(quoted, sizeof quoted, s, n,
                            JSON_QUOTE_SHORT_ESCAPES | JSON_QUOTE_UPPER_HEX);
    fwrite(quoted, 1, len, out);
}

/* Valid JSON goes out as the very bytes received, not re-serialized:
 * jansson would print 265.38 as 265.37999999999999, and an audit must
 * show what the client sent. Raw tab, CR and LF can only be whitespace
 * between tokens in valid JSON, so blanking them keeps one record a line
 * without touching a value. Anything else is logged as a string. */
static void put_json(FILE *out, const char *s, size_t n)
{
    json_error_t e;
    json_t *parsed = json_loadb(s, n, JSON_DECODE_ANY, &e);
    if (!parsed) {
        put_string(out, s, n);
        return;
    }
    json_decref(parsed);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        putc(c == '\n' || c == '\r' || c == '\t' ? ' ' : c, out);
    }
}

static int stdout_sink_write(void *state, const struct audit_row *rows,
                             size_t n, struct audit_fault *fault)
{
    (void)state;
    FILE *out = stdout;
    /* One lock for the batch so another thread's printf cannot land in
     * the middle of a line. */
    flockfile(out);
    for (size_t i = 0; i < n; i++) {
        const struct audit_row *r = &rows[i];
        fprintf(out, "{\"audit\":\"decision\",\"time\":\"%s\",\"request_id\":",
                r->time);
        put_string(out, r->text[ID], r->len[ID]);
        fputs(",\"api_key\":", out);
        if (r->len[KEY])
            put_string(out, r->text[KEY], r->len[KEY]);
        else
            fputs("null", out);
        fputs(",\"model_version\":", out);
        put_string(out, r->text[VERSION], r->len[VERSION]);
        fprintf(out, ",\"status\":%d,\"inputs\":", r->status);
        put_json(out, r->text[INPUTS], r->len[INPUTS]);
        fputs(",\"outputs\":", out);
        put_json(out, r->text[OUTPUTS], r->len[OUTPUTS]);
        fputs("}\n", out);
    }
    bool ok = fflush(out) == 0 && !ferror(out);
    int saved = errno;
    clearerr(out);
    funlockfile(out);
    if (!ok)
        audit_fault_set(fault, "cannot write decisions", strerror(saved));
    return ok ? 0 : -1;
}

static int stdout_sink_open(void **state, const char *target,
                            const char *replica, struct errbuf *err)
{
    (void)target;
    (void)replica;
    (void)err;
    *state = NULL;
    return 0;
}

static void stdout_sink_close(void *state)
{
    (void)state;
}

static const struct audit_backend backend_stdout = {
    "stdout", stdout_sink_open, stdout_sink_write, NULL, stdout_sink_close,
};

/* ---- the writer ------------------------------------------------------- */

/* Waits (mu held) for ms, or less when the log is being closed. */
static void pause_unless_stopping(struct audit_log *log, long ms)
{
    struct timespec until;
    deadline_after(&until, ms);
    while (!log->stopping &&
           pthread_cond_timedwait(&log->not_empty, &log->mu, &until) !=
               ETIMEDOUT)
        ;
}

/* With mu held and the queue empty: asks the backend whether it could
 * write (audit_backend.h). A failure starts an episode as a failed
 * write does — new records are refused, /readyz says why — and the next
 * check comes after the same backoff; a pass ends the episode. The
 * queue stays empty meanwhile: a failing log takes nothing. */
static void idle_check(struct audit_log *log, long *backoff)
{
    struct audit_fault fault;
    pthread_mutex_unlock(&log->mu);
    int rc = log->backend->check(log->state, &fault);
    pthread_mutex_lock(&log->mu);
    if (rc == 0) {
        *backoff = 0;
        if (log->failing && log->count == 0) {
            log->failing = false;
            log->failure[0] = '\0';
            pthread_mutex_unlock(&log->mu);
            log->reported = false;
            report(log, "info", "writing again", "");
            pthread_mutex_lock(&log->mu);
        }
        return;
    }
    *backoff = *backoff ? *backoff * 2 : TICK_MS;
    if (*backoff > BACKOFF_MAX_MS)
        *backoff = BACKOFF_MAX_MS;
    log->fault = fault;
    log->failing = true;
    snprintf(log->failure, sizeof log->failure, "%s: %s", fault.what,
             fault.detail);
    if (!log->reported) {
        log->reported = true;
        pthread_mutex_unlock(&log->mu);
        report(log, "error", fault.what, fault.detail);
        pthread_mutex_lock(&log->mu);
    }
}

static void *writer_main(void *arg)
{
    struct audit_log *log = arg;
    long backoff = 0;  /* ms before the next try of a failed batch */
    int close_tries = 0; /* failed tries since the log began closing */

    pthread_mutex_lock(&log->mu);
    for (;;) {
        int64_t next_check = audit_monotonic_ms() + AUDIT_IDLE_CHECK_MS;
        while (log->count == 0 && !log->stopping) {
            struct timespec ts;
            deadline_after(&ts, TICK_MS);
            pthread_cond_timedwait(&log->not_empty, &log->mu, &ts);
            if (log->backend->check && log->count == 0 && !log->stopping &&
                audit_monotonic_ms() >= next_check) {
                idle_check(log, &backoff);
                next_check = audit_monotonic_ms() +
                             (backoff ? backoff : AUDIT_IDLE_CHECK_MS);
            }
        }
        /* A batch gathers unless someone waits for the room it holds,
         * or for its commit: an acknowledgement on commit writes at
         * once, and what arrives meanwhile is the next batch. */
        if (log->ack == AUDIT_ACK_QUEUED && !log->failing &&
            log->count < log->wake_at && !log->stopping && !log->waiters) {
            struct timespec until;
            deadline_after(&until, GATHER_MS);
            while (log->count < log->wake_at && !log->stopping &&
                   !log->waiters &&
                   pthread_cond_timedwait(&log->not_empty, &log->mu,
                                          &until) != ETIMEDOUT)
                ;
        }
        if (log->count == 0)
            break; /* stopping, and everything is written */
        size_t first = log->head;
        size_t n = log->count < BATCH ? log->count : BATCH;
        pthread_mutex_unlock(&log->mu);

        for (size_t i = 0; i < n; i++) {
            const struct entry *e = log->ring[(first + i) % log->capacity];
            struct audit_row *r = &log->rows[i];
            r->time_ms = e->time_ms;
            r->status = e->status;
            iso_time(log, e->time_ms, log->times[i]);
            r->time = log->times[i];
            for (int f = 0; f < FIELDS; f++) {
                r->text[f] = entry_field(e, f);
                r->len[f] = e->len[f];
            }
        }
        bool ok = log->backend->write(log->state, log->rows, n,
                                      &log->fault) == 0;

        if (!ok) {
            /* Held, not dropped: the batch stays at the head and is
             * tried again, further apart each time, until the disk
             * takes it; meanwhile nothing new is taken (the API answers
             * 503) and /readyz says why. Only a log being closed gives
             * up, after CLOSE_TRIES, so that shutdown ends. */
            if (!log->reported) { /* one line an episode, not a batch */
                log->reported = true;
                report(log, "error", log->fault.what, log->fault.detail);
            }
            pthread_mutex_lock(&log->mu);
            log->failing = true;
            snprintf(log->failure, sizeof log->failure, "%s: %s",
                     log->fault.what, log->fault.detail);
            /* Whoever waits for a commit is answered 503 now, not at
             * the end of its wait. */
            pthread_cond_broadcast(&log->committed);
            if (log->notify) {
                void (*notify)(void *) = log->notify;
                void *notify_arg = log->notify_arg;
                pthread_mutex_unlock(&log->mu);
                notify(notify_arg);
                pthread_mutex_lock(&log->mu);
            }
            if (!log->stopping || ++close_tries < CLOSE_TRIES) {
                backoff = backoff ? backoff * 2 : TICK_MS;
                if (backoff > BACKOFF_MAX_MS)
                    backoff = BACKOFF_MAX_MS;
                pause_unless_stopping(log, log->stopping ? TICK_MS : backoff);
                continue;
            }
            pthread_mutex_unlock(&log->mu);
            char lost[96];
            snprintf(lost, sizeof lost,
                     "closing: %zu records could not be written and are lost",
                     n);
            report(log, "error", lost, log->fault.detail);
        }
        /* Freed before the slots are handed back, while no submitter can
         * reuse them. */
        size_t freed = 0;
        for (size_t i = 0; i < n; i++) {
            struct entry *e = log->ring[(first + i) % log->capacity];
            freed += entry_size(e);
            free(e);
        }
        bool recovered = false;
        pthread_mutex_lock(&log->mu);
        if (ok) {
            log->stats.written += n;
            recovered = log->failing;
            log->failing = false;
            log->failure[0] = '\0';
            backoff = 0;
        } else {
            log->stats.failed_writes += n;
            log->lost_through = log->done + n;
        }
        log->done += n;
        log->head = (log->head + n) % log->capacity;
        log->count -= n;
        log->bytes -= freed;
        pthread_cond_broadcast(&log->not_full);
        pthread_cond_broadcast(&log->committed);
        void (*notify)(void *) = log->notify;
        if (recovered || notify) {
            /* Outside the lock: the notified take it to read tickets. */
            void *notify_arg = log->notify_arg;
            pthread_mutex_unlock(&log->mu);
            if (recovered) { /* the next failure is a new episode */
                log->reported = false;
                report(log, "info", "writing again", "");
            }
            if (notify)
                notify(notify_arg);
            pthread_mutex_lock(&log->mu);
        }
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

/* ---- the API ---------------------------------------------------------- */

static void log_free(struct audit_log *log)
{
    if (log->backend)
        log->backend->close(log->state);
    /* Nothing is left after the writer's drain; this is for a failed open. */
    for (size_t i = 0; log->ring && i < log->count; i++)
        free(log->ring[(log->head + i) % log->capacity]);
    free(log->ring);
    free(log->queued_at);
    free(log->where);
    free(log);
}

int audit_open(struct audit_log **out, enum audit_sink sink,
               enum audit_ack ack, const char *path, size_t queue_capacity,
               struct errbuf *err)
{
    return audit_open_replica(out, sink, ack, path, NULL, queue_capacity,
                              err);
}

int audit_open_replica(struct audit_log **out, enum audit_sink sink,
                       enum audit_ack ack, const char *path,
                       const char *replica, size_t queue_capacity,
                       struct errbuf *err)
{
    *out = NULL;
    const struct audit_backend *backend =
        sink == AUDIT_SQLITE     ? &backend_sqlite
        : sink == AUDIT_STDOUT   ? &backend_stdout
        : sink == AUDIT_POSTGRES ? &audit_backend_postgres
                                 : NULL;
    if (!backend && sink != AUDIT_OFF)
        return err_set(err, "audit: unknown sink %d", (int)sink);
    if (ack != AUDIT_ACK_COMMITTED && ack != AUDIT_ACK_QUEUED)
        return err_set(err, "audit: unknown acknowledgement %d", (int)ack);
    if (sink == AUDIT_SQLITE && (!path || !*path))
        return err_set(err, "audit: the SQLite sink needs a database path");
    if (sink == AUDIT_POSTGRES && (!path || !*path))
        return err_set(err, "audit: the PostgreSQL sink needs a connection "
                            "string (--audit-url or $INCOMESCORE_AUDIT_URL)");
    if (sink != AUDIT_OFF && queue_capacity == 0)
        return err_set(err, "audit: queue capacity must be at least 1");

    struct audit_log *log = calloc(1, sizeof *log);
    if (!log)
        return err_set(err, "audit: out of memory");
    log->sink = sink;
    log->ack = ack;
    if (sink == AUDIT_OFF) {
        *out = log;
        return 0;
    }
    log->capacity = queue_capacity;
    log->wake_at = queue_capacity < WAKE_RECORDS ? queue_capacity
                                                 : WAKE_RECORDS;
    log->ring = calloc(queue_capacity, sizeof *log->ring);
    log->queued_at = calloc(queue_capacity, sizeof *log->queued_at);
    log->stall_ms = audit_stall_ms(0);
    char where[512];
    if (sink == AUDIT_POSTGRES)
        audit_pg_mask(path, where, sizeof where);
    else
        snprintf(where, sizeof where, "%s",
                 sink == AUDIT_SQLITE ? path : "stdout");
    log->where = strdup(where);
    if (!log->ring || !log->queued_at || !log->where) {
        log_free(log);
        return err_set(err, "audit: cannot allocate a queue of %zu records",
                       queue_capacity);
    }
    char host[256];
    if (!replica || !*replica) {
        /* the hostname names a container or a machine; one serve each */
        if (gethostname(host, sizeof host) != 0)
            snprintf(host, sizeof host, "unknown");
        host[sizeof host - 1] = '\0';
        replica = host;
    }
    if (backend->open(&log->state, path, replica, err) < 0) {
        log_free(log);
        return -1;
    }
    log->backend = backend;

    /* Waits are measured on the monotonic clock, so a wall-clock step
     * (NTP, an operator) cannot stretch or cut short a request's wait. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&log->mu, NULL);
    pthread_cond_init(&log->not_empty, &ca);
    pthread_cond_init(&log->not_full, &ca);
    pthread_cond_init(&log->committed, &ca);
    log->waiters_tail = &log->waiters;
    pthread_condattr_destroy(&ca);

    /* The writer blocks every signal, so SIGINT/SIGTERM reach the
     * threads that know how to shut the server down. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&log->writer, NULL, writer_main, log);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&log->committed);
        pthread_cond_destroy(&log->not_full);
        pthread_cond_destroy(&log->not_empty);
        pthread_mutex_destroy(&log->mu);
        log_free(log);
        return err_set(err, "audit: cannot start the writer thread: %s",
                       strerror(rc));
    }
    *out = log;
    return 0;
}

/* With mu held: how long the oldest queued record has waited for its
 * commit (0: none queued). */
static int64_t oldest_wait_ms(const struct audit_log *log)
{
    return log->count
               ? audit_monotonic_ms() - log->queued_at[log->head]
               : 0;
}

/* Room for n more records of `size` bytes together. */
/* A submitter in the line for room; it lives on the submitter's stack. */
struct waiter {
    struct waiter *next;
};

static bool has_room(const struct audit_log *log, size_t n, size_t size)
{
    return log->count + n <= log->capacity &&
           log->bytes + size <= AUDIT_QUEUE_BYTES;
}

/* With mu held: waits until the records numbered up to `last` (the n
 * just queued) are committed: 0. -1 when the log fails first, is
 * closing, or the deadline passes: the records stay queued and will
 * probably be written, but the caller must answer 503 — so the log may
 * hold a decision that was not answered, never the reverse. Each writer
 * commit wakes every waiter: one futex broadcast for a whole batch. */
static int wait_for_commit(struct audit_log *log, uint64_t last, size_t n,
                           const struct timespec *deadline)
{
    for (;;) {
        if (log->done >= last)
            return log->lost_through >= last - n + 1 ? -1 : 0;
        if (log->failing || log->stopping ||
            pthread_cond_timedwait(&log->committed, &log->mu, deadline) ==
                ETIMEDOUT)
            break;
    }
    if (log->done >= last && log->lost_through < last - n + 1)
        return 0;
    log->stats.unconfirmed += n;
    return -1;
}

/* The one way into the ring: e[0..n), `size` bytes in all, are queued
 * together or not at all; refused, they are freed. `lost` counts records
 * of the same submission that had no memory to be copied: the others
 * cannot be queued without them. */
static int queue_entries(struct audit_log *log, struct entry **e, size_t n,
                         size_t size, size_t lost, int wait_ms,
                         struct audit_ticket *ticket)
{
    /* What the whole queue could not hold is refused at once: waiting
     * would only make the answer late. */
    bool can_fit = !lost && n <= log->capacity && size <= AUDIT_QUEUE_BYTES;
    struct timespec deadline;
    deadline_after(&deadline, wait_ms > 0 ? wait_ms : 0);
    int64_t stall_ms = audit_stall_ms(wait_ms);
    pthread_mutex_lock(&log->mu);
    if (stall_ms > log->stall_ms)
        log->stall_ms = stall_ms;
    /* A log being closed takes nothing new: the writer may already have
     * drained and left. A failing log takes nothing new either: what it
     * holds already waits for the disk, and a decision answered now
     * could not be shown to have been logged. */
    if (log->failing)
        can_fit = false;
    bool go = can_fit && !log->stopping && !log->waiters &&
              has_room(log, n, size);
    if (!go && can_fit && wait_ms > 0 && !log->stopping) {
        struct waiter me = {NULL};
        *log->waiters_tail = &me;
        log->waiters_tail = &me.next;
        log->stats.waiting++;
        /* Wakes a writer that is letting a batch gather: it writes what
         * it has at once, so room comes back without that wait. */
        pthread_cond_signal(&log->not_empty);
        for (;;) {
            go = log->waiters == &me && !log->stopping && !log->failing &&
                 has_room(log, n, size);
            if (go || log->stopping ||
                pthread_cond_timedwait(&log->not_full, &log->mu,
                                       &deadline) == ETIMEDOUT)
                break;
        }
        if (!go)
            go = log->waiters == &me && !log->stopping && !log->failing &&
                 has_room(log, n, size);
        struct waiter **p = &log->waiters;
        while (*p != &me)
            p = &(*p)->next;
        *p = me.next;
        if (log->waiters_tail == &me.next)
            log->waiters_tail = p;
        log->stats.waiting--;
        /* The next in line may fit now, and may have been waiting only
         * for its turn. */
        pthread_cond_broadcast(&log->not_full);
    }
    if (!go) {
        log->stats.refused += n + lost;
        pthread_mutex_unlock(&log->mu);
        for (size_t i = 0; i < n; i++)
            free(e[i]);
        return -1;
    }
    size_t before = log->count;
    int64_t now = audit_monotonic_ms();
    for (size_t i = 0; i < n; i++) {
        size_t slot = (log->head + before + i) % log->capacity;
        log->ring[slot] = e[i];
        log->queued_at[slot] = now;
    }
    log->bytes += size;
    log->count += n;
    /* The writer is woken by the first record (it then gathers a batch)
     * and by the one that makes the batch big enough; waking it for every
     * record would cost a futex call per request and shrink the batches. */
    if (before == 0 || (before < log->wake_at && log->count >= log->wake_at))
        pthread_cond_signal(&log->not_empty);
    log->stats.queued += n;
    int rc = 0;
    if (ticket) {
        ticket->first = log->stats.queued - n + 1;
        ticket->last = log->stats.queued;
    } else if (log->ack == AUDIT_ACK_COMMITTED) {
        rc = wait_for_commit(log, log->stats.queued, n, &deadline);
    }
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int audit_submit(struct audit_log *log, const struct audit_record *rec,
                 int wait_ms)
{
    /* No log, no record: the caller must not answer with a decision. */
    if (!log || !rec)
        return -1;
    if (log->sink == AUDIT_OFF)
        return 0;
    /* No memory to hold it: as good as no room. */
    struct entry *e = entry_from(rec);
    return e ? queue_entries(log, &e, 1, entry_size(e), 0, wait_ms, NULL)
             : queue_entries(log, NULL, 0, 0, 1, wait_ms, NULL);
}

int audit_enqueue(struct audit_log *log, const struct audit_record *rec,
                  int wait_ms, struct audit_ticket *ticket)
{
    *ticket = (struct audit_ticket){0, 0};
    if (!log || !rec)
        return -1;
    if (log->sink == AUDIT_OFF)
        return 0;
    struct entry *e = entry_from(rec);
    return e ? queue_entries(log, &e, 1, entry_size(e), 0, wait_ms, ticket)
             : queue_entries(log, NULL, 0, 0, 1, wait_ms, ticket);
}

int audit_ticket_check(struct audit_log *log, const struct audit_ticket *t,
                       bool give_up)
{
    if (!log || log->sink == AUDIT_OFF || t->last == 0)
        return 1;
    pthread_mutex_lock(&log->mu);
    int rc;
    if (log->done >= t->last && log->lost_through < t->first)
        rc = 1;
    else if (log->done >= t->last || log->failing || log->stopping || give_up)
        rc = -1;
    else
        rc = 0;
    if (rc < 0)
        log->stats.unconfirmed += t->last - t->first + 1;
    pthread_mutex_unlock(&log->mu);
    return rc;
}

void audit_set_notify(struct audit_log *log, void (*fn)(void *arg), void *arg)
{
    if (!log || log->sink == AUDIT_OFF)
        return;
    pthread_mutex_lock(&log->mu);
    log->notify = fn;
    log->notify_arg = arg;
    pthread_mutex_unlock(&log->mu);
}

/* ---- groups ----------------------------------------------------------- */

struct audit_group {
    struct entry **entries;
    size_t count, cap;
    size_t bytes; /* of the entries */
    size_t lost;  /* records added without memory to copy them */
};

struct audit_group *audit_group_new(size_t expected)
{
    struct audit_group *g = calloc(1, sizeof *g);
    if (g && expected) {
        g->entries = expected <= SIZE_MAX / sizeof *g->entries
                         ? malloc(expected * sizeof *g->entries)
                         : NULL;
        if (!g->entries) {
            free(g);
            return NULL;
        }
        g->cap = expected;
    }
    return g;
}

int audit_group_add(struct audit_group *g, const struct audit_record *rec)
{
    if (!g || !rec)
        return -1;
    struct entry *e = entry_from(rec);
    if (e && g->count == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        struct entry **p = realloc(g->entries, cap * sizeof *p);
        if (p) {
            g->entries = p;
            g->cap = cap;
        } else {
            free(e);
            e = NULL;
        }
    }
    if (!e) {
        g->lost++;
        return -1;
    }
    g->entries[g->count++] = e;
    g->bytes += entry_size(e);
    return 0;
}

/* Frees what g holds and leaves it empty. */
static void group_clear(struct audit_group *g)
{
    for (size_t i = 0; i < g->count; i++)
        free(g->entries[i]);
    g->count = g->bytes = g->lost = 0;
}

/* audit_submit_group, and audit_enqueue_group when ticket is not NULL. */
static int group_submit(struct audit_log *log, struct audit_group *g,
                        int wait_ms, struct audit_ticket *ticket)
{
    if (ticket)
        *ticket = (struct audit_ticket){0, 0};
    if (!g)
        return -1;
    int rc;
    if (!log) {
        rc = -1;
    } else if (log->sink == AUDIT_OFF || (!g->count && !g->lost)) {
        rc = 0;
    } else {
        /* The ring owns the entries now, or they are freed. */
        rc = queue_entries(log, g->entries, g->count, g->bytes, g->lost,
                           wait_ms, ticket);
        g->count = 0;
    }
    group_clear(g);
    return rc;
}

int audit_submit_group(struct audit_log *log, struct audit_group *g,
                       int wait_ms)
{
    return group_submit(log, g, wait_ms, NULL);
}

int audit_enqueue_group(struct audit_log *log, struct audit_group *g,
                        int wait_ms, struct audit_ticket *ticket)
{
    return group_submit(log, g, wait_ms, ticket);
}

void audit_group_free(struct audit_group *g)
{
    if (!g)
        return;
    group_clear(g);
    free(g->entries);
    free(g);
}

void audit_get_stats(struct audit_log *log, struct audit_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!log || log->sink == AUDIT_OFF)
        return;
    pthread_mutex_lock(&log->mu);
    *out = log->stats;
    out->failing = log->failing;
    out->oldest_wait_ms = oldest_wait_ms(log);
    out->stalled = out->oldest_wait_ms > log->stall_ms;
    pthread_mutex_unlock(&log->mu);
    if (log->backend == &backend_sqlite)
        out->reopened = __atomic_load_n(
            &((struct sqlite_sink *)log->state)->reopened, __ATOMIC_RELAXED);
}

int64_t audit_stall_ms(int wait_ms)
{
    int64_t waits = (int64_t)AUDIT_STALL_WAITS * (wait_ms > 0 ? wait_ms : 0);
    return waits > AUDIT_STALL_MIN_MS ? waits : AUDIT_STALL_MIN_MS;
}

int audit_health(struct audit_log *log, char *why, size_t size)
{
    if (size)
        why[0] = '\0';
    if (!log || log->sink == AUDIT_OFF)
        return 0;
    pthread_mutex_lock(&log->mu);
    bool failing = log->failing;
    int64_t oldest = oldest_wait_ms(log);
    /* A write that never returns sets no `failing`: the queue's age
     * says it instead, and clears as soon as the head is committed. */
    bool stalled = !failing && oldest > log->stall_ms;
    if (failing && size)
        snprintf(why, size, "%s", log->failure);
    else if (stalled && size)
        snprintf(why, size, "decisions not committed for %.1f s: %s",
                 (double)oldest / 1000.0,
                 log->sink == AUDIT_STDOUT
                     ? "stdout does not take them"
                     : "the audit database does not answer");
    pthread_mutex_unlock(&log->mu);
    return failing || stalled ? -1 : 0;
}

void audit_close(struct audit_log *log)
{
    if (!log)
        return;
    if (log->sink != AUDIT_OFF) {
        pthread_mutex_lock(&log->mu);
        log->stopping = true;
        pthread_cond_signal(&log->not_empty);
        pthread_cond_broadcast(&log->not_full);
        pthread_mutex_unlock(&log->mu);
        pthread_join(log->writer, NULL);
        pthread_cond_destroy(&log->committed);
        pthread_cond_destroy(&log->not_full);
        pthread_cond_destroy(&log->not_empty);
        pthread_mutex_destroy(&log->mu);
    }
    log_free(log);
}
