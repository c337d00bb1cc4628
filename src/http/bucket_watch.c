/*
 * bucket_watch.c — the cache of a registry in a bucket, kept following
 * the bucket's LIVE (see bucket_watch.h). The checks are remote_pull's,
 * the swap live_model.c's: this file decides when to look and what to
 * say when it fails.
 */
#include "http/bucket_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "http/internal.h"
#include "http/metrics.h"
#include "registry/registry.h"
#include "remote/remote.h"

/* Logged and counted once per reason in a row: a poll repeats it every
 * interval. */
static void sync_failed(struct server *s, const char *event,
                        const char *version, struct errbuf *err)
{
    struct bucket_watch *b = &s->bucket;
    if (strcmp(b->last_error, err->msg) == 0)
        return;
    snprintf(b->last_error, sizeof b->last_error, "%s", err->msg);
    METRIC_COUNT(s->metrics.bucket_failures);
    char current[REGISTRY_ID_SIZE];
    server_model_version(s, current, sizeof current);
    struct text what = {0};
    if (*version)
        log_member(&what, "refused", version);
    log_member(&what, "model_version", current);
    log_event(s, "error", event, what.p, "%s%s%s, still serving %s: %s",
              *version ? "model " : "the bucket's live version",
              version, *version ? " from the bucket refused" : " not taken",
              *current ? current : "none", err->msg);
    free(what.p);
}

/* The cache's copy of id failed its checks (a crash before its files
 * were on disk, a damaged disk) and was pulled again whole: said and
 * counted each time, since each is damage someone may want to look at. */
static void cache_repaired(struct server *s, const char *id,
                           const struct errbuf *damage)
{
    METRIC_COUNT(s->metrics.bucket_cache_repairs);
    struct text what = {0};
    log_member(&what, "repaired", id);
    log_event(s, "warn", "bucket_cache_repaired", what.p,
              "the cache's copy of %s was damaged and is pulled again "
              "from the bucket: %s", id, damage->msg);
    free(what.p);
}

/* One look at the bucket's LIVE, and the pull and swap it calls for. */
static void bucket_sync(struct server *s)
{
    struct bucket_watch *b = &s->bucket;
    struct registry *cache = s->live.registry;
    struct errbuf err;
    char id[REGISTRY_ID_SIZE] = "", etag[S3_ETAG_SIZE] = "";
    int rc = remote_live(b->s3, &b->loc, b->etag, id, etag, &err);
    if (rc == 1)
        return;
    if (rc == 2) {
        err_set(&err, "s3://%s/%s has no LIVE yet", b->loc.bucket,
                b->loc.prefix);
        sync_failed(s, "bucket_unusable", "", &err);
        return;
    }
    if (rc < 0) {
        sync_failed(s, "bucket_unusable", "", &err);
        return;
    }
    struct errbuf damage;
    int pulled = remote_refresh(b->s3, &b->loc, cache, id, &damage, &err);
    if (pulled < 0) {
        sync_failed(s, "bucket_refused", id, &err);
        return;
    }
    if (pulled == 2)
        cache_repaired(s, id, &damage);
    char here[REGISTRY_ID_SIZE] = "";
    if (registry_live(cache, here, &err) < 0)
        here[0] = '\0';
    if (strcmp(here, id) != 0) {
        char reason[S3_KEY_SIZE + 64];
        snprintf(reason, sizeof reason, "live in s3://%s/%s", b->loc.bucket,
                 b->loc.prefix);
        /* remote_pull loaded it with every check already */
        if (registry_promote(cache, id, reason, NULL, NULL, &err) < 0) {
            sync_failed(s, "bucket_unusable", id, &err);
            return;
        }
    }
    snprintf(b->etag, sizeof b->etag, "%s", etag);
    b->last_error[0] = '\0';
    live_model_reload(s, &err); /* logs its outcome */
}

int bucket_watch_open(struct server *s, struct errbuf *err)
{
    struct bucket_watch *b = &s->bucket;
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cond, &ca);
    pthread_condattr_destroy(&ca);
    b->opened = true;
    b->poll_ms = s->cfg.bucket_poll_ms;
    if (s3_parse_url(s->cfg.bucket_url, &b->loc, err) < 0 ||
        s3_open(&b->s3, err) < 0)
        return -1;
    bucket_sync(s);
    return 0;
}

static void *poll_bucket(void *arg)
{
    struct server *s = arg;
    struct bucket_watch *b = &s->bucket;
    pthread_mutex_lock(&b->lock);
    while (!b->stopping) {
        if (watch_pause(&b->lock, &b->cond, &b->stopping, b->poll_ms))
            break;
        pthread_mutex_unlock(&b->lock);
        bucket_sync(s);
        pthread_mutex_lock(&b->lock);
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

int bucket_watch_start(struct server *s, struct errbuf *err)
{
    struct bucket_watch *b = &s->bucket;
    if (!b->s3)
        return 0;
    if (pthread_create(&b->thread, NULL, poll_bucket, s) != 0)
        return err_set(err, "cannot start the bucket watcher");
    b->started = true;
    return 0;
}

void bucket_watch_close(struct bucket_watch *b)
{
    if (b->started) {
        pthread_mutex_lock(&b->lock);
        b->stopping = true;
        pthread_cond_signal(&b->cond);
        pthread_mutex_unlock(&b->lock);
        pthread_join(b->thread, NULL);
        b->started = false;
    }
    s3_close(b->s3);
    b->s3 = NULL;
    if (b->opened) {
        pthread_mutex_destroy(&b->lock);
        pthread_cond_destroy(&b->cond);
        b->opened = false;
    }
}
