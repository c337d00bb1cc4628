/*
 * server.c — the JSON API over HTTP (see server.h for the contract).
 *
 * Here live: the live-model pointer and its reference counting, the
 * registry watcher, the libmicrohttpd daemon and its access handler (one
 * function per route), the API key check and its key set (the file's
 * format and the matching are apikeys.c's), the audit hand-off, the
 * Prometheus counters and the JSON log lines. Scoring, validation and the response text are the
 * scoring core's (scoring.h, request.h); this file only moves bytes.
 *
 * Threads: libmicrohttpd's pool (cfg->threads, each with its own epoll
 * set) runs the handlers; one watcher thread polls the registry; the
 * caller's thread starts and stops. Counters are relaxed atomics, so the
 * request path takes no lock.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/apikeys.h"
#include "registry/bundle.h"
#include "base/fileio.h"
#include "base/prng.h"
#include "score/refdata.h"
#include "registry/registry.h"
#include "score/request.h"
#include "score/rules.h"
#include "score/scoring.h"
#include "score/segments.h"

#define DEFAULT_CONNECTION_LIMIT 1024
#define DEFAULT_TIMEOUT_S 10
#define DEFAULT_THREADS 2
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
#define ANSWER_MAX 4096
#define REQUEST_ID_MAX 48 /* leaves room for "/<index>" in AUDIT_ID_SIZE */
/* A chunked body (no Content-Length) over the limit is read and dropped
 * so that the client gets its 413; past this many times the limit the
 * client is not listening and the connection is closed instead. */
#define DISCARD_FACTOR 16

/* ---------------------------------------------------------------- text */

/* A growing byte buffer; an allocation failure sets `failed` and later
 * appends do nothing, so callers check once at the end. */
struct text {
    char *p;
    size_t len, cap;
    bool failed;
};

static void text_reserve(struct text *t, size_t extra)
{
    if (t->failed || t->len + extra + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + extra + 1)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
        t->failed = true;
        return;
    }
    t->p = p;
    t->cap = cap;
}

static void text_put(struct text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    if (t->failed)
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_put(t, s, strlen(s));
}

static void text_printf(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        text_put(t, small, (size_t)n);
        return;
    }
    text_reserve(t, (size_t)n);
    if (t->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < need + 1 || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need + 1;
}

/* s as a JSON string literal, quotes included. Whatever a client sent
 * may end up in a message, so bytes that are not UTF-8 become U+FFFD
 * rather than invalid JSON. */
static void text_json_string(struct text *t, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    text_put(t, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            text_put(t, e, 2);
            i++;
        } else if (c < 0x20) {
            text_printf(t, "\\u%04x", c);
            i++;
        } else {
            size_t k = utf8_sequence(u + i, n - i);
            if (k == 0) {
                text_put(t, "\\ufffd", 6);
                i++;
            } else {
                text_put(t, s + i, k);
                i += k;
            }
        }
    }
    text_put(t, "\"", 1);
}

/* `"key": "value"` for a log line's extra members, with a leading ", "
 * after the first. */
static void text_member(struct text *t, const char *key, const char *value)
{
    text_printf(t, "%s\"%s\": ", t->len ? ", " : "", key);
    text_json_string(t, value, strlen(value));
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void text_label(struct text *t, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            text_printf(t, "\\%c", *p);
        else if (*p == '\n')
            text_puts(t, "\\n");
        else
            text_put(t, p, 1);
    }
}

/* ------------------------------------------------------------- metrics */

enum route {
    ROUTE_PREDICTION,
    ROUTE_PREDICTIONS,
    ROUTE_HEALTHZ,
    ROUTE_READYZ,
    ROUTE_MODEL,
    ROUTE_META,
    ROUTE_OPENAPI,
    ROUTE_DOCS,
    ROUTE_ROOT,
    ROUTE_METRICS,
    ROUTE_OTHER, /* not found */
    ROUTE_COUNT
};

static const char *const route_paths[ROUTE_COUNT] = {
    "/v1/prediction", "/v1/predictions", "/healthz",      "/readyz",
    "/v1/model",      "/v1/meta",        "/openapi.json", "/docs",
    "/",              "/metrics",        "other",
};

static const int metric_statuses[] = {200, 307, 400, 401, 404, 405,
                                      413, 415, 422, 500, 503};
#define STATUS_COUNT (sizeof metric_statuses / sizeof metric_statuses[0])

/* Seconds; the last bucket is +Inf. */
static const double latency_bounds[] = {0.0001, 0.00025, 0.0005, 0.001,
                                        0.0025, 0.005,   0.01,   0.025,
                                        0.05,   0.1,     0.25,   1.0};
#define LATENCY_BUCKETS (sizeof latency_bounds / sizeof latency_bounds[0])

struct metrics {
    atomic_ulong requests[ROUTE_COUNT][STATUS_COUNT + 1]; /* + other */
    atomic_ulong latency[ROUTE_COUNT][LATENCY_BUCKETS + 1];
    atomic_ulong latency_ns[ROUTE_COUNT];
    atomic_ulong score_band[RULES_MAX_BANDS + 1]; /* + no band */
    atomic_ulong score_cents;
    atomic_ulong scores;
    atomic_ulong segments[SEGMENT_COUNT];
    atomic_ulong reloads, reload_failures;
    atomic_ulong audit_unavailable;
};

#define COUNT(x) atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)
#define ADD(x, n) atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)
#define READ(x) atomic_load_explicit(&(x), memory_order_relaxed)

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void metrics_request(struct metrics *m, enum route r, int status,
                            uint64_t ns)
{
    size_t k = 0;
    while (k < STATUS_COUNT && metric_statuses[k] != status)
        k++;
    COUNT(m->requests[r][k]);
    double seconds = (double)ns / 1e9;
    size_t b = 0;
    while (b < LATENCY_BUCKETS && seconds > latency_bounds[b])
        b++;
    COUNT(m->latency[r][b]);
    ADD(m->latency_ns[r], ns);
}

static void metrics_score(struct metrics *m, const struct score *sc)
{
    COUNT(m->score_band[sc->band >= 0 && sc->band < RULES_MAX_BANDS
                            ? sc->band : RULES_MAX_BANDS]);
    ADD(m->score_cents, (unsigned long)(sc->scoring * 100 + 0.5));
    COUNT(m->scores);
    if (sc->segment >= 0 && sc->segment < SEGMENT_COUNT)
        COUNT(m->segments[sc->segment]);
}

/* ---------------------------------------------------------- live model */

/* A loaded bundle with the answers that depend only on it, prepared
 * once, and the count of its users. The server holds one reference
 * while it is live; each request holds one while it uses it. */
struct live_model {
    struct bundle *bundle;
    atomic_long refs;
    char *model_text; /* GET /v1/model */
    size_t model_len;
    char *meta_text;  /* GET /v1/meta */
    size_t meta_len;
};

/* The loaded key file, counted like a live model: the server holds one
 * reference while it is current, a request one while it matches a key.
 * slot[i]: key i's counter in server.key_counts. */
struct key_set {
    struct apikeys *keys;
    unsigned *slot;
    atomic_long refs;
};

/* Requests let through, by key name: 256 distinct names in a process's
 * life, then the slot "_other" (no key name can start with '_'). */
#define KEY_NAMES_MAX 256

struct key_count {
    char name[APIKEY_NAME_SIZE];
    atomic_ulong requests;
};

struct server {
    struct server_config cfg;
    FILE *log;
    struct MHD_Daemon *daemon;
    int listen_fd;
    int port;
    char url[128];

    /* The live model. `acquiring` counts requests between reading the
     * pointer and counting themselves on the model they read; a swap
     * waits for it to drop to zero before releasing the old model, so no
     * request can count itself on a model already freed. That window is a
     * load and an increment, so the wait is a few spins. */
    _Atomic(struct live_model *) live;
    atomic_int acquiring;

    pthread_mutex_t reload_lock; /* one reload at a time */
    struct registry *registry;   /* NULL with --model */
    char failed_id[REGISTRY_ID_SIZE]; /* the watcher does not retry it */

    pthread_t watcher;
    bool watcher_started;
    pthread_mutex_t watch_lock;
    pthread_cond_t watch_cond;
    bool stopping;

    struct audit_log *audit;
    atomic_long in_flight;
    atomic_bool quiescing;

    char *openapi_text;
    size_t openapi_len;
    char *docs_text;
    size_t docs_len;

    struct metrics metrics;

    /* API keys; NULL when none are configured. key_counts' names are
     * appended under keys_lock and never change, so the request path
     * reads the first key_names of them without a lock. */
    _Atomic(struct key_set *) keys;
    atomic_int keys_acquiring; /* as `acquiring`, for the key set */
    pthread_mutex_t keys_lock; /* one key reload at a time */
    struct key_count key_counts[KEY_NAMES_MAX + 1];
    atomic_uint key_names;
    atomic_ulong key_reload_failures;
};

static struct live_model *model_acquire(struct server *s)
{
    atomic_fetch_add(&s->acquiring, 1);
    struct live_model *m = atomic_load(&s->live);
    if (m)
        atomic_fetch_add(&m->refs, 1);
    atomic_fetch_sub(&s->acquiring, 1);
    return m;
}

static void live_model_free(struct live_model *m)
{
    bundle_free(m->bundle);
    free(m->model_text);
    free(m->meta_text);
    free(m);
}

static void model_release(struct live_model *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1)
        live_model_free(m);
}

/* Makes m live and drops the server's reference on the one it replaces. */
static void model_publish(struct server *s, struct live_model *m)
{
    struct live_model *old = atomic_exchange(&s->live, m);
    while (atomic_load(&s->acquiring) != 0)
        sched_yield();
    model_release(old);
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

/* One JSON line: time, level, event, msg, then `extra` (already JSON
 * members, "" or NULL for none). */
static void log_event(struct server *s, const char *level, const char *event,
                      const char *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void log_event(struct server *s, const char *level, const char *event,
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
    text_json_string(&t, msg, strlen(msg));
    if (extra && *extra)
        text_printf(&t, ", %s", extra);
    text_puts(&t, "}\n");
    if (!t.failed)
        fputs(t.p, s->log);
    fflush(s->log);
    free(t.p);
}

/* ------------------------------------------------- loading a model */

static char *dump_json(json_t *j, size_t *len)
{
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    *len = text ? strlen(text) : 0;
    return text;
}

/* GET /v1/model: what a data team asks of the live version, quoted from
 * its manifest (the parts bundle.json spells out exactly as written). */
static json_t *model_document(const struct bundle *b)
{
    const struct manifest *m = &b->manifest;
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_string(b->id));
    json_object_set_new(doc, "created_at", json_string(m->created_at));
    json_object_set_new(doc, "code_version", json_string(m->code_version));
    json_object_set_new(doc, "format", json_string(BUNDLE_FORMAT));
    json_object_set_new(doc, "features", manifest_features_json());
    json_object_set_new(doc, "itaee_year", json_integer(m->itaee_year));
    json_object_set_new(doc, "score_scale", manifest_score_scale_json(m));
    json_object_set_new(doc, "metrics", manifest_metrics_json(m));
    json_object_set_new(doc, "lineage", manifest_lineage_json(m));
    json_t *segs = json_array();
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        char letter[2] = {segment_letter(i), '\0'};
        json_array_append_new(
            segs, json_pack("{s:s, s:s, s:f}", "letter", letter,
                            "description", m->segments[i].description,
                            "mean_target_train",
                            m->segments[i].mean_target_train));
    }
    json_object_set_new(doc, "segments", segs);
    return doc;
}

/* A field limit as JSON: a whole number for an integer field. */
static json_t *limit_value(const struct field_limit *l, double v)
{
    return l->integer ? json_integer((json_int_t)v) : json_real(v);
}

/* GET /v1/meta: everything a web form needs, each from its one source:
 * states from the bundle's reference tables, field limits from
 * request_limits, bands and their colours from the bundle's rules,
 * segment descriptions from the bundle's manifest (the words the model
 * was trained with, as /v1/model gives them). */
static json_t *meta_document(const struct bundle *b)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "model_version", json_string(b->id));
    json_t *states = json_array();
    for (int i = 0; i < STATE_COUNT; i++) {
        const struct state_info *st = &b->scorer.rd.states[i];
        json_array_append_new(states,
                              json_pack("{s:i, s:i, s:s, s:s}", "index",
                                        st->index, "code", st->inegi_code,
                                        "name", st->name, "abbrev",
                                        st->abbrev));
    }
    json_object_set_new(doc, "states", states);
    json_t *fields = json_array();
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        const struct field_limit *l = &request_limits[i];
        json_t *f = json_pack("{s:s, s:s}", "name", l->name, "type",
                              l->integer ? "integer" : "number");
        json_object_set_new(f, "min", limit_value(l, l->min));
        json_object_set_new(f, "max", limit_value(l, l->max));
        json_object_set_new(f, "description", json_string(l->description));
        json_array_append_new(fields, f);
    }
    json_object_set_new(doc, "fields", fields);
    json_object_set_new(doc, "score",
                        json_pack("{s:f, s:f}", "min", SCORE_MIN, "max",
                                  SCORE_MAX));
    json_t *bands = json_array();
    for (int i = 0; i < rules_band_count(b->scorer.rules); i++) {
        double from, to;
        const char *label, *color;
        rules_band(b->scorer.rules, i, &from, &to, &label, &color);
        json_array_append_new(bands,
                              json_pack("{s:f, s:f, s:s?, s:s?}", "from", from,
                                        "to", to, "label", label, "color",
                                        color));
    }
    json_object_set_new(doc, "bands", bands);
    json_t *segs = json_array();
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        char letter[2] = {segment_letter(i), '\0'};
        json_array_append_new(segs, json_pack("{s:s, s:s}", "letter", letter,
                                              "description",
                                              b->manifest.segments[i]
                                                  .description));
    }
    json_object_set_new(doc, "segments", segs);
    return doc;
}

static int live_model_load(struct live_model **out, const char *dir,
                           struct errbuf *err)
{
    *out = NULL;
    struct bundle *b;
    if (bundle_load(&b, dir, err) < 0)
        return -1;
    struct live_model *m = calloc(1, sizeof *m);
    if (!m) {
        bundle_free(b);
        return err_set(err, "out of memory");
    }
    m->bundle = b;
    atomic_init(&m->refs, 1);
    json_t *doc = model_document(b);
    m->model_text = dump_json(doc, &m->model_len);
    json_decref(doc);
    doc = meta_document(b);
    m->meta_text = dump_json(doc, &m->meta_len);
    json_decref(doc);
    if (!m->model_text || !m->meta_text) {
        live_model_free(m);
        return err_set(err, "%s: could not prepare /v1/model and /v1/meta", dir);
    }
    *out = m;
    return 0;
}

static const char *live_version(struct live_model *m)
{
    return m ? m->bundle->id : "";
}

/* The reload itself; the caller holds reload_lock. `watcher`: a version
 * that failed once is not tried again until LIVE names another. */
static int reload_locked(struct server *s, bool watcher, struct errbuf *err)
{
    char id[REGISTRY_ID_SIZE] = "", dir[4096];
    struct live_model *cur = model_acquire(s);
    char current[sizeof cur->bundle->id];
    snprintf(current, sizeof current, "%s", live_version(cur));
    model_release(cur);

    if (s->registry) {
        int rc = registry_live(s->registry, id, err);
        if (rc == 1)
            return err_set(err, "registry %s has no live version yet",
                           registry_dir(s->registry));
        if (rc < 0)
            return -1;
        if (strcmp(id, current) == 0)
            return 1;
        if (watcher && strcmp(id, s->failed_id) == 0)
            return 1;
        if (registry_version_path(s->registry, id, dir, sizeof dir, err) < 0)
            goto failed;
    } else {
        snprintf(dir, sizeof dir, "%s", s->cfg.model_dir);
    }
    struct live_model *m;
    if (live_model_load(&m, dir, err) < 0)
        goto failed;
    model_publish(s, m);
    s->failed_id[0] = '\0';
    if (*current)
        COUNT(s->metrics.reloads);
    struct text extra = {0};
    text_member(&extra, "model_version", m->bundle->id);
    text_member(&extra, "previous", current);
    log_event(s, "info", "reload", extra.p, "serving model %s (was %s)",
              m->bundle->id, *current ? current : "none");
    free(extra.p);
    return 0;

failed:
    snprintf(s->failed_id, sizeof s->failed_id, "%s", id);
    COUNT(s->metrics.reload_failures);
    {
        struct text what = {0};
        text_member(&what, "refused", id[0] ? id : dir);
        text_member(&what, "model_version", current);
        log_event(s, "error", "reload_refused", what.p,
                  "model %s refused, still serving %s: %s", id[0] ? id : dir,
                  *current ? current : "none", err->msg);
        free(what.p);
    }
    return -1;
}

static int model_reload(struct server *s, struct errbuf *err)
{
    pthread_mutex_lock(&s->reload_lock);
    int rc = reload_locked(s, false, err);
    pthread_mutex_unlock(&s->reload_lock);
    if (rc == 1) {
        char id[sizeof ((struct bundle *)0)->id];
        server_model_version(s, id, sizeof id);
        log_event(s, "info", "reload", NULL, "%s is live already", id);
    }
    return rc;
}

void server_model_version(struct server *s, char *id, size_t size)
{
    struct live_model *m = model_acquire(s);
    snprintf(id, size, "%s", live_version(m));
    model_release(m);
}

static void *watch_registry(void *arg)
{
    struct server *s = arg;
    pthread_mutex_lock(&s->watch_lock);
    while (!s->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        long ns = until.tv_nsec + (long)s->cfg.watch_interval_ms * 1000000L;
        until.tv_sec += ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        while (!s->stopping &&
               pthread_cond_timedwait(&s->watch_cond, &s->watch_lock,
                                      &until) != ETIMEDOUT)
            ;
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->watch_lock);
        struct errbuf err;
        pthread_mutex_lock(&s->reload_lock);
        reload_locked(s, true, &err);
        pthread_mutex_unlock(&s->reload_lock);
        pthread_mutex_lock(&s->watch_lock);
    }
    pthread_mutex_unlock(&s->watch_lock);
    return NULL;
}

/* ------------------------------------------------------------ API keys */

static struct key_set *keys_acquire(struct server *s)
{
    atomic_fetch_add(&s->keys_acquiring, 1);
    struct key_set *k = atomic_load(&s->keys);
    if (k)
        atomic_fetch_add(&k->refs, 1);
    atomic_fetch_sub(&s->keys_acquiring, 1);
    return k;
}

static void keys_release(struct key_set *k)
{
    if (k && atomic_fetch_sub(&k->refs, 1) == 1) {
        apikeys_free(k->keys);
        free(k->slot);
        free(k);
    }
}

static void keys_publish(struct server *s, struct key_set *k)
{
    struct key_set *old = atomic_exchange(&s->keys, k);
    while (atomic_load(&s->keys_acquiring) != 0)
        sched_yield();
    keys_release(old);
}

/* name's counter, added when new; the caller holds keys_lock. Counters
 * outlive the key sets so that a reload never sends a count back. */
static unsigned key_slot(struct server *s, const char *name)
{
    unsigned n = atomic_load_explicit(&s->key_names, memory_order_relaxed);
    for (unsigned i = 0; i < n; i++)
        if (strcmp(s->key_counts[i].name, name) == 0)
            return i;
    if (n == KEY_NAMES_MAX)
        return KEY_NAMES_MAX;
    snprintf(s->key_counts[n].name, sizeof s->key_counts[n].name, "%s", name);
    atomic_store_explicit(&s->key_names, n + 1, memory_order_release);
    return n;
}

/* Reads the key file and makes it current; the caller holds keys_lock.
 * On failure the current keys stay. */
static int keys_load(struct server *s, struct errbuf *err)
{
    struct apikeys *keys;
    if (apikeys_load(&keys, s->cfg.api_keys_path, err) < 0)
        return -1;
    size_t n = apikeys_count(keys);
    struct key_set *k = calloc(1, sizeof *k);
    unsigned *slot = k ? calloc(n, sizeof *slot) : NULL;
    if (!slot) {
        free(k);
        apikeys_free(keys);
        return err_set(err, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        slot[i] = key_slot(s, apikeys_name(keys, i));
    k->keys = keys;
    k->slot = slot;
    atomic_init(&k->refs, 1);
    keys_publish(s, k);
    return 0;
}

static size_t keys_loaded(struct server *s)
{
    struct key_set *k = keys_acquire(s);
    size_t n = k ? apikeys_count(k->keys) : 0;
    keys_release(k);
    return n;
}

static const char *keys_protected(const struct server *s)
{
    return s->cfg.protect_all ? "all but /healthz and /readyz" : "/v1/*";
}

/* The startup line: whether keys are required, on what, how many. */
static void keys_log_start(struct server *s)
{
    struct text extra = {0};
    size_t n = keys_loaded(s);
    bool required = s->cfg.api_keys_path != NULL;
    text_printf(&extra, "\"required\": %s, \"keys\": %zu",
                required ? "true" : "false", n);
    if (required) {
        text_member(&extra, "protected", keys_protected(s));
        text_member(&extra, "path", s->cfg.api_keys_path);
        log_event(s, "info", "api_keys", extra.p,
                  "API keys required on %s: %zu loaded from %s",
                  keys_protected(s), n, s->cfg.api_keys_path);
    } else {
        log_event(s, "info", "api_keys", extra.p,
                  "no API keys: every route is open");
    }
    free(extra.p);
}

int server_reload_keys(struct server *s, struct errbuf *err)
{
    if (!s->cfg.api_keys_path)
        return 1;
    pthread_mutex_lock(&s->keys_lock);
    int rc = keys_load(s, err);
    size_t n = keys_loaded(s);
    pthread_mutex_unlock(&s->keys_lock);
    struct text extra = {0};
    text_member(&extra, "path", s->cfg.api_keys_path);
    text_printf(&extra, ", \"keys\": %zu", n);
    if (rc < 0) {
        COUNT(s->key_reload_failures);
        log_event(s, "error", "api_keys_refused", extra.p,
                  "key file refused, the keys loaded before (%zu) stay: %s",
                  n, err->msg);
    } else {
        log_event(s, "info", "api_keys_reload", extra.p,
                  "API keys reloaded from %s: %zu", s->cfg.api_keys_path, n);
    }
    free(extra.p);
    return rc;
}

int server_reload(struct server *s, struct errbuf *err)
{
    int rc = model_reload(s, err);
    struct errbuf key_err;
    server_reload_keys(s, &key_err); /* logs its outcome */
    return rc;
}

/* Whether a request for url needs a key (server.h lists which). */
static bool needs_key(const struct server *s, const char *url)
{
    if (!s->cfg.api_keys_path)
        return false;
    if (s->cfg.protect_all)
        return strcmp(url, "/healthz") != 0 && strcmp(url, "/readyz") != 0;
    return strncmp(url, "/v1", 3) == 0 && (url[3] == '\0' || url[3] == '/');
}

/* Whether the request presents a key of the file; counts it by name
 * and copies the name to `name` (APIKEY_NAME_SIZE bytes) for its audit
 * record — copied, because a reload may free the key set once it is
 * released. */
static bool key_authorized(struct server *s, struct MHD_Connection *c,
                           char *name)
{
    size_t len;
    const char *token = apikey_bearer(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_AUTHORIZATION),
        &len);
    if (!token)
        return false;
    struct key_set *k = keys_acquire(s);
    int i = k ? apikeys_find(k->keys, token, len) : -1;
    if (i >= 0) {
        COUNT(s->key_counts[k->slot[i]].requests);
        snprintf(name, APIKEY_NAME_SIZE, "%s",
                 apikeys_name(k->keys, (size_t)i));
    }
    keys_release(k);
    return i >= 0;
}

static void keys_metrics_text(struct server *s, struct text *t)
{
    text_puts(t, "# HELP incomescore_api_key_requests_total Requests let "
                 "through, by API key name.\n"
                 "# TYPE incomescore_api_key_requests_total counter\n");
    unsigned n = atomic_load_explicit(&s->key_names, memory_order_acquire);
    for (unsigned i = 0; i < n; i++) {
        text_puts(t, "incomescore_api_key_requests_total{key=\"");
        text_label(t, s->key_counts[i].name);
        text_printf(t, "\"} %lu\n", READ(s->key_counts[i].requests));
    }
    unsigned long others = READ(s->key_counts[KEY_NAMES_MAX].requests);
    if (others)
        text_printf(t, "incomescore_api_key_requests_total{key=\"_other\"} "
                       "%lu\n", others);
    text_printf(t, "# HELP incomescore_api_keys_required 1 when requests "
                   "need an API key.\n"
                   "# TYPE incomescore_api_keys_required gauge\n"
                   "incomescore_api_keys_required %d\n"
                   "# HELP incomescore_api_keys_loaded API keys in the key "
                   "file loaded.\n"
                   "# TYPE incomescore_api_keys_loaded gauge\n"
                   "incomescore_api_keys_loaded %zu\n"
                   "# HELP incomescore_api_keys_reload_failures_total Key "
                   "files refused on reload (the old keys stayed).\n"
                   "# TYPE incomescore_api_keys_reload_failures_total "
                   "counter\n"
                   "incomescore_api_keys_reload_failures_total %lu\n",
                s->cfg.api_keys_path ? 1 : 0, keys_loaded(s),
                READ(s->key_reload_failures));
}

/* With keys required, each operation of /openapi.json says whether it
 * needs one (and may answer 401); without, the file's optional scheme
 * stays as written. */
static void openapi_mark_keys(struct server *s, json_t *doc)
{
    if (!s->cfg.api_keys_path)
        return;
    const char *path, *method;
    json_t *item, *op;
    json_object_foreach(json_object_get(doc, "paths"), path, item) {
        bool needed = needs_key(s, path);
        json_object_foreach(item, method, op) {
            json_t *responses = json_object_get(op, "responses");
            if (!json_is_object(responses))
                continue;
            json_object_set_new(op, "security",
                                needed ? json_pack("[{s:[]}]", "bearer")
                                       : json_array());
            if (needed)
                json_object_set_new(responses, "401",
                                    json_pack("{s:s}", "$ref",
                                              "#/components/responses/"
                                              "Unauthorized"));
            else
                json_object_del(responses, "401");
        }
    }
}

static const char unauthorized[] =
    "{\"detail\": \"a valid API key is required (Authorization: Bearer "
    "<key>)\"}";

/* ------------------------------------------------------------ requests */

/* What a request carries between the handler's calls. */
struct exchange {
    enum route route;
    bool method_allowed;
    uint64_t start_ns;
    int64_t arrived_ms;
    char request_id[REQUEST_ID_MAX + 1];
    char api_key[APIKEY_NAME_SIZE]; /* the key's name; "": no keys */
    size_t limit;      /* body bytes accepted; 0: no body expected */
    char *body;
    size_t len, cap;
    size_t discarded;
    bool too_big;
};

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

/* Queues the answer with its headers and counts it. `mode` says who
 * owns body (MHD_RESPMEM_MUST_FREE: MHD frees it). */
static enum MHD_Result answer(struct server *s, struct MHD_Connection *c,
                              enum route route, uint64_t start_ns,
                              const char *request_id, int status,
                              const char *content_type, const char *body,
                              size_t len, enum MHD_ResponseMemoryMode mode,
                              const char *header, const char *value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free((void *)body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Request-Id", request_id);
    if (header)
        MHD_add_response_header(r, header, value);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    metrics_request(&s->metrics, route, status,
                    now_ns(CLOCK_MONOTONIC) - start_ns);
    return rc;
}

#define JSON_TYPE "application/json"

static enum MHD_Result answer_json(struct server *s, struct MHD_Connection *c,
                                   enum route route, uint64_t start_ns,
                                   const char *rid, int status,
                                   const char *body)
{
    return answer(s, c, route, start_ns, rid, status, JSON_TYPE, body,
                  strlen(body), MHD_RESPMEM_PERSISTENT, NULL, NULL);
}

/* {"detail": "<message>"}, FastAPI's shape for an error that names no
 * field. */
static enum MHD_Result answer_detail(struct server *s, struct MHD_Connection *c,
                                     enum route route, uint64_t start_ns,
                                     const char *rid, int status,
                                     const char *message)
{
    struct text t = {0};
    text_puts(&t, "{\"detail\": ");
    text_json_string(&t, message, strlen(message));
    text_puts(&t, "}");
    if (t.failed) {
        free(t.p);
        return MHD_NO;
    }
    return answer(s, c, route, start_ns, rid, status, JSON_TYPE, t.p, t.len,
                  MHD_RESPMEM_MUST_FREE, NULL, NULL);
}

static enum MHD_Result answer_text(struct server *s, struct MHD_Connection *c,
                                   enum route route, uint64_t start_ns,
                                   const char *rid, int status,
                                   const char *content_type, struct text *t)
{
    if (t->failed) {
        free(t->p);
        return answer_json(s, c, route, start_ns, rid, 500,
                           "{\"detail\": \"out of memory\"}");
    }
    return answer(s, c, route, start_ns, rid, status, content_type, t->p,
                  t->len, MHD_RESPMEM_MUST_FREE, NULL, NULL);
}

static enum route route_of(const char *url)
{
    for (int r = 0; r < ROUTE_OTHER; r++)
        if (strcmp(url, route_paths[r]) == 0)
            return (enum route)r;
    return ROUTE_OTHER;
}

static bool is_post_route(enum route r)
{
    return r == ROUTE_PREDICTION || r == ROUTE_PREDICTIONS;
}

/* application/json, any case, optionally with parameters
 * ("application/json; charset=utf-8"). */
static bool content_type_is_json(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* ------------------------------------------------------------- audit */

static void audit_fill(struct audit_record *rec, const struct exchange *ex,
                       const char *request_id, const char *version,
                       const char *inputs, size_t inputs_len,
                       const struct applicant *a, const char *outputs,
                       size_t outputs_len)
{
    rec->time_ms = ex->arrived_ms;
    snprintf(rec->request_id, sizeof rec->request_id, "%s", request_id);
    snprintf(rec->api_key, sizeof rec->api_key, "%s", ex->api_key);
    snprintf(rec->model_version, sizeof rec->model_version, "%s", version);
    rec->status = 200;
    /* The body as sent when it fits; else the inputs as read, which is
     * what the decision stands on. */
    if (inputs_len < sizeof rec->inputs) {
        memcpy(rec->inputs, inputs, inputs_len);
        rec->inputs[inputs_len] = '\0';
    } else {
        snprintf(rec->inputs, sizeof rec->inputs,
                 "{\"ingreso\": %.17g, \"antiguedad_laboral_meses\": %d, "
                 "\"tiempo_desempleado\": %d, \"trabajos_ultimos_5\": %d, "
                 "\"semanasCotizadas\": %d, \"edad\": %d, "
                 "\"crecimiento_ingreso\": %.17g, \"lugar_actual\": %d}",
                 a->ingreso, a->antiguedad_laboral_meses,
                 a->tiempo_desempleado, a->trabajos_ultimos_5,
                 a->semanas_cotizadas, a->edad, a->crecimiento_ingreso,
                 a->lugar_actual);
    }
    size_t n = outputs_len < sizeof rec->outputs ? outputs_len
                                                 : sizeof rec->outputs - 1;
    memcpy(rec->outputs, outputs, n);
    rec->outputs[n] = '\0';
}

/* 0, or -1 when the decision must not be answered. */
static int audit_decision(struct server *s, const struct audit_record *rec)
{
    if (!s->audit)
        return 0;
    if (audit_submit(s->audit, rec, s->cfg.audit_wait_ms) == 0)
        return 0;
    COUNT(s->metrics.audit_unavailable);
    return -1;
}

/* The same for a batch's `decisions`, queued as one group g: all of
 * them may be answered, or none. */
static int audit_decisions(struct server *s, struct audit_group *g,
                           size_t decisions)
{
    if (!s->audit)
        return 0;
    if (audit_submit_group(s->audit, g, s->cfg.audit_wait_ms) == 0)
        return 0;
    ADD(s->metrics.audit_unavailable, decisions);
    return -1;
}

static const char audit_unavailable[] =
    "{\"detail\": \"audit log unavailable\"}";
static const char method_not_allowed[] =
    "{\"detail\": \"Method Not Allowed\"}";
static const char no_model[] =
    "{\"detail\": \"no model is loaded yet\"}";

/* ------------------------------------------------------------ routes */

static enum MHD_Result post_prediction(struct server *s,
                                       struct MHD_Connection *c,
                                       struct exchange *ex)
{
    struct live_model *m = model_acquire(s);
    if (!m)
        return answer_json(s, c, ex->route, ex->start_ns, ex->request_id, 503,
                           no_model);
    const struct bundle *b = m->bundle;
    struct applicant a;
    struct request_errors errs;
    char msg[512];
    enum MHD_Result rc;
    int parsed = request_parse_text(ex->body, ex->len, &b->scorer.rd, &a, &errs, msg,
                                    sizeof msg);
    if (parsed == -2) {
        rc = answer_detail(s, c, ex->route, ex->start_ns, ex->request_id, 400,
                           msg);
    } else if (parsed < 0) {
        json_t *j = request_errors_json(&errs);
        size_t len;
        char *text = dump_json(j, &len);
        json_decref(j);
        rc = text ? answer(s, c, ex->route, ex->start_ns, ex->request_id, 422,
                           JSON_TYPE, text, len, MHD_RESPMEM_MUST_FREE, NULL,
                           NULL)
                  : MHD_NO;
    } else {
        struct score sc;
        score_applicant(&b->scorer, &a, &sc);
        char buf[ANSWER_MAX];
        int n = score_format_json(&b->scorer, &sc, buf, sizeof buf);
        size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
        struct audit_record rec;
        audit_fill(&rec, ex, ex->request_id, b->id, ex->body, ex->len, &a, buf,
                   len);
        if (audit_decision(s, &rec) < 0) {
            rc = answer_json(s, c, ex->route, ex->start_ns, ex->request_id, 503,
                             audit_unavailable);
        } else {
            metrics_score(&s->metrics, &sc);
            rc = answer(s, c, ex->route, ex->start_ns, ex->request_id, 200,
                        JSON_TYPE, buf, len, MHD_RESPMEM_MUST_COPY, NULL, NULL);
        }
    }
    model_release(m);
    return rc;
}

/* One item of a batch that is not scored: as `predict` answers a bad
 * line. */
static void batch_item_error(struct text *out, const char *message,
                             const struct request_errors *errs)
{
    text_puts(out, "{\"error\": ");
    text_json_string(out, message, strlen(message));
    if (errs) {
        json_t *j = request_errors_json(errs);
        size_t len;
        char *text = dump_json(json_object_get(j, "detail"), &len);
        json_decref(j);
        if (text) {
            text_puts(out, ", \"detail\": ");
            text_put(out, text, len);
        }
        free(text);
    }
    text_puts(out, "}");
}

static enum MHD_Result post_predictions(struct server *s,
                                        struct MHD_Connection *c,
                                        struct exchange *ex)
{
    json_error_t jerr;
    json_t *items = json_loadb(ex->body, ex->len, JSON_REJECT_DUPLICATES,
                               &jerr);
    if (!items) {
        char msg[512];
        snprintf(msg, sizeof msg, "not JSON: %s (column %d)", jerr.text,
                 jerr.column);
        return answer_detail(s, c, ex->route, ex->start_ns, ex->request_id,
                             400, msg);
    }
    enum MHD_Result rc;
    if (!json_is_array(items)) {
        rc = answer_json(s, c, ex->route, ex->start_ns, ex->request_id, 422,
                         "{\"detail\": [{\"loc\": [\"body\"], \"msg\": \"must "
                         "be a JSON array of request objects\", \"type\": "
                         "\"value_error\"}]}");
        json_decref(items);
        return rc;
    }
    size_t count = json_array_size(items);
    if (count > SERVER_BATCH_MAX) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "a batch holds at most %d requests; this one has %zu: "
                 "split it", SERVER_BATCH_MAX, count);
        json_decref(items);
        return answer_detail(s, c, ex->route, ex->start_ns, ex->request_id,
                             413, msg);
    }
    struct live_model *m = model_acquire(s);
    if (!m) {
        json_decref(items);
        return answer_json(s, c, ex->route, ex->start_ns, ex->request_id, 503,
                           no_model);
    }
    const struct bundle *b = m->bundle;
    struct text out = {0};
    text_reserve(&out, count * 400 + 2);
    text_puts(&out, "[");
    /* Every decision is scored before any is audited, and then all go
     * to the log as one group: a batch refused for want of room leaves
     * none of its decisions there (server.h). Their scores are counted
     * once they may be answered. */
    struct audit_group *group = s->audit ? audit_group_new(count) : NULL;
    struct score *scores = malloc((count ? count : 1) * sizeof *scores);
    size_t scored = 0;
    if (!scores)
        out.failed = true;
    for (size_t i = 0; i < count && !out.failed; i++) {
        if (i)
            text_puts(&out, ", ");
        json_t *item = json_array_get(items, i);
        struct applicant a;
        struct request_errors errs;
        if (request_parse(item, &b->scorer.rd, &a, &errs) < 0) {
            char msg[1024];
            request_errors_text(&errs, msg, sizeof msg);
            batch_item_error(&out, msg, &errs);
            continue;
        }
        struct score *sc = &scores[scored++];
        score_applicant(&b->scorer, &a, sc);
        char buf[ANSWER_MAX];
        int n = score_format_json(&b->scorer, sc, buf, sizeof buf);
        size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
        if (group) {
            char id[AUDIT_ID_SIZE];
            snprintf(id, sizeof id, "%s/%zu", ex->request_id, i);
            size_t in_len;
            char *in = dump_json(item, &in_len);
            struct audit_record rec;
            audit_fill(&rec, ex, id, b->id, in ? in : "", in_len, &a, buf,
                       len);
            free(in);
            /* a record it has no memory to copy refuses the group */
            audit_group_add(group, &rec);
        }
        text_put(&out, buf, len);
    }
    text_puts(&out, "]");
    model_release(m);
    json_decref(items);
    if (!out.failed && audit_decisions(s, group, scored) < 0) {
        free(out.p);
        rc = answer_json(s, c, ex->route, ex->start_ns, ex->request_id, 503,
                         audit_unavailable);
    } else {
        if (!out.failed)
            for (size_t i = 0; i < scored; i++)
                metrics_score(&s->metrics, &scores[i]);
        rc = answer_text(s, c, ex->route, ex->start_ns, ex->request_id, 200,
                         JSON_TYPE, &out);
    }
    audit_group_free(group);
    free(scores);
    return rc;
}

static void metrics_text(struct server *s, struct text *t)
{
    struct metrics *m = &s->metrics;
    text_puts(t, "# HELP incomescore_http_requests_total HTTP requests "
                 "answered, by route and status.\n"
                 "# TYPE incomescore_http_requests_total counter\n");
    for (int r = 0; r < ROUTE_COUNT; r++)
        for (size_t k = 0; k <= STATUS_COUNT; k++) {
            unsigned long n = READ(m->requests[r][k]);
            if (!n)
                continue;
            if (k < STATUS_COUNT)
                text_printf(t, "incomescore_http_requests_total{route=\"%s\","
                               "status=\"%d\"} %lu\n",
                            route_paths[r], metric_statuses[k], n);
            else
                text_printf(t, "incomescore_http_requests_total{route=\"%s\","
                               "status=\"other\"} %lu\n", route_paths[r], n);
        }
    text_puts(t, "# HELP incomescore_http_request_duration_seconds Time from "
                 "a request's headers to its queued answer.\n"
                 "# TYPE incomescore_http_request_duration_seconds "
                 "histogram\n");
    for (int r = 0; r < ROUTE_COUNT; r++) {
        unsigned long cumulative = 0;
        for (size_t b = 0; b <= LATENCY_BUCKETS; b++) {
            cumulative += READ(m->latency[r][b]);
            if (b < LATENCY_BUCKETS)
                text_printf(t, "incomescore_http_request_duration_seconds_"
                               "bucket{route=\"%s\",le=\"%g\"} %lu\n",
                            route_paths[r], latency_bounds[b], cumulative);
            else
                text_printf(t, "incomescore_http_request_duration_seconds_"
                               "bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                            route_paths[r], cumulative);
        }
        text_printf(t, "incomescore_http_request_duration_seconds_sum"
                       "{route=\"%s\"} %.9f\n",
                    route_paths[r], (double)READ(m->latency_ns[r]) / 1e9);
        text_printf(t, "incomescore_http_request_duration_seconds_count"
                       "{route=\"%s\"} %lu\n", route_paths[r], cumulative);
    }

    struct live_model *lm = model_acquire(s);
    text_puts(t, "# HELP incomescore_score Scores answered; the buckets are "
                 "the rules' score bands.\n"
                 "# TYPE incomescore_score histogram\n");
    unsigned long cumulative = 0;
    int bands = lm ? rules_band_count(lm->bundle->scorer.rules) : 0;
    for (int i = 0; i < bands && i < RULES_MAX_BANDS; i++) {
        double from, to;
        const char *label, *color;
        rules_band(lm->bundle->scorer.rules, i, &from, &to, &label, &color);
        cumulative += READ(m->score_band[i]);
        text_printf(t, "incomescore_score_bucket{le=\"%g\"} %lu\n", to,
                    cumulative);
    }
    text_printf(t, "incomescore_score_bucket{le=\"+Inf\"} %lu\n",
                READ(m->scores));
    text_printf(t, "incomescore_score_sum %.2f\n",
                (double)READ(m->score_cents) / 100);
    text_printf(t, "incomescore_score_count %lu\n", READ(m->scores));
    text_puts(t, "# HELP incomescore_segment_total Applicants scored, by "
                 "segment.\n# TYPE incomescore_segment_total counter\n");
    for (int i = 0; i < SEGMENT_COUNT; i++)
        text_printf(t, "incomescore_segment_total{segment=\"%c\"} %lu\n",
                    segment_letter(i), READ(m->segments[i]));
    text_puts(t, "# HELP incomescore_model_info The live model version.\n"
                 "# TYPE incomescore_model_info gauge\n");
    if (lm) {
        text_puts(t, "incomescore_model_info{version=\"");
        text_label(t, lm->bundle->id);
        text_puts(t, "\"} 1\n");
    }
    model_release(lm);
    text_printf(t, "# HELP incomescore_model_ready 1 when a model is "
                   "loaded.\n# TYPE incomescore_model_ready gauge\n"
                   "incomescore_model_ready %d\n", lm ? 1 : 0);
    text_printf(t, "# HELP incomescore_model_reloads_total Models swapped "
                   "in after the first.\n"
                   "# TYPE incomescore_model_reloads_total counter\n"
                   "incomescore_model_reloads_total %lu\n"
                   "# HELP incomescore_model_reload_failures_total Models "
                   "refused (the old one kept serving).\n"
                   "# TYPE incomescore_model_reload_failures_total counter\n"
                   "incomescore_model_reload_failures_total %lu\n",
                READ(m->reloads), READ(m->reload_failures));
    struct audit_stats as = {0};
    if (s->audit)
        audit_get_stats(s->audit, &as);
    text_printf(t, "# HELP incomescore_audit_records_total Audit records, "
                   "by outcome.\n"
                   "# TYPE incomescore_audit_records_total counter\n"
                   "incomescore_audit_records_total{outcome=\"queued\"} %llu\n"
                   "incomescore_audit_records_total{outcome=\"written\"} %llu\n"
                   "incomescore_audit_records_total{outcome=\"refused\"} %llu\n"
                   "incomescore_audit_records_total{outcome=\"failed_write\"} "
                   "%llu\n"
                   "# HELP incomescore_audit_queue_depth Records waiting to "
                   "be written.\n"
                   "# TYPE incomescore_audit_queue_depth gauge\n"
                   "incomescore_audit_queue_depth %llu\n"
                   "# HELP incomescore_audit_waiting Requests waiting for "
                   "room in the audit queue.\n"
                   "# TYPE incomescore_audit_waiting gauge\n"
                   "incomescore_audit_waiting %llu\n"
                   "# HELP incomescore_audit_unavailable_total Decisions "
                   "withheld (503) because the audit log refused them.\n"
                   "# TYPE incomescore_audit_unavailable_total counter\n"
                   "incomescore_audit_unavailable_total %lu\n",
                (unsigned long long)as.queued, (unsigned long long)as.written,
                (unsigned long long)as.refused,
                (unsigned long long)as.failed_writes,
                (unsigned long long)(as.queued > as.written + as.failed_writes
                                         ? as.queued - as.written -
                                               as.failed_writes
                                         : 0),
                (unsigned long long)as.waiting, READ(m->audit_unavailable));
}

static enum MHD_Result get_route(struct server *s, struct MHD_Connection *c,
                                 enum route route, uint64_t start,
                                 const char *rid)
{
    switch (route) {
    case ROUTE_HEALTHZ:
        return answer_json(s, c, route, start, rid, 200, "{\"status\": \"ok\"}");
    case ROUTE_READYZ: {
        struct live_model *m = model_acquire(s);
        if (!m)
            return answer_json(s, c, route, start, rid, 503,
                               "{\"status\": \"no model loaded\"}");
        struct text t = {0};
        text_puts(&t, "{\"status\": \"ready\", \"model_version\": ");
        text_json_string(&t, m->bundle->id, strlen(m->bundle->id));
        text_puts(&t, "}");
        model_release(m);
        return answer_text(s, c, route, start, rid, 200, JSON_TYPE, &t);
    }
    case ROUTE_MODEL:
    case ROUTE_META: {
        struct live_model *m = model_acquire(s);
        if (!m)
            return answer_json(s, c, route, start, rid, 503, no_model);
        enum MHD_Result rc =
            route == ROUTE_MODEL
                ? answer(s, c, route, start, rid, 200, JSON_TYPE,
                         m->model_text, m->model_len, MHD_RESPMEM_MUST_COPY,
                         NULL, NULL)
                : answer(s, c, route, start, rid, 200, JSON_TYPE,
                         m->meta_text, m->meta_len, MHD_RESPMEM_MUST_COPY,
                         NULL, NULL);
        model_release(m);
        return rc;
    }
    case ROUTE_OPENAPI:
        if (!s->openapi_text)
            return answer_json(s, c, route, start, rid, 404,
                               "{\"detail\": \"openapi.json is not "
                               "installed\"}");
        return answer(s, c, route, start, rid, 200, JSON_TYPE, s->openapi_text,
                      s->openapi_len, MHD_RESPMEM_PERSISTENT, NULL, NULL);
    case ROUTE_DOCS:
        if (!s->docs_text)
            return answer_json(s, c, route, start, rid, 404,
                               "{\"detail\": \"docs.html is not "
                               "installed\"}");
        return answer(s, c, route, start, rid, 200, "text/html; charset=utf-8",
                      s->docs_text, s->docs_len, MHD_RESPMEM_PERSISTENT, NULL,
                      NULL);
    case ROUTE_ROOT:
        return answer(s, c, route, start, rid, 307, "text/plain", "", 0,
                      MHD_RESPMEM_PERSISTENT, MHD_HTTP_HEADER_LOCATION,
                      "/docs");
    case ROUTE_METRICS: {
        struct text t = {0};
        metrics_text(s, &t);
        keys_metrics_text(s, &t);
        return answer_text(s, c, route, start, rid, 200,
                           "text/plain; version=0.0.4; charset=utf-8", &t);
    }
    default:
        return answer_json(s, c, route, start, rid, 404,
                           "{\"detail\": \"Not Found\"}");
    }
}

/* The first call: the request line and headers. */
static enum MHD_Result handle_headers(struct server *s,
                                      struct MHD_Connection *c,
                                      const char *url, const char *method,
                                      void **con_cls)
{
    uint64_t start = now_ns(CLOCK_MONOTONIC);
    int64_t arrived_ms = (int64_t)(now_ns(CLOCK_REALTIME) / 1000000u);
    atomic_fetch_add(&s->in_flight, 1);
    char rid[REQUEST_ID_MAX + 1];
    request_id_make(c, arrived_ms, rid);
    enum route route = route_of(url);
    char key_name[APIKEY_NAME_SIZE] = "";
    /* Before the method, Content-Type or size: a client without a key
     * learns nothing else, and no body of theirs is read. */
    if (needs_key(s, url) && !key_authorized(s, c, key_name))
        return answer(s, c, route, start, rid, 401, JSON_TYPE, unauthorized,
                      sizeof unauthorized - 1, MHD_RESPMEM_PERSISTENT,
                      MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    bool allowed;
    if (is_post_route(route))
        allowed = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    else
        allowed = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                  strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    size_t limit = 0;
    unsigned long long declared = 0;
    if (allowed && is_post_route(route)) {
        const char *ct = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!content_type_is_json(ct))
            return answer_json(s, c, route, start, rid, 415,
                               "{\"detail\": \"Content-Type must be "
                               "application/json\"}");
        limit = route == ROUTE_PREDICTION ? s->cfg.max_body
                                          : s->cfg.max_batch_body;
        const char *cl = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            errno = 0;
            declared = strtoull(cl, &end, 10);
            if (errno || end == cl || declared > limit) {
                char msg[128];
                snprintf(msg, sizeof msg,
                         "request body is larger than %zu bytes", limit);
                return answer_detail(s, c, route, start, rid, 413, msg);
            }
        }
    }
    struct exchange *ex = calloc(1, sizeof *ex);
    if (!ex)
        return MHD_NO;
    ex->route = route;
    ex->method_allowed = allowed;
    ex->start_ns = start;
    memcpy(ex->request_id, rid, sizeof rid);
    memcpy(ex->api_key, key_name, sizeof key_name);
    ex->limit = limit;
    if (limit) {
        ex->arrived_ms = arrived_ms;
        if (declared) {
            ex->body = malloc((size_t)declared + 1);
            if (!ex->body) {
                free(ex);
                return MHD_NO;
            }
            ex->cap = (size_t)declared + 1;
            ex->body[0] = '\0';
        }
    }
    *con_cls = ex;
    return MHD_YES;
}

/* libmicrohttpd calls this once when a request's headers are in, then
 * once per piece of body, then once more with *upload_size 0, when we
 * answer. A POST that can be refused from its headers alone (415, or a
 * Content-Length over the limit: 413) is refused on the first call,
 * before any body is read, and the connection is closed after it;
 * everything else is answered on the last call, which keeps the
 * connection alive for the next request. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    struct server *s = cls;
    struct exchange *ex = *con_cls;
    if (!ex)
        return handle_headers(s, c, url, method, con_cls);
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (ex->too_big || ex->len + n > ex->limit) {
            /* beyond the limit (or a body where none belongs): read and
             * dropped, up to a point */
            ex->too_big = true;
            ex->discarded += n;
            return ex->discarded > DISCARD_FACTOR * (ex->limit + 4096)
                       ? MHD_NO : MHD_YES;
        }
        if (ex->len + n + 1 > ex->cap) {
            size_t cap = ex->cap ? ex->cap : 4096;
            while (cap < ex->len + n + 1)
                cap *= 2;
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
    const char *rid = ex->request_id;
    if (ex->route == ROUTE_OTHER)
        return answer_json(s, c, ex->route, ex->start_ns, rid, 404,
                           "{\"detail\": \"Not Found\"}");
    if (!ex->method_allowed)
        return answer(s, c, ex->route, ex->start_ns, rid, 405, JSON_TYPE,
                      method_not_allowed, sizeof method_not_allowed - 1,
                      MHD_RESPMEM_PERSISTENT, MHD_HTTP_HEADER_ALLOW,
                      is_post_route(ex->route) ? "POST" : "GET, HEAD");
    if (!is_post_route(ex->route))
        return get_route(s, c, ex->route, ex->start_ns, rid);
    if (ex->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body is larger than %zu bytes",
                 ex->limit);
        return answer_detail(s, c, ex->route, ex->start_ns, rid, 413, msg);
    }
    if (!ex->body) {
        ex->body = malloc(1);
        if (!ex->body)
            return MHD_NO;
        ex->body[0] = '\0';
    }
    /* jansson skips NUL bytes as if they were not there, so
     * {"edad": 32<NUL>, ...} would be scored; JSON has no raw NUL. */
    const char *nul = memchr(ex->body, '\0', ex->len);
    if (nul) {
        char msg[96];
        snprintf(msg, sizeof msg, "not JSON: a NUL byte at offset %zu",
                 (size_t)(nul - ex->body));
        return answer_detail(s, c, ex->route, ex->start_ns, rid, 400, msg);
    }
    return ex->route == ROUTE_PREDICTION ? post_prediction(s, c, ex)
                                         : post_predictions(s, c, ex);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)c;
    (void)code;
    struct server *s = cls;
    struct exchange *ex = *con_cls;
    if (ex) {
        free(ex->body);
        free(ex);
        *con_cls = NULL;
    }
    atomic_fetch_sub(&s->in_flight, 1);
}

/* ------------------------------------------------------ start and stop */

const char *server_default_audit_path(void)
{
    static char path[4096];
    const char *home = getenv("INCOMESCORE_HOME");
    snprintf(path, sizeof path, "%s/audit.sqlite3",
             home && *home ? home : "./var");
    return path;
}

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

/* data/openapi.json with its request schema's properties filled from
 * request_limits, so the document cannot disagree with the validation. */
static void load_documents(struct server *s, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/openapi.json", dir);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        log_event(s, "warn", "openapi_missing", NULL,
                  "%s: %s; GET /openapi.json will answer 404", path, jerr.text);
    } else {
        json_t *schema = json_object_get(
            json_object_get(json_object_get(doc, "components"), "schemas"),
            "PredictionRequest");
        if (schema) {
            json_t *props = json_object(), *required = json_array();
            for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
                const struct field_limit *l = &request_limits[i];
                json_t *p = json_pack("{s:s}", "type",
                                      l->integer ? "integer" : "number");
                json_object_set_new(p, "minimum", limit_value(l, l->min));
                json_object_set_new(p, "maximum", limit_value(l, l->max));
                json_object_set_new(p, "description",
                                    json_string(l->description));
                if (i == REQUEST_FIELD_COUNT - 1 &&
                    strcmp(l->name, "lugar_actual") == 0) {
                    /* a state's name is accepted too */
                    json_t *alt = json_pack(
                        "{s:[o, {s:s, s:i, s:s}]}", "oneOf", p, "type",
                        "string", "maxLength", REQUEST_STRING_MAX - 1,
                        "description", "a state's name, e.g. \"Nuevo León\"");
                    p = alt;
                }
                json_object_set_new(props, l->name, p);
                json_array_append_new(required, json_string(l->name));
            }
            json_object_set_new(schema, "properties", props);
            json_object_set_new(schema, "required", required);
        }
        openapi_mark_keys(s, doc);
        s->openapi_text = dump_json(doc, &s->openapi_len);
        json_decref(doc);
    }
    snprintf(path, sizeof path, "%s/docs.html", dir);
    struct errbuf err;
    s->docs_text = file_read_all(path, &s->docs_len, &err);
    if (!s->docs_text)
        log_event(s, "warn", "docs_missing", NULL,
                  "%s; GET /docs will answer 404", err.msg);
}

static void server_free(struct server *s)
{
    struct live_model *m = atomic_exchange(&s->live, NULL);
    model_release(m);
    registry_close(s->registry);
    free(s->openapi_text);
    free(s->docs_text);
    keys_release(atomic_exchange(&s->keys, NULL));
    pthread_mutex_destroy(&s->keys_lock);
    pthread_mutex_destroy(&s->reload_lock);
    pthread_mutex_destroy(&s->watch_lock);
    pthread_cond_destroy(&s->watch_cond);
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
    if (!c->host)
        c->host = "127.0.0.1";
    if (!c->max_body)
        c->max_body = SERVER_DEFAULT_MAX_BODY;
    if (!c->max_batch_body)
        c->max_batch_body = SERVER_DEFAULT_MAX_BATCH_BODY;
    if (!c->connection_limit)
        c->connection_limit = DEFAULT_CONNECTION_LIMIT;
    if (!c->timeout_s)
        c->timeout_s = DEFAULT_TIMEOUT_S;
    if (!c->threads)
        c->threads = DEFAULT_THREADS;
    if (!c->watch_interval_ms)
        c->watch_interval_ms = DEFAULT_WATCH_MS;
    if (!c->audit_queue)
        c->audit_queue = DEFAULT_AUDIT_QUEUE;
    if (!c->audit_wait_ms)
        c->audit_wait_ms = DEFAULT_AUDIT_WAIT_MS;
    if (!c->audit_path) {
        /* the default's directory is ours to make; a given path's is not */
        c->audit_path = server_default_audit_path();
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
        c->data_dir = refdata_default_dir();
    s->log = c->log_stream ? c->log_stream : stderr;
    s->listen_fd = -1;
    pthread_mutex_init(&s->reload_lock, NULL);
    pthread_mutex_init(&s->watch_lock, NULL);
    pthread_mutex_init(&s->keys_lock, NULL);
    snprintf(s->key_counts[KEY_NAMES_MAX].name,
             sizeof s->key_counts[KEY_NAMES_MAX].name, "_other");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->watch_cond, &ca);
    pthread_condattr_destroy(&ca);

    /* A key file that does not load refuses the start: serving openly
     * what was meant to be closed is worse than not serving. */
    if (c->api_keys_path) {
        pthread_mutex_lock(&s->keys_lock);
        int rc = keys_load(s, err);
        pthread_mutex_unlock(&s->keys_lock);
        if (rc < 0)
            goto fail;
    }
    keys_log_start(s);

    if (!c->model_dir &&
        registry_open(&s->registry, c->registry_dir ? c->registry_dir
                                                    : registry_default_dir(),
                      err) < 0)
        goto fail;
    /* A registry with nothing live yet is a server that is not ready;
     * anything else that fails to load is an error at start. */
    if (model_reload(s, err) < 0) {
        char id[REGISTRY_ID_SIZE];
        struct errbuf ignored;
        if (!s->registry || registry_live(s->registry, id, &ignored) != 1)
            goto fail;
        log_event(s, "warn", "not_ready", NULL, "%s; waiting for a promotion",
                  err->msg);
    }
    load_documents(s, c->data_dir);

    if (c->audit_sink != AUDIT_OFF &&
        audit_open(&s->audit, c->audit_sink, c->audit_path, c->audit_queue,
                   err) < 0) {
        err_prefix(err, "audit log");
        goto fail;
    }

    s->listen_fd = open_listener(c->host, c->port, &s->port, err);
    if (s->listen_fd < 0)
        goto fail;
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
            MHD_USE_ITC,
        0, NULL, NULL, handle, s,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
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

    if (s->registry && c->watch_interval_ms > 0) {
        if (pthread_create(&s->watcher, NULL, watch_registry, s) != 0) {
            err_set(err, "cannot start the registry watcher");
            goto fail;
        }
        s->watcher_started = true;
    }
    char version[sizeof ((struct bundle *)0)->id];
    server_model_version(s, version, sizeof version);
    struct text extra = {0};
    text_member(&extra, "url", s->url);
    text_member(&extra, "model_version", version);
    text_member(&extra, "audit", c->audit_sink == AUDIT_OFF      ? "off"
                                 : c->audit_sink == AUDIT_STDOUT ? "stdout"
                                                                 : "sqlite");
    text_printf(&extra, ", \"threads\": %u", c->threads);
    log_event(s, "info", "start", extra.p, "listening on %s (model %s)",
              s->url, *version ? version : "none");
    free(extra.p);
    *out = s;
    return 0;

fail:
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    audit_close(s->audit);
    server_free(s);
    return -1;
}

int server_port(const struct server *s)
{
    return s->port;
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    /* Stop accepting, then let what is in flight finish and be sent. */
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    for (int waited = 0;
         atomic_load(&s->in_flight) > 0 && waited < STOP_GRACE_MS; waited++)
        usleep(1000);
    long left = atomic_load(&s->in_flight);
    MHD_stop_daemon(s->daemon); /* closes the listener unless quiesced */
    if (fd != MHD_INVALID_SOCKET)
        close(fd);

    if (s->watcher_started) {
        pthread_mutex_lock(&s->watch_lock);
        s->stopping = true;
        pthread_cond_signal(&s->watch_cond);
        pthread_mutex_unlock(&s->watch_lock);
        pthread_join(s->watcher, NULL);
    }
    audit_close(s->audit);
    log_event(s, "info", "stop", NULL, "stopped%s",
              left > 0 ? " (requests still in flight were cut)" : "");
    server_free(s);
}
