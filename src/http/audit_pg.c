/*
 * audit_pg.c — the PostgreSQL sink behind audit_backend.h, and retention
 * by monthly partitions (audit_pg.h says what is stored and why).
 *
 * One connection, used only by audit.c's writer thread. A batch is one
 * COPY FROM STDIN (one statement: its own transaction, all rows or none),
 * not a multi-row INSERT with parameters. Measured with
 * bench/pg_insert_bench.c on this machine (PostgreSQL 15, fsync on,
 * ~700-byte rows, two cores shared with other work, three runs):
 *   batch of   1: INSERT 263-1,427 rows/s, COPY 249-293 (a WAL flush a
 *                 commit either way)
 *   batch of  16: INSERT 3,012-3,811,  COPY 4,530-4,589
 *   batch of 512: INSERT 3,203-12,145, COPY 14,958-38,118
 * A 512-row INSERT has 4,608 parameters to parse and plan; COPY's rows
 * go straight to the table. Under load the batches are tens of rows
 * (commit acknowledgement) to hundreds (queue), where COPY is 1.3 to 4
 * times faster. Its text format needs four bytes escaped (copy_field),
 * so a client's text cannot leave its column.
 *
 * Failures: when a batch fails on a connection that libpq says is gone
 * (the server restarted, a network cut), the sink reconnects at once —
 * making the schema current again, in case it came back empty — and
 * tries the batch once more: an idle connection broken by a restart then
 * costs no failure episode. Otherwise the batch fails and audit.c holds
 * it and retries with its backoff; every retry that finds the connection
 * bad connects again. Partitions known to exist are cached (months
 * numbered year * 12 + month); any failure forgets them, so a retry
 * makes sure of them again.
 *
 * Deadlines: a server that stops answering without refusing (hung,
 * SIGSTOPped, a black-holed network) would hold a blocking libpq call
 * forever, and with it the writer and shutdown. So the connection is
 * non-blocking and every round trip (exec_by, the COPY's data) has
 * AUDIT_PG_ROUND_TRIP_MS: past it the connection is abandoned (its
 * socket shut down, so libpq marks it bad and the next try connects
 * again; the server rolls back what it had when it next reads) and the
 * step fails without the immediate second try — audit.c's episode and
 * backoff run: 503 at once, /readyz not ready, a line on stderr. No
 * PQcancel: it connects without a timeout of its own, and a network
 * that swallows packets would hold it as long. lock_timeout (the same
 * bound) keeps the advisory lock and partition DDL from waiting forever
 * behind a stalled peer.
 */
#include "http/audit_pg.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/text.h"
#include "http/audit_backend.h"

/* pg_advisory_xact_lock's key for schema changes (migrations, partitions,
 * retention): "incomsco" in ASCII, so it is recognizable in pg_locks. */
#define SCHEMA_LOCK "7597400393541026671"
/* Months whose partition is known to exist, at most. */
#define KNOWN_MONTHS 16

struct pg_sink {
    char *conninfo;
    char *replica;
    char where[512]; /* the masked conninfo, for messages */
    PGconn *conn;
    int known[KNOWN_MONTHS];
    size_t nknown;
    struct text sql; /* the batch as COPY data, reused batch after batch */
};

/* ---- masking ---------------------------------------------------------- */

/* The password is found by libpq's own parser (PQconninfoParse), not by
 * ours: a URI password may hold '?', '#' or '@', key=value pairs may be
 * separated by tabs or newlines, and any reading of the string but
 * libpq's misses some spelling it accepts. The target is then printed
 * from the parsed options without the password, so no spelling of it is
 * copied from the string at all. */

static bool is_uri(const char *s)
{
    return strncmp(s, "postgres://", 11) == 0 ||
           strncmp(s, "postgresql://", 13) == 0;
}

/* The value of option `key` in libpq's parse, or NULL. */
static const char *option(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val && *o->val ? o->val : NULL;
    return NULL;
}

/* libpq's reason for refusing to parse may quote any piece of the string
 * ("invalid percent-encoded token: \"...\""), and without a parse the
 * password is unknown: everything from the first quote to the last
 * becomes "***". */
static void unquote_reason(char *msg, size_t size)
{
    char *first = strchr(msg, '"');
    if (!first)
        return;
    char *last = strrchr(msg, '"');
    char rest[512];
    snprintf(rest, sizeof rest, "%s", last > first ? last + 1 : "");
    snprintf(first, size - (size_t)(first - msg), "\"***\"%s", rest);
}

static void one_line(char *buf)
{
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(buf);
    while (n && buf[n - 1] == ' ')
        buf[--n] = '\0';
}

void audit_pg_mask(const char *conninfo, char *out, size_t size)
{
    if (!size)
        return;
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", &why);
    if (!opts) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", why ? why : "out of memory");
        PQfreemem(why);
        one_line(reason);
        unquote_reason(reason, sizeof reason);
        snprintf(out, size, "(the connection string, unreadable: %s)",
                 reason);
        return;
    }
    const char *host = option(opts, "host");
    const char *addr = option(opts, "hostaddr");
    const char *port = option(opts, "port");
    const char *user = option(opts, "user");
    const char *db = option(opts, "dbname");
    const char *pw = option(opts, "password");
    if (host && strchr(host, '@')) {
        /* libpq ends the user info at the first '@': the rest of a
         * password holding one would be printed as the host. */
        PQconninfoFree(opts);
        snprintf(out, size, "(the connection string, unreadable: "
                            "percent-encode @ in the password as %%40)");
        return;
    }
    struct text t = {0};
    if (is_uri(conninfo)) {
        text_put(&t, conninfo, (size_t)(strstr(conninfo, "://") + 3 -
                                        conninfo));
        if (user || pw) {
            text_puts(&t, user ? user : "");
            text_puts(&t, pw ? ":***@" : "@");
        }
        text_puts(&t, host ? host : addr ? addr : "");
        if (port) {
            text_puts(&t, ":");
            text_puts(&t, port);
        }
        if (db) {
            text_puts(&t, "/");
            text_puts(&t, db);
        }
    } else {
        const char *keys[] = {"host", "hostaddr", "port", "user", "dbname"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            const char *v = option(opts, keys[i]);
            if (!v)
                continue;
            text_puts(&t, t.len ? " " : "");
            text_puts(&t, keys[i]);
            text_puts(&t, "=");
            text_puts(&t, v);
        }
        if (pw)
            text_puts(&t, t.len ? " password=***" : "password=***");
    }
    PQconninfoFree(opts);
    snprintf(out, size, "%s", t.failed ? "***" : t.p ? t.p : "");
    free(t.p);
}

/* Every occurrence of secret in msg becomes ***. */
static void scrub_spelling(const char *secret, char *msg, size_t size)
{
    size_t k = strlen(secret);
    if (k == 0)
        return;
    struct text t = {0};
    for (const char *p = msg; *p;) {
        if (strncmp(p, secret, k) == 0) {
            text_puts(&t, "***");
            p += k;
        } else {
            text_put(&t, p++, 1);
        }
    }
    snprintf(msg, size, "%s", t.failed ? "***" : t.p ? t.p : "");
    free(t.p);
}

/* libpq may quote a piece of the connection string back in its message:
 * the password, as libpq reads it and percent-encoded (upper and lower
 * case hex, as a URI may spell it), becomes ***, before msg goes
 * anywhere. A string libpq cannot parse has its quoted pieces cut. */
static void scrub(const char *conninfo, char *msg, size_t size)
{
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &why);
    if (!opts) {
        PQfreemem(why);
        unquote_reason(msg, size);
        return;
    }
    /* libpq ends the user info at the first '@', so the rest of a
     * password holding one is read as the host: those pieces too. */
    const char *host = option(opts, "host");
    for (const char *at; host && (at = strchr(host, '@')) != NULL;
         host = at + 1) {
        char piece[256];
        snprintf(piece, sizeof piece, "%.*s", (int)(at - host), host);
        scrub_spelling(piece, msg, size);
    }
    const char *pw = option(opts, "password");
    if (pw) {
        scrub_spelling(pw, msg, size);
        static const char *const hex[] = {"0123456789ABCDEF",
                                          "0123456789abcdef"};
        for (int h = 0; h < 2; h++) {
            struct text enc = {0};
            for (const unsigned char *p = (const unsigned char *)pw; *p;
                 p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
                    text_put(&enc, (const char *)p, 1);
                } else {
                    char e[3] = {'%', hex[h][*p >> 4], hex[h][*p & 15]};
                    text_put(&enc, e, 3);
                }
            }
            if (!enc.failed && enc.p)
                scrub_spelling(enc.p, msg, size);
            free(enc.p);
        }
    }
    PQconninfoFree(opts);
}

/* ---- connection and schema -------------------------------------------- */

/* libpq's message on one line, cut to fit a fault or an errbuf. */
static const char *pg_message(PGconn *conn, char *buf, size_t size)
{
    snprintf(buf, size, "%s", conn ? PQerrorMessage(conn) : "out of memory");
    one_line(buf);
    return buf;
}

/* Gives up on conn: its socket shut down, libpq reads the end and marks
 * it CONNECTION_BAD, so the next step connects again. */
static void abandon(PGconn *conn)
{
    shutdown(PQsocket(conn), SHUT_RDWR);
    PQconsumeInput(conn);
}

/* Waits until conn's socket can be read (or written, with `out`) or the
 * deadline passes: 0, or -1 with why (the connection is then
 * abandoned). */
static int wait_socket(PGconn *conn, bool out, int64_t deadline, char *why,
                       size_t size)
{
    for (;;) {
        int64_t left = deadline - audit_monotonic_ms();
        if (left <= 0) {
            snprintf(why, size, "PostgreSQL did not answer within %d ms",
                     AUDIT_PG_ROUND_TRIP_MS);
            abandon(conn);
            return -1;
        }
        short events = (short)(POLLIN | (out ? POLLOUT : 0));
        struct pollfd p = {PQsocket(conn), events, 0};
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR) {
            snprintf(why, size, "poll: %s", strerror(errno));
            abandon(conn);
            return -1;
        }
    }
}

/* Sends what libpq holds for conn by the deadline: 0, or -1 with why.
 * Input is read meanwhile, as libpq asks, so that a server waiting to
 * send cannot deadlock with us. */
static int flush_by(PGconn *conn, int64_t deadline, char *why, size_t size)
{
    int r;
    while ((r = PQflush(conn)) == 1) {
        if (wait_socket(conn, true, deadline, why, size) < 0)
            return -1;
        if (!PQconsumeInput(conn)) {
            pg_message(conn, why, size);
            return -1;
        }
    }
    if (r < 0)
        pg_message(conn, why, size);
    return r < 0 ? -1 : 0;
}

static bool result_failed(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR ||
           st == PGRES_FATAL_ERROR;
}

/* The command sent on conn to its end, by the deadline, as PQexec
 * returns it: the last result, or the first error, or the COPY state.
 * NULL with why when the deadline passed or the connection failed. */
static PGresult *result_by(PGconn *conn, int64_t deadline, char *why,
                           size_t size)
{
    if (flush_by(conn, deadline, why, size) < 0)
        return NULL;
    PGresult *keep = NULL;
    for (;;) {
        while (PQisBusy(conn)) {
            if (wait_socket(conn, false, deadline, why, size) < 0) {
                PQclear(keep);
                return NULL;
            }
            if (!PQconsumeInput(conn)) {
                pg_message(conn, why, size);
                PQclear(keep);
                return NULL;
            }
        }
        PGresult *res = PQgetResult(conn);
        if (!res)
            break;
        ExecStatusType st = PQresultStatus(res);
        if (keep && result_failed(keep)) {
            PQclear(res);
        } else {
            PQclear(keep);
            keep = res;
        }
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT)
            break; /* the caller's turn: no further result until it ends */
    }
    if (!keep)
        pg_message(conn, why, size);
    return keep;
}

/* PQexec with a deadline of AUDIT_PG_ROUND_TRIP_MS: the result, or NULL
 * with why. */
static PGresult *exec_by(PGconn *conn, const char *sql, char *why,
                         size_t size)
{
    if (!PQsendQuery(conn, sql)) {
        pg_message(conn, why, size);
        return NULL;
    }
    return result_by(conn, audit_monotonic_ms() + AUDIT_PG_ROUND_TRIP_MS,
                     why, size);
}

/* Runs sql (no parameters); 0, or -1 with libpq's reason. */
static int exec_ok(PGconn *conn, const char *sql, char *why, size_t size)
{
    PGresult *res = exec_by(conn, sql, why, size);
    if (!res)
        return -1;
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    if (rc < 0)
        pg_message(conn, why, size);
    PQclear(res);
    return rc;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *pg_connect(const char *conninfo, char *why, size_t size)
{
    /* Earlier keywords are defaults: the connection string (expanded from
     * dbname) overrides them. client_encoding UTF8 is ours to decide: the
     * rows' text is UTF-8 (or made so) whatever the server's default. */
    char timeout[16], options[48];
    snprintf(timeout, sizeof timeout, "%d", AUDIT_PG_CONNECT_TIMEOUT_S);
    /* a lock held by a stalled peer fails our statement, not waits */
    snprintf(options, sizeof options, "-c lock_timeout=%d",
             AUDIT_PG_ROUND_TRIP_MS);
    const char *keys[] = {"connect_timeout", "application_name", "options",
                          "dbname", "client_encoding", NULL};
    const char *vals[] = {timeout, "incomescore", options, conninfo, "UTF8",
                          NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK ||
        PQsetnonblocking(conn, 1) != 0) {
        pg_message(conn, why, size);
        PQfinish(conn);
        return NULL;
    }
    /* Notices (CREATE ... IF NOT EXISTS "already exists, skipping") are
     * not ours to print. */
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

/* The migrations, in order: migration[i] takes the schema from version i
 * to i + 1. A schema only ever gains: old rows stay readable. */
static const char *const migration[AUDIT_PG_SCHEMA_VERSION] = {
    "CREATE TABLE IF NOT EXISTS decisions ("
    " id bigserial NOT NULL,"
    " time_ms bigint NOT NULL,"
    " time timestamptz NOT NULL,"
    " request_id text NOT NULL,"
    " model_version text NOT NULL,"
    " status integer NOT NULL,"
    " inputs text NOT NULL,"
    " outputs text NOT NULL,"
    " api_key text"
    ") PARTITION BY RANGE (time);"
    "CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time)",
    "ALTER TABLE decisions ADD COLUMN IF NOT EXISTS replica text",
};

/* Brings the schema to AUDIT_PG_SCHEMA_VERSION in one transaction under
 * the advisory lock: the replica that gets the lock first migrates, the
 * others then find the version current. */
static int pg_migrate(PGconn *conn, char *why, size_t size)
{
    if (exec_ok(conn, "BEGIN", why, size) < 0)
        return -1;
    int rc = -1;
    PGresult *res = NULL;
    if (exec_ok(conn, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")", why,
                size) < 0 ||
        exec_ok(conn,
                "CREATE TABLE IF NOT EXISTS audit_schema_version"
                " (version integer NOT NULL)",
                why, size) < 0)
        goto out;
    res = exec_by(conn, "SELECT max(version) FROM audit_schema_version",
                  why, size);
    if (!res)
        goto out;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_message(conn, why, size);
        goto out;
    }
    int version = PQgetisnull(res, 0, 0) ? 0 : atoi(PQgetvalue(res, 0, 0));
    if (version > AUDIT_PG_SCHEMA_VERSION) {
        snprintf(why, size,
                 "the audit schema is version %d, newer than this "
                 "program's %d: upgrade incomescore",
                 version, AUDIT_PG_SCHEMA_VERSION);
        goto out;
    }
    for (int v = version; v < AUDIT_PG_SCHEMA_VERSION; v++)
        if (exec_ok(conn, migration[v], why, size) < 0)
            goto out;
    if (version < AUDIT_PG_SCHEMA_VERSION) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "DELETE FROM audit_schema_version;"
                 " INSERT INTO audit_schema_version VALUES (%d)",
                 AUDIT_PG_SCHEMA_VERSION);
        if (exec_ok(conn, sql, why, size) < 0)
            goto out;
    }
    rc = exec_ok(conn, "COMMIT", why, size);
out:
    PQclear(res);
    if (rc < 0) {
        char ignored[8];
        exec_ok(conn, "ROLLBACK", ignored, sizeof ignored);
    }
    return rc;
}

/* Months as one number: year * 12 + (month - 1), UTC. */
static int month_of(int64_t time_ms)
{
    int64_t sec = time_ms / 1000 - (time_ms % 1000 < 0);
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 0;
    return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

static void month_name(int month, char out[32])
{
    snprintf(out, 32, "decisions_y%04dm%02d", month / 12, month % 12 + 1);
}

/* The partition of `month`, made when absent, in its own transaction
 * under the advisory lock: CREATE TABLE ... PARTITION OF locks the
 * parent, which must not be held across a batch's COPY. */
static int pg_ensure_month(PGconn *conn, int month, char *why, size_t size)
{
    char name[32], sql[512];
    month_name(month, name);
    int next = month + 1;
    snprintf(sql, sizeof sql,
             "BEGIN; SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ");"
             " CREATE TABLE IF NOT EXISTS %s PARTITION OF decisions"
             " FOR VALUES FROM ('%04d-%02d-01 00:00:00+00')"
             " TO ('%04d-%02d-01 00:00:00+00'); COMMIT",
             name, month / 12, month % 12 + 1, next / 12, next % 12 + 1);
    if (exec_ok(conn, sql, why, size) == 0)
        return 0;
    char ignored[8];
    exec_ok(conn, "ROLLBACK", ignored, sizeof ignored);
    return -1;
}

static bool month_known(const struct pg_sink *s, int month)
{
    for (size_t i = 0; i < s->nknown; i++)
        if (s->known[i] == month)
            return true;
    return false;
}

static int sink_ensure_month(struct pg_sink *s, int month, char *why,
                             size_t size)
{
    if (month_known(s, month))
        return 0;
    if (pg_ensure_month(s->conn, month, why, size) < 0)
        return -1;
    if (s->nknown == KNOWN_MONTHS)
        s->nknown = 0; /* forgetting only costs a CREATE ... IF NOT EXISTS */
    s->known[s->nknown++] = month;
    return 0;
}

/* A connection with the schema current and this month's and the next
 * month's partitions made. */
static int sink_connect(struct pg_sink *s, char *why, size_t size)
{
    PQfinish(s->conn);
    s->nknown = 0;
    s->conn = pg_connect(s->conninfo, why, size);
    if (!s->conn)
        return -1;
    int now = month_of((int64_t)time(NULL) * 1000);
    if (pg_migrate(s->conn, why, size) < 0 ||
        sink_ensure_month(s, now, why, size) < 0 ||
        sink_ensure_month(s, now + 1, why, size) < 0) {
        PQfinish(s->conn);
        s->conn = NULL;
        return -1;
    }
    return 0;
}

/* ---- the backend ------------------------------------------------------ */

static void sink_free(struct pg_sink *s)
{
    PQfinish(s->conn);
    free(s->conninfo);
    free(s->replica);
    free(s->sql.p);
    free(s);
}

static int pg_open(void **state, const char *conninfo, const char *replica,
                   struct errbuf *err)
{
    struct pg_sink *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, "audit: out of memory");
    audit_pg_mask(conninfo, s->where, sizeof s->where);
    s->conninfo = strdup(conninfo);
    s->replica = strdup(replica);
    if (!s->conninfo || !s->replica) {
        sink_free(s);
        return err_set(err, "audit: out of memory");
    }
    char why[512];
    if (sink_connect(s, why, sizeof why) < 0) {
        scrub(conninfo, why, sizeof why);
        err_set(err, "audit: %s: cannot open the PostgreSQL audit log: %s",
                s->where, why);
        sink_free(s);
        return -1;
    }
    *state = s;
    return 0;
}

/* s's text in COPY's text format: backslash, tab, newline and carriage
 * return escaped (the only bytes it gives a meaning); text that is not
 * UTF-8 with each byte outside ASCII as '?', since the column is text in
 * a UTF-8 connection. */
static void copy_field(struct text *t, const char *s, size_t len)
{
    bool valid = utf8_valid(s, len);
    text_reserve(t, len + 16);
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '\\'  ? "\\\\"
                          : c == '\t' ? "\\t"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : !valid && c >= 0x80 ? "?"
                                                : NULL;
        if (!esc)
            continue;
        text_put(t, s + from, i - from);
        text_puts(t, esc);
        from = i + 1;
    }
    text_put(t, s + from, len - from);
}

/* Every row in one COPY (one statement, so one transaction: all rows or
 * none). 0 when committed; -1 with libpq's reason. */
static int copy_batch(struct pg_sink *s, const struct audit_row *rows,
                      size_t n, char *why, size_t size)
{
    /* The partitions first, each in its own short transaction. */
    int last = -1;
    for (size_t i = 0; i < n; i++) {
        int m = month_of(rows[i].time_ms);
        if (m != last && sink_ensure_month(s, m, why, size) < 0)
            return -1;
        last = m;
    }
    struct text *t = &s->sql;
    t->len = 0;
    t->failed = false;
    for (size_t i = 0; i < n; i++) {
        const struct audit_row *r = &rows[i];
        text_printf(t, "%lld\t%s\t", (long long)r->time_ms, r->time);
        copy_field(t, r->text[AUDIT_F_ID], r->len[AUDIT_F_ID]);
        text_puts(t, "\t");
        copy_field(t, r->text[AUDIT_F_VERSION], r->len[AUDIT_F_VERSION]);
        text_printf(t, "\t%d\t", r->status);
        copy_field(t, r->text[AUDIT_F_INPUTS], r->len[AUDIT_F_INPUTS]);
        text_puts(t, "\t");
        copy_field(t, r->text[AUDIT_F_OUTPUTS], r->len[AUDIT_F_OUTPUTS]);
        text_puts(t, "\t");
        if (r->len[AUDIT_F_KEY])
            copy_field(t, r->text[AUDIT_F_KEY], r->len[AUDIT_F_KEY]);
        else
            text_puts(t, "\\N"); /* no key: SQL NULL */
        text_puts(t, "\t");
        copy_field(t, s->replica, strlen(s->replica));
        text_puts(t, "\n");
    }
    if (t->failed) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    if (!PQsendQuery(s->conn, "COPY decisions (time_ms, time, request_id,"
                              " model_version, status, inputs, outputs,"
                              " api_key, replica) FROM STDIN")) {
        pg_message(s->conn, why, size);
        return -1;
    }
    /* One deadline for the whole round trip: COPY, data, commit. */
    int64_t deadline = audit_monotonic_ms() + AUDIT_PG_ROUND_TRIP_MS;
    PGresult *res = result_by(s->conn, deadline, why, size);
    if (!res)
        return -1;
    bool copying = PQresultStatus(res) == PGRES_COPY_IN;
    PQclear(res);
    if (!copying) {
        pg_message(s->conn, why, size);
        return -1;
    }
    /* Non-blocking: 0 means libpq's buffer is full until the socket
     * takes some. A failed send still ends the COPY, with an error: the
     * server then rolls back whatever it received. */
    int put;
    while ((put = PQputCopyData(s->conn, t->p, (int)t->len)) == 0)
        if (wait_socket(s->conn, true, deadline, why, size) < 0 ||
            flush_by(s->conn, deadline, why, size) < 0)
            return -1;
    bool sent = put == 1;
    if (!sent)
        pg_message(s->conn, why, size);
    while ((put = PQputCopyEnd(s->conn, sent ? NULL
                                             : "the batch could not be "
                                               "sent")) == 0)
        if (wait_socket(s->conn, true, deadline, why, size) < 0)
            return -1;
    if (put < 0) {
        if (sent)
            pg_message(s->conn, why, size);
        return -1;
    }
    res = result_by(s->conn, deadline, why, size);
    if (!res)
        return -1;
    int rc = sent ? 0 : -1;
    if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
        pg_message(s->conn, why, size);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* A batch to write (rows, n), or none: a check's round trip. */
struct pg_step {
    const struct audit_row *rows;
    size_t n;
};

static int ping(struct pg_sink *s, char *why, size_t size)
{
    /* a round trip: only a read finds a connection the server closed
     * while it was idle */
    PGresult *res = exec_by(s->conn, "SELECT 1", why, size);
    if (!res)
        return -1;
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
    PQclear(res);
    if (rc < 0)
        pg_message(s->conn, why, size);
    return rc;
}

/* The step on a live connection. When it fails on a connection libpq
 * says is gone, the sink connects again at once and tries once more; a
 * live connection that refused it is a real error, for the backoff. */
static int run_step(struct pg_sink *s, const struct pg_step *step,
                    struct audit_fault *fault)
{
    char why[512];
    for (int attempt = 0; attempt < 2; attempt++) {
        int64_t began = audit_monotonic_ms();
        if ((!s->conn || PQstatus(s->conn) != CONNECTION_OK) &&
            sink_connect(s, why, sizeof why) < 0) {
            scrub(s->conninfo, why, sizeof why);
            audit_fault_set(fault, "cannot connect to PostgreSQL", why);
            return -1;
        }
        if ((step->rows ? copy_batch(s, step->rows, step->n, why, sizeof why)
                        : ping(s, why, sizeof why)) == 0)
            return 0;
        s->nknown = 0;
        /* A step that spent its deadline is a server that does not
         * answer, not a restart: no second try now, the backoff's. */
        if (PQstatus(s->conn) == CONNECTION_OK ||
            audit_monotonic_ms() - began >= AUDIT_PG_ROUND_TRIP_MS)
            break;
    }
    scrub(s->conninfo, why, sizeof why);
    audit_fault_set(fault, "cannot write decisions to PostgreSQL", why);
    return -1;
}

static int pg_write(void *state, const struct audit_row *rows, size_t n,
                    struct audit_fault *fault)
{
    struct pg_step step = {rows, n};
    return run_step(state, &step, fault);
}

static int pg_check(void *state, struct audit_fault *fault)
{
    struct pg_step none = {NULL, 0};
    return run_step(state, &none, fault);
}

static void pg_close(void *state)
{
    if (state)
        sink_free(state);
}

const struct audit_backend audit_backend_postgres = {
    "postgres", pg_open, pg_write, pg_check, pg_close,
};

/* ---- retention -------------------------------------------------------- */

int audit_pg_retain(const char *conninfo, int months, int64_t now_ms,
                    FILE *out, long *dropped, long *kept,
                    struct errbuf *err)
{
    *dropped = *kept = 0;
    char where[512], why[512];
    audit_pg_mask(conninfo, where, sizeof where);
    if (months < 1)
        return err_set(err, "retention keeps 1 month or more, not %d",
                       months);
    PGconn *conn = pg_connect(conninfo, why, sizeof why);
    if (!conn) {
        scrub(conninfo, why, sizeof why);
        return err_set(err, "%s: cannot connect: %s", where, why);
    }
    /* Our partitions only, by their names: a partition someone attached
     * by hand under another name is theirs to drop. */
    PGresult *res = PQexec(
        conn, "SELECT c.relname FROM pg_inherits i"
              " JOIN pg_class c ON c.oid = i.inhrelid"
              " WHERE i.inhparent = 'decisions'::regclass"
              " ORDER BY c.relname");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_message(conn, why, sizeof why);
        scrub(conninfo, why, sizeof why);
        err_set(err, "%s: cannot list the partitions: %s", where, why);
        PQclear(res);
        PQfinish(conn);
        return -1;
    }
    int cut = month_of(now_ms) - months;
    int rc = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *name = PQgetvalue(res, i, 0);
        int y, m;
        char tail;
        if (sscanf(name, "decisions_y%4dm%2d%c", &y, &m, &tail) != 2 ||
            m < 1 || m > 12 || y * 12 + m - 1 >= cut) {
            ++*kept;
            continue;
        }
        char sql[256];
        snprintf(sql, sizeof sql,
                 "BEGIN; SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ");"
                 " DROP TABLE IF EXISTS %s; COMMIT",
                 name);
        if (exec_ok(conn, sql, why, sizeof why) < 0) {
            scrub(conninfo, why, sizeof why);
            rc = err_set(err, "%s: cannot drop %s: %s", where, name,
                         why);
            break;
        }
        ++*dropped;
        fprintf(out, "%s\n", name);
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}
