/*
 * bucket_watch.h — a server whose registry is in a bucket
 * (serve --registry s3://BUCKET/PREFIX). Private to src/http/.
 *
 * The bucket's versions are copied into a local registry, the cache
 * (cfg->registry_dir), and the server serves the cache's LIVE through
 * the same path as any registry (live_model.h: load, swap, refuse what
 * does not load). This file keeps the cache following the bucket:
 *
 *   at start, then every bucket_poll_ms, GET LIVE with If-None-Match
 *   (the ETag of the last LIVE taken), so an unchanged LIVE costs one
 *   304; when it names another version, that version is pulled into the
 *   cache (remote_pull: every file checked against the manifest's
 *   SHA-256 and the manifest against its seal before it appears), made
 *   live in the cache, and the server reloads at once.
 *
 * The cache's copy of the version LIVE names is checked too when it is
 * taken (remote_refresh): a copy that no longer checks out (torn by a
 * crash, damaged) is discarded and pulled again, logged
 * ("bucket_cache_repaired") and counted in
 * incomescore_bucket_cache_repairs_total each time.
 *
 * A version that does not check out (a hash that does not match, a
 * missing file), a LIVE that names nothing, a bucket that cannot be
 * reached: nothing changes in the cache, the model serving keeps
 * serving, and the failure is logged ("bucket_refused" for a version,
 * "bucket_unusable" for the rest) and counted in
 * incomescore_bucket_sync_failures_total, once per distinct reason in a
 * row (the poll would repeat it every interval); it is tried again on
 * the next poll. Since a server never had a model until one checks out,
 * /readyz is not ready only while no model was ever loaded (the cache
 * from an earlier run serves at once, even with the bucket away).
 */
#ifndef INCOMESCORE_BUCKET_WATCH_H
#define INCOMESCORE_BUCKET_WATCH_H

#include <pthread.h>
#include <stdbool.h>

#include "base/errbuf.h"
#include "remote/s3.h"

struct server;
struct s3;

struct bucket_watch {
    struct s3_location loc;
    struct s3 *s3;                   /* NULL: no bucket */
    int poll_ms;
    char etag[S3_ETAG_SIZE];         /* of the LIVE last taken */
    char last_error[ERRBUF_SIZE];    /* "" after a good poll */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    bool opened;                     /* lock and cond made */
};

/* Opens the client for cfg->bucket_url (the environment's credentials,
 * s3.h) and takes the bucket's LIVE once, before the server loads its
 * model; -1 only when the address or the credentials are wrong (a
 * bucket that does not answer is logged, and polled again). */
int bucket_watch_open(struct server *s, struct errbuf *err);

/* Starts polling; -1 when the thread cannot start. */
int bucket_watch_start(struct server *s, struct errbuf *err);

/* Stops polling and closes the client. */
void bucket_watch_close(struct bucket_watch *b);

#endif
