/*
 * server.c — the HTTP daemon behind server.h: starting and stopping it,
 * and each request's way up to its route. Here live: the configuration's
 * defaults, the listening socket, libmicrohttpd's access handler (the
 * request line and headers: request id, API key, method, Content-Type,
 * declared size, framing; then the body, within the server-wide body
 * budget and its deadline), the answer functions every route uses
 * and the JSON log lines. What is answered is routes.c's; the live model,
 * the keys, the documents and the counters each have their own file
 * (internal.h lists them).
 *
 * Threads: libmicrohttpd's pool (cfg->threads, each with its own epoll
 * set) runs the handlers; one watcher thread polls the registry
 * (live_model.c); the caller's thread starts and stops. A request takes
 * no lock: the live model and the keys are read through swaps, the
 * counters are relaxed atomics, and the exchange is its own.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/prng.h"
#include "base/text.h"
#include "http/internal.h"
#include "registry/bundle.h"
#include "score/refdata.h"

#define DEFAULT_WATCH_MS 1000
/* A queued decision is ~650 bytes (the body and the answer, not the 4 KB
 * of struct audit_record), so 16,384 waiting are ~11 MB (audit.c also
 * caps the queue at AUDIT_QUEUE_BYTES); at 50,000 decisions/s that is
 * 300 ms of slack for a checkpoint or a slow disk before a request has
 * to wait. */
#define DEFAULT_AUDIT_QUEUE 16384
/* A batch's decisions are queued whole or not at all, so a queue that
 * could not hold the largest batch would refuse it every time. */
_Static_assert(DEFAULT_AUDIT_QUEUE >= SERVER_BATCH_MAX,
               "the default audit queue holds the largest batch");
#define DEFAULT_AUDIT_WAIT_MS 200
#define STOP_GRACE_MS 5000
/* A body over the limit, or a refused request's, is read and dropped so
 * that the client gets its answer (drain_limit); past this many times
 * the limit the client is not listening and the connection is closed
 * instead. */
#define DISCARD_FACTOR 16

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- logs */

static void log_time(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void log_event(struct server *s, const char *level, const char *event,
               const char *extra, const char *fmt, ...)
{
    char msg[1024], when[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_time(when, sizeof when);
    struct text t = {0};
    text_printf(&t, "{\"time\": \"%s\", \"level\": \"%s\", \"event\": \"%s\", "
                    "\"msg\": ", when, level, event);
    text_json_string(&t, msg, strlen(msg), JSON_QUOTE_REPLACE_INVALID);
    if (extra && *extra)
        text_printf(&t, ", %s", extra);
    text_puts(&t, "}\n");
    if (!t.failed)
        fputs(t.p, s->log);
    fflush(s->log);
    free(t.p);
}

void log_member(struct text *t, const char *key, const char *value)
{
    text_printf(t, "%s\"%s\": ", t->len ? ", " : "", key);
    text_json_string(t, value, strlen(value), JSON_QUOTE_REPLACE_INVALID);
}

/* ----------------------------------------------------------- answers */

enum MHD_Result answer(struct exchange *ex, int status,
                       const char *content_type, const char *body, size_t len,
                       enum MHD_ResponseMemoryMode mode, const char *header,
                       const char *value)
{
    const char *const headers[] = {header, value, NULL};
    return answer_headers(ex, status, content_type, body, len, mode,
                          headers);
}

enum MHD_Result answer_headers(struct exchange *ex, int status,
                               const char *content_type, const char *body,
                               size_t len, enum MHD_ResponseMemoryMode mode,
                               const char *const *headers)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free((void *)body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Request-Id", ex->request_id);
    for (size_t i = 0; headers && headers[i]; i += 2)
        MHD_add_response_header(r, headers[i], headers[i + 1]);
    /* Where the connection cannot carry another request: after an
     * ambiguous one, and once the server is stopping (server_stop). */
    if (ex->close_after ||
        atomic_load_explicit(&ex->server->stopping, memory_order_relaxed))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result rc = MHD_queue_response(ex->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    metrics_request(&ex->server->metrics, ex->route, status,
                    now_ns(CLOCK_MONOTONIC) - ex->start_ns);
    return rc;
}

enum MHD_Result answer_json(struct exchange *ex, int status, const char *body)
{
    return answer(ex, status, JSON_TYPE, body, strlen(body),
                  MHD_RESPMEM_PERSISTENT, NULL, NULL);
}

enum MHD_Result answer_detail(struct exchange *ex, int status,
                              const char *message)
{
    struct text t = {0};
    text_puts(&t, "{\"detail\": ");
    text_json_string(&t, message, strlen(message), JSON_QUOTE_REPLACE_INVALID);
    text_puts(&t, "}");
    if (t.failed) {
        free(t.p);
        return MHD_NO;
    }
    return answer(ex, status, JSON_TYPE, t.p, t.len, MHD_RESPMEM_MUST_FREE,
                  NULL, NULL);
}

enum MHD_Result answer_text(struct exchange *ex, int status,
                            const char *content_type, struct text *t)
{
    if (t->failed) {
        free(t->p);
        return answer_json(ex, 500, "{\"detail\": \"out of memory\"}");
    }
    return answer(ex, status, content_type, t->p, t->len,
                  MHD_RESPMEM_MUST_FREE, NULL, NULL);
}

static const char unauthorized[] =
    "{\"detail\": \"a valid API key is required (Authorization: Bearer "
    "<key>)\"}";
static const char busy[] =
    "{\"detail\": \"too many request bodies in flight; retry\"}";
static const char method_not_allowed[] =
    "{\"detail\": \"Method Not Allowed\"}";

/* ------------------------------------------------------- request ids */

/* A client's request id is echoed when it is short visible ASCII that
 * can go into JSON and logs as is; otherwise one is made. */
static bool request_id_acceptable(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (n >= REQUEST_ID_MAX || id[n] <= 0x20 || id[n] >= 0x7f ||
            id[n] == '"' || id[n] == '\\')
            return false;
    return n > 0;
}

/* Ids we make sort in the order they were made: 11 hex digits of
 * milliseconds since 1970, then 5 of a process-wide count. The time in
 * front is how a decision is found in the audit log, which is indexed by
 * time only (audit.c says why); it is also the millisecond the request
 * arrived, the audit row's time_ms. Two ids of one process differ unless
 * it makes 2^20 in one millisecond; the count starts at a random point so
 * that servers started together do not count alike. */
static atomic_uint request_id_count;
static pthread_once_t request_id_once = PTHREAD_ONCE_INIT;

static void request_id_count_start(void)
{
    struct prng rng;
    prng_seed(&rng, now_ns(CLOCK_REALTIME) ^ (uint64_t)getpid());
    atomic_store(&request_id_count, (unsigned)prng_next(&rng));
}

static void request_id_make(struct MHD_Connection *c, int64_t arrived_ms,
                            char *out)
{
    const char *given =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    if (given && request_id_acceptable(given)) {
        strcpy(out, given);
        return;
    }
    pthread_once(&request_id_once, request_id_count_start);
    unsigned n = atomic_fetch_add_explicit(&request_id_count, 1,
                                           memory_order_relaxed);
    snprintf(out, REQUEST_ID_MAX + 1, "%011llx%05x",
             (unsigned long long)arrived_ms & 0xfffffffffffULL, n & 0xfffffu);
}

/* ------------------------------------------------------------ requests */

/* Whether FastAPI reads the body as JSON: no Content-Type at all, or
 * application/json or application/<anything>+json, any case, with
 * parameters or not (its routing.py, through Python's email.message,
 * which takes a type without '/' as text/plain). Any other body is
 * validated as a string, and refused with 422 (routes.c), not 415. */
static bool content_type_is_json(const char *ct)
{
    if (!ct)
        return true;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strlen("application/");
    if (strncasecmp(ct, "application/", n) != 0)
        return false;
    const char *sub = ct + n, *end = sub;
    while (*end && *end != ';' && *end != ' ' && *end != '\t')
        end++;
    size_t len = (size_t)(end - sub);
    const char *rest = end;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (*rest != '\0' && *rest != ';')
        return false;
    return (len == 4 && strncasecmp(sub, "json", 4) == 0) ||
           (len > 5 && strncasecmp(end - 5, "+json", 5) == 0);
}

/* RFC 9112 §6.3: a message whose length is ambiguous is refused, for
 * a server that took one reading and a proxy in front that took another
 * would see a second request hidden in the first's body (smuggling).
 * libmicrohttpd 0.9.75 reads the first Content-Length and lets
 * Transfer-Encoding win silently. We refuse any second Content-Length,
 * even an equal one (no client needs to send two), one that is not
 * only digits, and Content-Length together with Transfer-Encoding. */
struct framing {
    unsigned lengths;
    bool transfer_encoding;
    bool bad_length;
};

static enum MHD_Result framing_count(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *value)
{
    (void)kind;
    struct framing *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        f->lengths++;
        size_t digits = strspn(value, "0123456789");
        if (digits == 0 || value[digits] != '\0')
            f->bad_length = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding = true;
    }
    return MHD_YES;
}

static const char *framing_error(struct MHD_Connection *c)
{
    struct framing f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, framing_count, &f);
    if (f.lengths > 1)
        return "more than one Content-Length header";
    if (f.lengths && f.transfer_encoding)
        return "Content-Length together with Transfer-Encoding";
    if (f.bad_length)
        return "Content-Length is not a number";
    return NULL;
}

/* The body budget (server_config.max_bodies_in_flight): bytes of body
 * buffers the requests in flight may hold together. A request takes its
 * declared Content-Length when its headers are in (a chunked one, as its
 * buffer grows) and gives it back when it is done; one that would go
 * over is refused 503 instead of being allocated. One relaxed atomic
 * compare-and-swap per body, no lock. */
static bool budget_take(struct server *s, size_t n)
{
    /* not add-then-undo: two takes racing would both be refused when
     * one of them fits */
    size_t held = atomic_load_explicit(&s->body_bytes, memory_order_relaxed);
    do {
        if (n > s->cfg.max_bodies_in_flight - held ||
            held > s->cfg.max_bodies_in_flight)
            return false;
    } while (!atomic_compare_exchange_weak_explicit(
        &s->body_bytes, &held, held + n, memory_order_relaxed,
        memory_order_relaxed));
    return true;
}

static void budget_give(struct server *s, size_t n)
{
    if (n)
        atomic_fetch_sub_explicit(&s->body_bytes, n, memory_order_relaxed);
}

/* How much body a refused request (or one over its limit) has read and
 * dropped before the connection is closed on it: past this the client is
 * not listening. Reading it is what lets a client that sends its whole
 * body before reading (Python's http.client, requests) see the answer:
 * a socket closed with unread bytes sends a reset, which destroys the
 * answer in the client's buffers. */
static size_t drain_limit(const struct exchange *ex)
{
    size_t limit = ex->limit ? ex->limit : ex->server->cfg.max_body;
    return DISCARD_FACTOR * (limit + 4096);
}

/* A refusal's answer. They are given on the last call, after the body
 * was read and dropped (see drain_limit), so that the connection can be
 * kept and the client reads the answer; only a declared body too large
 * to drain is refused on the first call, closing the connection. */
static enum MHD_Result answer_refusal(struct exchange *ex)
{
    char msg[128];
    switch (ex->refusal) {
    case REFUSE_KEY:
        return answer(ex, 401, JSON_TYPE, unauthorized,
                      sizeof unauthorized - 1, MHD_RESPMEM_PERSISTENT,
                      MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    case REFUSE_STOPPING:
        return answer_json(ex, 503, "{\"detail\": \"the server is "
                                    "stopping\"}");
    case REFUSE_BUSY:
        return answer(ex, 503, JSON_TYPE, busy, sizeof busy - 1,
                      MHD_RESPMEM_PERSISTENT, MHD_HTTP_HEADER_RETRY_AFTER,
                      "1");
    case REFUSE_SIZE:
    case REFUSE_NONE:
        break;
    }
    snprintf(msg, sizeof msg, "request body is larger than %zu bytes",
             ex->limit);
    return answer_detail(ex, 413, msg);
}

/* The first call: the request line and headers. What refuses the
 * request is noted and answered on the last call (answer_refusal); a
 * request let through gets an exchange whose body buffer grows as the
 * body arrives, within the budget. */
static enum MHD_Result handle_headers(struct server *s,
                                      struct MHD_Connection *c,
                                      const char *url, const char *method,
                                      void **con_cls)
{
    header_watch_headers_in(c);
    struct exchange head = {.server = s, .conn = c};
    head.start_ns = now_ns(CLOCK_MONOTONIC);
    int64_t arrived_ms = (int64_t)(now_ns(CLOCK_REALTIME) / 1000000u);
    /* in_flight first, stopping second, server_stop the other way
     * round (sequentially consistent): either this request sees the
     * stop, or the stop waits for this request. */
    atomic_fetch_add(&s->in_flight, 1);
    request_id_make(c, arrived_ms, head.request_id);
    head.route = route_of(url);
    if (head.route == ROUTE_OTHER || head.route == ROUTE_ROOT) {
        head.web_file = web_files_find(&s->web, url);
        if (head.web_file && head.route == ROUTE_OTHER)
            head.route = ROUTE_WEB;
    }
    /* Before anything else: where this request ends is unknown, so no
     * answer but this one, and the connection is closed after it (an
     * answer given before the body is read ends the connection). */
    const char *framing = framing_error(c);
    if (framing) {
        char msg[128];
        snprintf(msg, sizeof msg, "ambiguous message length: %s", framing);
        head.close_after = true;
        return answer_detail(&head, 400, msg);
    }
    bool post = route_is_post(head.route);
    if (post)
        head.method_allowed = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    else
        head.method_allowed = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                              strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (head.method_allowed && post)
        head.limit = head.route == ROUTE_PREDICTION ? s->cfg.max_body
                                                    : s->cfg.max_batch_body;
    const char *cl = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long declared = 0;
    if (cl) {
        errno = 0;
        declared = strtoull(cl, NULL, 10); /* digits: framing_error */
        if (errno)
            declared = ULLONG_MAX;
    }
    if (atomic_load(&s->stopping))
        head.refusal = REFUSE_STOPPING;
    /* Before the method, Content-Type or size: a client without a key
     * learns nothing else, and no body of theirs is kept. */
    else if (keyring_needs_key(&s->keys, url) &&
             !keyring_authorize(&s->keys,
                                MHD_lookup_connection_value(
                                    c, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_AUTHORIZATION),
                                head.api_key))
        head.refusal = REFUSE_KEY;
    else if (head.method_allowed && post) {
        /* Another Content-Type is not refused: FastAPI reads such a body
         * as bytes and the route refuses it as FastAPI does (routes.c). */
        head.body_not_json = !content_type_is_json(
            MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                        MHD_HTTP_HEADER_CONTENT_TYPE));
        if (declared > head.limit)
            head.refusal = REFUSE_SIZE;
        else if (declared && !budget_take(s, (size_t)declared + 1))
            head.refusal = REFUSE_BUSY;
        else
            head.reserved = declared ? (size_t)declared + 1 : 0;
        head.arrived_ms = arrived_ms;
    }
    if (head.refusal && declared > drain_limit(&head)) {
        head.close_after = true;
        return answer_refusal(&head);
    }
    struct exchange *ex = malloc(sizeof *ex);
    if (!ex) {
        budget_give(s, head.reserved);
        return MHD_NO;
    }
    *ex = head;
    *con_cls = ex;
    return MHD_YES;
}

/* A piece of the body: kept up to the exchange's limit, in a buffer that
 * grows as it arrives (never the declared length up front: a client
 * declaring 2 MB and sending nothing costs nothing but budget); beyond
 * it, or for a refused request, read and dropped up to drain_limit
 * (MHD_NO closes the connection). */
static enum MHD_Result take_body(struct exchange *ex, const char *upload,
                                 size_t n)
{
    /* The idle timeout restarts with every byte: a client sending one a
     * second would hold its connection, its budget and a place among the
     * requests in flight for as long as it likes. */
    if (now_ns(CLOCK_MONOTONIC) - ex->start_ns >
        (uint64_t)ex->server->cfg.body_deadline_s * 1000000000u)
        return MHD_NO;
    if (ex->refusal || ex->too_big || ex->len + n > ex->limit) {
        if (!ex->refusal)
            ex->too_big = true; /* beyond the limit, or a body where none
                                 * belongs */
        ex->discarded += n;
        return ex->discarded > drain_limit(ex) ? MHD_NO : MHD_YES;
    }
    if (ex->len + n + 1 > ex->cap) {
        size_t cap = ex->cap ? ex->cap : 4096;
        while (cap < ex->len + n + 1)
            cap *= 2;
        if (ex->reserved && cap > ex->reserved && ex->len + n < ex->reserved)
            cap = ex->reserved; /* the declared length: all there is */
        if (cap > ex->reserved) {
            if (!budget_take(ex->server, cap - ex->reserved)) {
                free(ex->body);
                ex->body = NULL;
                ex->len = ex->cap = 0;
                ex->refusal = REFUSE_BUSY;
                ex->discarded = n;
                return MHD_YES;
            }
            ex->reserved = cap;
        }
        char *p = realloc(ex->body, cap);
        if (!p)
            return MHD_NO;
        ex->body = p;
        ex->cap = cap;
    }
    memcpy(ex->body + ex->len, upload, n);
    ex->len += n;
    ex->body[ex->len] = '\0';
    return MHD_YES;
}

/* The last call, the whole request in: what HTTP itself refuses (404,
 * 405, a body too large), then the route, which judges the body. */
static enum MHD_Result handle_request(struct exchange *ex)
{
    if (ex->refusal)
        return answer_refusal(ex);
    if (ex->route == ROUTE_OTHER)
        return route_answer(ex); /* 404 */
    if (!ex->method_allowed)
        return answer(ex, 405, JSON_TYPE, method_not_allowed,
                      sizeof method_not_allowed - 1, MHD_RESPMEM_PERSISTENT,
                      MHD_HTTP_HEADER_ALLOW,
                      route_is_post(ex->route) ? "POST" : "GET, HEAD");
    if (!route_is_post(ex->route))
        return route_answer(ex);
    if (ex->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body is larger than %zu bytes",
                 ex->limit);
        return answer_detail(ex, 413, msg);
    }
    if (!ex->body) {
        ex->body = malloc(1);
        if (!ex->body)
            return MHD_NO;
        ex->body[0] = '\0';
    }
    enum MHD_Result rc = route_answer(ex);
    /* The answer is made (its own copy; a parked one is kept apart, see
     * routes.c): the body's memory and budget are free for others before
     * the answer is sent. */
    free(ex->body);
    ex->body = NULL;
    ex->len = 0;
    budget_give(ex->server, ex->reserved);
    ex->reserved = 0;
    return rc;
}

/* libmicrohttpd calls this once when a request's headers are in, then
 * once per piece of body, then once more with *upload_size 0, when we
 * answer. Only an ambiguous length, or a refused request declaring a
 * body too large to drain, is answered on the first call (an answer
 * given then makes libmicrohttpd stop reading and close the connection
 * after it, which resets a client still sending); everything else is
 * answered on the last call, which keeps the connection alive for the
 * next request. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    struct exchange *ex = *con_cls;
    if (!ex)
        return handle_headers(cls, c, url, method, con_cls);
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        return take_body(ex, upload, n);
    }
    return handle_request(ex);
}

/* libmicrohttpd asks before it keeps an accepted connection: none once
 * the stop began (server_stop says why this and not quiescing). */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr,
                                     socklen_t addrlen)
{
    (void)addr;
    (void)addrlen;
    const struct server *s = cls;
    return atomic_load(&s->stopping) ? MHD_NO : MHD_YES;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)code;
    struct server *s = cls;
    header_watch_answered(c);
    struct exchange *ex = *con_cls;
    if (ex) {
        routes_parked_free(ex);
        budget_give(s, ex->reserved);
        free(ex->body);
        free(ex);
        *con_cls = NULL;
    }
    atomic_fetch_sub(&s->in_flight, 1);
}

/* ------------------------------------------------------ start and stop */

/* Our own listening socket, so that a bad address or a port in use is
 * reported with its reason (libmicrohttpd only says it failed). */
static int open_listener(const char *host, int port, int *port_out,
                         struct errbuf *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0)
        return err_set(err, "%s: %s", host, gai_strerror(rc));
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, 1024) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return err_set(err, "cannot listen on %s:%d: %s", host, port,
                       strerror(saved));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    *port_out = ntohs(addr.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&addr)->sin6_port
                          : ((struct sockaddr_in *)&addr)->sin_port);
    return fd;
}

/* Zero means "the default" in a server_config (server.h). */
static void config_defaults(struct server_config *c)
{
    if (!c->host)
        c->host = SERVER_DEFAULT_HOST;
    if (!c->max_body)
        c->max_body = SERVER_DEFAULT_MAX_BODY;
    if (!c->max_batch_body)
        c->max_batch_body = SERVER_DEFAULT_MAX_BATCH_BODY;
    if (!c->max_bodies_in_flight) {
        /* room for a few of the largest bodies, whatever the limits */
        size_t largest = c->max_batch_body > c->max_body ? c->max_batch_body
                                                         : c->max_body;
        c->max_bodies_in_flight = SERVER_DEFAULT_MAX_BODIES_IN_FLIGHT;
        if (c->max_bodies_in_flight / 4 < largest + 1)
            c->max_bodies_in_flight = 4 * (largest + 1);
    }
    if (!c->connection_limit)
        c->connection_limit = SERVER_DEFAULT_CONNECTION_LIMIT;
    if (!c->per_address_limit)
        c->per_address_limit = SERVER_DEFAULT_PER_ADDRESS_LIMIT;
    if (!c->body_deadline_s)
        c->body_deadline_s = SERVER_DEFAULT_BODY_DEADLINE_S;
    if (!c->header_deadline_s)
        c->header_deadline_s = SERVER_DEFAULT_HEADER_DEADLINE_S;
    if (!c->timeout_s)
        c->timeout_s = SERVER_DEFAULT_TIMEOUT_S;
    if (!c->threads)
        c->threads = SERVER_DEFAULT_THREADS;
    if (!c->watch_interval_ms)
        c->watch_interval_ms = DEFAULT_WATCH_MS;
    if (!c->bucket_poll_ms)
        c->bucket_poll_ms = SERVER_DEFAULT_BUCKET_POLL_S * 1000;
    if (!c->audit_queue)
        c->audit_queue = DEFAULT_AUDIT_QUEUE;
    if (!c->audit_wait_ms)
        c->audit_wait_ms = DEFAULT_AUDIT_WAIT_MS;
    if (!c->audit_path && c->audit_sink != AUDIT_POSTGRES) {
        /* the default's directory is ours to make; a given path's is not */
        c->audit_path = paths_audit_file();
        if (c->audit_sink == AUDIT_SQLITE) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s", c->audit_path);
            char *slash = strrchr(dir, '/');
            if (slash) {
                *slash = '\0';
                mkdir(dir, 0755);
            }
        }
    }
    if (!c->data_dir)
        c->data_dir = paths_data_dir();
    if (!c->web_dir)
        c->web_dir = paths_web_dir();
}

/* ------------------------------------------------------------ parking */

/* How often the reaper looks for parked requests whose audit wait is
 * over: the precision of audit_wait_ms on commit acknowledgement. */
#define PARK_TICK_US 5000

static void parked_notify(void *arg)
{
    routes_resume_parked(arg, false);
}

/* Commits resume parked requests (the audit writer's notification); a
 * stalled writer notifies nobody, so this thread ends the waits that are
 * over. */
static void *park_reaper_main(void *arg)
{
    struct server *s = arg;
    while (!atomic_load(&s->park_reaper_stop)) {
        usleep(PARK_TICK_US);
        routes_resume_parked(s, false);
    }
    return NULL;
}

static int park_start(struct server *s, struct errbuf *err)
{
    pthread_mutex_init(&s->parked_mu, NULL);
    s->parking = true;
    atomic_store(&s->park_reaper_stop, false);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->park_reaper, NULL, park_reaper_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        s->parking = false;
        pthread_mutex_destroy(&s->parked_mu);
        return err_set(err, "cannot start the audit wait thread: %s",
                       strerror(rc));
    }
    audit_set_notify(s->audit, parked_notify, s);
    return 0;
}

/* After the daemon stopped: nothing is parked any more. */
static void park_stop(struct server *s)
{
    if (!s->parking)
        return;
    audit_set_notify(s->audit, NULL, NULL);
    atomic_store(&s->park_reaper_stop, true);
    pthread_join(s->park_reaper, NULL);
    s->parking = false;
    pthread_mutex_destroy(&s->parked_mu);
}

static void server_free(struct server *s)
{
    bucket_watch_close(&s->bucket);
    live_slot_destroy(&s->live);
    api_doc_free(&s->site.openapi);
    api_doc_free(&s->site.docs);
    web_files_free(&s->web);
    keyring_destroy(&s->keys);
    free(s);
}

int server_start(struct server **out, const struct server_config *cfg,
                 struct errbuf *err)
{
    *out = NULL;
    struct server *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, "out of memory");
    s->cfg = *cfg;
    struct server_config *c = &s->cfg;
    config_defaults(c);
    s->log = c->log_stream ? c->log_stream : stderr;
    s->listen_fd = -1;
    live_slot_init(&s->live, c->model_dir, c->watch_interval_ms);
    keyring_init(&s->keys, c->api_keys_path, c->protect_all);

    /* A key file that does not load refuses the start: serving openly
     * what was meant to be closed is worse than not serving. */
    if (c->api_keys_path && keyring_load(&s->keys, err) < 0)
        goto fail;
    keyring_log_start(s);

    /* a bucket's cache is ours to make; any other registry must exist */
    if (!c->model_dir &&
        (c->bucket_url ? registry_create : registry_open)(
            &s->live.registry,
            c->registry_dir ? c->registry_dir : paths_registry_dir(),
            err) < 0)
        goto fail;
    if (c->bucket_url && bucket_watch_open(s, err) < 0)
        goto fail;
    /* A registry with nothing live yet is a server that is not ready;
     * anything else that fails to load is an error at start. */
    if (live_model_reload(s, err) < 0) {
        char id[REGISTRY_ID_SIZE];
        struct errbuf ignored;
        if (!s->live.registry ||
            registry_live(s->live.registry, id, &ignored) != 1)
            goto fail;
        log_event(s, "warn", "not_ready", NULL, "%s; waiting for a promotion",
                  err->msg);
    }
    site_docs_load(s, &s->site, c->data_dir, &s->keys);
    web_files_load(s, &s->web, c->web_dir);

    if (c->audit_sink != AUDIT_OFF &&
        audit_open_replica(&s->audit, c->audit_sink, c->audit_ack,
                           c->audit_path, c->audit_replica, c->audit_queue,
                           err) < 0) {
        err_prefix(err, "audit log");
        goto fail;
    }
    if (s->audit && c->audit_ack == AUDIT_ACK_COMMITTED &&
        park_start(s, err) < 0)
        goto fail;

    s->listen_fd = open_listener(c->host, c->port, &s->port, err);
    if (s->listen_fd < 0)
        goto fail;
    if (header_watch_start(s, err) < 0)
        goto fail;
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
            MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME,
        0, accept_policy, s, handle, s,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)c->per_address_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
        MHD_OPTION_NOTIFY_CONNECTION, header_watch_notify, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        err_set(err, "the HTTP daemon did not start on %s:%d", c->host,
                s->port);
        goto fail;
    }
    s->listen_fd = -1; /* the daemon's now */
    bool v6 = strchr(c->host, ':') != NULL;
    snprintf(s->url, sizeof s->url, "http://%s%s%s:%d", v6 ? "[" : "",
             c->host, v6 ? "]" : "", s->port);

    if (live_model_watch(s, err) < 0 || bucket_watch_start(s, err) < 0)
        goto fail;
    char version[sizeof ((struct bundle *)0)->id];
    server_model_version(s, version, sizeof version);
    struct text extra = {0};
    log_member(&extra, "url", s->url);
    log_member(&extra, "model_version", version);
    log_member(&extra, "audit", c->audit_sink == AUDIT_OFF        ? "off"
                                : c->audit_sink == AUDIT_STDOUT   ? "stdout"
                                : c->audit_sink == AUDIT_POSTGRES ? "postgres"
                                                                  : "sqlite");
    if (c->audit_sink != AUDIT_OFF)
        log_member(&extra, "audit_ack", c->audit_ack == AUDIT_ACK_QUEUED
                                            ? "queue"
                                            : "commit");
    text_printf(&extra, ", \"threads\": %u", c->threads);
    log_event(s, "info", "start", extra.p, "listening on %s (model %s)",
              s->url, *version ? version : "none");
    free(extra.p);
    *out = s;
    return 0;

fail:
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    header_watch_stop(s);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    park_stop(s);
    audit_close(s->audit);
    server_free(s);
    return -1;
}

int server_port(const struct server *s)
{
    return s->port;
}

int server_reload(struct server *s, struct errbuf *err)
{
    int rc = live_model_reload(s, err);
    struct errbuf key_err;
    server_reload_keys(s, &key_err); /* logs its outcome */
    return rc;
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    /* No new request from here on: keep-alive connections would
     * otherwise go on bringing them in while we wait, some to be
     * scored, logged and then cut. A request whose headers come after
     * this is answered 503 with Connection: close, unscored; those in
     * flight are answered with Connection: close. A new connection is
     * closed as soon as it is accepted (accept_policy): not by
     * MHD_quiesce_daemon, which in libmicrohttpd 0.9.75 races with its
     * own worker threads over the listening socket's place in their epoll
     * sets and, losing, aborts the process ("Failed to remove listen FD
     * from epoll set", seen in a test run). Then let what is in flight
     * finish and be sent. */
    atomic_store(&s->stopping, true);
    long waiting = atomic_load(&s->in_flight);
    log_event(s, "info", "stopping", NULL,
              "refusing new requests; %ld in flight", waiting);
    for (int waited = 0;
         atomic_load(&s->in_flight) > 0 && waited < STOP_GRACE_MS; waited++)
        usleep(1000);
    long left = atomic_load(&s->in_flight);
    /* The daemon must not stop with a connection suspended: whatever is
     * still parked (a log that stopped answering) is resumed with 503. */
    routes_resume_parked(s, true);
    MHD_stop_daemon(s->daemon); /* closes the listener */

    header_watch_stop(s);
    bucket_watch_close(&s->bucket);
    live_model_unwatch(&s->live);
    park_stop(s);
    audit_close(s->audit);
    log_event(s, "info", "stop", NULL, "stopped%s",
              left > 0 ? " (requests still in flight were cut)" : "");
    server_free(s);
}
