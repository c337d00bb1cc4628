/*
 * score_bench.c — the scoring core's latency: one applicant at a time
 * through score_applicant (features, trees, segment, band, reasons), as
 * the API does per request. Prints the median and p99 of per-call times
 * over many calls, measured in batches of 64 calls to stay above the
 * clock's resolution. Then the same for score_explain (the model's
 * explanation, ?explain=1), on a tenth of the calls.
 *
 *   score_bench BUNDLE_DIR [calls]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "registry/bundle.h"
#include "base/prng.h"
#include "score/scoring.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: score_bench BUNDLE_DIR [calls]\n");
        return 2;
    }
    long calls = argc > 2 ? atol(argv[2]) : 2000000;
    struct bundle *b;
    struct errbuf err;
    if (bundle_load(&b, argv[1], &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    enum { POOL = 4096, BATCH = 64 };
    static struct applicant pool[POOL];
    struct prng p;
    prng_seed(&p, 1);
    for (int i = 0; i < POOL; i++) {
        struct applicant *a = &pool[i];
        a->ingreso = prng_range(&p, 0, 90000);
        a->antiguedad_laboral_meses = prng_range(&p, 0, 1) ? prng_range(&p, 1, 300) : 0;
        a->tiempo_desempleado = a->antiguedad_laboral_meses ? 0 : prng_range(&p, 0, 60);
        a->trabajos_ultimos_5 = prng_range(&p, 0, 9);
        a->semanas_cotizadas = prng_range(&p, 0, 2500);
        a->edad = prng_range(&p, 18, 80);
        a->crecimiento_ingreso = a->ingreso ? prng_range(&p, -50, 300) : 0;
        a->lugar_actual = prng_range(&p, 0, 31);
    }
    long batches = calls / BATCH;
    double *per_call = malloc((size_t)batches * sizeof *per_call);
    double sink = 0;
    struct score s;
    for (long k = 0; k < batches; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < BATCH; i++) {
            score_applicant(&b->scorer, &pool[(k * BATCH + i) % POOL], &s);
            sink += s.scoring;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        per_call[k] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
                       (double)(t1.tv_nsec - t0.tv_nsec)) / BATCH;
    }
    qsort(per_call, (size_t)batches, sizeof *per_call, cmp_double);
    printf("score_applicant: median %.0f ns, p99 %.0f ns per applicant "
           "(%ld calls, %d trees; checksum %.0f)\n",
           per_call[batches / 2], per_call[batches * 99 / 100], batches * BATCH,
           forest_tree_count(b->scorer.forest), sink);

    long explained = batches / 10 > 0 ? batches / 10 : 1;
    struct explanation e;
    for (long k = 0; k < explained; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < BATCH; i++) {
            if (score_explain(&b->scorer, &pool[(k * BATCH + i) % POOL],
                              &e) < 0) {
                fprintf(stderr, "the model cannot explain (no covers)\n");
                return 1;
            }
            sink += e.base;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        per_call[k] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
                       (double)(t1.tv_nsec - t0.tv_nsec)) / BATCH;
    }
    qsort(per_call, (size_t)explained, sizeof *per_call, cmp_double);
    printf("score_explain: median %.0f ns, p99 %.0f ns per applicant "
           "(%ld calls; checksum %.0f)\n", per_call[explained / 2],
           per_call[explained * 99 / 100], explained * BATCH, sink);
    free(per_call);
    bundle_free(b);
    return 0;
}
