/*
 * live_model.c — the server's live model: loading, the reload, the
 * registry watcher (see live_model.h). Which bundle is live is
 * registry/live.h's to say; this file decides whether to load it and
 * keeps the old one serving when it does not load.
 */
#include "http/live_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fileio.h"
#include "base/text.h"
#include "http/internal.h"
#include "http/metrics.h"
#include "registry/bundle.h"
#include "registry/live.h"

void live_slot_init(struct live_slot *slot, const char *model_dir,
                    int watch_interval_ms)
{
    swap_init(&slot->current);
    pthread_mutex_init(&slot->reload_lock, NULL);
    slot->registry = NULL;
    slot->model_dir = model_dir;
    slot->failed_id[0] = '\0';
    slot->live_error[0] = '\0';
    slot->watch_interval_ms = watch_interval_ms;
    slot->watcher_started = false;
    slot->stopping = false;
    pthread_mutex_init(&slot->watch_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&slot->watch_cond, &ca);
    pthread_condattr_destroy(&ca);
}

void live_model_unwatch(struct live_slot *slot)
{
    if (!slot->watcher_started)
        return;
    pthread_mutex_lock(&slot->watch_lock);
    slot->stopping = true;
    pthread_cond_signal(&slot->watch_cond);
    pthread_mutex_unlock(&slot->watch_lock);
    pthread_join(slot->watcher, NULL);
    slot->watcher_started = false;
}

void live_slot_destroy(struct live_slot *slot)
{
    live_model_unwatch(slot);
    swap_publish(&slot->current, NULL);
    registry_close(slot->registry);
    slot->registry = NULL;
    pthread_mutex_destroy(&slot->reload_lock);
    pthread_mutex_destroy(&slot->watch_lock);
    pthread_cond_destroy(&slot->watch_cond);
}

static void live_model_free(struct swap_ref *ref)
{
    struct live_model *m = SWAP_OBJECT(ref, struct live_model, ref);
    bundle_free(m->bundle);
    api_doc_free(&m->model);
    api_doc_free(&m->meta);
    api_doc_free(&m->report);
    free(m);
}

struct live_model *live_model_acquire(struct server *s)
{
    struct swap_ref *ref = swap_acquire(&s->live.current);
    return ref ? SWAP_OBJECT(ref, struct live_model, ref) : NULL;
}

void live_model_release(struct live_model *m)
{
    if (m)
        swap_release(&m->ref);
}

/* When the version's team texts (`models describe`) last changed; zero
 * when it has none. */
static void described_at(const char *dir, struct timespec *t)
{
    char path[4096 + 64];
    struct stat st;
    snprintf(path, sizeof path, "%.4096s/%s", dir, BUNDLE_DESCRIPTIONS_FILE);
    *t = stat(path, &st) == 0 ? st.st_mtim : (struct timespec){0, 0};
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
    described_at(dir, &m->described);
    swap_ref_init(&m->ref, live_model_free);
    if (api_docs_of_bundle(b, dir, &m->model, &m->meta, err) < 0) {
        live_model_free(&m->ref);
        return -1;
    }
    /* the training report, when the bundle has one (optional: a bundle
     * scores without it) */
    char report[4096 + sizeof "/report.html"];
    struct errbuf ignored;
    if ((size_t)snprintf(report, sizeof report, "%.4096s/report.html", dir) <
        sizeof report)
        m->report.text = file_read_all(report, &m->report.len, &ignored);
    *out = m;
    return 0;
}

static const char *live_version(struct live_model *m)
{
    return m ? m->bundle->id : "";
}

void server_model_version(struct server *s, char *id, size_t size)
{
    struct live_model *m = live_model_acquire(s);
    snprintf(id, size, "%s", live_version(m));
    live_model_release(m);
}

/* LIVE could not be read or names no version: nothing was loaded and the
 * old model keeps serving. Logged and counted by the watcher when the
 * reason changed, by a server_reload always. */
static int live_unusable(struct server *s, const char *current, bool watcher,
                         struct errbuf *err)
{
    struct live_slot *slot = &s->live;
    if (watcher && strcmp(slot->live_error, err->msg) == 0)
        return -1;
    snprintf(slot->live_error, sizeof slot->live_error, "%s", err->msg);
    METRIC_COUNT(s->metrics.reload_failures);
    struct text what = {0};
    log_member(&what, "model_version", current);
    log_event(s, "error", "live_unusable", what.p,
              "the registry's live version cannot be used, still serving "
              "%s: %s", *current ? current : "none", err->msg);
    free(what.p);
    return -1;
}

/* The reload itself; the caller holds reload_lock. `watcher`: a version
 * that failed once is not tried again until LIVE names another. */
static int reload_locked(struct server *s, bool watcher, struct errbuf *err)
{
    struct live_slot *slot = &s->live;
    char id[REGISTRY_ID_SIZE] = "", dir[4096];
    struct live_model *cur = live_model_acquire(s);
    char current[sizeof cur->bundle->id];
    snprintf(current, sizeof current, "%s", live_version(cur));
    struct timespec described = cur ? cur->described : (struct timespec){0, 0};
    live_model_release(cur);

    int rc = live_model_locate(slot->registry, slot->model_dir, id, dir,
                               sizeof dir, err);
    if (rc == 1) {
        slot->live_error[0] = '\0';
        return err_set(err, "registry %s has no live version yet",
                       registry_dir(slot->registry));
    }
    if (rc < 0 && !*id && slot->registry)
        return live_unusable(s, current, watcher, err);
    slot->live_error[0] = '\0'; /* LIVE names a version: usable again */
    /* With --model the directory is loaded again whatever it holds;
     * with a registry, the version already serving is not, unless the
     * team changed its segment texts (`models describe`). */
    if (*id && strcmp(id, current) == 0) {
        struct timespec now;
        described_at(dir, &now);
        if (now.tv_sec == described.tv_sec &&
            now.tv_nsec == described.tv_nsec)
            return 1;
    }
    if (watcher && *id && strcmp(id, slot->failed_id) == 0)
        return 1;
    if (rc < 0)
        goto failed;
    struct live_model *m;
    if (live_model_load(&m, dir, err) < 0)
        goto failed;
    swap_publish(&slot->current, &m->ref);
    slot->failed_id[0] = '\0';
    if (*current)
        METRIC_COUNT(s->metrics.reloads);
    struct text extra = {0};
    log_member(&extra, "model_version", m->bundle->id);
    log_member(&extra, "previous", current);
    log_event(s, "info", "reload", extra.p, "serving model %s (was %s)",
              m->bundle->id, *current ? current : "none");
    free(extra.p);
    return 0;

failed:
    snprintf(slot->failed_id, sizeof slot->failed_id, "%s", id);
    METRIC_COUNT(s->metrics.reload_failures);
    {
        struct text what = {0};
        log_member(&what, "refused", id[0] ? id : dir);
        log_member(&what, "model_version", current);
        log_event(s, "error", "reload_refused", what.p,
                  "model %s refused, still serving %s: %s", id[0] ? id : dir,
                  *current ? current : "none", err->msg);
        free(what.p);
    }
    return -1;
}

int live_model_reload(struct server *s, struct errbuf *err)
{
    pthread_mutex_lock(&s->live.reload_lock);
    int rc = reload_locked(s, false, err);
    pthread_mutex_unlock(&s->live.reload_lock);
    if (rc == 1) {
        char id[sizeof ((struct bundle *)0)->id];
        server_model_version(s, id, sizeof id);
        log_event(s, "info", "reload", NULL, "%s is live already", id);
    }
    return rc;
}

bool watch_pause(pthread_mutex_t *lock, pthread_cond_t *cond,
                 const bool *stopping, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long long ns = until.tv_nsec + (long long)ms * 1000000LL;
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    while (!*stopping &&
           pthread_cond_timedwait(cond, lock, &until) != ETIMEDOUT)
        ;
    return *stopping;
}

static void *watch_registry(void *arg)
{
    struct server *s = arg;
    struct live_slot *slot = &s->live;
    pthread_mutex_lock(&slot->watch_lock);
    while (!slot->stopping) {
        if (watch_pause(&slot->watch_lock, &slot->watch_cond,
                        &slot->stopping, slot->watch_interval_ms))
            break;
        pthread_mutex_unlock(&slot->watch_lock);
        struct errbuf err;
        pthread_mutex_lock(&slot->reload_lock);
        reload_locked(s, true, &err);
        pthread_mutex_unlock(&slot->reload_lock);
        pthread_mutex_lock(&slot->watch_lock);
    }
    pthread_mutex_unlock(&slot->watch_lock);
    return NULL;
}

int live_model_watch(struct server *s, struct errbuf *err)
{
    struct live_slot *slot = &s->live;
    if (!slot->registry || slot->watch_interval_ms <= 0)
        return 0;
    if (pthread_create(&slot->watcher, NULL, watch_registry, s) != 0)
        return err_set(err, "cannot start the registry watcher");
    slot->watcher_started = true;
    return 0;
}
