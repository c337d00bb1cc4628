/*
 * audit_query.c — finding decisions in the audit log and pruning it
 * (contract in audit_query.h).
 */
#include "http/audit_query.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dates.h"
#include "http/audit.h"

/* How long a statement waits for the server's writer before failing. */
#define BUSY_TIMEOUT_MS 10000

/* One row as JSON, built by SQLite itself, so the quoting of every
 * column is SQLite's JSON1 and not a second encoder here. */
static const char ROW_JSON[] =
    "SELECT json_object('id', id, 'time_ms', time_ms, 'time', time,"
    " 'request_id', request_id, 'model_version', model_version,"
    " 'status', status,"
    " 'inputs', CASE WHEN json_valid(inputs) THEN json(inputs)"
    "           ELSE inputs END,"
    " 'outputs', CASE WHEN json_valid(outputs) THEN json(outputs)"
    "            ELSE outputs END,"
    " 'api_key', api_key) FROM decisions";

/* A batch item's id is "<id>/<n>": a prefix test, not GLOB, so a
 * client's id with '*' or '[' in it matches only itself. */
static const char ID_MATCH[] =
    "(?1 IS NULL OR request_id = ?1"
    " OR substr(request_id, 1, length(?1) + 1) = ?1 || '/')";

int audit_time_parse(const char *s, int64_t *ms, struct errbuf *err)
{
    size_t n = strlen(s);
    if (n > 0 && n <= 15 && strspn(s, "0123456789") == n) {
        *ms = strtoll(s, NULL, 10);
        return 0;
    }
    if (timestamp_parse(s, ms) == 0)
        return 0;
    return err_set(err, "'%s' is not a time: give milliseconds since 1970 "
                        "or an ISO date or date-time (2026-11-26, "
                        "2026-11-26T10:00:00Z)", s);
}

int audit_id_time(const char *id, int64_t *ms)
{
    if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
        return -1;
    char head[12];
    memcpy(head, id, 11);
    head[11] = '\0';
    *ms = strtoll(head, NULL, 16);
    return 0;
}

/* Opens an existing database; never creates one. */
static int db_open(const char *path, int flags, sqlite3 **db,
                   struct errbuf *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_set(err, "%s: not a regular file", path);
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
        err_set(err, "%s: %s", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        return -1;
    }
    sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
    return 0;
}

static int db_fail(sqlite3 *db, const char *path, struct errbuf *err)
{
    return err_set(err, "%s: %s", path, sqlite3_errmsg(db));
}

/* Runs one find statement: rows where `where` holds. */
static int find_rows(sqlite3 *db, const char *path, const char *where,
                     const struct audit_query *q, bool by_id_time,
                     int64_t id_ms, FILE *out, long *found,
                     struct errbuf *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE %s AND %s ORDER BY time_ms, id",
             ROW_JSON, ID_MATCH, where);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, err);
    if (q->id)
        sqlite3_bind_text(st, 1, q->id, -1, SQLITE_STATIC);
    if (by_id_time) {
        sqlite3_bind_int64(st, 2, id_ms);
    } else {
        if (q->has_since)
            sqlite3_bind_int64(st, 2, q->since_ms);
        if (q->has_until)
            sqlite3_bind_int64(st, 3, q->until_ms);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
        (*found)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, path, err);
    return 0;
}

int audit_find(const char *path, const struct audit_query *q, FILE *out,
               long *found, struct errbuf *err)
{
    *found = 0;
    sqlite3 *db;
    if (db_open(path, SQLITE_OPEN_READONLY, &db, err) < 0)
        return -1;
    int rc = 0;
    int64_t id_ms;
    bool window = q->has_since || q->has_until;
    if (q->id && !window && audit_id_time(q->id, &id_ms) == 0) {
        rc = find_rows(db, path, "time_ms = ?2", q, true, id_ms, out, found,
                       err);
        if (rc == 0 && *found == 0) /* a client's id of our shape */
            rc = find_rows(db, path, "1", q, false, 0, out, found, err);
    } else {
        /* the bounds written only when given: "(?2 IS NULL OR time_ms
         * >= ?2)" would keep SQLite from using the time index */
        const char *where = q->has_since && q->has_until
                                ? "time_ms >= ?2 AND time_ms < ?3"
                            : q->has_since ? "time_ms >= ?2"
                            : q->has_until ? "time_ms < ?3"
                                           : "1";
        rc = find_rows(db, path, where, q, false, 0, out, found, err);
    }
    sqlite3_close(db);
    return rc;
}

/* ---- pruning ---------------------------------------------------------- */

static int exec(sqlite3 *db, const char *path, const char *sql,
                struct errbuf *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(err, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* A new, empty archive at tmp with the log's schema. */
static int archive_create(const char *tmp, struct errbuf *err)
{
    sqlite3 *db;
    if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        err_set(err, "%s: %s", tmp, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    int rc = exec(db, tmp, audit_schema, err);
    sqlite3_close(db);
    return rc;
}

/* Copies the rows before cut_ms with id <= *last (the largest id when
 * the copy began, filled here) into the archive being made at tmp. One
 * read transaction: the copy is one consistent snapshot, and a reader
 * does not block the server's writer under WAL. */
static int archive_copy(sqlite3 *db, const char *path, const char *tmp,
                        int64_t cut_ms, int64_t *last, long *copied,
                        struct errbuf *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "ATTACH ?1 AS archive", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(db, path, err);
    sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return db_fail(db, tmp, err);
    if (exec(db, path, "PRAGMA archive.synchronous=FULL; BEGIN", err) < 0)
        goto detach;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM decisions",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        db_fail(db, path, err);
        goto rollback;
    }
    *last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO archive.decisions (id, time_ms, time, request_id,"
            " model_version, status, inputs, outputs, api_key)"
            " SELECT id, time_ms, time, request_id, model_version, status,"
            " inputs, outputs, api_key FROM main.decisions"
            " WHERE time_ms < ?1 AND id <= ?2",
            -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, path, err);
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, cut_ms);
    sqlite3_bind_int64(st, 2, *last);
    if (sqlite3_step(st) != SQLITE_DONE) {
        db_fail(db, tmp, err);
        goto rollback;
    }
    *copied = sqlite3_changes(db);
    sqlite3_finalize(st);
    st = NULL;
    rc = exec(db, tmp, "COMMIT", err);
    if (rc == 0)
        goto detach;
rollback:
    sqlite3_finalize(st);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rc = -1;
detach:
    sqlite3_exec(db, "DETACH archive", NULL, NULL, NULL);
    return rc;
}

/* Makes tmp the archive: linked under its name only if that name is
 * free (link fails on an existing file, as rename would not), then the
 * directory entry made durable. */
static int archive_publish(const char *tmp, const char *archive,
                           struct errbuf *err)
{
    if (link(tmp, archive) < 0)
        return err_set(err, "%s: %s", archive, strerror(errno));
    unlink(tmp);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", archive);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return 0;
}

/* Deletes the rows before cut_ms with id <= last, AUDIT_PRUNE_BATCH a
 * transaction. */
static int delete_batches(sqlite3 *db, const char *path, int64_t cut_ms,
                          int64_t last, long *deleted, struct errbuf *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "DELETE FROM decisions WHERE id IN (SELECT id FROM decisions"
            " WHERE time_ms < ?1 AND id <= ?2 ORDER BY time_ms LIMIT ?3)",
            -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, err);
    sqlite3_bind_int64(st, 1, cut_ms);
    sqlite3_bind_int64(st, 2, last);
    sqlite3_bind_int(st, 3, AUDIT_PRUNE_BATCH);
    for (;;) {
        if (sqlite3_step(st) != SQLITE_DONE) {
            db_fail(db, path, err);
            sqlite3_finalize(st);
            return -1;
        }
        int n = sqlite3_changes(db);
        *deleted += n;
        sqlite3_reset(st);
        if (n < AUDIT_PRUNE_BATCH)
            break;
    }
    sqlite3_finalize(st);
    return 0;
}

int audit_prune(const char *path, int64_t cut_ms, const char *archive,
                struct audit_prune_result *res, struct errbuf *err)
{
    res->archived = res->deleted = 0;
    if (archive && access(archive, F_OK) == 0)
        return err_set(err, "%s: exists; an archive is never overwritten",
                       archive);
    sqlite3 *db;
    if (db_open(path, SQLITE_OPEN_READWRITE, &db, err) < 0)
        return -1;
    int64_t last = INT64_MAX;
    int rc = 0;
    if (archive) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", archive, (long)getpid());
        unlink(tmp); /* a leftover of this pid's predecessor */
        rc = archive_create(tmp, err);
        if (rc == 0)
            rc = archive_copy(db, path, tmp, cut_ms, &last, &res->archived,
                              err);
        if (rc == 0)
            rc = archive_publish(tmp, archive, err);
        if (rc < 0)
            unlink(tmp);
    }
    if (rc == 0)
        rc = delete_batches(db, path, cut_ms, last, &res->deleted, err);
    sqlite3_close(db);
    return rc;
}
