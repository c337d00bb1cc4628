/*
 * web_files.c — the analysts' page, read at start and sent with its
 * caching and security headers (see web_files.h).
 */
#include "http/web_files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "base/sha256.h"
#include "http/internal.h"

/* The types of the extensions a page is made of; any other file is not
 * served (a stray editor backup or README stays private). */
static const struct {
    const char *ext;
    const char *type;
} web_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof web_types / sizeof web_types[0]; i++) {
        size_t k = strlen(web_types[i].ext);
        if (n > k && strcmp(name + n - k, web_types[i].ext) == 0)
            return web_types[i].type;
    }
    return NULL;
}

/* A name a URL can carry as it is: no '/', no '%', no leading dot. */
static bool plain_name(const char *name)
{
    if (!*name || *name == '.' || strlen(name) >= WEB_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return false;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct web_file *)a)->name,
                  ((const struct web_file *)b)->name);
}

void web_files_load(struct server *s, struct web_files *w, const char *dir)
{
    memset(w, 0, sizeof *w);
    DIR *d = opendir(dir);
    if (!d) {
        log_event(s, "warn", "web_missing", NULL,
                  "%s: no web page directory; GET / will redirect to /docs",
                  dir);
        return;
    }
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *type = type_of(e->d_name);
        if (!plain_name(e->d_name) || !type)
            continue;
        char path[4096 + WEB_NAME_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (w->count == WEB_FILES_MAX ||
            (size_t)st.st_size > WEB_FILE_MAX_BYTES) {
            log_event(s, "warn", "web_file_skipped", NULL,
                      "%s: not served (more than %d files, or over %u "
                      "bytes)", path, WEB_FILES_MAX, WEB_FILE_MAX_BYTES);
            continue;
        }
        struct errbuf err;
        struct web_file *f = &w->files[w->count];
        f->body = file_read_all(path, &f->len, &err);
        if (!f->body) {
            log_event(s, "warn", "web_file_unreadable", NULL, "%s", err.msg);
            continue;
        }
        /* plain_name: shorter than the field */
        snprintf(f->name, sizeof f->name, "%.*s", WEB_NAME_MAX - 1, e->d_name);
        f->type = type;
        char hex[SHA256_HEX_SIZE];
        sha256_hex(f->body, f->len, hex);
        snprintf(f->etag, sizeof f->etag, "\"%.32s\"", hex);
        w->count++;
    }
    closedir(d);
    qsort(w->files, (size_t)w->count, sizeof w->files[0], by_name);
}

void web_files_free(struct web_files *w)
{
    for (int i = 0; i < w->count; i++)
        free(w->files[i].body);
    w->count = 0;
}

const struct web_file *web_files_find(const struct web_files *w,
                                      const char *url)
{
    if (url[0] != '/')
        return NULL;
    const char *name = url[1] ? url + 1 : "index.html";
    for (int i = 0; i < w->count; i++)
        if (strcmp(w->files[i].name, name) == 0)
            return &w->files[i];
    return NULL;
}

/* Whether an If-None-Match value names etag: a list of entity tags,
 * each maybe weak (W/ — the comparison is weak, RFC 9110 §13.1.2), or
 * "*". */
static bool etag_matches(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (strncmp(p, etag, n) == 0 &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

enum MHD_Result web_files_answer(struct exchange *ex,
                                 const struct web_file *f)
{
    const char *const headers[] = {
        MHD_HTTP_HEADER_ETAG, f->etag,
        MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache",
        "Content-Security-Policy", WEB_CSP,
        "X-Content-Type-Options", "nosniff",
        "Referrer-Policy", "no-referrer",
        NULL,
    };
    const char *inm = MHD_lookup_connection_value(
        ex->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && etag_matches(inm, f->etag))
        return answer_headers(ex, 304, f->type, "", 0, MHD_RESPMEM_PERSISTENT,
                              headers);
    return answer_headers(ex, 200, f->type, f->body, f->len,
                          MHD_RESPMEM_PERSISTENT, headers);
}
