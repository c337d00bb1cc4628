/*
 * test_audit_query.c — finding decisions and pruning the audit log: a
 * server-made id is found through its millisecond with its batch items,
 * a client's id through a window or a full scan, a window is [since,
 * until); every row prints as one exact JSON line; a missing database is
 * named and not created. Pruning deletes exactly the rows before the cut,
 * an archive holds exactly those, an existing archive is refused with
 * nothing deleted, and a writer that keeps writing while pruning loses
 * no row.
 */
#include "test.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/audit.h"
#include "http/audit_query.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20.000Z */
#define ID0 "18bcfe5680000001" /* a server id made at T0 */
#define ID1 "18bcfe5680100002" /* one made at T0 + 1 */

/* The JSON line of record() below, as find prints it. */
#define LINE(rowid, ms, time, id)                                           \
    "{\"id\":" #rowid ",\"time_ms\":" #ms ",\"time\":\"" time "\","         \
    "\"request_id\":\"" id "\",\"model_version\":\"v0007\",\"status\":200," \
    "\"inputs\":{\"ingreso\":45000,\"edad\":32},"                           \
    "\"outputs\":{\"scoring\":678.17,\"cluster\":\"A\"},\"api_key\":null}\n"

static struct audit_record record(int64_t time_ms, const char *id)
{
    struct audit_record r = {.time_ms = time_ms, .status = 200};
    snprintf(r.request_id, sizeof r.request_id, "%s", id);
    snprintf(r.model_version, sizeof r.model_version, "v0007");
    snprintf(r.inputs, sizeof r.inputs, "{\"ingreso\": 45000, \"edad\": 32}");
    snprintf(r.outputs, sizeof r.outputs,
             "{\"scoring\": 678.17, \"cluster\": \"A\"}");
    return r;
}

static struct audit_log *log_open(const char *path)
{
    struct audit_log *log;
    struct errbuf err;
    if (audit_open(&log, AUDIT_SQLITE, AUDIT_ACK_QUEUED, path, 4096, &err) <
        0)
        fail_msg("%s", err.msg);
    return log;
}

static void submit(struct audit_log *log, int64_t ms, const char *id)
{
    struct audit_record r = record(ms, id);
    assert_int_equal(audit_submit(log, &r, 5000), 0);
}

/* Rows 1..5: ID0 at T0, a client's id at T0, ID1's batch items /0 and /1
 * at T0 + 1, a client id of the server's shape at T0 + 2000. */
static void write_five(const char *path)
{
    struct audit_log *log = log_open(path);
    submit(log, T0, ID0);
    submit(log, T0, "caller-42");
    submit(log, T0 + 1, ID1 "/0");
    submit(log, T0 + 1, ID1 "/1");
    submit(log, T0 + 2000, "0000000000000abc");
    audit_close(log);
}

/* What audit_find prints, and its count; fails the test on -1. */
static char *find(const char *path, const struct audit_query *q,
                  long *found)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct errbuf err;
    int rc = audit_find(path, q, out, found, &err);
    fclose(out);
    if (rc < 0)
        fail_msg("%s", err.msg);
    return text;
}

static long long count(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void a_server_id_is_found_with_its_batch_items(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    write_five(f.path);
    long found;
    struct audit_query q = {.id = ID0};
    char *text = find(f.path, &q, &found);
    assert_int_equal(found, 1);
    assert_string_equal(text, LINE(1, 1700000000000, "2023-11-14T22:13:20.000Z",
                                   ID0));
    free(text);
    q.id = ID1;
    text = find(f.path, &q, &found);
    assert_int_equal(found, 2);
    assert_string_equal(
        text,
        LINE(3, 1700000000001, "2023-11-14T22:13:20.001Z", ID1 "/0")
        LINE(4, 1700000000001, "2023-11-14T22:13:20.001Z", ID1 "/1"));
    free(text);
    q.id = ID1 "/1"; /* one item alone */
    text = find(f.path, &q, &found);
    assert_int_equal(found, 1);
    free(text);
    test_temp_file_free(&f);
}

static void a_client_id_is_found_in_its_window_or_by_a_full_scan(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    write_five(f.path);
    long found;
    struct audit_query q = {.id = "caller-42", .has_since = true,
                            .since_ms = T0, .has_until = true,
                            .until_ms = T0 + 1};
    char *text = find(f.path, &q, &found);
    assert_int_equal(found, 1);
    assert_string_equal(text, LINE(2, 1700000000000, "2023-11-14T22:13:20.000Z",
                                   "caller-42"));
    free(text);
    q.since_ms = T0 + 1; /* a window without it */
    text = find(f.path, &q, &found);
    assert_int_equal(found, 0);
    assert_string_equal(text, "");
    free(text);
    struct audit_query scan = {.id = "caller-42"};
    text = find(f.path, &scan, &found);
    assert_int_equal(found, 1);
    free(text);
    /* a client's id of our shape: not at its "millisecond", found anyway */
    struct audit_query shaped = {.id = "0000000000000abc"};
    text = find(f.path, &shaped, &found);
    assert_int_equal(found, 1);
    assert_string_equal(text, LINE(5, 1700000002000, "2023-11-14T22:13:22.000Z",
                                   "0000000000000abc"));
    free(text);
    test_temp_file_free(&f);
}

static void a_window_is_since_inclusive_until_exclusive(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    write_five(f.path);
    long found;
    struct audit_query q = {.has_since = true, .since_ms = T0 + 1,
                            .has_until = true, .until_ms = T0 + 2000};
    char *text = find(f.path, &q, &found);
    assert_int_equal(found, 2);
    assert_string_equal(
        text,
        LINE(3, 1700000000001, "2023-11-14T22:13:20.001Z", ID1 "/0")
        LINE(4, 1700000000001, "2023-11-14T22:13:20.001Z", ID1 "/1"));
    free(text);
    struct audit_query since = {.has_since = true, .since_ms = T0 + 2000};
    text = find(f.path, &since, &found);
    assert_int_equal(found, 1);
    free(text);
    struct audit_query until = {.has_until = true, .until_ms = T0 + 1};
    text = find(f.path, &until, &found);
    assert_int_equal(found, 2);
    free(text);
    test_temp_file_free(&f);
}

static void times_parse_as_ms_iso_date_and_datetime(void **state)
{
    (void)state;
    int64_t ms;
    struct errbuf err;
    assert_int_equal(audit_time_parse("1700000000000", &ms, &err), 0);
    assert_int_equal(ms, T0);
    assert_int_equal(audit_time_parse("2023-11-14T22:13:20Z", &ms, &err), 0);
    assert_int_equal(ms, T0);
    assert_int_equal(audit_time_parse("2023-11-14", &ms, &err), 0);
    assert_int_equal(ms, 1699920000000LL);
    assert_int_equal(audit_time_parse("yesterday", &ms, &err), -1);
    assert_string_equal(err.msg,
                        "'yesterday' is not a time: give milliseconds since "
                        "1970 or an ISO date or date-time (2026-11-26, "
                        "2026-11-26T10:00:00Z)");
    assert_int_equal(audit_id_time(ID1, &ms), 0);
    assert_int_equal(ms, T0 + 1);
    assert_int_equal(audit_id_time("caller-42", &ms), -1);
}

static void a_missing_database_is_named_and_not_created(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    struct audit_query q = {.id = ID0};
    long found;
    struct errbuf err;
    char text[64];
    FILE *out = fmemopen(text, sizeof text, "w");
    assert_int_equal(audit_find(f.path, &q, out, &found, &err), -1);
    fclose(out);
    char want[4200];
    snprintf(want, sizeof want, "%s: No such file or directory", f.path);
    assert_string_equal(err.msg, want);
    struct audit_prune_result res;
    assert_int_equal(audit_prune(f.path, T0, NULL, &res, &err), -1);
    assert_string_equal(err.msg, want);
    struct stat st;
    assert_int_equal(stat(f.path, &st), -1);
    test_temp_file_free(&f);
}

static void prune_deletes_exactly_the_rows_before_the_cut(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    write_five(f.path);
    struct audit_prune_result res;
    struct errbuf err;
    assert_int_equal(audit_prune(f.path, T0 + 1, NULL, &res, &err), 0);
    assert_int_equal(res.archived, 0);
    assert_int_equal(res.deleted, 2);
    assert_int_equal(count(f.path, "SELECT count(*) FROM decisions"), 3);
    assert_int_equal(count(f.path, "SELECT min(time_ms) FROM decisions"),
                     T0 + 1);
    assert_int_equal(audit_prune(f.path, T0 + 1, NULL, &res, &err), 0);
    assert_int_equal(res.deleted, 0);
    test_temp_file_free(&f);
}

static void prune_archives_exactly_the_rows_it_deletes(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    write_five(f.path);
    char archive[4200];
    snprintf(archive, sizeof archive, "%s/audit-2023-11.sqlite3", f.dir);
    struct audit_prune_result res;
    struct errbuf err;
    assert_int_equal(audit_prune(f.path, T0 + 2, archive, &res, &err), 0);
    assert_int_equal(res.archived, 4);
    assert_int_equal(res.deleted, 4);
    assert_int_equal(count(f.path, "SELECT count(*) FROM decisions"), 1);
    assert_int_equal(count(archive, "SELECT count(*) FROM decisions"), 4);
    /* every column came across: the archive reads like the log */
    long found;
    struct audit_query q = {.id = ID1};
    char *text = find(archive, &q, &found);
    assert_string_equal(
        text,
        LINE(3, 1700000000001, "2023-11-14T22:13:20.001Z", ID1 "/0")
        LINE(4, 1700000000001, "2023-11-14T22:13:20.001Z", ID1 "/1"));
    free(text);
    assert_int_equal(count(archive, "SELECT count(*) FROM sqlite_master "
                                    "WHERE name = 'decisions_time_ms'"),
                     1);
    /* an archive is never overwritten, and nothing is deleted then */
    assert_int_equal(audit_prune(f.path, T0 + 3000, archive, &res, &err), -1);
    char want[4300];
    snprintf(want, sizeof want,
             "%s: exists; an archive is never overwritten", archive);
    assert_string_equal(err.msg, want);
    assert_int_equal(count(f.path, "SELECT count(*) FROM decisions"), 1);
    assert_int_equal(count(archive, "SELECT count(*) FROM decisions"), 4);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", archive, (long)getpid());
    struct stat st;
    assert_int_equal(stat(tmp, &st), -1);
    test_temp_file_free(&f);
}

/* Writes records dated now until told to stop; counts them. */
struct writer {
    struct audit_log *log;
    atomic_bool stop;
    long written;
};

static void *keep_writing(void *arg)
{
    struct writer *w = arg;
    while (!atomic_load(&w->stop) || w->written < 2000) {
        char id[32];
        snprintf(id, sizeof id, "new-%ld", w->written);
        struct audit_record r = record((int64_t)time(NULL) * 1000, id);
        if (audit_submit(w->log, &r, 5000) < 0)
            break;
        w->written++;
    }
    return NULL;
}

static void prune_while_the_server_writes_loses_no_newer_row(void **state)
{
    (void)state;
    struct test_temp_file f = test_temp_file_new("audit.db");
    enum { OLD = 3 * AUDIT_PRUNE_BATCH + 123 };
    struct writer w = {.log = log_open(f.path)};
    for (long i = 0; i < OLD; i++) {
        char id[32];
        snprintf(id, sizeof id, "old-%ld", i);
        submit(w.log, T0 + i, id);
    }
    /* queued is not yet written: the copy must see every old row */
    struct audit_stats stats;
    for (int waited = 0; waited < 10000; waited++) {
        audit_get_stats(w.log, &stats);
        if (stats.written == OLD)
            break;
        usleep(1000);
    }
    assert_int_equal(stats.written, OLD);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, keep_writing, &w), 0);
    char archive[4200];
    snprintf(archive, sizeof archive, "%s/archive.sqlite3", f.dir);
    struct audit_prune_result res;
    struct errbuf err;
    /* the cut: a day ago, after every old row and before every new one */
    int64_t cut = (int64_t)time(NULL) * 1000 - 86400000;
    int rc = audit_prune(f.path, cut, archive, &res, &err);
    atomic_store(&w.stop, true);
    pthread_join(t, NULL);
    audit_close(w.log);
    if (rc < 0)
        fail_msg("%s", err.msg);
    /* the old rows were all queued before the copy began */
    assert_int_equal(res.archived, OLD);
    assert_int_equal(res.deleted, OLD);
    assert_int_equal(count(archive, "SELECT count(*) FROM decisions"), OLD);
    assert_int_equal(count(f.path, "SELECT count(*) FROM decisions "
                                   "WHERE request_id GLOB 'old-*'"),
                     0);
    assert_int_equal(count(f.path, "SELECT count(*) FROM decisions "
                                   "WHERE request_id GLOB 'new-*'"),
                     w.written);
    assert_true(w.written >= 2000);
    test_temp_file_free(&f);
}

int suite_audit_query(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_server_id_is_found_with_its_batch_items),
        cmocka_unit_test(a_client_id_is_found_in_its_window_or_by_a_full_scan),
        cmocka_unit_test(a_window_is_since_inclusive_until_exclusive),
        cmocka_unit_test(times_parse_as_ms_iso_date_and_datetime),
        cmocka_unit_test(a_missing_database_is_named_and_not_created),
        cmocka_unit_test(prune_deletes_exactly_the_rows_before_the_cut),
        cmocka_unit_test(prune_archives_exactly_the_rows_it_deletes),
        cmocka_unit_test(prune_while_the_server_writes_loses_no_newer_row),
    };
    return RUN_SUITE("audit_query", tests, count);
}
