/*
 * kmeans.c — fitting the four customer segments (SPEC §5; see kmeans.h):
 * the standard scaler's fit, k-means (k-means++ seeding, restarts, Lloyd
 * iterations) and the ordering by mean target that gives the letters.
 * Rows are labelled by score/segments.h's nearest-centroid rule, the very
 * one scoring uses.
 *
 * A fit is a pure function of the data and the seed: the only randomness
 * is one project PRNG stream (prng.h) per fit, and every floating-point sum
 * over rows is taken over a fixed partition of the rows (KMEANS_CHUNK_ROWS)
 * whose partials are added in partition order, so the same data and seed
 * give the same bits with one thread or many.
 *
 * Where we differ from the original (scikit-learn's KMeans): the tolerance
 * is an absolute centroid shift in standardized units rather than relative
 * to the data's variance, seeding is plain D² sampling rather than greedy
 * k-means++, and large inputs run their restarts on a sample (see
 * kmeans_fit). None of these changes what a segment means; they make the
 * result reproducible and the training budget predictable.
 */
#include "train/kmeans.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/prng.h"

/* Rows per unit of work in the assignment step. A constant, never derived
 * from the thread count: the partial sums are per chunk and are added in
 * chunk order, which is what keeps the result independent of how many
 * threads ran. */
#ifndef KMEANS_CHUNK_ROWS
#define KMEANS_CHUNK_ROWS 4096
#endif

/* More threads than this buy nothing on the machines we train on. */
#ifndef KMEANS_MAX_THREADS
#define KMEANS_MAX_THREADS 8
#endif

/* Inputs with more rows than this run their restarts on a sample of this
 * many rows (see kmeans_fit for the measurements behind the number). */
#ifndef KMEANS_SAMPLE_ROWS
#define KMEANS_SAMPLE_ROWS 100000
#endif

/* ---- scaler ------------------------------------------------------------ */

void scaler_fit(struct scaler *s, const double *x, size_t n)
{
    double sum[FEATURE_COUNT] = {0}, lo[FEATURE_COUNT], hi[FEATURE_COUNT];
    for (int j = 0; j < FEATURE_COUNT; j++) {
        s->mean[j] = 0;
        s->scale[j] = 1;
        lo[j] = hi[j] = n ? x[j] : 0;
    }
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * FEATURE_COUNT;
        for (int j = 0; j < FEATURE_COUNT; j++) {
            sum[j] += row[j];
            if (row[j] < lo[j])
                lo[j] = row[j];
            if (row[j] > hi[j])
                hi[j] = row[j];
        }
    }
    double mean[FEATURE_COUNT];
    double dev[FEATURE_COUNT] = {0}, sq[FEATURE_COUNT] = {0};
    for (int j = 0; j < FEATURE_COUNT; j++)
        mean[j] = sum[j] / (double)n;
    /* Second pass about the mean (two-pass, with the correction term):
     * one-pass sums of squares lose everything to cancellation when the
     * mean is large against the spread, as with incomes in pesos. */
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * FEATURE_COUNT;
        for (int j = 0; j < FEATURE_COUNT; j++) {
            double d = row[j] - mean[j];
            dev[j] += d;
            sq[j] += d * d;
        }
    }
    for (int j = 0; j < FEATURE_COUNT; j++) {
        /* Decided on min == max rather than std == 0: the rounded mean of
         * a constant column (eight 0.1s average to 0.09999999999999999)
         * is not always its value, which would leave a std of 1e-17 and
         * turn any other value met at scoring time into a huge z. */
        if (lo[j] == hi[j]) {
            s->mean[j] = lo[j];
            continue;
        }
        s->mean[j] = mean[j] + dev[j] / (double)n;
        double var = (sq[j] - dev[j] * dev[j] / (double)n) / (double)n;
        double sd = var > 0 ? sqrt(var) : 0;
        /* Distinct values whose differences square to 0 (underflow). */
        s->scale[j] = sd > 0 ? sd : 1;
    }
}

/* ---- the assignment step, chunked and threaded ------------------------- */

/* One set of rows being clustered and the scratch its assignment step
 * writes: per-chunk partial sums, counts and inertia. */
struct assign_ctx {
    const double *z;
    size_t n;
    int dims, k;
    const double *centroids; /* read by the step; set before each call */
    int *labels;
    size_t nchunks;
    double *chunk_sums;     /* nchunks × k × dims */
    size_t *chunk_counts;   /* nchunks × k */
    double *chunk_inertia;  /* nchunks */
    int nthreads;
    atomic_size_t next_chunk;
};

static void assign_chunk(struct assign_ctx *a, size_t c)
{
    size_t kd = (size_t)a->k * a->dims;
    double *sums = a->chunk_sums + c * kd;
    size_t *counts = a->chunk_counts + c * a->k;
    memset(sums, 0, kd * sizeof *sums);
    memset(counts, 0, (size_t)a->k * sizeof *counts);
    double inertia = 0;
    size_t end = (c + 1) * KMEANS_CHUNK_ROWS;
    if (end > a->n)
        end = a->n;
    for (size_t i = c * KMEANS_CHUNK_ROWS; i < end; i++) {
        const double *row = a->z + i * a->dims;
        double d;
        int j = nearest_centroid_dist(a->centroids, a->k, a->dims, row, &d);
        a->labels[i] = j;
        counts[j]++;
        inertia += d;
        double *s = sums + (size_t)j * a->dims;
        for (int t = 0; t < a->dims; t++)
            s[t] += row[t];
    }
    a->chunk_inertia[c] = inertia;
}

/* Chunks are claimed first come first served: which thread does a chunk
 * does not matter, since each chunk's partials have their own slot. */
static void *assign_worker(void *arg)
{
    struct assign_ctx *a = arg;
    for (;;) {
        size_t c = atomic_fetch_add(&a->next_chunk, 1);
        if (c >= a->nchunks)
            break;
        assign_chunk(a, c);
    }
    return NULL;
}

/* Labels every row with its nearest centroid and leaves the per-cluster
 * sums (k × dims), counts (k) and the total squared distance. */
static void assign(struct assign_ctx *a, double *sums, size_t *counts,
                   double *inertia)
{
    pthread_t threads[KMEANS_MAX_THREADS];
    int started = 0;
    atomic_store(&a->next_chunk, 0);
    for (int t = 1; t < a->nthreads; t++) {
        /* A thread that fails to start only leaves more chunks to us. */
        if (pthread_create(&threads[started], NULL, assign_worker, a) != 0)
            break;
        started++;
    }
    assign_worker(a);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);

    size_t kd = (size_t)a->k * a->dims;
    memset(sums, 0, kd * sizeof *sums);
    memset(counts, 0, (size_t)a->k * sizeof *counts);
    double total = 0;
    for (size_t c = 0; c < a->nchunks; c++) {
        const double *cs = a->chunk_sums + c * kd;
        const size_t *cc = a->chunk_counts + c * a->k;
        for (size_t t = 0; t < kd; t++)
            sums[t] += cs[t];
        for (int j = 0; j < a->k; j++)
            counts[j] += cc[j];
        total += a->chunk_inertia[c];
    }
    *inertia = total;
}

/* The CPUs this process may run on (a container's cpuset, not the
 * host's count), at most KMEANS_MAX_THREADS. */
static int online_cpus(void)
{
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof set, &set) == 0
                 ? CPU_COUNT(&set)
                 : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > KMEANS_MAX_THREADS ? KMEANS_MAX_THREADS : (int)n;
}

static int assign_init(struct assign_ctx *a, const double *z, size_t n,
                       int dims, int k, int *labels, int cpus)
{
    a->z = z;
    a->n = n;
    a->dims = dims;
    a->k = k;
    a->centroids = NULL;
    a->labels = labels;
    a->nchunks = (n + KMEANS_CHUNK_ROWS - 1) / KMEANS_CHUNK_ROWS;
    a->nthreads = (size_t)cpus > a->nchunks ? (int)a->nchunks : cpus;
    a->chunk_sums = malloc(a->nchunks * (size_t)k * dims * sizeof(double));
    a->chunk_counts = malloc(a->nchunks * (size_t)k * sizeof(size_t));
    a->chunk_inertia = malloc(a->nchunks * sizeof(double));
    atomic_init(&a->next_chunk, 0);
    if (!a->chunk_sums || !a->chunk_counts || !a->chunk_inertia)
        return -1;
    return 0;
}

static void assign_free(struct assign_ctx *a)
{
    free(a->chunk_sums);
    free(a->chunk_counts);
    free(a->chunk_inertia);
}

/* ---- Lloyd's iterations ------------------------------------------------ */

/* The scratch of one Lloyd run: cluster totals and the next centroids. */
struct lloyd_scratch {
    double *sums;   /* k × dims */
    size_t *counts; /* k */
    double *next;   /* k × dims */
};

/* An empty cluster takes the row farthest from its own centroid (ties: the
 * lower row), from a cluster that keeps at least one row — as
 * scikit-learn relocates, but deterministic. The row moves with its sums
 * so the new centroids are the means of what they hold. */
static void relocate_empty(struct assign_ctx *a, const double *centroids,
                           double *sums, size_t *counts)
{
    int dims = a->dims;
    for (int c = 0; c < a->k; c++) {
        if (counts[c])
            continue;
        size_t far = SIZE_MAX;
        double far_d = -1;
        for (size_t i = 0; i < a->n; i++) {
            int j = a->labels[i];
            if (counts[j] < 2)
                continue;
            double d = centroid_sqdist(a->z + i * dims,
                                       centroids + (size_t)j * dims, dims);
            if (d > far_d) {
                far_d = d;
                far = i;
            }
        }
        if (far == SIZE_MAX)
            continue; /* cannot happen with n >= k, but never index by it */
        const double *row = a->z + far * dims;
        int j = a->labels[far];
        for (int t = 0; t < dims; t++) {
            sums[(size_t)j * dims + t] -= row[t];
            sums[(size_t)c * dims + t] = row[t];
        }
        counts[j]--;
        counts[c] = 1;
        a->labels[far] = c;
    }
}

/* Lloyd from `centroids` until no centroid moves more than `tolerance` or
 * `max_iterations` steps. On return the labels and *inertia are those of
 * the returned centroids (a last assignment if the last step moved any),
 * so every label is exactly nearest_centroid() of its row. */
static void lloyd(struct assign_ctx *a, struct lloyd_scratch *w,
                  double *centroids, int max_iterations, double tolerance,
                  double *inertia)
{
    int k = a->k, dims = a->dims;
    size_t kd = (size_t)k * dims;
    bool labels_current = false;
    a->centroids = centroids;
    for (int it = 0; it < max_iterations; it++) {
        double in;
        assign(a, w->sums, w->counts, &in);
        bool relocated = false;
        for (int c = 0; c < k; c++)
            relocated |= w->counts[c] == 0;
        if (relocated)
            relocate_empty(a, centroids, w->sums, w->counts);
        double shift = 0;
        bool moved = false;
        for (int c = 0; c < k; c++) {
            double *nc = w->next + (size_t)c * dims;
            const double *oc = centroids + (size_t)c * dims;
            const double *sc = w->sums + (size_t)c * dims;
            for (int t = 0; t < dims; t++) {
                nc[t] = w->counts[c] ? sc[t] / (double)w->counts[c] : oc[t];
                moved |= nc[t] != oc[t];
            }
            double d = centroid_sqdist(nc, oc, dims);
            if (d > shift)
                shift = d;
        }
        /* Compared exactly, not by shift: a squared shift can underflow. */
        if (!moved && !relocated) {
            /* Nothing moved: this assignment is already the final one. */
            *inertia = in;
            labels_current = true;
            break;
        }
        memcpy(centroids, w->next, kd * sizeof *centroids);
        if (sqrt(shift) <= tolerance)
            break;
    }
    if (!labels_current)
        assign(a, w->sums, w->counts, inertia);
}

/* ---- k-means++ seeding ------------------------------------------------- */

/* Index of a uniform row; the clamp guards the product rounding up to n. */
static size_t uniform_row(double u, size_t n)
{
    size_t i = (size_t)(u * (double)n);
    return i < n ? i : n - 1;
}

/* D² sampling (Arthur and Vassilvitskii): each new centroid is a row drawn
 * with probability proportional to its squared distance to the nearest
 * centroid so far. Exactly k uniforms are drawn whatever the data, so the
 * stream a restart leaves to the next does not depend on ties. */
static void seed_plus_plus(const double *z, size_t n, int dims, int k,
                           struct prng *p, double *d2, double *centroids)
{
    size_t first = uniform_row(prng_uniform(p), n);
    memcpy(centroids, z + first * dims, (size_t)dims * sizeof *centroids);
    for (size_t i = 0; i < n; i++)
        d2[i] = centroid_sqdist(z + i * dims, centroids, dims);
    for (int c = 1; c < k; c++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += d2[i];
        double u = prng_uniform(p);
        size_t pick;
        if (total > 0) {
            double r = u * total, acc = 0;
            size_t last = 0;
            pick = SIZE_MAX;
            for (size_t i = 0; i < n; i++) {
                if (d2[i] <= 0)
                    continue; /* a row already chosen is never drawn again */
                acc += d2[i];
                last = i;
                if (acc > r) {
                    pick = i;
                    break;
                }
            }
            if (pick == SIZE_MAX)
                pick = last; /* r rounded to the very top of the sum */
        } else {
            /* Fewer distinct rows than k: any row duplicates a centroid. */
            pick = uniform_row(u, n);
        }
        double *cent = centroids + (size_t)c * dims;
        memcpy(cent, z + pick * dims, (size_t)dims * sizeof *cent);
        for (size_t i = 0; i < n; i++) {
            double d = centroid_sqdist(z + i * dims, cent, dims);
            if (d < d2[i])
                d2[i] = d;
        }
    }
}

/* ---- kmeans_fit -------------------------------------------------------- */

struct kmeans_options kmeans_defaults(void)
{
    return (struct kmeans_options){
        .k = SEGMENT_COUNT,
        .restarts = 8,
        .max_iterations = 100,
        .tolerance = 1e-6,
        .seed = 42,
    };
}

/* Knuth's selection sampling (TAOCP 3.4.2, Algorithm S): m of the n rows,
 * every subset equally likely, kept in their original order so the sample
 * is read as sequentially as the data. */
static void sample_rows(const double *z, size_t n, int dims, size_t m,
                        struct prng *p, double *out)
{
    size_t chosen = 0;
    for (size_t i = 0; i < n && chosen < m; i++) {
        size_t left = n - i, need = m - chosen;
        /* The first test stops the product's rounding from skipping a row
         * that has to be taken. */
        if (need >= left ||
            (double)left * prng_uniform(p) < (double)need) {
            memcpy(out + chosen * dims, z + i * dims,
                   (size_t)dims * sizeof *out);
            chosen++;
        }
    }
}

/* The restarts, all seeded up front (the seeding is the only consumer of
 * the PRNG, so the stream is the same as seeding each just before its
 * Lloyd run), then run to convergence by whichever thread is free. Each
 * restart's Lloyd runs in one thread over the fixed chunks, so its result
 * does not depend on which thread ran it or how many there were. */
struct restarts {
    const double *z;
    size_t n;
    int dims, k, count, max_iterations;
    double tolerance;
    double *centroids; /* count × k × dims: the starts, then the results */
    double *inertia;   /* count */
    atomic_int next;
};

struct restart_worker {
    struct restarts *job;
    struct assign_ctx a;
    struct lloyd_scratch w;
};

static void *run_restarts(void *arg)
{
    struct restart_worker *rw = arg;
    struct restarts *job = rw->job;
    size_t kd = (size_t)job->k * job->dims;
    for (;;) {
        int r = atomic_fetch_add(&job->next, 1);
        if (r >= job->count)
            break;
        lloyd(&rw->a, &rw->w, job->centroids + (size_t)r * kd,
              job->max_iterations, job->tolerance, &job->inertia[r]);
    }
    return NULL;
}

static int scratch_init(struct lloyd_scratch *w, int k, int dims)
{
    size_t kd = (size_t)k * dims;
    w->sums = malloc(kd * sizeof *w->sums);
    w->next = malloc(kd * sizeof *w->next);
    w->counts = malloc((size_t)k * sizeof *w->counts);
    return w->sums && w->next && w->counts ? 0 : -1;
}

static void scratch_free(struct lloyd_scratch *w)
{
    free(w->sums);
    free(w->next);
    free(w->counts);
}

/* Runs job->count restarts on up to `cpus` threads; -1 if out of memory. */
static int run_all_restarts(struct restarts *job, int cpus)
{
    struct restart_worker workers[KMEANS_MAX_THREADS];
    pthread_t threads[KMEANS_MAX_THREADS];
    int nworkers = cpus < job->count ? cpus : job->count, ready = 0, rc = 0;
    memset(workers, 0, sizeof workers);
    for (; ready < nworkers; ready++) {
        struct restart_worker *rw = &workers[ready];
        rw->job = job;
        int *labels = malloc(job->n * sizeof *labels);
        rw->a.labels = labels;
        if (!labels || assign_init(&rw->a, job->z, job->n, job->dims, job->k,
                                   labels, 1) < 0 ||
            scratch_init(&rw->w, job->k, job->dims) < 0) {
            ready++; /* so that its partial allocations are freed */
            rc = -1;
            goto out;
        }
    }
    atomic_store(&job->next, 0);
    int started = 0;
    for (int t = 1; t < nworkers; t++) {
        /* A thread that fails to start only leaves more restarts to us. */
        if (pthread_create(&threads[started], NULL, run_restarts,
                           &workers[t]) != 0)
            break;
        started++;
    }
    run_restarts(&workers[0]);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
out:
    for (int t = 0; t < ready; t++) {
        free(workers[t].a.labels);
        assign_free(&workers[t].a);
        scratch_free(&workers[t].w);
    }
    return rc;
}

/*
 * Restarts on a sample, decided by measurement (bench/kmeans.sh on this
 * 2-core machine, 1,000,000 × 11 standardized rows from overlapping
 * blobs; the machine was shared, so CPU seconds are the steadier figure).
 * A restart takes 25–60 Lloyd iterations at tolerance 1e-6 and one
 * iteration over a million rows is memory-bound at 15–25 ms, so eight
 * restarts on every row cost 12–13.5 CPU s (12–16 s wall): too much of
 * a 60 s training budget that XGBoost mostly needs. Eight restarts on
 * 100,000 rows drawn with the fit's PRNG, then Lloyd on every row from
 * the best of them (10–50 more iterations), cost 2.3–3.7 CPU s (1–4 s
 * wall) and reached the same inertia to 10 digits, here and on the
 * rules benchmark's feature-like rows: the restarts only choose a basin,
 * and 100,000 rows show the basins of four clusters in eleven dimensions
 * as well as a million do. (A 50,000-row sample saved only a further
 * 0.6 CPU s.) At or below KMEANS_SAMPLE_ROWS every restart sees every
 * row.
 */
int kmeans_fit(const double *z, size_t n, int dims,
               const struct kmeans_options *opt, double *centroids,
               int *labels, double *inertia, struct errbuf *err)
{
    if (!opt)
        return err_set(err, "k-means: no options");
    int k = opt->k;
    if (k < 1)
        return err_set(err, "k-means: k = %d, must be at least 1", k);
    if (dims < 1)
        return err_set(err, "k-means: %d dimensions, must be at least 1",
                       dims);
    if (n < (size_t)k)
        return err_set(err, "k-means: n = %zu rows, fewer than k = %d "
                       "clusters", n, k);
    if (opt->restarts < 1)
        return err_set(err, "k-means: %d restarts, must be at least 1",
                       opt->restarts);
    if (opt->max_iterations < 0)
        return err_set(err, "k-means: %d iterations, must not be negative",
                       opt->max_iterations);
    if (!(opt->tolerance >= 0))
        return err_set(err, "k-means: tolerance %g, must be 0 or more",
                       opt->tolerance);
    size_t kd = (size_t)k * dims;
    if (n > SIZE_MAX / sizeof(double) / (size_t)dims ||
        kd > SIZE_MAX / sizeof(double) / (size_t)opt->restarts)
        return err_set(err, "k-means: %zu rows × %d dimensions is too large",
                       n, dims);
    for (size_t i = 0; i < n; i++)
        for (int t = 0; t < dims; t++)
            if (!isfinite(z[i * dims + t]))
                return err_set(err, "k-means: row %zu, column %d is %g, "
                               "not a finite number", i, t, z[i * dims + t]);

    struct prng p;
    prng_seed(&p, opt->seed);
    size_t m = n > KMEANS_SAMPLE_ROWS ? KMEANS_SAMPLE_ROWS : n;
    int cpus = online_cpus(), rc = -1;
    struct assign_ctx full = {0};
    struct lloyd_scratch w = {0};
    struct restarts job = {
        .n = m, .dims = dims, .k = k, .count = opt->restarts,
        .max_iterations = opt->max_iterations, .tolerance = opt->tolerance,
    };
    double *sample = NULL, *d2 = malloc(m * sizeof *d2);
    int *own_labels = NULL;
    job.centroids = malloc((size_t)opt->restarts * kd * sizeof(double));
    job.inertia = malloc((size_t)opt->restarts * sizeof(double));
    if (!labels)
        labels = own_labels = malloc(n * sizeof *labels);
    if (m < n)
        sample = malloc(m * (size_t)dims * sizeof *sample);
    if (!d2 || !job.centroids || !job.inertia || !labels ||
        (m < n && !sample) || scratch_init(&w, k, dims) < 0 ||
        assign_init(&full, z, n, dims, k, labels, cpus) < 0)
        goto oom;

    job.z = z;
    if (m < n) {
        sample_rows(z, n, dims, m, &p, sample);
        job.z = sample;
    }
    for (int r = 0; r < opt->restarts; r++)
        seed_plus_plus(job.z, m, dims, k, &p, d2,
                       job.centroids + (size_t)r * kd);
    if (run_all_restarts(&job, cpus) < 0)
        goto oom;

    int best = 0; /* ties keep the earlier restart */
    for (int r = 1; r < opt->restarts; r++)
        if (job.inertia[r] < job.inertia[best])
            best = r;
    memcpy(centroids, job.centroids + (size_t)best * kd,
           kd * sizeof *centroids);
    double best_inertia = job.inertia[best];
    if (m < n) {
        lloyd(&full, &w, centroids, opt->max_iterations, opt->tolerance,
              &best_inertia);
    } else if (!own_labels) {
        /* The restarts labelled their own scratch; the caller's labels
         * are one assignment away, and it repeats the best inertia. */
        full.centroids = centroids;
        assign(&full, w.sums, w.counts, &best_inertia);
    }
    if (inertia)
        *inertia = best_inertia;
    rc = 0;
    goto out;
oom:
    err_set(err, "k-means: out of memory for %zu rows × %d dimensions", n,
            dims);
out:
    assign_free(&full);
    scratch_free(&w);
    free(own_labels);
    free(sample);
    free(d2);
    free(job.centroids);
    free(job.inertia);
    return rc;
}

/* ---- letters ----------------------------------------------------------- */

/* Higher mean target first; a NaN (a cluster without targets) last. A
 * strict weak order, so the rank below and the sort agree. */
static bool ranks_before(double a, double b)
{
    return a > b || (!isnan(a) && isnan(b));
}

/* Where cluster i goes in the stable order: the clusters strictly before
 * it, plus the equal ones before it in the current order. */
static int rank_of(const double *mean_target, int k, int i)
{
    int r = 0;
    for (int j = 0; j < k; j++) {
        if (ranks_before(mean_target[j], mean_target[i]) ||
            (j < i && !ranks_before(mean_target[i], mean_target[j])))
            r++;
    }
    return r;
}

void segments_order_by_target(double *centroids, int k, int dims,
                              double *mean_target, int *labels, size_t n)
{
    if (k < 1)
        return;
    /* Labels first, while mean_target still has the old order. k is
     * SEGMENT_COUNT in practice, so the rank per row costs no more than a
     * lookup table would, and needs no allocation this void function
     * could not report. */
    if (labels) {
        int small[SEGMENT_COUNT];
        bool cached = k <= SEGMENT_COUNT;
        if (cached)
            for (int c = 0; c < k; c++)
                small[c] = rank_of(mean_target, k, c);
        for (size_t i = 0; i < n; i++) {
            int c = labels[i];
            if (c >= 0 && c < k)
                labels[i] = cached ? small[c] : rank_of(mean_target, k, c);
        }
    }
    /* Insertion sort by adjacent swaps: stable and in place. */
    for (int i = 1; i < k; i++) {
        for (int j = i; j > 0 && ranks_before(mean_target[j],
                                              mean_target[j - 1]); j--) {
            double t = mean_target[j];
            mean_target[j] = mean_target[j - 1];
            mean_target[j - 1] = t;
            double *a = centroids + (size_t)j * dims, *b = a - dims;
            for (int d = 0; d < dims; d++) {
                double u = a[d];
                a[d] = b[d];
                b[d] = u;
            }
        }
    }
}
