/*
 * internal.h — what the files of the HTTP server share: struct server
 * (each part of its state owned by one file), the exchange (one request
 * between libmicrohttpd's calls), the functions that answer an exchange
 * and the JSON log lines. Nothing outside src/http/ includes it;
 * server.h is the contract.
 *
 * The files, along a request's way:
 *   server.c      the daemon: start and stop, the request line and
 *                 headers (request id, key check, method, Content-Type,
 *                 size), the body, answering, the log lines
 *   routes.c      one function per route; the audit hand-off of decisions
 *   keyring.c     API keys: the key file, its reload, the check
 *   live_model.c  the live model: loading, reloading, the registry watcher
 *   api_docs.c    /v1/model, /v1/meta, /openapi.json and /docs, prepared
 *   web_files.c   the analysts' page: web/'s files, read at start
 *   metrics.c     the Prometheus counters and their text
 *   header_watch.c the deadline for a request's headers (slowloris)
 *   swap.c        the reference-counted pointer behind the live model
 *                 and the keys
 * and, each with its own public header: audit.c (the decision log) and
 * apikeys.c (the key file's format and the matching of a key).
 */
#ifndef INCOMESCORE_HTTP_INTERNAL_H
#define INCOMESCORE_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http/apikeys.h"
#include "http/audit.h"
#include "http/header_watch.h"
#include "http/api_docs.h"
#include "http/keyring.h"
#include "http/bucket_watch.h"
#include "http/live_model.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "http/server.h"
#include "http/web_files.h"
#include "score/scoring.h"

struct text;

#define REQUEST_ID_MAX 48 /* leaves room for "/<index>" in AUDIT_ID_SIZE */

struct server {
    /* server.c's */
    struct server_config cfg;
    FILE *log;
    struct MHD_Daemon *daemon;
    int listen_fd;
    int port;
    char url[128];
    struct audit_log *audit; /* NULL: audit off */
    atomic_long in_flight;
    atomic_bool stopping; /* server_stop began: no new request is scored */
    atomic_size_t body_bytes; /* body buffers reserved, against
                               * cfg.max_bodies_in_flight */

    /* routes.c's: connections parked until their decisions' records are
     * committed (commit acknowledgement), and the thread that ends the
     * parking of those whose wait is over (server.c starts it). */
    bool parking;
    pthread_mutex_t parked_mu;
    struct exchange *parked; /* under parked_mu */
    pthread_t park_reaper;
    atomic_bool park_reaper_stop;

    struct live_slot live;       /* live_model.c's */
    struct bucket_watch bucket;  /* bucket_watch.c's: --registry s3:// */
    struct keyring keys;         /* keyring.c's */
    struct site_docs site;       /* api_docs.c's */
    struct web_files web;        /* web_files.c's: the analysts' page */
    struct metrics metrics;      /* metrics.c's; counted where it happens */
    struct header_watch header_watch; /* header_watch.c's */
};

/* Why a request is refused before its body is used; answered after
 * the body was read and dropped (server.c, answer_refusal). */
enum refusal {
    REFUSE_NONE,
    REFUSE_KEY,      /* 401 */
    REFUSE_SIZE,     /* 413: declared over the limit */
    REFUSE_BUSY,     /* 503: over the body budget */
    REFUSE_STOPPING, /* 503: server_stop began */
};

/* One request between libmicrohttpd's calls (server.c makes it when
 * the headers are in and frees it when the request is done). */
struct exchange {
    struct server *server;
    struct MHD_Connection *conn;
    enum route route;
    const struct web_file *web_file; /* ROUTE_WEB: the file asked for */
    bool method_allowed;
    uint64_t start_ns;  /* CLOCK_MONOTONIC, when the headers were in */
    int64_t arrived_ms; /* the same moment, ms since 1970: the audit's time */
    char request_id[REQUEST_ID_MAX + 1];
    char api_key[APIKEY_NAME_SIZE]; /* the key's name; "": no keys */
    size_t limit;      /* body bytes accepted; 0: no body expected */
    char *body;
    size_t len, cap;
    size_t discarded;
    size_t reserved;   /* bytes of the body budget held */
    enum refusal refusal;
    bool too_big;
    bool close_after; /* answer with Connection: close */
    bool body_not_json; /* sent with a Content-Type FastAPI reads as bytes */

    /* Parked (routes.c): the answer prepared, waiting for its records'
     * commit; parked_status is 200 or 503 once decided. */
    struct exchange *parked_next;
    struct audit_ticket ticket;
    uint64_t park_deadline_ns;
    int parked_status;
    char *parked_body;
    size_t parked_len;
    struct score *parked_scores; /* &parked_one or a batch's array */
    size_t parked_scored;
    struct score parked_one;
};

/* Resumes the parked connections whose records are committed, whose log
 * failed, or (all, or their wait over) every one still waiting: the last
 * answer 503. Safe from any thread (routes.c). */
void routes_resume_parked(struct server *s, bool all);

/* The parked answers' memory, when a parked request ends (server.c). */
void routes_parked_free(struct exchange *ex);

#define JSON_TYPE "application/json"

/* Queues the answer with its Content-Type, X-Request-Id and, when header
 * is not NULL, header: value, and counts it on the exchange's route.
 * `mode` says who owns body (MHD_RESPMEM_MUST_FREE: MHD frees it, or this
 * does when the answer cannot be made). */
enum MHD_Result answer(struct exchange *ex, int status,
                       const char *content_type, const char *body, size_t len,
                       enum MHD_ResponseMemoryMode mode, const char *header,
                       const char *value);

/* The same with any number of headers: name, value, name, value, ...,
 * NULL (headers itself may be NULL). */
enum MHD_Result answer_headers(struct exchange *ex, int status,
                               const char *content_type, const char *body,
                               size_t len, enum MHD_ResponseMemoryMode mode,
                               const char *const *headers);

/* A constant JSON body. */
enum MHD_Result answer_json(struct exchange *ex, int status, const char *body);

/* {"detail": "<message>"}, FastAPI's shape for an error that names no
 * field. */
enum MHD_Result answer_detail(struct exchange *ex, int status,
                              const char *message);

/* t's text, which the answer takes over; a t that failed to grow is
 * answered 500 instead. */
enum MHD_Result answer_text(struct exchange *ex, int status,
                            const char *content_type, struct text *t);

/* One JSON line on the server's log: time, level, event, msg, then
 * `extra` (already JSON members, "" or NULL for none). */
void log_event(struct server *s, const char *level, const char *event,
               const char *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* `"key": "value"` appended to a log line's extra members, with a
 * leading ", " after the first. */
void log_member(struct text *t, const char *key, const char *value);

/* The startup line about API keys (keyring.c). */
void keyring_log_start(struct server *s);

#endif
