/*
 * audit_pg.c — the PostgreSQL sink behind audit_backend.h, and retention
 * by monthly partitions (audit_pg.h says what is stored and why).
 *
 * One connection, used only by audit.c's writer thread. A batch is one
 * multi-row INSERT with parameters — its own transaction, one round trip.
 * COPY FROM STDIN was measured against it on this machine (PostgreSQL
 * 15, 512-row batches of ~700-byte rows, both through libpq): COPY is
 * faster per row for big loads, but it needs a round trip to enter COPY
 * mode, one to end it, and our own text escaping, and the batches here
 * are whatever waited during the last commit (mostly tens of rows under
 * load), where the commit's WAL flush dominates either way. The
 * parameters need no escaping at all, so a client's text can never
 * break out of its column.
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
 */
#include "http/audit_pg.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text.h"
#include "http/audit_backend.h"

/* pg_advisory_xact_lock's key for schema changes (migrations, partitions,
 * retention): "incomsco" in ASCII, so it is recognizable in pg_locks. */
#define SCHEMA_LOCK "7597400393541026671"
/* Months whose partition is known to exist, at most. */
#define KNOWN_MONTHS 16
/* Parameters of one row of the INSERT; the replica is one more, shared. */
#define ROW_PARAMS 8

struct pg_sink {
    char *conninfo;
    char *replica;
    char where[512]; /* the masked conninfo, for messages */
    PGconn *conn;
    int known[KNOWN_MONTHS];
    size_t nknown;
    /* The INSERT's text, parameters and the sanitized copies of
     * non-UTF-8 text, reused batch after batch. */
    struct text sql;
    const char **values;
    size_t values_cap;
    char *scratch;
    size_t scratch_cap;
};

/* ---- masking ---------------------------------------------------------- */

/* Replaces [from, to) of out (already a copy of the input) by "***". */
static void mask_span(char *out, size_t size, size_t from, size_t to)
{
    size_t len = strlen(out);
    if (to > len || from > to)
        return;
    char tail[1024];
    snprintf(tail, sizeof tail, "%s", out + to);
    snprintf(out + from, size - from, "***%s", tail);
}

void audit_pg_mask(const char *conninfo, char *out, size_t size)
{
    if (!size)
        return;
    snprintf(out, size, "%s", conninfo ? conninfo : "");
    /* postgres[ql]://user:PASSWORD@host...: the user info ends at the
     * last '@' before the path, query or fragment. */
    char *scheme = strstr(out, "://");
    if (scheme && (strncmp(out, "postgres://", 11) == 0 ||
                   strncmp(out, "postgresql://", 13) == 0)) {
        char *auth = scheme + 3;
        size_t end = strcspn(auth, "/?#");
        char *at = NULL;
        for (size_t i = 0; i < end; i++)
            if (auth[i] == '@')
                at = auth + i;
        char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon)
            mask_span(out, size, (size_t)(colon + 1 - out),
                      (size_t)(at - out));
    }
    /* password=VALUE, in a URI's query (ends at & or #) or key=value form
     * (ends at a space; quoted values may hold spaces and \'). */
    for (char *p = out; (p = strstr(p, "password")) != NULL;) {
        char *q = p + 8;
        while (*q == ' ')
            q++;
        if (*q != '=' || (p > out && p[-1] != ' ' && p[-1] != '?' &&
                          p[-1] != '&')) {
            p = q;
            continue;
        }
        q++;
        while (*q == ' ')
            q++;
        char *v = q;
        if (*q == '\'') {
            for (q++; *q && *q != '\''; q++)
                if (*q == '\\' && q[1])
                    q++;
            if (*q)
                q++;
        } else {
            while (*q && *q != ' ' && *q != '&' && *q != '#')
                q++;
        }
        size_t from = (size_t)(v - out);
        mask_span(out, size, from, (size_t)(q - out));
        p = out + from + 3;
    }
}

/* ---- connection and schema -------------------------------------------- */

/* libpq's message on one line, cut to fit a fault or an errbuf. */
static const char *pg_message(PGconn *conn, char *buf, size_t size)
{
    snprintf(buf, size, "%s", conn ? PQerrorMessage(conn) : "out of memory");
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(buf);
    while (n && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return buf;
}

/* Runs sql (no parameters); 0, or -1 with libpq's reason. */
static int exec_ok(PGconn *conn, const char *sql, char *why, size_t size)
{
    PGresult *res = PQexec(conn, sql);
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
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", AUDIT_PG_CONNECT_TIMEOUT_S);
    const char *keys[] = {"connect_timeout", "application_name", "dbname",
                          "client_encoding", NULL};
    const char *vals[] = {timeout, "incomescore", conninfo, "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
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
    res = PQexec(conn, "SELECT max(version) FROM audit_schema_version");
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
 * parent, which must not be held across a batch's INSERT. */
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
    free(s->values);
    free(s->scratch);
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
        err_set(err, "audit: %s: cannot open the PostgreSQL audit log: %s",
                s->where, why);
        sink_free(s);
        return -1;
    }
    *state = s;
    return 0;
}

/* Room for the batch's parameters, its numbers as text and the UTF-8
 * copies of its text. */
static int sink_reserve(struct pg_sink *s, const struct audit_row *rows,
                        size_t n)
{
    size_t params = 1 + n * ROW_PARAMS;
    if (params > s->values_cap) {
        const char **v = realloc(s->values, params * sizeof *v);
        if (!v)
            return -1;
        s->values = v;
        s->values_cap = params;
    }
    /* the worst case: every text field copied, each with a terminator,
     * and two numbers of at most 21 characters */
    size_t need = 1;
    for (size_t i = 0; i < n; i++) {
        need += 2 * 24;
        for (int f = 0; f < AUDIT_FIELDS; f++)
            need += rows[i].len[f] + 1u;
    }
    if (need > s->scratch_cap) {
        char *p = realloc(s->scratch, need);
        if (!p)
            return -1;
        s->scratch = p;
        s->scratch_cap = need;
    }
    return 0;
}

/* One INSERT of every row. 0 when committed; -1 with libpq's reason. */
static int insert_batch(struct pg_sink *s, const struct audit_row *rows,
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
    s->sql.len = 0;
    s->sql.failed = false;
    text_puts(&s->sql, "INSERT INTO decisions (time_ms, time, request_id,"
                         " model_version, status, inputs, outputs, api_key,"
                         " replica) VALUES ");
    char *scratch = s->scratch;
    s->values[0] = s->replica;
    /* numbers as text, kept in the scratch area too */
    for (size_t i = 0; i < n; i++) {
        const struct audit_row *r = &rows[i];
        const char **v = &s->values[1 + i * ROW_PARAMS];
        size_t p = 2 + i * ROW_PARAMS;
        text_printf(&s->sql,
                    "%s($%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $1)",
                    i ? ", " : "", p, p + 1, p + 2, p + 3, p + 4, p + 5,
                    p + 6, p + 7);
        v[0] = scratch;
        scratch += snprintf(scratch, 24, "%lld", (long long)r->time_ms) + 1;
        v[1] = r->time;
        v[4] = scratch;
        scratch += snprintf(scratch, 24, "%d", r->status) + 1;
        static const int slot[AUDIT_FIELDS] = {
            [AUDIT_F_ID] = 2, [AUDIT_F_VERSION] = 3, [AUDIT_F_INPUTS] = 5,
            [AUDIT_F_OUTPUTS] = 6, [AUDIT_F_KEY] = 7};
        for (int f = 0; f < AUDIT_FIELDS; f++) {
            const char *t = r->text[f];
            size_t len = r->len[f];
            if (f == AUDIT_F_KEY && len == 0) {
                v[slot[f]] = NULL; /* no key: SQL NULL */
                continue;
            }
            if (!utf8_valid(t, len)) {
                for (size_t k = 0; k < len; k++)
                    scratch[k] = (unsigned char)t[k] < 0x80 ? t[k] : '?';
                scratch[len] = '\0';
                t = scratch;
                scratch += len + 1;
            }
            v[slot[f]] = t;
        }
    }
    if (s->sql.failed) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    PGresult *res =
        PQexecParams(s->conn, s->sql.p, (int)(1 + n * ROW_PARAMS),
                     NULL, s->values, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc < 0)
        pg_message(s->conn, why, size);
    PQclear(res);
    return rc;
}

static int pg_write(void *state, const struct audit_row *rows, size_t n,
                    struct audit_fault *fault)
{
    struct pg_sink *s = state;
    char why[512];
    if (sink_reserve(s, rows, n) < 0) {
        audit_fault_set(fault, "cannot write decisions", "out of memory");
        return -1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((!s->conn || PQstatus(s->conn) != CONNECTION_OK) &&
            sink_connect(s, why, sizeof why) < 0) {
            audit_fault_set(fault, "cannot connect to PostgreSQL", why);
            return -1;
        }
        if (insert_batch(s, rows, n, why, sizeof why) == 0)
            return 0;
        s->nknown = 0;
        /* A live connection that refused the batch: a real error, for
         * the backoff. A dead one: connect again now, once. */
        if (PQstatus(s->conn) == CONNECTION_OK)
            break;
    }
    audit_fault_set(fault, "cannot write decisions to PostgreSQL", why);
    return -1;
}

static void pg_close(void *state)
{
    if (state)
        sink_free(state);
}

const struct audit_backend audit_backend_postgres = {
    "postgres", pg_open, pg_write, pg_close,
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
    if (!conn)
        return err_set(err, "%s: cannot connect: %s", where, why);
    /* Our partitions only, by their names: a partition someone attached
     * by hand under another name is theirs to drop. */
    PGresult *res = PQexec(
        conn, "SELECT c.relname FROM pg_inherits i"
              " JOIN pg_class c ON c.oid = i.inhrelid"
              " WHERE i.inhparent = 'decisions'::regclass"
              " ORDER BY c.relname");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        err_set(err, "%s: cannot list the partitions: %s", where,
                pg_message(conn, why, sizeof why));
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
