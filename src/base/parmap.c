/*
 * parmap.c — the ordered parallel map (see parmap.h).
 */
#include "base/parmap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

enum slot_state { SLOT_FREE, SLOT_FILLED, SLOT_WORKING, SLOT_DONE };

struct run {
    const struct parmap_ops *ops;
    void *ctx;
    void **batches;
    enum slot_state *state;
    int n;
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a batch was filled, or stop */
    pthread_cond_t done;  /* a batch was processed */
    bool stop;
};

static void *worker_main(void *arg)
{
    struct run *r = arg;
    void *ws = r->ops->worker_init ? r->ops->worker_init(r->ctx) : NULL;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        int i = 0;
        while (i < r->n && r->state[i] != SLOT_FILLED)
            i++;
        if (i == r->n) {
            if (r->stop)
                break;
            pthread_cond_wait(&r->work, &r->lock);
            continue;
        }
        r->state[i] = SLOT_WORKING;
        pthread_mutex_unlock(&r->lock);
        r->ops->work(r->ctx, r->batches[i], ws);
        pthread_mutex_lock(&r->lock);
        r->state[i] = SLOT_DONE;
        pthread_cond_signal(&r->done);
    }
    pthread_mutex_unlock(&r->lock);
    if (r->ops->worker_free)
        r->ops->worker_free(ws);
    return NULL;
}

static int default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > PARMAP_MAX_WORKERS ? PARMAP_MAX_WORKERS : (int)n;
}

int parmap_run(const struct parmap_ops *ops, void *ctx, void **batches,
                 int n_batches, int workers, struct errbuf *err)
{
    struct run r = {.ops = ops, .ctx = ctx, .batches = batches,
                    .n = n_batches};
    r.state = calloc((size_t)n_batches, sizeof *r.state);
    if (!r.state || n_batches < 2) {
        free(r.state);
        return err_set(err, "parmap: needs at least 2 batches");
    }
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.work, NULL);
    pthread_cond_init(&r.done, NULL);
    if (workers <= 0)
        workers = default_workers();
    if (workers > PARMAP_MAX_WORKERS)
        workers = PARMAP_MAX_WORKERS;
    pthread_t threads[PARMAP_MAX_WORKERS];
    int started = 0;
    while (started < workers &&
           pthread_create(&threads[started], NULL, worker_main, &r) == 0)
        started++;
    void *inline_state = !started && ops->worker_init ? ops->worker_init(ctx)
                                                      : NULL;

    long filled = 0, merged = 0;
    bool end = false;
    int rc = 0;
    pthread_mutex_lock(&r.lock);
    while (rc == 0 && (!end || merged < filled)) {
        int next = (int)(merged % n_batches);
        if (merged < filled && r.state[next] == SLOT_DONE) {
            pthread_mutex_unlock(&r.lock);
            rc = ops->merge(ctx, batches[next], err);
            pthread_mutex_lock(&r.lock);
            r.state[next] = SLOT_FREE;
            merged++;
            continue;
        }
        int slot = (int)(filled % n_batches);
        if (!end && r.state[slot] == SLOT_FREE) {
            pthread_mutex_unlock(&r.lock);
            int got = ops->fill(ctx, batches[slot], err);
            if (got > 0 && !started) /* no worker could start: work here */
                ops->work(ctx, batches[slot], inline_state);
            pthread_mutex_lock(&r.lock);
            if (got < 0) {
                rc = -1;
            } else if (got == 0) {
                end = true;
            } else {
                filled++;
                r.state[slot] = started ? SLOT_FILLED : SLOT_DONE;
                pthread_cond_signal(&r.work);
            }
            continue;
        }
        pthread_cond_wait(&r.done, &r.lock);
    }
    r.stop = true;
    pthread_cond_broadcast(&r.work);
    pthread_mutex_unlock(&r.lock);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (ops->worker_free && inline_state)
        ops->worker_free(inline_state);
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.work);
    pthread_cond_destroy(&r.done);
    free(r.state);
    return rc;
}
