/*
 * test_audit.c — the decision log: every record submitted is in the table
 * after close with every column exact, the database is in WAL mode (16 KiB
 * pages when new), concurrent submitters lose nothing, a full queue (in
 * records or in bytes) refuses after wait_ms (the writer is stalled for
 * real, by holding the database's write lock from a second connection),
 * close drains the queue, the stdout sink writes one JSON line per
 * record, a failed write is retried once, then counted and reported once,
 * an unusable path is named, and AUDIT_OFF writes nothing. The API key's
 * name is a column (NULL without one), added to a database of the first
 * release when it is opened, and a member of every stdout line; a group
 * of records is queued whole or not at all.
 */
#include "test.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/audit.h"

static struct audit_log *open_log_acked(enum audit_sink sink,
                                        enum audit_ack ack, const char *path,
                                        size_t capacity)
{
    struct audit_log *log;
    struct errbuf err;
    if (audit_open(&log, sink, ack, path, capacity, &err) < 0)
        fail_msg("%s", err.msg);
    return log;
}

/* Most tests look at the queue, so queue acknowledgement is theirs. */
static struct audit_log *open_log(enum audit_sink sink, const char *path,
                                  size_t capacity)
{
    return open_log_acked(sink, AUDIT_ACK_QUEUED, path, capacity);
}

static struct audit_record record(int64_t time_ms, const char *id,
                                  int status)
{
    return test_audit_record(time_ms, id, status);
}

static sqlite3 *db_open(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        fail_msg("%s: %s", path, sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static long long db_count(const char *path, const char *sql)
{
    sqlite3 *db = db_open(path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Every column of decisions but its rowid, in the table's order. */
#define DECISION_COLUMNS                                                      \
    "time_ms, time, request_id, model_version, status, inputs, outputs,"   \
    " api_key"

/* How many indexes decisions has. */
static const char decisions_index_count[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
    " tbl_name = 'decisions'";

/* The rows sql reads from the database at path, as one text to compare
 * whole: a row a line, its values apart by '|', NULL as NULL, an integer
 * in decimal, a text between single quotes as stored (asserted to hold
 * no NUL byte, so what is between the quotes is all of it). */
static void db_rows(const char *path, const char *sql, char *out, size_t size)
{
    sqlite3 *db = db_open(path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int rc, columns = sqlite3_column_count(st);
    size_t len = 0;
    out[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < columns; i++) {
            int type = sqlite3_column_type(st, i); /* before any conversion */
            if (type != SQLITE_NULL && type != SQLITE_INTEGER &&
                type != SQLITE_TEXT)
                fail_msg("%s: column %d is not NULL, an integer or a text",
                         sql, i);
            const char *text = (const char *)sqlite3_column_text(st, i);
            if (text)
                assert_int_equal(strlen(text), sqlite3_column_bytes(st, i));
            const char *quote = type == SQLITE_TEXT ? "'" : "";
            int n = snprintf(out + len, size - len, "%s%s%s%s%s",
                             i ? "|" : "", quote, text ? text : "NULL", quote,
                             i + 1 == columns ? "\n" : "");
            assert_true(n > 0 && (size_t)n < size - len);
            len += (size_t)n;
        }
    }
    assert_int_equal(rc, SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The request ids in the database at path, in the order written, are
 * `want` (one a line between quotes, as db_rows shows them). */
static void assert_request_ids(const char *path, const char *want)
{
    char rows[256];
    db_rows(path, "SELECT request_id FROM decisions ORDER BY id", rows,
            sizeof rows);
    assert_string_equal(rows, want);
}

/* Sends fd (stdout's or stderr's, flushed first) to a new file at path
 * until restore_fd; returns the descriptor restore_fd puts back. */
static int capture_to_file(int fd, const char *path)
{
    fflush(fd == STDOUT_FILENO ? stdout : stderr);
    int saved = dup(fd);
    int to = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && to >= 0);
    dup2(to, fd);
    close(to);
    return saved;
}

static void restore_fd(int fd, int saved)
{
    fflush(fd == STDOUT_FILENO ? stdout : stderr);
    dup2(saved, fd);
    close(saved);
}

/* The writer's reports (stderr) captured to a file in the log's
 * directory, and a second connection that renames the log's table away:
 * every INSERT fails until db renames it back. The test puts stderr back
 * (restore_fd(STDERR_FILENO, saved_stderr)) and closes db. */
struct table_away {
    char err_path[4200];
    sqlite3 *db;
    int saved_stderr;
};

static struct table_away table_renamed_away(const struct test_temp_file *f)
{
    struct table_away away;
    snprintf(away.err_path, sizeof away.err_path, "%s/stderr.txt", f->dir);
    away.db = db_open(f->path);
    db_exec(away.db, "ALTER TABLE decisions RENAME TO moved");
    away.saved_stderr = capture_to_file(STDERR_FILENO, away.err_path);
    return away;
}

/* A second connection holding path's write lock: the log's writer waits
 * on busy, every record it has taken keeping its slot, until
 * writer_resumes (or a COMMIT on the connection). */
static sqlite3 *writer_stalled(const char *path)
{
    sqlite3 *blocker = db_open(path);
    db_exec(blocker, "BEGIN IMMEDIATE");
    return blocker;
}

static void writer_resumes(sqlite3 *blocker)
{
    db_exec(blocker, "COMMIT");
    sqlite3_close(blocker);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Submits records "<prefix>0" .. "<prefix><n-1>" (time_ms i, status
 * 200), each taken within wait_ms. */
static void submit_numbered(struct audit_log *log, const char *prefix, int n,
                            int wait_ms)
{
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "%s%d", prefix, i);
        struct audit_record r = record(i, id, 200);
        assert_int_equal(audit_submit(log, &r, wait_ms), 0);
    }
}

/* ---- SQLite ----------------------------------------------------------- */

static void submitted_records_are_in_the_table_with_every_column_exact(
    void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_record recs[3] = {
        record(1700000000123, "req-1", 200),
        record(0, "req-\"quoted\" ñandú", 422),
        record(-1, "", 503),
    };
    /* A request id filling its array to the last byte, no terminator. */
    memset(recs[2].request_id, 'x', sizeof recs[2].request_id);
    snprintf(recs[0].api_key, sizeof recs[0].api_key, "acme");
    memset(recs[2].api_key, 'k', sizeof recs[2].api_key);
    snprintf(recs[1].inputs, sizeof recs[1].inputs, "not json, 'quoted'");
    recs[1].outputs[0] = '\0';

    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 16);
    for (int i = 0; i < 3; i++)
        assert_int_equal(audit_submit(log, &recs[i], 100), 0);
    audit_close(log);

    /* The third record's id and key: every byte of their arrays. */
    char xs[sizeof recs[2].request_id + 1] = "";
    char ks[sizeof recs[2].api_key + 1] = "";
    memset(xs, 'x', sizeof xs - 1);
    memset(ks, 'k', sizeof ks - 1);
    char want[4 * AUDIT_JSON_SIZE + 1024], rows[sizeof want];
    snprintf(want, sizeof want,
             "1700000000123|'2023-11-14T22:13:20.123Z'|'req-1'|'v0007'|200|"
             "'%s'|'%s'|'acme'\n"
             "0|'1970-01-01T00:00:00.000Z'|'req-\"quoted\" ñandú'|'v0007'|"
             "422|'not json, 'quoted''|''|NULL\n"
             "-1|'1969-12-31T23:59:59.999Z'|'%s'|'v0007'|503|'%s'|'%s'|"
             "'%s'\n",
             recs[0].inputs, recs[0].outputs, xs, recs[2].inputs,
             recs[2].outputs, ks);
    db_rows(f.path, "SELECT " DECISION_COLUMNS " FROM decisions ORDER BY id",
            rows, sizeof rows);
    assert_string_equal(rows, want);
    test_temp_file_free(&f);
}

static void reopening_appends_to_the_existing_table(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    for (int round = 0; round < 2; round++) {
        struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 4);
        struct audit_record r = record(1, round ? "second" : "first", 200);
        assert_int_equal(audit_submit(log, &r, 100), 0);
        audit_close(log);
    }
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"), 2);
    test_temp_file_free(&f);
}

static void new_database_has_16k_pages_and_an_old_one_keeps_its_own(
    void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    char old_path[4200];
    snprintf(old_path, sizeof old_path, "%s/old.db", f.dir);
    sqlite3 *db = db_open(old_path);
    db_exec(db, "PRAGMA page_size=4096; CREATE TABLE other (x)");
    sqlite3_close(db);
    const char *paths[] = {f.path, old_path};
    for (int i = 0; i < 2; i++) {
        struct audit_log *log = open_log(AUDIT_SQLITE, paths[i], 4);
        struct audit_record r = record(1, "a", 200);
        assert_int_equal(audit_submit(log, &r, 100), 0);
        audit_close(log);
        assert_int_equal(db_count(paths[i], "PRAGMA page_size"),
                         i == 0 ? 16384 : 4096);
        assert_int_equal(
            db_count(paths[i], "SELECT count(*) FROM decisions"), 1);
    }
    test_temp_file_free(&f);
}

/* The table as the first release made it, before the api_key column. */
static const char first_release_schema[] =
    "CREATE TABLE IF NOT EXISTS decisions ("
    " id INTEGER PRIMARY KEY,"
    " time_ms INTEGER NOT NULL,"
    " time TEXT NOT NULL,"
    " request_id TEXT NOT NULL,"
    " model_version TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " inputs TEXT NOT NULL,"
    " outputs TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS decisions_request_id"
    " ON decisions(request_id);"
    "CREATE INDEX IF NOT EXISTS decisions_time_ms ON decisions(time_ms);";

static void a_first_release_database_gains_the_api_key_column(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    sqlite3 *db = db_open(f.path);
    db_exec(db, "PRAGMA journal_mode=WAL");
    db_exec(db, first_release_schema);
    db_exec(db, "INSERT INTO decisions (time_ms, time, request_id,"
                " model_version, status, inputs, outputs) VALUES (7,"
                " '1970-01-01T00:00:00.007Z', 'old-1', 'v0001', 200,"
                " '{\"edad\": 30}', '{\"scoring\": 700}')");
    sqlite3_close(db);

    /* Opened twice: the second open finds the column already there. */
    for (int round = 0; round < 2; round++) {
        struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 4);
        struct audit_record named = record(8, round ? "new-3" : "new-1", 200);
        snprintf(named.api_key, sizeof named.api_key, "acme");
        assert_int_equal(audit_submit(log, &named, 100), 0);
        if (round == 0) {
            struct audit_record keyless = record(9, "new-2", 200);
            assert_int_equal(audit_submit(log, &keyless, 100), 0);
        }
        audit_close(log);
    }

    /* The first release's row, every column as it was; then the rows
     * after it. */
    char rows[1024];
    db_rows(f.path,
            "SELECT " DECISION_COLUMNS " FROM decisions ORDER BY id LIMIT 1",
            rows, sizeof rows);
    assert_string_equal(rows, "7|'1970-01-01T00:00:00.007Z'|'old-1'|'v0001'|"
                              "200|'{\"edad\": 30}'|'{\"scoring\": 700}'|"
                              "NULL\n");
    db_rows(f.path, "SELECT request_id, api_key FROM decisions ORDER BY id",
            rows, sizeof rows);
    assert_string_equal(rows, "'old-1'|NULL\n"
                              "'new-1'|'acme'\n"
                              "'new-2'|NULL\n"
                              "'new-3'|'acme'\n");
    assert_int_equal(
        db_count(f.path, "SELECT count(*) FROM pragma_table_info('decisions')"
                         " WHERE name = 'api_key'"),
        1);
    /* Its request_id index is gone (random client ids made it costly);
     * the time index stays. */
    assert_int_equal(db_count(f.path, decisions_index_count), 1);
    assert_int_equal(
        db_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name ="
                         " 'decisions_request_id'"),
        0);
    test_temp_file_free(&f);
}

static void database_is_in_wal_mode_indexed_by_time_only(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 4);
    char mode[64];
    db_rows(f.path, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "'wal'\n");
    audit_close(log);
    assert_int_equal(db_count(f.path, decisions_index_count), 1);
    assert_int_equal(
        db_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name ="
                         " 'decisions_time_ms' AND sql LIKE '%(time_ms)'"),
        1);
    test_temp_file_free(&f);
}

#define THREADS 4
#define PER_THREAD 2000

struct submitter {
    struct audit_log *log;
    int thread;
    int refused;
};

static void *submit_many(void *arg)
{
    struct submitter *s = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char id[AUDIT_ID_SIZE];
        snprintf(id, sizeof id, "t%d-%d", s->thread, i);
        struct audit_record r = record(1700000000000 + i, id, 200);
        if (audit_submit(s->log, &r, 5000) < 0)
            s->refused++;
    }
    return NULL;
}

static void four_threads_of_two_thousand_records_all_arrive(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 256);
    pthread_t th[THREADS];
    struct submitter s[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (struct submitter){.log = log, .thread = i};
        assert_int_equal(pthread_create(&th[i], NULL, submit_many, &s[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(s[i].refused, 0);
    }
    audit_close(log);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"),
                     THREADS * PER_THREAD);
    assert_int_equal(
        db_count(f.path, "SELECT count(DISTINCT request_id) FROM decisions"),
        THREADS * PER_THREAD);
    test_temp_file_free(&f);
}

static void full_queue_refuses_after_wait_ms_and_counts_refused(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 4);
    sqlite3 *blocker = writer_stalled(f.path);

    submit_numbered(log, "r", 4, 100);
    struct audit_record extra = record(9, "refused", 200);
    double t0 = now_ms();
    int rc = audit_submit(log, &extra, 100);
    double waited = now_ms() - t0;
    assert_int_equal(rc, -1);
    if (waited < 99 || waited > 2000)
        fail_msg("refused after %.1f ms, expected about 100", waited);
    assert_int_equal(audit_submit(log, &extra, 0), -1);

    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.queued, 4);
    assert_int_equal(st.refused, 2);
    assert_int_equal(st.written, 0);

    writer_resumes(blocker);
    audit_close(log);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"), 4);
    assert_int_equal(
        db_count(f.path,
                 "SELECT count(*) FROM decisions WHERE request_id='refused'"),
        0);
    test_temp_file_free(&f);
}

/* Adds records "<prefix>/0" .. "<prefix>/<n-1>" to g. */
static void group_fill(struct audit_group *g, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "%s/%d", prefix, i);
        struct audit_record r = record(i, id, 200);
        assert_int_equal(audit_group_add(g, &r), 0);
    }
}

/* The writer stalled, one record queued, three slots free: a group of
 * four waits wait_ms and is refused with nothing of it queued, a group of
 * three fills the queue; only the single record and the three are
 * written. */
static void a_group_is_queued_whole_or_not_at_all(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 4);
    sqlite3 *blocker = writer_stalled(f.path);
    struct audit_record one = record(1, "one", 200);
    assert_int_equal(audit_submit(log, &one, 100), 0);

    struct audit_group *g = audit_group_new(2); /* grows past 2 */
    group_fill(g, "four", 4);
    double t0 = now_ms();
    int rc = audit_submit_group(log, g, 100);
    double waited = now_ms() - t0;
    assert_int_equal(rc, -1);
    if (waited < 99 || waited > 2000)
        fail_msg("refused after %.1f ms, expected about 100", waited);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.refused, 4);

    /* Emptied by the refusal, the group is filled again. */
    group_fill(g, "three", 3);
    assert_int_equal(audit_submit_group(log, g, 100), 0);
    assert_int_equal(audit_submit(log, &one, 0), -1); /* full */
    assert_int_equal(audit_submit_group(log, g, 0), 0); /* empty: nothing */
    audit_get_stats(log, &st);
    assert_int_equal(st.queued, 4);
    assert_int_equal(st.refused, 5);
    assert_int_equal(st.written, 0);

    writer_resumes(blocker);
    audit_close(log);
    audit_group_free(g);
    assert_request_ids(f.path, "'one'\n'three/0'\n'three/1'\n'three/2'\n");
    test_temp_file_free(&f);
}

struct group_submitter {
    struct audit_log *log;
    struct audit_group *g;
    int rc;
};

static void *submit_group_patiently(void *arg)
{
    struct group_submitter *gs = arg;
    gs->rc = audit_submit_group(gs->log, gs->g, 10000);
    return NULL;
}

/* Room goes in arrival order: with one slot free and a group of two
 * waiting for room, a single that comes later does not take the slot
 * (taking it would starve the group for as long as singles keep coming);
 * it waits behind the group and is refused when its own wait ends. Once
 * the writer drains, the group goes in whole. */
static void a_waiting_group_is_served_before_later_singles(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 4);
    sqlite3 *blocker = writer_stalled(f.path);
    submit_numbered(log, "s", 3, 100);
    struct group_submitter gs = {log, audit_group_new(2), 1};
    group_fill(gs.g, "g", 2);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, submit_group_patiently, &gs),
                     0);
    struct audit_stats st = {0};
    for (int tries = 0; tries < 5000 && st.waiting != 1; tries++) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
        audit_get_stats(log, &st);
    }
    assert_int_equal(st.waiting, 1);

    struct audit_record late = record(5, "late", 200);
    assert_int_equal(audit_submit(log, &late, 0), -1);
    assert_int_equal(audit_submit(log, &late, 50), -1);
    audit_get_stats(log, &st);
    assert_int_equal(st.waiting, 1);
    assert_int_equal(st.queued, 3);
    assert_int_equal(st.refused, 2);

    writer_resumes(blocker);
    pthread_join(th, NULL);
    assert_int_equal(gs.rc, 0);
    audit_group_free(gs.g);
    audit_close(log);
    assert_request_ids(f.path, "'s0'\n's1'\n's2'\n'g/0'\n'g/1'\n");
    test_temp_file_free(&f);
}

/* A group the whole queue could not hold is refused at once, however
 * long the caller would wait and however idle the writer; groups are
 * otherwise taken by AUDIT_OFF and refused without a log or a group. */
static void a_group_larger_than_the_queue_is_refused_at_once(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 2);
    struct audit_group *g = audit_group_new(3);
    group_fill(g, "three", 3);
    double t0 = now_ms();
    assert_int_equal(audit_submit_group(log, g, 5000), -1);
    double waited = now_ms() - t0;
    if (waited > 1000)
        fail_msg("refused after %.1f ms, expected at once", waited);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.queued, 0);
    assert_int_equal(st.refused, 3);
    audit_close(log);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"), 0);

    struct audit_log *off = open_log(AUDIT_OFF, NULL, 0);
    group_fill(g, "off", 3);
    assert_int_equal(audit_submit_group(off, g, 0), 0);
    audit_close(off);
    group_fill(g, "none", 1);
    assert_int_equal(audit_submit_group(NULL, g, 0), -1);
    assert_int_equal(audit_submit_group(NULL, NULL, 0), -1);
    audit_group_free(g);
    audit_group_free(NULL);
    test_temp_file_free(&f);
}

/* Records of the largest size, the writer stalled: the queue is full at
 * AUDIT_QUEUE_BYTES long before its capacity in records, and what it took
 * is all written once the writer can go on. */
static void queue_of_large_records_is_full_at_audit_queue_bytes(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 100000);
    sqlite3 *blocker = writer_stalled(f.path);
    struct audit_record r = record(1, "big", 200);
    memset(r.inputs, 'i', sizeof r.inputs);   /* no terminator: the */
    memset(r.outputs, 'o', sizeof r.outputs); /* fields' full size */
    int taken = 0;
    while (taken < 100000 && audit_submit(log, &r, 0) == 0)
        taken++;
    /* Each record holds two 2 KB texts, its ids and a header. */
    int most = (int)(AUDIT_QUEUE_BYTES / (2 * AUDIT_JSON_SIZE));
    int least = (int)(AUDIT_QUEUE_BYTES / (2 * AUDIT_JSON_SIZE + 256));
    if (taken > most || taken < least)
        fail_msg("%d records taken, expected %d..%d", taken, least, most);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.refused, 1);

    writer_resumes(blocker);
    audit_close(log);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"),
                     taken);
    test_temp_file_free(&f);
}

static void *release_after_50ms(void *arg)
{
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    sqlite3 *blocker = arg;
    sqlite3_exec(blocker, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

static void close_writes_everything_still_queued(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 3000);
    sqlite3 *blocker = writer_stalled(f.path);
    submit_numbered(log, "q", 3000, 0);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.written, 0); /* all 3,000 still queued */

    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_after_50ms, blocker), 0);
    audit_close(log); /* must wait out the lock, then drain */
    pthread_join(th, NULL);
    sqlite3_close(blocker);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"), 3000);
    test_temp_file_free(&f);
}

/* Polls until the writer has accounted for `n` records one way or the
 * other (written or failed), for at most two seconds. */
static struct audit_stats settled(struct audit_log *log, uint64_t n)
{
    struct audit_stats st;
    for (int i = 0; i < 400; i++) {
        audit_get_stats(log, &st);
        if (st.written + st.failed_writes >= n)
            break;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return st;
}

static void stats_count_queued_and_written(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 8);
    struct audit_record r = record(1, "a", 200);
    for (int i = 0; i < 20; i++)
        assert_int_equal(audit_submit(log, &r, 1000), 0);
    struct audit_stats st = settled(log, 20);
    assert_int_equal(st.queued, 20);
    assert_int_equal(st.written, 20);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.failed_writes, 0);
    audit_close(log);
    test_temp_file_free(&f);
}

/* Polls (5 ms apart, 3 s at most) until the log's failing state is
 * `failing`; the stats last read. */
static struct audit_stats until_failing(struct audit_log *log, bool failing)
{
    struct audit_stats st;
    for (int i = 0; i < 600; i++) {
        audit_get_stats(log, &st);
        if (st.failing == failing)
            break;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return st;
}

/* How many lines the file at path holds now (0 when it cannot be read). */
static int lines_in(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;
    if (!f)
        return 0;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* The JSON lines of the file at path, at most `max`, into lines[];
 * their count. */
static int json_lines(const char *path, json_t **lines, int max)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        assert_true(n < max);
        lines[n] = json_loads(line, 0, NULL);
        assert_non_null(lines[n]);
        n++;
    }
    fclose(in);
    return n;
}

static const char *member(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    assert_non_null(v);
    return v;
}

/* A batch the database refuses (its table renamed away: every INSERT
 * fails) is held, not dropped: it is tried again and again, the log
 * refuses new records meanwhile and says why, one error line reports
 * the outage and one info line its end; once the table is back the
 * held record is written, and new ones are taken again. */
static void a_failed_write_is_held_and_retried_until_it_succeeds(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 8);
    struct table_away away = table_renamed_away(&f); /* INSERTs fail */
    struct audit_record a = record(1, "a", 200), b = record(2, "b", 200);
    int rc_a = audit_submit(log, &a, 100);
    struct audit_stats failing = until_failing(log, true);
    int rc_b = audit_submit(log, &b, 100);
    char why[256];
    int health = audit_health(log, why, sizeof why);
    /* several tries later (50, 100, 200 ms apart), still held */
    struct timespec ts = {0, 400 * 1000000L};
    nanosleep(&ts, NULL);
    struct audit_stats held;
    audit_get_stats(log, &held);
    db_exec(away.db, "ALTER TABLE moved RENAME TO decisions");
    struct audit_stats recovered = until_failing(log, false);
    /* the writer says "writing again" just after it clears failing */
    for (int i = 0; i < 600 && lines_in(away.err_path) < 2; i++)
        nanosleep(&(struct timespec){0, 5 * 1000000L}, NULL);
    restore_fd(STDERR_FILENO, away.saved_stderr);

    assert_int_equal(rc_a, 0); /* queue acknowledgement: it was queued */
    assert_true(failing.failing);
    assert_int_equal(rc_b, -1); /* a failing log takes nothing new */
    assert_int_equal(health, -1);
    assert_string_equal(why,
                        "cannot write decisions: no such table: decisions");
    assert_true(held.failing);
    assert_int_equal(held.queued, 1);
    assert_int_equal(held.refused, 1);
    assert_int_equal(held.written, 0);
    assert_int_equal(held.failed_writes, 0);
    assert_false(recovered.failing);
    assert_int_equal(recovered.written, 1);
    assert_int_equal(audit_health(log, why, sizeof why), 0);
    assert_string_equal(why, "");

    json_t *lines[8];
    int n = json_lines(away.err_path, lines, 8);
    assert_int_equal(n, 2); /* one for the outage, not one per try */
    assert_string_equal(member(lines[0], "level"), "error");
    char msg[4200];
    snprintf(msg, sizeof msg, "audit: %s: cannot write decisions", f.path);
    assert_string_equal(member(lines[0], "msg"), msg);
    assert_string_equal(member(lines[0], "sqlite"),
                        "no such table: decisions");
    assert_string_equal(member(lines[1], "level"), "info");
    snprintf(msg, sizeof msg, "audit: %s: writing again", f.path);
    assert_string_equal(member(lines[1], "msg"), msg);
    for (int i = 0; i < n; i++)
        json_decref(lines[i]);

    struct audit_record c = record(3, "c", 200);
    assert_int_equal(audit_submit(log, &c, 100), 0);
    sqlite3_close(away.db);
    audit_close(log);
    assert_request_ids(f.path, "'a'\n'c'\n");
    test_temp_file_free(&f);
}

/* Closing gives a batch that keeps failing up, counted and reported, so
 * shutdown ends whatever the disk does. */
static void close_gives_up_a_batch_that_keeps_failing(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_SQLITE, f.path, 8);
    struct table_away away = table_renamed_away(&f);
    struct audit_record a = record(1, "a", 200);
    assert_int_equal(audit_submit(log, &a, 100), 0);
    until_failing(log, true);
    audit_close(log);
    restore_fd(STDERR_FILENO, away.saved_stderr);
    sqlite3_close(away.db);
    json_t *lines[8];
    int n = json_lines(away.err_path, lines, 8);
    assert_int_equal(n, 2);
    char msg[4200];
    snprintf(msg, sizeof msg,
             "audit: %s: closing: 1 records could not be written and are "
             "lost", f.path);
    assert_string_equal(member(lines[1], "msg"), msg);
    for (int i = 0; i < n; i++)
        json_decref(lines[i]);
    test_temp_file_free(&f);
}

/* On commit acknowledgement a submission returns 0 only when its record
 * is in the table: a second connection counting right after sees it.
 * Stalled past its wait, it fails (the caller answers 503) and is
 * counted unconfirmed, and the record is written once the stall ends. */
static void commit_ack_returns_only_once_the_record_is_committed(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log =
        open_log_acked(AUDIT_SQLITE, AUDIT_ACK_COMMITTED, f.path, 64);
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        struct audit_record r = record(i, id, 200);
        assert_int_equal(audit_submit(log, &r, 5000), 0);
        assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"),
                         i + 1);
    }
    struct audit_group *g = audit_group_new(3);
    group_fill(g, "g", 3);
    assert_int_equal(audit_submit_group(log, g, 5000), 0);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"), 23);

    sqlite3 *blocker = writer_stalled(f.path);
    struct audit_record late = record(99, "late", 200);
    assert_int_equal(audit_submit(log, &late, 50), -1);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.unconfirmed, 1);
    assert_int_equal(st.queued, 24);
    writer_resumes(blocker);
    assert_int_equal(settled(log, 24).written, 24);
    audit_group_free(g);
    audit_close(log);
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"
                                      " WHERE request_id = 'late'"), 1);
    test_temp_file_free(&f);
}

/* Polls audit_health (every 20 ms, for at most 8 s) until it returns
 * `want`; returns what it returned last, with its reason in why. */
static int health_until(struct audit_log *log, int want, char *why,
                        size_t size)
{
    int rc = audit_health(log, why, size);
    for (int i = 0; i < 400 && rc != want; i++) {
        usleep(20000);
        rc = audit_health(log, why, size);
    }
    return rc;
}

/* A store that stops answering fails no write: the write just does not
 * return (here the writer waits on another connection's lock). The
 * queue's age says it: past audit_stall_ms the log is not healthy, with
 * how long, and healthy again once the record is committed. */
static void a_write_that_does_not_return_makes_the_log_unhealthy(
    void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log =
        open_log_acked(AUDIT_SQLITE, AUDIT_ACK_COMMITTED, f.path, 64);
    char why[256];
    assert_int_equal(audit_health(log, why, sizeof why), 0);
    assert_int_equal(audit_stall_ms(200), AUDIT_STALL_MIN_MS);
    assert_int_equal(audit_stall_ms(1000), 5000);

    sqlite3 *blocker = writer_stalled(f.path);
    struct audit_record r = record(1, "stuck", 200);
    struct audit_ticket t;
    assert_int_equal(audit_enqueue(log, &r, 200, &t), 0);
    assert_int_equal(health_until(log, -1, why, sizeof why), -1);
    static const char head[] = "decisions not committed for ";
    static const char tail[] = " s: the audit database does not answer";
    assert_int_equal(strncmp(why, head, sizeof head - 1), 0);
    assert_true(strlen(why) > sizeof head + sizeof tail - 2);
    assert_string_equal(why + strlen(why) - (sizeof tail - 1), tail);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_true(st.stalled);
    assert_false(st.failing);
    assert_true(st.oldest_wait_ms > AUDIT_STALL_MIN_MS);

    writer_resumes(blocker);
    assert_int_equal(health_until(log, 0, why, sizeof why), 0);
    assert_string_equal(why, "");
    assert_int_equal(audit_ticket_check(log, &t, false), 1);
    audit_get_stats(log, &st);
    assert_false(st.stalled);
    assert_int_equal(st.oldest_wait_ms, 0);
    assert_int_equal(st.written, 1);
    audit_close(log);
    test_temp_file_free(&f);
}

/* A waiting submitter is answered as soon as the write fails, not at the
 * end of its wait. */
static void commit_ack_fails_when_the_write_fails(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log =
        open_log_acked(AUDIT_SQLITE, AUDIT_ACK_COMMITTED, f.path, 64);
    struct table_away away = table_renamed_away(&f);
    struct audit_record a = record(1, "a", 200);
    double t0 = now_ms();
    int rc = audit_submit(log, &a, 60000);
    double waited = now_ms() - t0;
    db_exec(away.db, "ALTER TABLE moved RENAME TO decisions");
    until_failing(log, false);
    audit_close(log);
    restore_fd(STDERR_FILENO, away.saved_stderr);
    sqlite3_close(away.db);
    assert_int_equal(rc, -1);
    /* a bound, not a timing: far below the 60 s wait it was allowed */
    assert_true(waited < 30000);
    /* held, then written: answered 503, yet in the log */
    assert_int_equal(db_count(f.path, "SELECT count(*) FROM decisions"), 1);
    test_temp_file_free(&f);
}

/* The database file deleted while the log writes (with its WAL and
 * shared memory, as `rm audit.db*` does), then replaced by a rename: each
 * time the writer notices, warns, opens the path again and the later
 * records are in the file at the path. */
static void a_deleted_or_replaced_database_file_is_noticed(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    char err_path[4200], side[4200], old[4200];
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", f.dir);
    snprintf(old, sizeof old, "%s/old.db", f.dir);
    struct audit_log *log =
        open_log_acked(AUDIT_SQLITE, AUDIT_ACK_COMMITTED, f.path, 64);
    int saved = capture_to_file(STDERR_FILENO, err_path);
    struct audit_record a = record(1, "a", 200), b = record(2, "b", 200),
                        c = record(3, "c", 200);
    assert_int_equal(audit_submit(log, &a, 5000), 0);
    unlink(f.path);
    snprintf(side, sizeof side, "%s-wal", f.path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f.path);
    unlink(side);
    assert_int_equal(audit_submit(log, &b, 5000), 0);
    assert_request_ids(f.path, "'b'\n");

    /* replaced: the file moved aside, an empty one in its place */
    assert_int_equal(rename(f.path, old), 0);
    sqlite3 *fresh = db_open(f.path);
    sqlite3_close(fresh);
    assert_int_equal(audit_submit(log, &c, 5000), 0);
    struct audit_stats st;
    audit_get_stats(log, &st);
    audit_close(log);
    restore_fd(STDERR_FILENO, saved);

    assert_int_equal(st.reopened, 2);
    assert_false(st.failing);
    assert_request_ids(f.path, "'c'\n");
    assert_request_ids(old, "'b'\n");
    json_t *lines[8];
    int n = json_lines(err_path, lines, 8);
    assert_int_equal(n, 2);
    char msg[4200];
    snprintf(msg, sizeof msg,
             "audit: %s: the database file was deleted or replaced; a new "
             "one is opened at the path", f.path);
    for (int i = 0; i < n; i++) {
        assert_string_equal(member(lines[i], "level"), "warning");
        assert_string_equal(member(lines[i], "msg"), msg);
        json_decref(lines[i]);
    }
    test_temp_file_free(&f);
}

/* ---- stdout ----------------------------------------------------------- */

static void stdout_sink_writes_one_parseable_json_line_per_record(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    char out_path[4200];
    snprintf(out_path, sizeof out_path, "%s/stdout.jsonl", f.dir);
    struct audit_record recs[3] = {
        record(1700000000123, "req-1", 200),
        record(5, "id \"with\" quotes\nand a newline", 422),
        record(6, "req-3", 503),
    };
    /* Pretty-printed JSON spread over lines stays on one. */
    snprintf(recs[0].inputs, sizeof recs[0].inputs,
             "{\n\t\"ingreso\": 45000,\r\n\t\"crecimiento_ingreso\": 265.38\n}");
    snprintf(recs[1].outputs, sizeof recs[1].outputs, "not json {\"");
    recs[2].request_id[0] = (char)0xff; /* not UTF-8 */

    int saved = capture_to_file(STDOUT_FILENO, out_path);
    struct audit_log *log = open_log(AUDIT_STDOUT, NULL, 8);
    int rc[3];
    for (int i = 0; i < 3; i++)
        rc[i] = audit_submit(log, &recs[i], 100);
    audit_close(log);
    restore_fd(STDOUT_FILENO, saved);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rc[i], 0);

    FILE *in = fopen(out_path, "r");
    assert_non_null(in);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        assert_true(n < 3);
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        if (!j)
            fail_msg("line %d does not parse: %s: %s", n + 1, e.text, line);
        assert_string_equal(json_string_value(json_object_get(j, "audit")),
                            "decision");
        assert_int_equal(json_integer_value(json_object_get(j, "status")),
                         recs[n].status);
        assert_string_equal(
            json_string_value(json_object_get(j, "model_version")), "v0007");
        if (n == 0) {
            assert_string_equal(json_string_value(json_object_get(j, "time")),
                                "2023-11-14T22:13:20.123Z");
            json_t *in_obj = json_object_get(j, "inputs");
            assert_true(json_is_object(in_obj));
            assert_int_equal(
                json_integer_value(json_object_get(in_obj, "ingreso")), 45000);
            /* As sent, not re-printed as 265.37999999999999. */
            assert_non_null(strstr(line, "265.38"));
            assert_true(json_is_object(json_object_get(j, "outputs")));
        }
        if (n == 1) {
            assert_string_equal(
                json_string_value(json_object_get(j, "request_id")),
                recs[1].request_id);
            assert_string_equal(
                json_string_value(json_object_get(j, "outputs")),
                recs[1].outputs);
        }
        if (n == 2)
            assert_string_equal(
                json_string_value(json_object_get(j, "request_id")), "?eq-3");
        json_decref(j);
        n++;
    }
    fclose(in);
    assert_int_equal(n, 3);
    test_temp_file_free(&f);
}

/* The key's name, or null, right after the request id; the whole line
 * is compared. */
static void stdout_line_names_the_api_key_or_says_null(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    char out_path[4200];
    snprintf(out_path, sizeof out_path, "%s/stdout.jsonl", f.dir);
    struct audit_record named = record(1700000000123, "req-1", 200);
    snprintf(named.api_key, sizeof named.api_key, "acme");
    struct audit_record keyless = record(5, "req-2", 200);

    int saved = capture_to_file(STDOUT_FILENO, out_path);
    struct audit_log *log = open_log(AUDIT_STDOUT, NULL, 8);
    int rc_named = audit_submit(log, &named, 100);
    int rc_keyless = audit_submit(log, &keyless, 100);
    audit_close(log);
    restore_fd(STDOUT_FILENO, saved);
    assert_int_equal(rc_named, 0);
    assert_int_equal(rc_keyless, 0);

    static const char *const expected[] = {
        "{\"audit\":\"decision\",\"time\":\"2023-11-14T22:13:20.123Z\","
        "\"request_id\":\"req-1\",\"api_key\":\"acme\","
        "\"model_version\":\"v0007\",\"status\":200,"
        "\"inputs\":{\"ingreso\": 45000, \"edad\": 32, "
        "\"crecimiento_ingreso\": 265.38},"
        "\"outputs\":{\"scoring\": 678.17, \"cluster\": \"A\"}}\n",
        "{\"audit\":\"decision\",\"time\":\"1970-01-01T00:00:00.005Z\","
        "\"request_id\":\"req-2\",\"api_key\":null,"
        "\"model_version\":\"v0007\",\"status\":200,"
        "\"inputs\":{\"ingreso\": 45000, \"edad\": 32, "
        "\"crecimiento_ingreso\": 265.38},"
        "\"outputs\":{\"scoring\": 678.17, \"cluster\": \"A\"}}\n",
    };
    FILE *in = fopen(out_path, "r");
    assert_non_null(in);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        assert_true(n < 2);
        assert_string_equal(line, expected[n]);
        n++;
    }
    fclose(in);
    assert_int_equal(n, 2);
    test_temp_file_free(&f);
}

/* ---- refusals and AUDIT_OFF ------------------------------------------- */

static void unwritable_path_fails_open_naming_the_path(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/no-such-dir/audit.db", f.dir);
    const char *paths[] = {missing, f.dir /* a directory */};
    for (size_t i = 0; i < 2; i++) {
        struct audit_log *log = (struct audit_log *)1;
        struct errbuf err = {""};
        assert_int_equal(audit_open(&log, AUDIT_SQLITE, AUDIT_ACK_QUEUED, paths[i], 4,
                                    &err), -1);
        assert_null(log);
        if (!strstr(err.msg, paths[i]))
            fail_msg("'%s' does not name %s", err.msg, paths[i]);
    }
    test_temp_file_free(&f);
}

static void missing_path_and_zero_capacity_are_refused(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log;
    struct errbuf err;
    assert_int_equal(audit_open(&log, AUDIT_SQLITE, AUDIT_ACK_QUEUED, NULL, 4, &err), -1);
    assert_non_null(strstr(err.msg, "path"));
    assert_int_equal(audit_open(&log, AUDIT_SQLITE, AUDIT_ACK_QUEUED, f.path, 0, &err), -1);
    assert_non_null(strstr(err.msg, "capacity"));
    assert_int_equal(audit_submit(NULL, NULL, 0), -1);
    audit_close(NULL);
    test_temp_file_free(&f);
}

static void off_sink_accepts_and_writes_nothing(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_log *log = open_log(AUDIT_OFF, f.path, 0);
    struct audit_record r = record(1, "a", 200);
    for (int i = 0; i < 100; i++)
        assert_int_equal(audit_submit(log, &r, 0), 0);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.queued + st.written + st.refused + st.failed_writes, 0);
    audit_close(log);
    struct stat sb;
    assert_int_equal(stat(f.path, &sb), -1);
    test_temp_file_free(&f);
}

int suite_audit(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(submitted_records_are_in_the_table_with_every_column_exact),
        cmocka_unit_test(reopening_appends_to_the_existing_table),
        cmocka_unit_test(new_database_has_16k_pages_and_an_old_one_keeps_its_own),
        cmocka_unit_test(a_first_release_database_gains_the_api_key_column),
        cmocka_unit_test(database_is_in_wal_mode_indexed_by_time_only),
        cmocka_unit_test(four_threads_of_two_thousand_records_all_arrive),
        cmocka_unit_test(full_queue_refuses_after_wait_ms_and_counts_refused),
        cmocka_unit_test(a_group_is_queued_whole_or_not_at_all),
        cmocka_unit_test(a_group_larger_than_the_queue_is_refused_at_once),
        cmocka_unit_test(a_waiting_group_is_served_before_later_singles),
        cmocka_unit_test(queue_of_large_records_is_full_at_audit_queue_bytes),
        cmocka_unit_test(close_writes_everything_still_queued),
        cmocka_unit_test(stats_count_queued_and_written),
        cmocka_unit_test(a_failed_write_is_held_and_retried_until_it_succeeds),
        cmocka_unit_test(close_gives_up_a_batch_that_keeps_failing),
        cmocka_unit_test(commit_ack_returns_only_once_the_record_is_committed),
        cmocka_unit_test(commit_ack_fails_when_the_write_fails),
        cmocka_unit_test(a_write_that_does_not_return_makes_the_log_unhealthy),
        cmocka_unit_test(a_deleted_or_replaced_database_file_is_noticed),
        cmocka_unit_test(stdout_sink_writes_one_parseable_json_line_per_record),
        cmocka_unit_test(stdout_line_names_the_api_key_or_says_null),
        cmocka_unit_test(unwritable_path_fails_open_naming_the_path),
        cmocka_unit_test(missing_path_and_zero_capacity_are_refused),
        cmocka_unit_test(off_sink_accepts_and_writes_nothing),
    };
    return RUN_SUITE("audit", tests, count);
}
