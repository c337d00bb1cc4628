/*
 * test_parmap.c — the ordered parallel map (base/parmap.h) on its own:
 * batches are merged in the order they were filled whatever the number
 * of workers and however unevenly they finish, a failing fill or merge
 * stops the run with its own error, fewer than 2 batches are refused,
 * and each worker's state is made and freed once. The ETL and `predict`
 * use it; their tests cannot tell a reordering bug from theirs.
 *
 * The work is a known function of each item, so every expected output is
 * computed here, item by item, without the map.
 */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/parmap.h"

#define BATCH_ITEMS 7
#define MAX_ITEMS 1000
#define MAX_BATCHES 8
#define NO_FAILURE (-1)

struct batch {
    long seq;                 /* which fill this is, from 0 */
    long finished;            /* which batch to finish its work this was */
    int n;
    long in[BATCH_ITEMS];
    long out[BATCH_ITEMS];
};

struct job {
    long items;               /* the input: items 0..items-1 */
    long next_item;
    long fills;               /* calls to fill, the last one included */
    long merges;              /* calls to merge, the failing one included */
    long fail_fill_at;        /* this fill call (from 1) fails */
    long fail_merge_at;       /* this merge call (from 1) fails */
    long out[MAX_ITEMS];      /* merged results, in merge order */
    long out_count;
    long merged_seq_wrong;    /* merges whose batch came out of turn */
    long finished_early;      /* batches whose work ended before an
                               * earlier-filled batch's */
    atomic_long finished;
    atomic_int inits, frees, wrong_state;
};

/* The work done on one item. */
static long transform(long x)
{
    return x * x + 3 * x + 1;
}

static int fill(void *ctx, void *batch, struct errbuf *err)
{
    struct job *j = ctx;
    struct batch *b = batch;
    j->fills++;
    if (j->fills == j->fail_fill_at)
        return err_set(err, "input line %ld: broken", j->fills);
    b->seq = j->fills - 1;
    b->n = 0;
    while (b->n < BATCH_ITEMS && j->next_item < j->items)
        b->in[b->n++] = j->next_item++;
    return b->n > 0;
}

/* A per-thread state that knows its thread, to check that work gets the
 * state its own thread's worker_init made. */
struct worker {
    pthread_t thread;
    struct job *job;
};

static void *worker_init(void *ctx)
{
    struct job *j = ctx;
    atomic_fetch_add(&j->inits, 1);
    struct worker *w = malloc(sizeof *w);
    assert_non_null(w);
    w->thread = pthread_self();
    w->job = j;
    return w;
}

static void worker_free(void *state)
{
    struct worker *w = state;
    atomic_fetch_add(&w->job->frees, 1);
    free(w);
}

/* Early batches are slow (every third sleeps 2 ms), so later ones finish
 * first whenever there is more than one worker. */
static void work(void *ctx, void *batch, void *state)
{
    struct job *j = ctx;
    struct batch *b = batch;
    struct worker *w = state;
    if (!w || !pthread_equal(w->thread, pthread_self()))
        atomic_fetch_add(&j->wrong_state, 1);
    if (b->seq % 3 == 0) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < b->n; i++)
        b->out[i] = transform(b->in[i]);
    b->finished = atomic_fetch_add(&j->finished, 1);
}

static int merge(void *ctx, void *batch, struct errbuf *err)
{
    struct job *j = ctx;
    struct batch *b = batch;
    j->merges++;
    if (b->seq != j->merges - 1)
        j->merged_seq_wrong++;
    if (b->finished < b->seq)
        j->finished_early++;
    if (j->merges == j->fail_merge_at)
        return err_set(err, "output full at batch %ld", b->seq);
    for (int i = 0; i < b->n; i++)
        j->out[j->out_count++] = b->out[i];
    return 0;
}

static const struct parmap_ops ops = {
    .fill = fill, .work = work, .merge = merge,
    .worker_init = worker_init, .worker_free = worker_free,
};

struct run {
    struct job job;
    struct batch batches[MAX_BATCHES];
    int rc;
    struct errbuf err;
};

/* Maps items 0..items-1 with n_batches batches and `workers` workers. */
static void run_map(struct run *r, long items, int n_batches, int workers,
                    long fail_fill_at, long fail_merge_at)
{
    memset(r, 0, sizeof *r);
    r->job.items = items;
    r->job.fail_fill_at = fail_fill_at;
    r->job.fail_merge_at = fail_merge_at;
    void *batches[MAX_BATCHES];
    for (int i = 0; i < MAX_BATCHES; i++)
        batches[i] = &r->batches[i];
    r->rc = parmap_run(&ops, &r->job, batches, n_batches, workers, &r->err);
}

/* The first `count` results, as a plain loop computes them. */
static void assert_first_results(const struct job *j, long count)
{
    assert_int_equal(j->out_count, count);
    for (long i = 0; i < count; i++)
        if (j->out[i] != transform(i))
            fail_msg("result %ld is %ld, expected %ld", i, j->out[i],
                     transform(i));
}

static long batches_for(long items)
{
    return (items + BATCH_ITEMS - 1) / BATCH_ITEMS;
}

/* ---- order and independence of the worker count ------------------------- */

static void batches_merge_in_fill_order_with_several_workers(void **s)
{
    (void)s;
    static struct run r;
    run_map(&r, 200, 4, 4, NO_FAILURE, NO_FAILURE);
    assert_int_equal(r.rc, 0);
    assert_first_results(&r.job, 200);
    assert_int_equal(r.job.merged_seq_wrong, 0);
    /* and the workers did finish out of turn: the order was restored */
    assert_true(r.job.finished_early > 0);
    /* 29 batches (28 of 7, one of 4), then the fill that says "end" */
    assert_int_equal(r.job.merges, 29);
    assert_int_equal(r.job.fills, 30);
}

static void output_is_the_same_for_any_number_of_workers(void **s)
{
    (void)s;
    /* 0: one per CPU; 100: more than PARMAP_MAX_WORKERS, clamped */
    static const int workers[] = {1, 2, 3, PARMAP_MAX_WORKERS, 0, 100};
    static const int n_batches[] = {2, 3, MAX_BATCHES};
    static struct run r;
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
        for (size_t b = 0; b < sizeof n_batches / sizeof n_batches[0]; b++) {
            run_map(&r, 331, n_batches[b], workers[w], NO_FAILURE,
                    NO_FAILURE);
            if (r.rc != 0 || r.job.merged_seq_wrong != 0)
                fail_msg("%d workers, %d batches: rc %d, %ld out of turn",
                         workers[w], n_batches[b], r.rc,
                         r.job.merged_seq_wrong);
            assert_first_results(&r.job, 331);
            assert_int_equal(r.job.merges, batches_for(331));
        }
    }
}

static void an_empty_input_merges_nothing(void **s)
{
    (void)s;
    static struct run r;
    run_map(&r, 0, 2, 2, NO_FAILURE, NO_FAILURE);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.job.fills, 1);
    assert_int_equal(r.job.merges, 0);
}

/* ---- failures ------------------------------------------------------------ */

static void a_failing_fill_stops_the_run_with_its_error(void **s)
{
    (void)s;
    static struct run r;
    run_map(&r, 500, 4, 3, 6, NO_FAILURE);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.err.msg, "input line 6: broken");
    assert_int_equal(r.job.fills, 6); /* never called again */
    /* whatever was merged before is the input's beginning, in order */
    assert_true(r.job.merges <= 5);
    assert_int_equal(r.job.merged_seq_wrong, 0);
    assert_first_results(&r.job, r.job.merges * BATCH_ITEMS);
}

static void a_failing_merge_stops_the_run_with_its_error(void **s)
{
    (void)s;
    static struct run r;
    run_map(&r, 500, 4, 3, NO_FAILURE, 3);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.err.msg, "output full at batch 2");
    assert_int_equal(r.job.merges, 3); /* never called again */
    assert_int_equal(r.job.merged_seq_wrong, 0);
    assert_first_results(&r.job, 2 * BATCH_ITEMS);
    /* filled: at most the 4 batches in flight past the 2 merged */
    assert_true(r.job.fills >= 3 && r.job.fills <= 2 + 4);
}

static void fewer_than_two_batches_are_refused(void **s)
{
    (void)s;
    static struct run r;
    for (int n = 0; n < 2; n++) {
        run_map(&r, 10, n, 2, NO_FAILURE, NO_FAILURE);
        assert_int_equal(r.rc, -1);
        assert_string_equal(r.err.msg, "parmap: needs at least 2 batches");
        assert_int_equal(r.job.fills, 0);
        assert_int_equal(atomic_load(&r.job.inits), 0);
    }
}

/* ---- worker state -------------------------------------------------------- */

static void each_worker_makes_and_frees_its_state_once(void **s)
{
    (void)s;
    static struct run r;
    for (int workers = 1; workers <= PARMAP_MAX_WORKERS; workers++) {
        run_map(&r, 100, 3, workers, NO_FAILURE, NO_FAILURE);
        assert_int_equal(r.rc, 0);
        assert_int_equal(atomic_load(&r.job.inits), workers);
        assert_int_equal(atomic_load(&r.job.frees), workers);
        assert_int_equal(atomic_load(&r.job.wrong_state), 0);
    }
    /* also when the run stops on a failure */
    run_map(&r, 100, 3, 2, 4, NO_FAILURE);
    assert_int_equal(r.rc, -1);
    assert_int_equal(atomic_load(&r.job.inits), 2);
    assert_int_equal(atomic_load(&r.job.frees), 2);
}

int suite_parmap(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(batches_merge_in_fill_order_with_several_workers),
        cmocka_unit_test(output_is_the_same_for_any_number_of_workers),
        cmocka_unit_test(an_empty_input_merges_nothing),
        cmocka_unit_test(a_failing_fill_stops_the_run_with_its_error),
        cmocka_unit_test(a_failing_merge_stops_the_run_with_its_error),
        cmocka_unit_test(fewer_than_two_batches_are_refused),
        cmocka_unit_test(each_worker_makes_and_frees_its_state_once),
    };
    return RUN_SUITE("parmap", tests, count);
}
