/*
 * live_model.h — the live model as the server holds it: the bundle that
 * registry/live.h locates, loaded, with the answers that depend only on
 * it (GET /v1/model and /v1/meta) prepared once, and counted by the
 * requests using it. Private to src/http/.
 *
 * The server's live_models are in a swap (swap.h): a request acquires
 * the current one and releases it when its answer is queued; a reload
 * loads the bundle LIVE names (or the --model directory again), publishes
 * it and drops the server's reference to the old one, which the last
 * request using it frees. A bundle that does not load is refused and the
 * old one keeps serving. The watcher thread looks at LIVE every
 * watch_interval_ms and does not retry a version that failed until LIVE
 * names another; server_reload (server.h) looks at once.
 *
 * A failure is never silent: a refused bundle, and a LIVE that cannot be
 * read or names a version that is not there, are logged as errors
 * ("reload_refused", "live_unusable") and counted in
 * incomescore_model_reload_failures_total, by the watcher once per change
 * (it looks every interval and would repeat itself), on every
 * server_reload (SIGHUP) whatever it finds.
 */
#ifndef INCOMESCORE_LIVE_MODEL_H
#define INCOMESCORE_LIVE_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "base/errbuf.h"
#include "http/api_docs.h"
#include "http/swap.h"
#include "registry/registry.h"

struct bundle;
struct server;

struct live_model {
    struct swap_ref ref;
    struct bundle *bundle;
    struct api_doc model; /* GET /v1/model */
    struct api_doc meta;  /* GET /v1/meta */
    struct api_doc report; /* GET /v1/model/report: the bundle's
                            * report.html; text NULL when it has none */
    struct timespec described; /* mtime of its descriptions file (zero:
                                * none): a change is reloaded */
};

/* The server's live model and what keeps it current (struct server's
 * `live`; live_model.c's alone). */
struct live_slot {
    struct swap current;         /* struct live_model; empty: not ready */
    pthread_mutex_t reload_lock; /* one reload at a time */
    struct registry *registry;   /* NULL with --model */
    const char *model_dir;       /* --model, else NULL */
    char failed_id[REGISTRY_ID_SIZE]; /* the watcher does not retry it */
    char live_error[ERRBUF_SIZE]; /* why LIVE was last unusable: "" */
    int watch_interval_ms;       /* < 0: no watcher */
    pthread_t watcher;
    bool watcher_started;
    pthread_mutex_t watch_lock;
    pthread_cond_t watch_cond;
    bool stopping;
};

/* An empty slot for model_dir (NULL: the registry's LIVE). The caller
 * opens the registry into slot->registry; live_slot_destroy closes it. */
void live_slot_init(struct live_slot *slot, const char *model_dir,
                    int watch_interval_ms);
/* Stops the watcher if it runs, drops the live model, closes the
 * registry. */
void live_slot_destroy(struct live_slot *slot);

/* A reference on the live model, NULL when none is loaded; release it
 * when done. */
struct live_model *live_model_acquire(struct server *s);
void live_model_release(struct live_model *m);

/* Locates the live model now and loads it unless it is the version
 * already serving: server_reload's outcome (0, 1 or -1, see server.h),
 * logged and counted. */
int live_model_reload(struct server *s, struct errbuf *err);

/* Starts the watcher when the server has a registry and a watch
 * interval; -1 with err set when the thread cannot start. */
int live_model_watch(struct server *s, struct errbuf *err);

/* A watcher's sleep (this one's, bucket_watch.c's): waits ms on cond,
 * lock held (CLOCK_MONOTONIC, as the cond is made), or until *stopping,
 * which it returns. */
bool watch_pause(pthread_mutex_t *lock, pthread_cond_t *cond,
                 const bool *stopping, int ms);

/* Stops the watcher, if it runs, and waits for it to end. */
void live_model_unwatch(struct live_slot *slot);

#endif
