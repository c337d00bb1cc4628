/*
 * web_files.h — the analysts' page (web/): its files, read once when the
 * server starts and sent as they were read. Private to src/http/.
 *
 * Which files: the regular files directly in the web directory whose
 * names are made of [A-Za-z0-9._-], do not start with '.', and end in
 * an extension this file knows the type of (html, css, js, mjs, svg,
 * png, ico, json, txt, webmanifest); up to WEB_FILES_MAX of them, each
 * up to WEB_FILE_MAX_BYTES. Nothing else is ever opened afterwards, so a
 * request path cannot reach outside the set ("/../data/rules.json",
 * "/%2e%2e/"; symbolic links are not followed, so nothing outside the
 * directory is read): a path is served only when it is
 * "/" + one of these names, or "/" itself (index.html).
 *
 * How they are sent (web_files_answer): the type of their extension,
 * a strong ETag (the first 32 hex digits of the content's SHA-256, so
 * an upgrade changes it), `Cache-Control: no-cache` (the browser keeps
 * the file and asks each time whether it changed: If-None-Match with
 * the ETag is a 304 with no body), and on every answer
 * WEB_SECURITY_HEADERS: a Content-Security-Policy allowing only the
 * page's own origin — no inline script or style, no other host for
 * anything, no framing — nosniff, and no referrer.
 */
#ifndef INCOMESCORE_WEB_FILES_H
#define INCOMESCORE_WEB_FILES_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#define WEB_FILES_MAX 64
#define WEB_FILE_MAX_BYTES (4u << 20)
#define WEB_NAME_MAX 64

/* The policy every page file is sent with (tests compare it whole). */
#define WEB_CSP                                                          \
    "default-src 'self'; script-src 'self'; style-src 'self'; "         \
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; " \
    "object-src 'none'; base-uri 'none'; form-action 'self'; "          \
    "frame-ancestors 'none'"

struct web_file {
    char name[WEB_NAME_MAX]; /* "app.js" */
    const char *type;        /* "text/javascript; charset=utf-8" */
    char etag[36];           /* "\"<32 hex>\"" */
    char *body;
    size_t len;
};

struct web_files {
    char dir[4096];      /* where they were read from; "" when none */
    int count;
    struct web_file files[WEB_FILES_MAX];
};

struct server;
struct exchange;

/* Reads the page's files from dir. A missing directory or file that
 * cannot be read is logged on s (the rest is served; without index.html,
 * GET / goes on redirecting to /docs). */
void web_files_load(struct server *s, struct web_files *w, const char *dir);

void web_files_free(struct web_files *w);

/* The file a request path names: "/" is index.html, "/<name>" a file of
 * the set; NULL for any other path. */
const struct web_file *web_files_find(const struct web_files *w,
                                      const char *url);

/* Answers ex with f: 200 with its body, or 304 when the request's
 * If-None-Match names its ETag (or is "*"). */
enum MHD_Result web_files_answer(struct exchange *ex,
                                 const struct web_file *f);

#endif
