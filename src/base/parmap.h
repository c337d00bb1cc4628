/*
 * parmap.h — an ordered parallel map over batches, for work that is
 * parse-bound and must come out in input order: the ETL (documents →
 * features) and `predict` (requests → responses).
 *
 * The calling thread fills batches from the input and merges finished
 * batches strictly in the order they were filled; worker threads do the
 * expensive middle. Because merging is in order, results do not depend on
 * the number of threads. Memory is bounded by the batches the caller
 * hands in.
 */
#ifndef INCOMESCORE_PARMAP_H
#define INCOMESCORE_PARMAP_H

#include "base/errbuf.h"

#define PARMAP_MAX_WORKERS 8

struct parmap_ops {
    /* Calling thread: fills a batch from the input; returns >0 when it
     * holds work, 0 at the end of the input, -1 on failure (err set). */
    int (*fill)(void *ctx, void *batch, struct errbuf *err);
    /* A worker: processes a batch in place. worker_state is what
     * worker_init returned for this thread. */
    void (*work)(void *ctx, void *batch, void *worker_state);
    /* Calling thread, in fill order: consumes a processed batch; -1 stops
     * the run (err set). */
    int (*merge)(void *ctx, void *batch, struct errbuf *err);
    /* Optional per-thread state (may be NULL). */
    void *(*worker_init)(void *ctx);
    void (*worker_free)(void *worker_state);
};

/* Runs until the input ends or a step fails. `batches` are the caller's
 * n_batches (at least 2) batch objects, reused round-robin. workers 0
 * means one per online CPU (at most PARMAP_MAX_WORKERS); if no thread
 * can be started the calling thread does the work itself. */
int parmap_run(const struct parmap_ops *ops, void *ctx, void **batches,
                 int n_batches, int workers, struct errbuf *err);

#endif
