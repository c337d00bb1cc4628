/*
 * kmeans_bench.c — times kmeans_fit (kmeans_defaults) on synthetic
 * standardized rows; run through bench/kmeans.sh.
 *
 *   kmeans_bench [rows [runs]]     (default 1000000 rows, best of 3 runs)
 *
 * The rows are eleven features drawn from six overlapping Gaussian blobs of
 * unequal spread, the first feature made lognormal like an income, then
 * standardized with scaler_fit/scaler_apply: four clusters laid over six
 * blobs converge slowly enough to be a fair stand-in for the applicants,
 * where well-separated blobs would converge in a handful of steps. The
 * last line also gives the inertia and a checksum of the centroids' bytes,
 * so runs on other machines or thread counts can be compared bit for bit.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/prng.h"
#include "score/segments.h"
#include "train/kmeans.h"

#define BLOBS 6

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1)
        runs = 1;
    if (n < SEGMENT_COUNT) {
        fprintf(stderr, "kmeans_bench: need at least %d rows\n",
                SEGMENT_COUNT);
        return 2;
    }
    double *x = malloc(n * FEATURE_COUNT * sizeof *x);
    int *labels = malloc(n * sizeof *labels);
    if (!x || !labels) {
        fprintf(stderr, "kmeans_bench: out of memory for %zu rows\n", n);
        return 1;
    }

    struct prng p;
    prng_seed(&p, 20240601);
    double center[BLOBS][FEATURE_COUNT], spread[BLOBS][FEATURE_COUNT];
    for (int b = 0; b < BLOBS; b++)
        for (int j = 0; j < FEATURE_COUNT; j++) {
            center[b][j] = prng_normal(&p);
            spread[b][j] = 0.5 + prng_uniform(&p);
        }
    for (size_t i = 0; i < n; i++) {
        int b = prng_range(&p, 0, BLOBS - 1);
        double *row = x + i * FEATURE_COUNT;
        for (int j = 0; j < FEATURE_COUNT; j++)
            row[j] = center[b][j] + spread[b][j] * prng_normal(&p);
        row[F_INGRESO] = 10000 * exp(0.5 * row[F_INGRESO]);
    }

    struct scaler s;
    double t0 = seconds(CLOCK_MONOTONIC);
    scaler_fit(&s, x, n);
    for (size_t i = 0; i < n; i++)
        scaler_apply(&s, x + i * FEATURE_COUNT, x + i * FEATURE_COUNT);
    double scaler_s = seconds(CLOCK_MONOTONIC) - t0;

    /* Best of `runs`: the wall time on a shared machine is the fit plus
     * whatever else ran; the CPU time (all threads) is given beside it. */
    struct kmeans_options opt = kmeans_defaults();
    double centroids[SEGMENT_COUNT * FEATURE_COUNT], inertia = 0;
    double best = -1, best_cpu = 0;
    struct errbuf err;
    for (int r = 0; r < runs; r++) {
        double w0 = seconds(CLOCK_MONOTONIC);
        double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
        if (kmeans_fit(x, n, FEATURE_COUNT, &opt, centroids, labels,
                       &inertia, &err) < 0) {
            fprintf(stderr, "kmeans_bench: %s\n", err.msg);
            return 1;
        }
        double wall = seconds(CLOCK_MONOTONIC) - w0;
        double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (best < 0 || wall < best) {
            best = wall;
            best_cpu = cpu;
        }
    }

    printf("scaler: %zu rows x %d in %.2f s\n", n, FEATURE_COUNT, scaler_s);
    printf("kmeans: %zu rows x %d in %.2f s (best of %d, cpu %.2f s; "
           "inertia %.10g, centroids %016" PRIx64 ")\n",
           n, FEATURE_COUNT, best, runs, best_cpu, inertia,
           fnv1a(centroids, sizeof centroids));
    free(x);
    free(labels);
    return 0;
}
