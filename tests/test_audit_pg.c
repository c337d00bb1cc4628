/*
 * test_audit_pg.c — the PostgreSQL audit sink (audit_pg.h) against a real
 * PostgreSQL 15: rows equal to what was submitted, group commit, schema
 * migration, partitions made on a miss, retention by dropping partitions,
 * replicas starting together, and the password masked.
 *
 * The server comes from tests/audit_pg.sh (tests/servers/pg.sh), which
 * runs this suite with INCOMESCORE_TEST_PG_URL set; without it the tests
 * that need a server are skipped (a plain `build/unit` has none). Each
 * test works in a database of its own, made fresh.
 */
#include "test.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/audit.h"
#include "http/audit_pg.h"

#define URL_ENV "INCOMESCORE_TEST_PG_URL"

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *connect_or_fail(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("%s", PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, quiet, NULL);
    return conn;
}

/* A fresh database `name` on the test server; its URL in url. Skips the
 * test when there is no server. */
static void fresh_db(const char *name, char *url, size_t size)
{
    const char *base = getenv(URL_ENV);
    if (!base || !*base)
        skip();
    PGconn *admin = connect_or_fail(base);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    PQclear(PQexec(admin, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *res = PQexec(admin, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s", PQerrorMessage(admin));
    PQclear(res);
    PQfinish(admin);
    /* the base URL ends in /DBNAME */
    const char *slash = strrchr(base, '/');
    snprintf(url, size, "%.*s/%s", (int)(slash - base), base, name);
}

/* Every row of sql's answer, columns joined by '|', rows ended by '\n';
 * NULL as "NULL". */
static void query(const char *url, const char *sql, char *out, size_t size)
{
    PGconn *conn = connect_or_fail(url);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK &&
        PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    size_t n = 0;
    out[0] = '\0';
    for (int r = 0; r < PQntuples(res); r++)
        for (int c = 0; c < PQnfields(res); c++)
            n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s",
                                  PQgetisnull(res, r, c)
                                      ? "NULL"
                                      : PQgetvalue(res, r, c),
                                  c + 1 < PQnfields(res) ? "|" : "\n");
    assert_true(n < size);
    PQclear(res);
    PQfinish(conn);
}

static struct audit_log *open_pg(const char *url, const char *replica)
{
    struct audit_log *log;
    struct errbuf err;
    if (audit_open_replica(&log, AUDIT_POSTGRES, AUDIT_ACK_COMMITTED, url,
                           replica, 4096, &err) < 0)
        fail_msg("%s", err.msg);
    return log;
}

static struct audit_record record(int64_t time_ms, const char *id)
{
    return test_audit_record(time_ms, id, 200);
}

#define COLUMNS                                                             \
    "time_ms, to_char(time AT TIME ZONE 'UTC', "                            \
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), request_id, model_version, "     \
    "status, inputs, outputs, api_key, replica"

static int64_t now_ms(void)
{
    return (int64_t)time(NULL) * 1000;
}

/* ---- masking (no server needed) --------------------------------------- */

static void the_password_is_masked_in_every_form(void **state)
{
    (void)state;
    /* The target is printed from libpq's parse: host, port, user,
     * dbname, and *** for a password — never any piece of the string. */
    static const char *const cases[][2] = {
        {"postgresql://app:s3cret@db:5432/audit",
         "postgresql://app:***@db:5432/audit"},
        {"postgres://app:p%40ss@db/audit?sslmode=require",
         "postgres://app:***@db/audit"},
        {"postgresql://app@db/audit?password=s3cret&sslmode=require",
         "postgresql://app:***@db/audit"},
        {"host=db user=app password=s3cret dbname=audit",
         "host=db user=app dbname=audit password=***"},
        {"host=db password = 'a b\\' c' dbname=audit",
         "host=db dbname=audit password=***"},
        {"postgresql://app@db/audit", "postgresql://app@db/audit"},
        {"host=db dbname=mypasswordless", "host=db dbname=mypasswordless"},
        /* '?', '#', '@' and '%' in a password libpq accepts */
        {"postgresql://app:s3cr?et@db/audit", "postgresql://app:***@db/audit"},
        {"postgresql://app:s3cr#et@db/audit", "postgresql://app:***@db/audit"},
        /* libpq reads "ret@db" as the host: nothing of it shown */
        {"postgresql://app:Sec@ret@db/audit",
         "(the connection string, unreadable: percent-encode @ in the "
         "password as %40)"},
        {"postgresql://app:50%25off@db/audit",
         "postgresql://app:***@db/audit"},
        /* key=value separated by tabs and newlines */
        {"host=db\tpassword=s3cret\tdbname=audit",
         "host=db dbname=audit password=***"},
        {"host=db\npassword=s3cret\ndbname=audit",
         "host=db dbname=audit password=***"},
        /* not parsed: no piece of the string shown */
        {"postgresql://app:ab%zzHunter3@db/audit",
         "(the connection string, unreadable: invalid percent-encoded "
         "token: \"***\")"},
        {"host=db password='Hunter4", "(the connection string, unreadable: "
                                      "unterminated quoted string in "
                                      "connection info string)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        audit_pg_mask(cases[i][0], out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
}

static void a_connection_failure_names_the_target_without_its_password(
    void **state)
{
    (void)state;
    struct audit_log *log;
    struct errbuf err;
    /* port 1: nothing listens there */
    assert_int_equal(audit_open_replica(&log, AUDIT_POSTGRES,
                                        AUDIT_ACK_COMMITTED,
                                        "postgresql://app:Hunter2-pw@"
                                        "127.0.0.1:1/audit",
                                        NULL, 16, &err),
                     -1);
    assert_non_null(strstr(err.msg, "postgresql://app:***@127.0.0.1:1/audit"
                                    ": cannot open the PostgreSQL audit "
                                    "log: connection to server at "));
    assert_null(strstr(err.msg, "Hunter2"));
}

/* libpq quotes a malformed piece of the string back in its message */
static void a_password_libpq_quotes_back_is_masked_too(void **state)
{
    (void)state;
    struct audit_log *log;
    struct errbuf err;
    assert_int_equal(audit_open_replica(&log, AUDIT_POSTGRES,
                                        AUDIT_ACK_COMMITTED,
                                        "postgresql://app:ab%zzHunter3@"
                                        "127.0.0.1:1/audit",
                                        NULL, 16, &err),
                     -1);
    assert_string_equal(err.msg,
                        "audit: (the connection string, unreadable: invalid "
                        "percent-encoded token: \"***\"): cannot open the "
                        "PostgreSQL audit log: invalid percent-encoded "
                        "token: \"***\"");
}

/* Passwords libpq accepts but a hand reading of the string missed: the
 * whole message names the target without any piece of them. */
static void odd_passwords_never_reach_the_message(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"postgresql://app:Hun?ter5@127.0.0.1:1/audit",
         "audit: postgresql://app:***@127.0.0.1:1/audit: cannot open the "
         "PostgreSQL audit log: connection to server at \"127.0.0.1\", "
         "port 1 failed: Connection refused  Is the server running on "
         "that host and accepting TCP/IP connections?"},
        {"postgresql://app:Hun#ter5@127.0.0.1:1/audit",
         "audit: postgresql://app:***@127.0.0.1:1/audit: cannot open the "
         "PostgreSQL audit log: connection to server at \"127.0.0.1\", "
         "port 1 failed: Connection refused  Is the server running on "
         "that host and accepting TCP/IP connections?"},
        {"host=127.0.0.1\tport=1\npassword=Hunter5 dbname=audit",
         "audit: host=127.0.0.1 port=1 dbname=audit password=***: cannot "
         "open the PostgreSQL audit log: connection to server at "
         "\"127.0.0.1\", port 1 failed: Connection refused  Is the server "
         "running on that host and accepting TCP/IP connections?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct audit_log *log;
        struct errbuf err;
        assert_int_equal(audit_open_replica(&log, AUDIT_POSTGRES,
                                            AUDIT_ACK_COMMITTED,
                                            cases[i][0], NULL, 16, &err),
                         -1);
        assert_string_equal(err.msg, cases[i][1]);
    }
}

/* ---- against the server ----------------------------------------------- */

static void committed_rows_equal_the_records_submitted(void **state)
{
    (void)state;
    char url[512];
    fresh_db("audit_rows", url, sizeof url);
    struct audit_record recs[3] = {
        record(1795000000123, "req-1"),
        record(0, "req-\"quoted\" ñandú"),
        record(-1, ""),
    };
    memset(recs[2].request_id, 'x', sizeof recs[2].request_id);
    snprintf(recs[0].api_key, sizeof recs[0].api_key, "acme");
    /* every byte COPY's text format gives a meaning, and \N */
    snprintf(recs[1].inputs, sizeof recs[1].inputs,
             "not json,\t'quoted'\r\n \\N \\");
    recs[1].outputs[0] = '\0';
    recs[1].status = 422;
    /* not UTF-8: kept, with the byte outside ASCII as '?' */
    snprintf(recs[2].inputs, sizeof recs[2].inputs, "{\"x\": \"\xff\"}");

    struct audit_log *log = open_pg(url, "replica-a:8000");
    for (int i = 0; i < 3; i++)
        assert_int_equal(audit_submit(log, &recs[i], 5000), 0);
    struct audit_stats st;
    audit_get_stats(log, &st);
    assert_int_equal(st.written, 3);
    audit_close(log);

    char xs[sizeof recs[2].request_id + 1] = "";
    memset(xs, 'x', sizeof xs - 1);
    char want[16384], rows[16384];
    snprintf(want, sizeof want,
             "1795000000123|2026-11-18T11:06:40.123Z|req-1|v0007|200|%s|%s|"
             "acme|replica-a:8000\n"
             "0|1970-01-01T00:00:00.000Z|req-\"quoted\" ñandú|v0007|422|"
             "not json,\t'quoted'\r\n \\N \\||NULL|replica-a:8000\n"
             "-1|1969-12-31T23:59:59.999Z|%s|v0007|200|{\"x\": \"?\"}|%s|"
             "NULL|replica-a:8000\n",
             recs[0].inputs, recs[0].outputs, xs, recs[2].outputs);
    query(url, "SELECT " COLUMNS " FROM decisions ORDER BY id", rows,
          sizeof rows);
    assert_string_equal(rows, want);
}

struct submitter {
    struct audit_log *log;
    int thread, count, failures;
};

static void *submit_many(void *arg)
{
    struct submitter *s = arg;
    for (int i = 0; i < s->count; i++) {
        char id[32];
        snprintf(id, sizeof id, "t%d-%d", s->thread, i);
        struct audit_record r = record(now_ms(), id);
        if (audit_submit(s->log, &r, 10000) != 0)
            s->failures++;
    }
    return NULL;
}

/* Sixteen threads, each waiting for its commit before the next record:
 * the records that wait together share a transaction. xmin names the
 * transaction that inserted a row. */
static void concurrent_submitters_share_transactions(void **state)
{
    (void)state;
    char url[512];
    fresh_db("audit_group", url, sizeof url);
    struct audit_log *log = open_pg(url, "r");
    enum { THREADS = 16, EACH = 100 };
    pthread_t t[THREADS];
    struct submitter s[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (struct submitter){log, i, EACH, 0};
        assert_int_equal(pthread_create(&t[i], NULL, submit_many, &s[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(s[i].failures, 0);
    }
    audit_close(log);
    char out[256];
    query(url,
          "SELECT count(*), count(DISTINCT request_id),"
          " count(DISTINCT xmin::text) < count(*) FROM decisions",
          out, sizeof out);
    assert_string_equal(out, "1600|1600|t\n");
}

/* The first release's schema: version 1, no replica column. */
static void a_version_1_schema_is_migrated_and_keeps_its_rows(void **state)
{
    (void)state;
    char url[512], out[1024];
    fresh_db("audit_migrate", url, sizeof url);
    query(url,
          "CREATE TABLE audit_schema_version (version integer NOT NULL);"
          "INSERT INTO audit_schema_version VALUES (1);"
          "CREATE TABLE decisions (id bigserial NOT NULL,"
          " time_ms bigint NOT NULL, time timestamptz NOT NULL,"
          " request_id text NOT NULL, model_version text NOT NULL,"
          " status integer NOT NULL, inputs text NOT NULL,"
          " outputs text NOT NULL, api_key text)"
          " PARTITION BY RANGE (time);"
          "CREATE TABLE decisions_y2026m01 PARTITION OF decisions"
          " FOR VALUES FROM ('2026-01-01 00:00:00+00')"
          " TO ('2026-02-01 00:00:00+00');"
          "INSERT INTO decisions (time_ms, time, request_id, model_version,"
          " status, inputs, outputs) VALUES (1767225600000,"
          " '2026-01-01T00:00:00Z', 'old', 'v0001', 200, '{}', '{}')",
          out, sizeof out);
    struct audit_log *log = open_pg(url, "new-replica");
    struct audit_record r = record(1767225600500, "new");
    assert_int_equal(audit_submit(log, &r, 5000), 0);
    audit_close(log);
    query(url, "SELECT version FROM audit_schema_version", out, sizeof out);
    assert_string_equal(out, "2\n");
    query(url,
          "SELECT request_id, replica FROM decisions ORDER BY time_ms", out,
          sizeof out);
    assert_string_equal(out, "old|NULL\nnew|new-replica\n");
}

static void a_newer_schema_is_refused(void **state)
{
    (void)state;
    char url[512], out[64];
    fresh_db("audit_newer", url, sizeof url);
    query(url,
          "CREATE TABLE audit_schema_version (version integer NOT NULL);"
          "INSERT INTO audit_schema_version VALUES (99)",
          out, sizeof out);
    struct audit_log *log;
    struct errbuf err;
    assert_int_equal(audit_open_replica(&log, AUDIT_POSTGRES,
                                        AUDIT_ACK_COMMITTED, url, NULL, 16,
                                        &err),
                     -1);
    assert_non_null(strstr(err.msg, "the audit schema is version 99, newer "
                                    "than this program's 2: upgrade "
                                    "incomescore"));
}

/* The month of now + 366 days (and of 1970) has no partition until a
 * record needs it; the row lands in its own month's. */
static void a_record_dated_next_year_gets_its_partition(void **state)
{
    (void)state;
    char url[512], out[512], want[512];
    fresh_db("audit_partition", url, sizeof url);
    struct audit_log *log = open_pg(url, "r");
    int64_t later = now_ms() + 366LL * 86400 * 1000;
    struct audit_record r = record(later, "next-year");
    assert_int_equal(audit_submit(log, &r, 5000), 0);
    audit_close(log);
    time_t t = (time_t)(later / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(want, sizeof want, "decisions_y%04dm%02d|next-year\n",
             tm.tm_year + 1900, tm.tm_mon + 1);
    query(url, "SELECT tableoid::regclass, request_id FROM decisions", out,
          sizeof out);
    assert_string_equal(out, want);
}

/* Retention drops the months before the cut, whole; the rest and their
 * rows stay. */
static void retention_drops_old_partitions_and_keeps_the_others(void **state)
{
    (void)state;
    char url[512], out[1024];
    fresh_db("audit_retain", url, sizeof url);
    struct audit_log *log = open_pg(url, "r");
    /* 2026-01-15, 2026-02-15, 2026-08-15, 2026-11-15 (UTC) */
    static const int64_t when[] = {1768435200000, 1771113600000,
                                   1786752000000, 1794700800000};
    static const char *const ids[] = {"jan", "feb", "aug", "nov"};
    for (int i = 0; i < 4; i++) {
        struct audit_record r = record(when[i], ids[i]);
        assert_int_equal(audit_submit(log, &r, 5000), 0);
    }
    audit_close(log);
    /* as if now were 2026-11-30: three months before November go back to
     * August, so January and February go */
    char listed[256];
    FILE *mem = fmemopen(listed, sizeof listed, "w");
    long dropped, kept;
    struct errbuf err;
    assert_int_equal(audit_pg_retain(url, 3, 1795996800000, mem, &dropped,
                                     &kept, &err),
                     0);
    fclose(mem);
    assert_string_equal(listed, "decisions_y2026m01\ndecisions_y2026m02\n");
    assert_int_equal(dropped, 2);
    query(url, "SELECT request_id FROM decisions ORDER BY time_ms", out,
          sizeof out);
    assert_string_equal(out, "aug\nnov\n");
    query(url,
          "SELECT count(*) FROM pg_inherits WHERE inhparent = "
          "'decisions'::regclass AND inhrelid::regclass::text IN "
          "('decisions_y2026m01', 'decisions_y2026m02')",
          out, sizeof out);
    assert_string_equal(out, "0\n");
    char left[32];
    snprintf(left, sizeof left, "%ld\n", kept);
    query(url,
          "SELECT count(*) FROM pg_inherits WHERE inhparent = "
          "'decisions'::regclass",
          out, sizeof out);
    assert_string_equal(out, left);
    /* again: nothing more to drop */
    mem = fmemopen(listed, sizeof listed, "w");
    assert_int_equal(audit_pg_retain(url, 3, 1795996800000, mem, &dropped,
                                     &kept, &err),
                     0);
    fclose(mem);
    assert_int_equal(dropped, 0);
}

struct opener {
    const char *url;
    int rc;
    char msg[512];
};

static void *open_and_close(void *arg)
{
    struct opener *o = arg;
    struct audit_log *log;
    struct errbuf err;
    o->rc = audit_open_replica(&log, AUDIT_POSTGRES, AUDIT_ACK_COMMITTED,
                               o->url, "r", 16, &err);
    if (o->rc == 0)
        audit_close(log);
    else
        snprintf(o->msg, sizeof o->msg, "%s", err.msg);
    return NULL;
}

/* Replicas starting at once on an empty database: the advisory lock lets
 * one make the schema, the others find it made. */
static void replicas_starting_together_all_open(void **state)
{
    (void)state;
    char url[512], out[64];
    fresh_db("audit_together", url, sizeof url);
    enum { N = 6 };
    pthread_t t[N];
    struct opener o[N];
    for (int i = 0; i < N; i++) {
        o[i] = (struct opener){.url = url};
        assert_int_equal(pthread_create(&t[i], NULL, open_and_close, &o[i]),
                         0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        if (o[i].rc != 0)
            fail_msg("replica %d: %s", i, o[i].msg);
    }
    query(url, "SELECT count(*), max(version) FROM audit_schema_version", out,
          sizeof out);
    assert_string_equal(out, "1|2\n");
}

int suite_audit_pg(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_password_is_masked_in_every_form),
        cmocka_unit_test(
            a_connection_failure_names_the_target_without_its_password),
        cmocka_unit_test(a_password_libpq_quotes_back_is_masked_too),
        cmocka_unit_test(odd_passwords_never_reach_the_message),
        cmocka_unit_test(committed_rows_equal_the_records_submitted),
        cmocka_unit_test(concurrent_submitters_share_transactions),
        cmocka_unit_test(a_version_1_schema_is_migrated_and_keeps_its_rows),
        cmocka_unit_test(a_newer_schema_is_refused),
        cmocka_unit_test(a_record_dated_next_year_gets_its_partition),
        cmocka_unit_test(
            retention_drops_old_partitions_and_keeps_the_others),
        cmocka_unit_test(replicas_starting_together_all_open),
    };
    return RUN_SUITE("audit_pg", tests, count);
}
