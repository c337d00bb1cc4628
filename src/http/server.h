/*
 * server.h — the JSON API over HTTP (SPEC §7, §9 `serve`): scoring, the
 * batch route, health and readiness, the live model and everything a web
 * form needs, the OpenAPI document and its HTML page, and Prometheus
 * metrics. A library, so tests start it in-process on an ephemeral port
 * and `incomescore serve` is a thin client of it.
 *
 * Routes
 *   POST /v1/prediction   one request object (SPEC §7) → 200 with the
 *                         scoring core's response; 422 naming every bad
 *                         field in FastAPI's shape, malformed JSON, an
 *                         empty body and a non-JSON Content-Type included
 *                         (request.h); 413 body over max_body; 405 other
 *                         methods (with Allow); 503 when no model is
 *                         loaded, the audit log refused the record, the
 *                         body budget is spent or the server is stopping
 *   POST /v1/predictions  a JSON array of up to SERVER_BATCH_MAX request
 *                         objects → an array of answers in order; a bad
 *                         item is answered in place with {"error": ...,
 *                         "detail": [...]} as `predict` does; a body that
 *                         is not a list is 422 list_type. A longer
 *                         array is refused with 413 (the body is too big
 *                         for one call, whatever its bytes). Body up to
 *                         max_batch_body.
 *   GET /healthz          200 {"status": "ok"} while the process answers
 *   GET /readyz           200 when a model is loaded and the audit log
 *                         writes, else 503
 *   GET /v1/model         the live version: id, created_at, metrics, lineage
 *   GET /v1/model/report  the live bundle's training report (report.html,
 *                         read when the bundle is loaded; 404 when it has
 *                         none), with a policy that lets it load nothing
 *   GET /v1/meta          states, input field limits, score bands, segments,
 *                         the checks' messages (request_checks_json) and
 *                         batch_max: derived from refdata, request_limits,
 *                         request.c and the rules
 *   GET /openapi.json     OpenAPI 3.1 (data/openapi.json, its request
 *                         schema filled from request_limits)
 *   GET /docs             the API's HTML page (data/docs.html)
 *   GET /, GET /<file>    the analysts' page: index.html and the other
 *                         files of cfg->web_dir, read at start, with
 *                         ETag (304 on If-None-Match), Cache-Control,
 *                         a Content-Security-Policy of the page's own
 *                         origin only and nosniff (web_files.h); without
 *                         an index.html, GET / → 307 to /docs
 *   GET /metrics          Prometheus text format
 * Hostile and careless clients (each refusal a JSON {"detail": ...}):
 *   - a request whose length is ambiguous (two Content-Length headers,
 *     even equal; one that is not digits; Content-Length with
 *     Transfer-Encoding) is 400 with Connection: close, before anything
 *     else, and nothing after it on the connection is read (RFC 9112
 *     §6.3: what follows could be a smuggled request);
 *   - refusals made from the headers (401, 413 from Content-Length,
 *     503) are answered after the body was read and dropped, up to 16
 *     times the route's body limit, so that a client that writes its
 *     whole body before reading sees the answer, not a reset; a declared
 *     body past that is answered at once and the connection closed;
 *   - request bodies are buffered as they arrive, never by their
 *     declared length, and all those in flight together hold at most
 *     max_bodies_in_flight bytes: a request that would go over is 503
 *     {"detail": "too many request bodies in flight; retry"} with
 *     Retry-After: 1. A batch is sized from its text before jansson
 *     parses it (over SERVER_BATCH_MAX items, or 32 JSON values an item
 *     on average: 413), since parsing costs ~230 bytes an empty object;
 *   - one client address holds at most per_address_limit connections
 *     (libmicrohttpd refuses more at accept), so a slow client opening
 *     connections leaves the rest of connection_limit to others; a body
 *     not in within body_deadline_s of its headers closes the connection
 *     (the idle timeout alone restarts with every byte), and a request's
 *     headers not in within header_deadline_s of the connection's start
 *     or of the previous answer close it too (header_watch.h: a watch
 *     thread shuts such sockets down, since libmicrohttpd 0.9.75 calls
 *     us only once headers are whole).
 * Every answer carries X-Request-Id: the client's (when it is 1–48
 * visible ASCII characters other than quote and backslash) or 16 hex characters
 * that grow with time (milliseconds, then a count), so the audit log's
 * index on request ids grows at its end.
 *
 * API keys (optional). Without a key file the API is open. With one
 * (cfg->api_keys_path, see apikeys.h for its lines), every request whose
 * path is /v1 or under /v1/ — the scoring routes, /v1/model, /v1/meta and
 * any unknown /v1 path — needs `Authorization: Bearer <key>`; with
 * cfg->protect_all every path but /healthz and /readyz does (so /metrics,
 * /openapi.json, /docs, / and unknown paths too), leaving the probes of
 * an orchestrator keyless. A request without a key, with another scheme
 * or with a key not in the file is answered 401 {"detail": "a valid API
 * key is required (Authorization: Bearer <key>)"} with
 * `WWW-Authenticate: Bearer`, the same answer whatever was wrong, before
 * its method, Content-Type or size are looked at and before any body is
 * read. 401s are counted by route in incomescore_http_requests_total;
 * requests let through, by key name in
 * incomescore_api_key_requests_total{key="<name>"}. Each decision's
 * audit record names the key that asked for it (the name from the file,
 * never the key or its hash); a server without keys records no name.
 * /openapi.json marks the routes that need a key with the bearer scheme.
 *
 * The live model: the bundle cfg->model_dir names, else the registry's
 * live version (registry/live.h locates it, for the server as for
 * `predict`). A request takes a reference on the live model for as long
 * as it uses it; a reload swaps the pointer and drops the server's
 * reference, and the last user frees the old bundle. A bundle that does
 * not load is refused and the old one keeps serving. A watcher thread
 * looks at the registry's LIVE every watch_interval_ms; server_reload()
 * (SIGHUP in `serve`) looks at once, and reads the key file again. With
 * cfg->bucket_url the registry is in a bucket and registry_dir is its
 * local cache, kept following the bucket's LIVE every bucket_poll_ms
 * (bucket_watch.h: a version is served only once every hash checks).
 *
 * Audit. Every decision is submitted to the audit log before it is
 * answered and, by default (cfg->audit_ack), answered only once its
 * record is committed; if the log refuses it, is failing or does not
 * commit it within audit_wait_ms, the answer is 503 {"detail": "audit
 * log unavailable"} and no decision leaves the server. While the log
 * cannot write (audit.h), GET /readyz is 503 {"status": "audit log
 * unavailable", "reason": "..."} too, so a balancer sends the traffic
 * elsewhere until a write succeeds again. No thread waits for a commit:
 * the connection is suspended until the audit writer's next batch
 * settles it (routes.c), so one commit answers every request that was
 * waiting for it. A batch is audited
 * item by item (request id "<id>/<index>", the item as inputs, its answer
 * as outputs; items answered with an error are not decisions and are not
 * recorded), because one record per batch would not fit a record's 2 KB
 * and would make a decision hard to find. A batch's records are queued
 * together or not at all (audit_submit_group), after all its items are
 * scored: if the log cannot take every one of them within audit_wait_ms,
 * the batch is answered 503 {"detail": "audit log unavailable"}, no item
 * is answered and none is recorded, so the log never shows a decision
 * the client did not get. A batch with more decisions than audit_queue
 * can ever hold is therefore always 503 (the default queue holds
 * SERVER_BATCH_MAX), and so is one whose records hold more than the
 * queue's AUDIT_QUEUE_BYTES (16 MiB): a record holds the item as JSON and
 * its answer, ~0.9 KB for a largest default batch (2 MiB of body,
 * ~9 MB of records); only a --max-batch-body raised several times over,
 * with items padded by keys the API ignores, comes near it. While a
 * batch waits for room, later submissions wait behind it (audit.c):
 * first come, first served. incomescore_audit_unavailable_total counts the
 * decisions withheld: one for a single request, every scored item for a
 * batch.
 *
 * Logs are JSON lines on log_stream (stderr by default).
 *
 * The implementation is one file per job in src/http/ (internal.h lists
 * them): the daemon and a request's way to its route (server.c), the
 * routes (routes.c), the live model (live_model.c), the keys
 * (keyring.c, over apikeys.c's file format), the API's documents
 * (api_docs.c), the counters (metrics.c) and the audit log (audit.c).
 */
#ifndef INCOMESCORE_SERVER_H
#define INCOMESCORE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http/audit.h"
#include "base/errbuf.h"

#define SERVER_BATCH_MAX 10000
#define SERVER_DEFAULT_HOST "127.0.0.1"
#define SERVER_DEFAULT_PORT 8000
#define SERVER_DEFAULT_THREADS 2
#define SERVER_DEFAULT_BUCKET_POLL_S 5
#define SERVER_DEFAULT_TIMEOUT_S 10
#define SERVER_DEFAULT_CONNECTION_LIMIT 1024
/* A quarter of the connections: one address holding all it may (a slow
 * client opening connections to keep them) leaves the rest to others,
 * and a load generator's 64 or 128 connections still fit. */
#define SERVER_DEFAULT_PER_ADDRESS_LIMIT 256
#define SERVER_DEFAULT_BODY_DEADLINE_S 30
/* Twice the idle timeout: an honest keep-alive client that waits almost
 * the idle timeout and then sends its headers at once is never cut. */
#define SERVER_DEFAULT_HEADER_DEADLINE_S 20
#define SERVER_DEFAULT_MAX_BODY (64 * 1024)
/* 10,000 typical requests (~180 bytes each) need ~1.8 MB: the batch
 * body limit is set so that the count, not the bytes, binds first. */
#define SERVER_DEFAULT_MAX_BATCH_BODY (2 * 1024 * 1024)
/* 32 largest batches at once; the batch limit must fit in it. */
#define SERVER_DEFAULT_MAX_BODIES_IN_FLIGHT (64 * 1024 * 1024)

struct server;

/* Zero means "the default" for every number. */
struct server_config {
    const char *host;           /* address to bind; NULL: SERVER_DEFAULT_HOST */
    int port;                   /* 0: an ephemeral port (see server_port) */
    const char *registry_dir;   /* NULL: paths_registry_dir() */
    const char *model_dir;      /* a bundle directory instead of a registry */
    const char *bucket_url;     /* s3://BUCKET/PREFIX: the registry in a
                                 * bucket (bucket_watch.h); registry_dir
                                 * is then its local cache, created if
                                 * absent */
    int bucket_poll_ms;         /* the bucket's LIVE checked this often;
                                 * SERVER_DEFAULT_BUCKET_POLL_S * 1000 */
    size_t max_body;            /* bytes; SERVER_DEFAULT_MAX_BODY */
    size_t max_batch_body;      /* bytes; SERVER_DEFAULT_MAX_BATCH_BODY */
    size_t max_bodies_in_flight; /* bytes all request bodies being read
                                 * may hold together; beyond it 503;
                                 * SERVER_DEFAULT_MAX_BODIES_IN_FLIGHT */
    unsigned connection_limit;  /* SERVER_DEFAULT_CONNECTION_LIMIT */
    unsigned per_address_limit; /* connections from one client address;
                                 * SERVER_DEFAULT_PER_ADDRESS_LIMIT */
    unsigned body_deadline_s;   /* a body not in within this many seconds
                                 * of its headers closes the connection;
                                 * SERVER_DEFAULT_BODY_DEADLINE_S */
    unsigned header_deadline_s; /* a request's headers not in within this
                                 * many seconds of the connection's start
                                 * or of the previous answer close the
                                 * connection; SERVER_DEFAULT_HEADER_DEADLINE_S */
    unsigned timeout_s;         /* idle connection timeout;
                                 * SERVER_DEFAULT_TIMEOUT_S */
    unsigned threads;           /* MHD thread pool size;
                                 * SERVER_DEFAULT_THREADS */
    int watch_interval_ms;      /* registry LIVE check; 1000; < 0: never */
    enum audit_sink audit_sink; /* AUDIT_SQLITE (0) by default */
    const char *audit_path;     /* NULL: paths_audit_file(); for
                                 * AUDIT_POSTGRES the connection string */
    const char *audit_replica;  /* the rows' replica (PostgreSQL);
                                 * NULL: the hostname */
    enum audit_ack audit_ack;   /* AUDIT_ACK_COMMITTED (0) by default */
    size_t audit_queue;         /* records that may wait; 16384 */
    int audit_wait_ms;          /* wait for room (and, on commit, for the
                                 * commit) before 503; 200 */
    const char *data_dir;       /* openapi.json, docs.html;
                                 * NULL: paths_data_dir() */
    const char *web_dir;        /* the analysts' page, served at /;
                                 * NULL: paths_web_dir() */
    FILE *log_stream;           /* JSON log lines; NULL: stderr */
    const char *api_keys_path;  /* key file; NULL: no keys, the API is open */
    bool protect_all;           /* keys for all but /healthz and /readyz */
};

/* Loads the model, opens the audit log and starts listening. A registry
 * without a live version yet is no error: the server starts unready and
 * the watcher picks up the first promotion. A bundle that fails to load,
 * a port in use or an audit log that cannot be opened is. */
int server_start(struct server **out, const struct server_config *cfg,
                 struct errbuf *err);

/* The port listened on (the real one when cfg->port was 0). */
int server_port(const struct server *s);

/* The live model's version id into id (size bytes); "" when none. */
void server_model_version(struct server *s, char *id, size_t size);

/* Re-resolves the live bundle now: 0 when a new bundle was swapped in,
 * 1 when the live version is the one already serving (with --model the
 * directory is always loaded again), -1 when it could not be loaded
 * (err says why; the old one keeps serving). Reads the key file again
 * too (as server_reload_keys, whose outcome is logged, not returned). */
int server_reload(struct server *s, struct errbuf *err);

/* Reads the key file again: 0 when its keys replaced the old ones, 1
 * when the server has no key file (nothing to do), -1 when it did not
 * load (err says why, naming the line; the old keys stay). Logged either
 * way. */
int server_reload_keys(struct server *s, struct errbuf *err);

/* Refuses new requests first — one arriving on an open keep-alive
 * connection is answered 503 {"detail": "the server is stopping"} with
 * Connection: close, unscored, so no decision is logged that would then
 * be cut — then stops accepting connections, lets requests in flight
 * finish and be answered (with Connection: close; up to a few seconds),
 * stops the watcher, closes the audit log after writing everything
 * queued, frees the model. NULL is fine. */
void server_stop(struct server *s);

#endif
