/*
 * routes.c — one function per route of the API (server.h lists them),
 * the table that names them, and the audit hand-off: a decision is
 * submitted to the audit log before it is answered.
 *
 * Scoring, validation and the response text are the scoring core's
 * (score/scoring.h, score/request.h); the API's documents are prepared
 * by api_docs.c. A route takes a reference on the live model for as long
 * as it uses it and drops it before returning.
 */
#include "http/routes.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"
#include "http/internal.h"
#include "registry/bundle.h"
#include "score/request.h"
#include "score/scoring.h"

/* Room for one scored answer (a few hundred bytes in practice). */
#define ANSWER_MAX 4096

static const char audit_unavailable[] =
    "{\"detail\": \"audit log unavailable\"}";
static const char no_model[] =
    "{\"detail\": \"no model is loaded yet\"}";

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

/* 0, or -1 when the decision must not be answered; its ticket into t
 * (empty without a log). */
static int audit_decision(struct server *s, const struct audit_record *rec,
                          struct audit_ticket *t)
{
    *t = (struct audit_ticket){0, 0};
    if (!s->audit)
        return 0;
    if (audit_enqueue(s->audit, rec, s->cfg.audit_wait_ms, t) == 0)
        return 0;
    METRIC_COUNT(s->metrics.audit_unavailable);
    return -1;
}

/* The same for a batch's `decisions`, queued as one group g: all of
 * them may be answered, or none. */
static int audit_decisions(struct server *s, struct audit_group *g,
                           size_t decisions, struct audit_ticket *t)
{
    *t = (struct audit_ticket){0, 0};
    if (!s->audit)
        return 0;
    if (audit_enqueue_group(s->audit, g, s->cfg.audit_wait_ms, t) == 0)
        return 0;
    METRIC_ADD(s->metrics.audit_unavailable, decisions);
    return -1;
}

/* ------------------------------------------ parked until committed */

/*
 * With commit acknowledgement (audit.h) a decision is answered only once
 * its record is committed, but no thread waits for that: the route
 * prepares its answer, suspends the connection (MHD_suspend_connection)
 * and lists it in s->parked with its audit ticket. The audit writer,
 * after every batch, resumes those whose records are committed (or whose
 * log failed: 503); the reaper thread (server.c), every few milliseconds,
 * those whose audit_wait_ms is over (503). Resumed, the request comes
 * back to its route, which sends what it prepared. Meanwhile the worker
 * thread serves other connections, so one commit answers every request
 * that arrived while the last one was written. Why not wait on a
 * condition in the worker thread: two workers then meant two requests a
 * commit, ~4,000 requests/s at c=64 where queueing gave ~29,000
 * (measured in the same run).
 */

/* s->parked_mu held: ends ex's parking with the ticket's state st. */
static void unpark(struct exchange *ex, int st)
{
    ex->parked_status = st > 0 ? 200 : 503;
    MHD_resume_connection(ex->conn);
}

void routes_resume_parked(struct server *s, bool all)
{
    if (!s->parking)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    pthread_mutex_lock(&s->parked_mu);
    struct exchange **p = &s->parked;
    while (*p) {
        struct exchange *ex = *p;
        int st = audit_ticket_check(s->audit, &ex->ticket,
                                    all || now >= ex->park_deadline_ns);
        if (st == 0) {
            p = &ex->parked_next;
            continue;
        }
        *p = ex->parked_next;
        unpark(ex, st);
    }
    pthread_mutex_unlock(&s->parked_mu);
}

/* Parks ex with its prepared answer (body: malloc'd, now ex's) and the
 * scores to count once it is sent. */
static enum MHD_Result park(struct exchange *ex, const struct audit_ticket *t,
                            char *body, size_t len, struct score *scores,
                            size_t scored)
{
    struct server *s = ex->server;
    ex->ticket = *t;
    ex->parked_body = body;
    ex->parked_len = len;
    ex->parked_scores = scores;
    ex->parked_scored = scored;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ex->park_deadline_ns = (uint64_t)ts.tv_sec * 1000000000u +
                           (uint64_t)ts.tv_nsec +
                           (uint64_t)s->cfg.audit_wait_ms * 1000000u;
    MHD_suspend_connection(ex->conn);
    pthread_mutex_lock(&s->parked_mu);
    /* Committed already (the writer was quick), or the log failed: no
     * notification will come for it, so it is decided now. */
    int st = audit_ticket_check(s->audit, t, false);
    if (st != 0) {
        unpark(ex, st);
    } else {
        ex->parked_next = s->parked;
        s->parked = ex;
    }
    pthread_mutex_unlock(&s->parked_mu);
    return MHD_YES;
}

/* The answer of a parked request, back from parking. */
static enum MHD_Result answer_parked(struct exchange *ex)
{
    struct server *s = ex->server;
    char *body = ex->parked_body;
    ex->parked_body = NULL;
    if (ex->parked_status == 200) {
        for (size_t i = 0; i < ex->parked_scored; i++)
            metrics_score(&s->metrics, &ex->parked_scores[i]);
        return answer(ex, 200, JSON_TYPE, body, ex->parked_len,
                      MHD_RESPMEM_MUST_FREE, NULL, NULL);
    }
    free(body);
    METRIC_ADD(s->metrics.audit_unavailable,
               ex->parked_scored ? ex->parked_scored : 1);
    return answer_json(ex, 503, audit_unavailable);
}

void routes_parked_free(struct exchange *ex)
{
    free(ex->parked_body);
    if (ex->parked_scores != &ex->parked_one)
        free(ex->parked_scores);
    ex->parked_body = NULL;
    ex->parked_scores = NULL;
}

/* ------------------------------------------------------ POST routes */

/* 422 with errs as FastAPI's detail list; body is the request as read
 * (see request_errors_json). */
static enum MHD_Result answer_errors(struct exchange *ex,
                                     const struct request_errors *errs,
                                     const json_t *body)
{
    json_t *j = request_errors_json(errs, body);
    size_t len;
    char *text = api_doc_json(j, &len);
    json_decref(j);
    return text ? answer(ex, 422, JSON_TYPE, text, len, MHD_RESPMEM_MUST_FREE,
                         NULL, NULL)
                : MHD_NO;
}

/* A body FastAPI would not read as JSON (none, or another Content-Type):
 * refused as it refuses it, the route's own way for a string (a model
 * says model_attributes_type, the batch's list list_type). 0 when the
 * body is to be read as JSON. */
static int refuse_unread_body(struct exchange *ex, bool list,
                              enum MHD_Result *rc)
{
    struct request_errors errs;
    if (ex->len == 0) {
        request_no_body(&errs);
        *rc = answer_errors(ex, &errs, NULL);
        return 1;
    }
    if (!ex->body_not_json)
        return 0;
    json_t *text = json_stringn(ex->body, ex->len); /* NULL unless UTF-8 */
    if (list) {
        request_not_a_list(&errs);
    } else {
        struct applicant a;
        request_parse(text, NULL, &a, &errs); /* a string: refused */
    }
    *rc = answer_errors(ex, &errs, text);
    json_decref(text);
    return 1;
}

/* The scoring routes' ?explain= query parameter, read as FastAPI reads
 * a bool (pydantic's lax strings, any case): absent is false. Another
 * value is answered 422 as FastAPI answers it, and 1 returned. */
static int explain_wanted(struct exchange *ex, bool *explain,
                          enum MHD_Result *rc)
{
    static const char *const yes[] = {"1", "on", "t", "true", "y", "yes"};
    static const char *const no[] = {"0", "off", "f", "false", "n", "no"};
    const char *v = MHD_lookup_connection_value(ex->conn,
                                                MHD_GET_ARGUMENT_KIND,
                                                "explain");
    *explain = false;
    if (!v)
        return 0;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *explain = true;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    struct text t = {0};
    text_puts(&t, "{\"detail\": [{\"type\": \"bool_parsing\", \"loc\": "
                  "[\"query\", \"explain\"], \"msg\": \"Input should be a "
                  "valid boolean, unable to interpret input\", \"input\": ");
    text_json_string(&t, v, strlen(v), JSON_QUOTE_REPLACE_INVALID);
    text_puts(&t, "}]}");
    *rc = t.failed ? MHD_NO
                   : answer(ex, 422, JSON_TYPE, t.p, t.len,
                            MHD_RESPMEM_MUST_COPY, NULL, NULL);
    free(t.p);
    return 1;
}

/* The answer to one scored applicant, explained when asked. */
static int format_answer(const struct scorer *s, const struct applicant *a,
                         const struct score *sc, bool explain, char *buf,
                         size_t size)
{
    return explain ? score_format_explained(s, a, sc, buf, size)
                   : score_format_json(s, sc, buf, size);
}

static enum MHD_Result post_prediction(struct exchange *ex)
{
    struct server *s = ex->server;
    if (ex->parked_status)
        return answer_parked(ex);
    enum MHD_Result rc;
    bool explain;
    if (refuse_unread_body(ex, false, &rc) || explain_wanted(ex, &explain, &rc))
        return rc;
    struct live_model *m = live_model_acquire(s);
    if (!m)
        return answer_json(ex, 503, no_model);
    const struct bundle *b = m->bundle;
    struct applicant a;
    struct request_errors errs;
    char msg[512];
    int parsed = request_parse_text(ex->body, ex->len, &b->scorer.rd, &a,
                                    &errs, msg, sizeof msg);
    if (parsed == -2) {
        rc = answer_errors(ex, &errs, NULL);
    } else if (parsed < 0) {
        /* read again, on this path only, for the errors' "input" */
        json_t *body = request_json(ex->body, ex->len);
        rc = answer_errors(ex, &errs, body);
        json_decref(body);
    } else {
        struct score sc;
        score_applicant(&b->scorer, &a, &sc);
        char buf[ANSWER_MAX];
        int n = format_answer(&b->scorer, &a, &sc, explain, buf, sizeof buf);
        size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
        struct audit_record rec;
        audit_fill(&rec, ex, ex->request_id, b->id, ex->body, ex->len, &a, buf,
                   len);
        struct audit_ticket t;
        char *copy;
        if (audit_decision(s, &rec, &t) < 0) {
            rc = answer_json(ex, 503, audit_unavailable);
        } else if (s->parking && (copy = malloc(len + 1))) {
            memcpy(copy, buf, len + 1);
            ex->parked_one = sc;
            rc = park(ex, &t, copy, len, &ex->parked_one, 1);
        } else if (s->parking) { /* no memory to hold the answer */
            METRIC_COUNT(s->metrics.audit_unavailable);
            rc = answer_json(ex, 503, audit_unavailable);
        } else {
            metrics_score(&s->metrics, &sc);
            rc = answer(ex, 200, JSON_TYPE, buf, len, MHD_RESPMEM_MUST_COPY,
                        NULL, NULL);
        }
    }
    live_model_release(m);
    return rc;
}

/* One item of a batch that is not scored: as `predict` answers a bad
 * line (request.h). */
static void batch_item_error(struct text *out, const char *message,
                             const struct request_errors *errs,
                             const json_t *item)
{
    size_t len;
    char *text = request_error_answer(message, errs, item, ANSWER_SPACED,
                                      &len);
    if (text)
        text_put(out, text, len);
    else
        out->failed = true;
    free(text);
}

/* A batch's size as its text shows it, before jansson builds anything:
 * the top-level array's items, and a bound on the JSON values in the
 * whole text (its containers, commas and colons: what parsing will
 * allocate grows with them). jansson spends ~230 bytes on an empty object,
 * so a 2 MB batch of {} (699,050 items) cost 158 MB to be refused as too
 * long; counted first, it costs nothing. Malformed text is counted as
 * far as it goes and left to jansson to refuse. */
struct batch_shape {
    size_t items;  /* of the top-level array; 0 when not an array */
    size_t values; /* containers, commas and colons */
};

static struct batch_shape batch_shape(const char *p, size_t n)
{
    struct batch_shape shape = {0, 0};
    size_t depth = 0;
    bool top_array = false, in_item = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == ']' || c == '}') {
            depth -= depth > 0;
            continue;
        }
        if (c == ',' || c == ':') {
            shape.values++;
            if (depth == 1 && c == ',')
                in_item = false;
            continue;
        }
        /* a value begins (or a scalar goes on) here */
        if (top_array && depth == 1 && !in_item) {
            shape.items++;
            in_item = true;
        }
        if (c == '"') { /* skip the string, escapes and all */
            for (i++; i < n && p[i] != '"'; i++)
                i += p[i] == '\\';
        } else if (c == '[' || c == '{') {
            top_array |= depth == 0 && c == '[' && shape.values == 0;
            shape.values++;
            depth++;
        }
    }
    return shape;
}

/* JSON values a batch may hold on average per request: 8 fields with
 * their commas and colons are 17; room for a few keys the API ignores. */
#define BATCH_VALUES_PER_ITEM 32

static enum MHD_Result post_predictions(struct exchange *ex)
{
    struct server *s = ex->server;
    if (ex->parked_status)
        return answer_parked(ex);
    enum MHD_Result rc;
    bool explain;
    if (refuse_unread_body(ex, true, &rc) || explain_wanted(ex, &explain, &rc))
        return rc;
    struct batch_shape shape = batch_shape(ex->body, ex->len);
    if (shape.items > SERVER_BATCH_MAX) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "a batch holds at most %d requests; this one has %zu: "
                 "split it", SERVER_BATCH_MAX, shape.items);
        return answer_detail(ex, 413, msg);
    }
    size_t values_max = (size_t)SERVER_BATCH_MAX * BATCH_VALUES_PER_ITEM;
    if (shape.values > values_max) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "a batch holds at most %zu JSON values; this one has %zu",
                 values_max, shape.values);
        return answer_detail(ex, 413, msg);
    }
    struct request_errors errs;
    json_t *items = request_json(ex->body, ex->len);
    if (!items) {
        request_json_error(ex->body, ex->len, &errs);
        return answer_errors(ex, &errs, NULL);
    }
    if (!json_is_array(items)) {
        request_not_a_list(&errs);
        rc = answer_errors(ex, &errs, items);
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
        return answer_detail(ex, 413, msg);
    }
    struct live_model *m = live_model_acquire(s);
    if (!m) {
        json_decref(items);
        return answer_json(ex, 503, no_model);
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
        if (request_parse(item, &b->scorer.rd, &a, &errs) < 0) {
            char msg[1024];
            request_errors_text(&errs, msg, sizeof msg);
            batch_item_error(&out, msg, &errs, item);
            continue;
        }
        struct score *sc = &scores[scored++];
        score_applicant(&b->scorer, &a, sc);
        char buf[ANSWER_MAX];
        int n = format_answer(&b->scorer, &a, sc, explain, buf, sizeof buf);
        size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
        if (group) {
            char id[AUDIT_ID_SIZE];
            snprintf(id, sizeof id, "%s/%zu", ex->request_id, i);
            size_t in_len;
            char *in = api_doc_json(item, &in_len);
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
    live_model_release(m);
    json_decref(items);
    struct audit_ticket t;
    if (!out.failed && audit_decisions(s, group, scored, &t) < 0) {
        free(out.p);
        rc = answer_json(ex, 503, audit_unavailable);
    } else if (!out.failed && s->parking) {
        rc = park(ex, &t, out.p, out.len, scores, scored);
        scores = NULL; /* the exchange's now */
    } else {
        if (!out.failed)
            for (size_t i = 0; i < scored; i++)
                metrics_score(&s->metrics, &scores[i]);
        rc = answer_text(ex, 200, JSON_TYPE, &out);
    }
    audit_group_free(group);
    free(scores);
    return rc;
}

/* ------------------------------------------------------- GET routes */

static enum MHD_Result get_healthz(struct exchange *ex)
{
    return answer_json(ex, 200, "{\"status\": \"ok\"}");
}

static enum MHD_Result get_readyz(struct exchange *ex)
{
    struct live_model *m = live_model_acquire(ex->server);
    if (!m)
        return answer_json(ex, 503, "{\"status\": \"no model loaded\"}");
    struct text t = {0};
    char why[256];
    if (audit_health(ex->server->audit, why, sizeof why) < 0) {
        /* Decisions would be answered 503: not ready, so that a balancer
         * sends them elsewhere until the log writes again. */
        live_model_release(m);
        text_puts(&t, "{\"status\": \"audit log unavailable\", "
                      "\"reason\": ");
        text_json_string(&t, why, strlen(why), JSON_QUOTE_REPLACE_INVALID);
        text_puts(&t, "}");
        return answer_text(ex, 503, JSON_TYPE, &t);
    }
    text_puts(&t, "{\"status\": \"ready\", \"model_version\": ");
    text_json_string(&t, m->bundle->id, strlen(m->bundle->id),
                     JSON_QUOTE_REPLACE_INVALID);
    text_puts(&t, "}");
    live_model_release(m);
    return answer_text(ex, 200, JSON_TYPE, &t);
}

/* GET /v1/model or /v1/meta: the live model's, prepared when it loaded. */
static enum MHD_Result get_model_document(struct exchange *ex)
{
    struct live_model *m = live_model_acquire(ex->server);
    if (!m)
        return answer_json(ex, 503, no_model);
    const struct api_doc *d = ex->route == ROUTE_MODEL ? &m->model : &m->meta;
    enum MHD_Result rc = answer(ex, 200, JSON_TYPE, d->text, d->len,
                                MHD_RESPMEM_MUST_COPY, NULL, NULL);
    live_model_release(m);
    return rc;
}

/* GET /v1/model/report: the live bundle's training report, as `train`
 * wrote it. Its own policy: it is a document with inline styles and
 * charts and no script, so it may load nothing at all. */
static enum MHD_Result get_model_report(struct exchange *ex)
{
    struct live_model *m = live_model_acquire(ex->server);
    if (!m)
        return answer_json(ex, 503, no_model);
    if (!m->report.text) {
        live_model_release(m);
        return answer_json(ex, 404, "{\"detail\": \"the live model has no "
                                    "training report\"}");
    }
    static const char *const headers[] = {
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'none'",
        "X-Content-Type-Options", "nosniff",
        NULL,
    };
    enum MHD_Result rc = answer_headers(ex, 200, "text/html; charset=utf-8",
                                        m->report.text, m->report.len,
                                        MHD_RESPMEM_MUST_COPY, headers);
    live_model_release(m);
    return rc;
}

static enum MHD_Result get_openapi(struct exchange *ex)
{
    const struct api_doc *d = &ex->server->site.openapi;
    if (!d->text)
        return answer_json(ex, 404,
                           "{\"detail\": \"openapi.json is not installed\"}");
    return answer(ex, 200, JSON_TYPE, d->text, d->len, MHD_RESPMEM_PERSISTENT,
                  NULL, NULL);
}

static enum MHD_Result get_docs(struct exchange *ex)
{
    const struct api_doc *d = &ex->server->site.docs;
    if (!d->text)
        return answer_json(ex, 404,
                           "{\"detail\": \"docs.html is not installed\"}");
    return answer(ex, 200, "text/html; charset=utf-8", d->text, d->len,
                  MHD_RESPMEM_PERSISTENT, NULL, NULL);
}

/* GET /: the analysts' page; without one, → /docs, where the original
 * served Swagger UI. */
static enum MHD_Result get_root(struct exchange *ex)
{
    if (ex->web_file)
        return web_files_answer(ex, ex->web_file);
    return answer(ex, 307, "text/plain", "", 0, MHD_RESPMEM_PERSISTENT,
                  MHD_HTTP_HEADER_LOCATION, "/docs");
}

static enum MHD_Result get_metrics(struct exchange *ex)
{
    struct server *s = ex->server;
    struct audit_stats as = {0};
    if (s->audit)
        audit_get_stats(s->audit, &as);
    struct text t = {0};
    struct live_model *m = live_model_acquire(s);
    metrics_text(&s->metrics, m ? m->bundle : NULL, &as, &t);
    live_model_release(m);
    keyring_metrics_text(&s->keys, &t);
    return answer_text(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                       &t);
}

static enum MHD_Result get_web_file(struct exchange *ex)
{
    return web_files_answer(ex, ex->web_file);
}

static enum MHD_Result not_found(struct exchange *ex)
{
    return answer_json(ex, 404, "{\"detail\": \"Not Found\"}");
}

/* ------------------------------------------------------------ table */

static const struct {
    const char *path; /* as /metrics labels it */
    bool post;
    enum MHD_Result (*answer)(struct exchange *ex);
} routes[ROUTE_COUNT] = {
    [ROUTE_PREDICTION] = {"/v1/prediction", true, post_prediction},
    [ROUTE_PREDICTIONS] = {"/v1/predictions", true, post_predictions},
    [ROUTE_HEALTHZ] = {"/healthz", false, get_healthz},
    [ROUTE_READYZ] = {"/readyz", false, get_readyz},
    [ROUTE_MODEL] = {"/v1/model", false, get_model_document},
    [ROUTE_META] = {"/v1/meta", false, get_model_document},
    [ROUTE_REPORT] = {"/v1/model/report", false, get_model_report},
    [ROUTE_OPENAPI] = {"/openapi.json", false, get_openapi},
    [ROUTE_DOCS] = {"/docs", false, get_docs},
    [ROUTE_ROOT] = {"/", false, get_root},
    [ROUTE_METRICS] = {"/metrics", false, get_metrics},
    [ROUTE_WEB] = {"web", false, get_web_file},
    [ROUTE_OTHER] = {"other", false, not_found},
};

enum route route_of(const char *url)
{
    for (int r = 0; r < ROUTE_WEB; r++)
        if (strcmp(url, routes[r].path) == 0)
            return (enum route)r;
    return ROUTE_OTHER;
}

const char *route_path(enum route r)
{
    return routes[r].path;
}

bool route_is_post(enum route r)
{
    return routes[r].post;
}

enum MHD_Result route_answer(struct exchange *ex)
{
    return routes[ex->route].answer(ex);
}
