/*
 * docsource.c — JSON-lines files through libbson's JSON parser, and MongoDB
 * through libmongoc (see docsource.h).
 */
#include "etl/docsource.h"

#include <errno.h>
#include <mongoc/mongoc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (1 << 20)
#define SOURCE_FAILED (-2)
/* libmongoc's serverSelectionTimeoutMS when the URI sets none (its
 * header does not export the constant). */
#define DRIVER_SELECTION_TIMEOUT_MS 30000

struct doc_source {
    /* file */
    FILE *fp;
    bool owns_fp;
    char *chunk;             /* raw bytes read from fp */
    size_t chunk_len, chunk_pos;
    char *line;              /* the current line, assembled across chunks */
    size_t line_len, line_cap;
    long line_no;
    long blank_lines;
    bool eof;
    /* mongo */
    mongoc_client_t *client;
    mongoc_collection_t *collection;
    mongoc_cursor_t *cursor;
    long position;
    bool cursor_done;        /* the driver refuses a call past the end */
    char user[128];          /* from the URI, to name in an auth failure */
    char auth_source[128];
    int32_t connect_ms, selection_ms;
};

static bool is_mongo_uri(const char *s)
{
    return strncmp(s, "mongodb://", 10) == 0 ||
           strncmp(s, "mongodb+srv://", 14) == 0;
}

const char *doc_source_safe_name(const char *location)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s", location);
    if (!is_mongo_uri(buf))
        return buf;
    char *scheme_end = strstr(buf, "://") + 3;
    /* The user info ends at the last '@' before the host's path or query:
     * a password with an unescaped '@' is masked whole, not up to the
     * first '@' (open_mongo refuses such a URI). */
    char *at = strchr(scheme_end, '@');
    if (at)
        for (char *p = at; *p && *p != '/' && *p != '?'; p++)
            if (*p == '@')
                at = p;
    char *colon = strchr(scheme_end, ':');
    if (at && colon && colon < at) {
        char rest[1024];
        snprintf(rest, sizeof rest, "%s", at);
        snprintf(colon, sizeof buf - (size_t)(colon - buf), ":***%s", rest);
    }
    return buf;
}

static bool mongo_initialized;

static int open_mongo(struct doc_source *s, const char *uri,
                      const struct mongo_options *mo, struct errbuf *err)
{
    if (!mongo_initialized) {
        mongoc_init();
        /* The driver's own log lines would repeat, out of context, the
         * errors we return with their context. */
        mongoc_log_set_handler(NULL, NULL);
        mongo_initialized = true;
    }
    /* The driver ends the user info at the first '@' and would quote the
     * rest of such a password back as a host name. */
    const char *first_at = strchr(strstr(uri, "://") + 3, '@');
    if (first_at && first_at[strcspn(first_at + 1, "@/?") + 1] == '@')
        return err_set(err, "%s: an '@' in the user info: percent-encode @ "
                            "in the password as %%40",
                       doc_source_safe_name(uri));
    bson_error_t berr;
    mongoc_uri_t *u = mongoc_uri_new_with_error(uri, &berr);
    if (!u)
        return err_set(err, "%s: %s", doc_source_safe_name(uri), berr.message);
    const char *user = mongoc_uri_get_username(u);
    snprintf(s->user, sizeof s->user, "%s", user ? user : "");
    const char *auth_db = mongoc_uri_get_auth_source(u);
    snprintf(s->auth_source, sizeof s->auth_source, "%s",
             auth_db ? auth_db : "admin");
    s->connect_ms = mongoc_uri_get_option_as_int32(
        u, MONGOC_URI_CONNECTTIMEOUTMS, MONGOC_DEFAULT_CONNECTTIMEOUTMS);
    s->selection_ms = mongoc_uri_get_option_as_int32(
        u, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
        DRIVER_SELECTION_TIMEOUT_MS);
    /* _with_error: a mongodb+srv:// URI fails here (the SRV lookup), and
     * the driver's reason is what the operator needs */
    s->client = mongoc_client_new_from_uri_with_error(u, &berr);
    mongoc_uri_destroy(u);
    if (!s->client)
        return err_set(err, "%s: cannot create a client: %s",
                       doc_source_safe_name(uri), berr.message);
    mongoc_client_set_appname(s->client, "incomescore-etl");
    /* version 2 puts a server's own error (with its code) in
     * MONGOC_ERROR_SERVER, apart from the driver's and the network's */
    mongoc_client_set_error_api(s->client, MONGOC_ERROR_API_VERSION_2);
    const char *db = mo && mo->database ? mo->database : DOC_DEFAULT_DATABASE;
    const char *coll = mo && mo->collection ? mo->collection
                                            : DOC_DEFAULT_COLLECTION;
    s->collection = mongoc_client_get_collection(s->client, db, coll);
    bson_t *filter;
    if (mo && mo->query) {
        filter = bson_new_from_json((const uint8_t *)mo->query, -1, &berr);
        if (!filter)
            return err_set(err, "--query: %s", berr.message);
    } else {
        filter = bson_new();
    }
    s->cursor = mongoc_collection_find_with_opts(s->collection, filter, NULL,
                                                 NULL);
    bson_destroy(filter);
    return 0;
}

int doc_source_open(struct doc_source **out, const char *location,
                    const struct mongo_options *mongo, struct errbuf *err)
{
    *out = NULL;
    struct doc_source *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, "out of memory");
    if (is_mongo_uri(location)) {
        if (open_mongo(s, location, mongo, err) < 0) {
            doc_source_close(s);
            return -1;
        }
        *out = s;
        return 0;
    }
    if (strcmp(location, "-") == 0) {
        s->fp = stdin;
    } else {
        s->fp = fopen(location, "rb");
        s->owns_fp = true;
        if (!s->fp) {
            err_set(err, "%s: %s", location, strerror(errno));
            free(s);
            return -1;
        }
    }
    s->chunk = malloc(READ_CHUNK);
    if (!s->chunk) {
        doc_source_close(s);
        return err_set(err, "out of memory");
    }
    *out = s;
    return 0;
}

void doc_source_close(struct doc_source *s)
{
    if (!s)
        return;
    if (s->cursor)
        mongoc_cursor_destroy(s->cursor);
    if (s->collection)
        mongoc_collection_destroy(s->collection);
    if (s->client)
        mongoc_client_destroy(s->client);
    if (s->owns_fp && s->fp)
        fclose(s->fp);
    free(s->chunk);
    free(s->line);
    free(s);
}

bool doc_source_is_file(const struct doc_source *s)
{
    return s->fp != NULL;
}

long doc_source_blank_lines(const struct doc_source *s)
{
    return s->blank_lines;
}

/* Appends bytes to the current line unless it is already over the limit
 * (then they are counted but dropped). */
static int line_append(struct doc_source *s, const char *p, size_t n)
{
    if (s->line_len > DOC_MAX_BYTES) {
        return 0;
    }
    if (s->line_len + n > DOC_MAX_BYTES) {
        s->line_len = DOC_MAX_BYTES + 1; /* mark: too large */
        return 0;
    }
    if (s->line_len + n + 1 > s->line_cap) {
        size_t cap = s->line_cap ? s->line_cap : 4096;
        while (cap < s->line_len + n + 1)
            cap *= 2;
        char *l = realloc(s->line, cap);
        if (!l)
            return -1;
        s->line = l;
        s->line_cap = cap;
    }
    memcpy(s->line + s->line_len, p, n);
    s->line_len += n;
    return 0;
}

/* The next physical line into s->line; 1, or 0 at the end, -2 on error. */
static int read_line(struct doc_source *s, struct errbuf *err)
{
    s->line_len = 0;
    bool any = false;
    for (;;) {
        if (s->chunk_pos == s->chunk_len) {
            if (s->eof)
                break;
            s->chunk_len = fread(s->chunk, 1, READ_CHUNK, s->fp);
            s->chunk_pos = 0;
            if (s->chunk_len == 0) {
                if (ferror(s->fp)) {
                    err_set(err, "read error: %s", strerror(errno));
                    return SOURCE_FAILED;
                }
                s->eof = true;
                break;
            }
        }
        any = true;
        char *start = s->chunk + s->chunk_pos;
        size_t avail = s->chunk_len - s->chunk_pos;
        char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (line_append(s, start, take) < 0) {
            err_set(err, "out of memory");
            return SOURCE_FAILED;
        }
        s->chunk_pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    if (!any)
        return 0;
    s->line_no++;
    if (s->line_len <= DOC_MAX_BYTES) {
        if (s->line_len > 0 && s->line[s->line_len - 1] == '\r')
            s->line_len--;
        s->line[s->line_len] = '\0';
    }
    return 1;
}

static int next_from_file(struct doc_source *s, struct raw_doc *doc,
                          struct errbuf *err)
{
    for (;;) {
        int rc = read_line(s, err);
        if (rc <= 0)
            return rc;
        doc->where = s->line_no;
        if (s->line_len > DOC_MAX_BYTES) {
            doc->kind = RAW_UNREADABLE;
            doc->reason = REJECT_TOO_LARGE;
            doc->data = NULL;
            doc->len = 0;
            return 1;
        }
        if (strspn(s->line, " \t") == s->line_len) {
            s->blank_lines++;
            continue;
        }
        doc->kind = RAW_JSON;
        doc->data = (const uint8_t *)s->line;
        doc->len = s->line_len;
        return 1;
    }
}

/* Says which of the ways a read from MongoDB fails this was, in the
 * operator's terms; the driver's message follows. It never holds the
 * password: the driver's messages do not, and only the user is named. */
static void mongo_failure(const struct doc_source *s, const bson_error_t *e,
                          struct errbuf *err)
{
    if (e->domain == MONGOC_ERROR_CLIENT &&
        e->code == MONGOC_ERROR_CLIENT_AUTHENTICATE)
        err_set(err, "MongoDB: authentication failed for user '%s' "
                "(authSource %s): %s", s->user, s->auth_source, e->message);
    else if (e->domain == MONGOC_ERROR_SERVER_SELECTION)
        /* a single-threaded client tries each server once, each attempt
         * bounded by connectTimeoutMS (serverSelectionTryOnce) */
        err_set(err, "MongoDB: no server could be reached "
                "(connectTimeoutMS %d, serverSelectionTimeoutMS %d): %s",
                (int)s->connect_ms, (int)s->selection_ms, e->message);
    else if (e->domain == MONGOC_ERROR_SERVER)
        err_set(err, "MongoDB: the server failed the read after %ld "
                "documents: %s (error %u)", s->position, e->message,
                (unsigned)e->code);
    else if (e->domain == MONGOC_ERROR_STREAM)
        err_set(err, "MongoDB: the connection was lost after %ld "
                "documents: %s", s->position, e->message);
    else
        err_set(err, "MongoDB: the read failed after %ld documents: %s",
                s->position, e->message);
}

/* The cursor owns its documents until its next call; nothing to copy. */
static int next_from_mongo(struct doc_source *s, struct raw_doc *doc,
                           struct errbuf *err)
{
    const bson_t *d;
    if (s->cursor_done)
        return 0;
    if (mongoc_cursor_next(s->cursor, &d)) {
        doc->kind = RAW_BSON;
        doc->where = ++s->position;
        doc->data = bson_get_data(d);
        doc->len = d->len;
        return 1;
    }
    bson_error_t berr;
    if (mongoc_cursor_error(s->cursor, &berr)) {
        mongo_failure(s, &berr, err);
        return SOURCE_FAILED;
    }
    s->cursor_done = true;
    return 0;
}

int doc_source_next(struct doc_source *s, struct raw_doc *doc,
                    struct errbuf *err)
{
    return s->cursor ? next_from_mongo(s, doc, err)
                     : next_from_file(s, doc, err);
}

int raw_doc_to_bson(const struct raw_doc *doc, bson_t *out,
                    enum reject_reason *reason, struct errbuf *err)
{
    *reason = REJECT_NOT_JSON;
    switch (doc->kind) {
    case RAW_UNREADABLE:
        *reason = doc->reason;
        return err_set(err, "document larger than %d MiB",
                       DOC_MAX_BYTES >> 20);
    case RAW_BSON:
        if (!bson_init_static(out, doc->data, doc->len))
            return err_set(err, "corrupt BSON document");
        return 0;
    case RAW_JSON:
        break;
    }
    const char *text = (const char *)doc->data;
    size_t lead = strspn(text, " \t");
    if (lead < doc->len && text[lead] != '{')
        return err_set(err, "not a JSON object");
    if (memchr(text, '\0', doc->len))
        return err_set(err, "a NUL byte inside the document");
    bson_error_t berr;
    if (!bson_init_from_json(out, text, (ssize_t)doc->len, &berr))
        return err_set(err, "not valid JSON: %s", berr.message);
    return 0;
}
