/*
 * test_kmeans.c — SPEC §5, fitting the segments (train/kmeans.h): the
 * scaler's fit (population std, constant columns, large offsets), k-means
 * (recovers separated blobs, bit-identical for a seed, the same partition
 * for any seed, restarts never worse than one, labels that
 * nearest_centroid agrees with, refusals) and the ordering by mean target.
 */
#include "test.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/prng.h"
#include "train/kmeans.h"

/* ---- the scaler's fit -------------------------------------------------- */

/* Column 0 is 2 4 4 4 5 5 7 9 (mean 5, population std 2 — sample std
 * would be 2.138); column 1 the same plus 1e9, where E[x²] - E[x]² would
 * cancel to noise; column 2 the same × 10 - 3; the rest constant 0.1. */
static void known_rows(double x[8][FEATURE_COUNT])
{
    static const double v[8] = {2, 4, 4, 4, 5, 5, 7, 9};
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < FEATURE_COUNT; j++)
            x[i][j] = 0.1;
        x[i][0] = v[i];
        x[i][1] = 1e9 + v[i];
        x[i][2] = v[i] * 10 - 3;
    }
}

static void scaler_uses_population_std(void **state)
{
    (void)state;
    double x[8][FEATURE_COUNT];
    known_rows(x);
    struct scaler s;
    scaler_fit(&s, &x[0][0], 8);
    assert_true(s.mean[0] == 5.0);
    assert_true(s.scale[0] == 2.0);
    assert_true(s.mean[2] == 47.0);
    assert_true(s.scale[2] == 20.0);
}

static void scaler_is_exact_under_a_large_offset(void **state)
{
    (void)state;
    double x[8][FEATURE_COUNT];
    known_rows(x);
    struct scaler s;
    scaler_fit(&s, &x[0][0], 8);
    assert_true(s.mean[1] == 1e9 + 5);
    assert_true(s.scale[1] == 2.0);
}

static void scaler_gives_constant_column_scale_one(void **state)
{
    (void)state;
    double x[8][FEATURE_COUNT];
    known_rows(x);
    struct scaler s;
    scaler_fit(&s, &x[0][0], 8);
    for (int j = 3; j < FEATURE_COUNT; j++) {
        assert_true(s.scale[j] == 1.0);
        assert_true(s.mean[j] == 0.1); /* so the column standardizes to 0 */
    }
}

static void scaler_of_no_rows_is_identity(void **state)
{
    (void)state;
    struct scaler s;
    scaler_fit(&s, NULL, 0);
    for (int j = 0; j < FEATURE_COUNT; j++) {
        assert_true(s.mean[j] == 0.0);
        assert_true(s.scale[j] == 1.0);
    }
}


/* ---- k-means ----------------------------------------------------------- */

/* `per` rows around each of `blobs` centers, blob b's rows contiguous; the
 * centers sit on a lattice `gap` apart so any two blobs are well
 * separated when gap is large against the unit noise. */
struct blobs {
    double *z;
    int *blob;
    double *center; /* blobs × dims */
    size_t n;
    int dims, count;
};

static struct blobs make_blobs(int count, size_t per, int dims, double gap,
                               uint64_t seed)
{
    struct blobs b = {.n = count * per, .dims = dims, .count = count};
    b.z = malloc(b.n * dims * sizeof *b.z);
    b.blob = malloc(b.n * sizeof *b.blob);
    b.center = malloc((size_t)count * dims * sizeof *b.center);
    assert_non_null(b.z);
    assert_non_null(b.blob);
    assert_non_null(b.center);
    struct prng p;
    prng_seed(&p, seed);
    for (int c = 0; c < count; c++)
        for (int d = 0; d < dims; d++)
            b.center[c * dims + d] = d < 2 ? gap * ((c >> d) & 1) : 0;
    for (size_t i = 0; i < b.n; i++) {
        int c = (int)(i / per);
        b.blob[i] = c;
        for (int d = 0; d < dims; d++)
            b.z[i * dims + d] = b.center[c * dims + d] + prng_normal(&p);
    }
    return b;
}

static void free_blobs(struct blobs *b)
{
    free(b->z);
    free(b->blob);
    free(b->center);
}

/* Every blob maps to one cluster, and no two blobs to the same one. */
static void assert_labels_are_blobs(const struct blobs *b, const int *labels,
                                    int k)
{
    int cluster_of[8], blob_of[8];
    assert_true(b->count <= 8 && k <= 8);
    for (int c = 0; c < 8; c++)
        cluster_of[c] = blob_of[c] = -1;
    for (size_t i = 0; i < b->n; i++) {
        int l = labels[i], c = b->blob[i];
        assert_true(l >= 0 && l < k);
        if (cluster_of[c] < 0 && blob_of[l] < 0) {
            cluster_of[c] = l;
            blob_of[l] = c;
        }
        if (cluster_of[c] != l || blob_of[l] != c)
            fail_msg("row %zu of blob %d has label %d", i, c, l);
    }
}

static void kmeans_defaults_are_the_spec(void **state)
{
    (void)state;
    struct kmeans_options o = kmeans_defaults();
    assert_int_equal(o.k, SEGMENT_COUNT);
    assert_int_equal(o.restarts, 8);
    assert_int_equal(o.max_iterations, 100);
    assert_true(o.tolerance == 1e-6);
    assert_true(o.seed == 42);
}

static void kmeans_recovers_separated_blobs(void **state)
{
    (void)state;
    struct blobs b = make_blobs(4, 500, FEATURE_COUNT, 12, 7);
    struct kmeans_options o = kmeans_defaults();
    double cent[4 * FEATURE_COUNT], inertia;
    int *labels = malloc(b.n * sizeof *labels);
    struct errbuf err;
    assert_int_equal(kmeans_fit(b.z, b.n, FEATURE_COUNT, &o, cent, labels,
                                &inertia, &err), 0);
    assert_labels_are_blobs(&b, labels, 4);
    /* 500 unit-noise rows: the mean is within ~0.05 per coordinate. */
    for (int c = 0; c < 4; c++) {
        int l = labels[c * 500];
        double d2 = 0;
        for (int d = 0; d < FEATURE_COUNT; d++) {
            double t = cent[l * FEATURE_COUNT + d] -
                       b.center[c * FEATURE_COUNT + d];
            d2 += t * t;
        }
        if (sqrt(d2) > 0.3)
            fail_msg("blob %d: centroid %.3f away from its center", c,
                     sqrt(d2));
    }
    free(labels);
    free_blobs(&b);
}

static void kmeans_labels_are_their_nearest_centroid(void **state)
{
    (void)state;
    /* Overlapping blobs, so that boundaries are contested. */
    struct blobs b = make_blobs(4, 400, 3, 2, 11);
    struct kmeans_options o = kmeans_defaults();
    double cent[4 * 3], inertia;
    int *labels = malloc(b.n * sizeof *labels);
    assert_int_equal(kmeans_fit(b.z, b.n, 3, &o, cent, labels, &inertia,
                                NULL), 0);
    double sum = 0;
    for (size_t i = 0; i < b.n; i++) {
        const double *z = b.z + i * 3;
        assert_int_equal(labels[i], nearest_centroid(cent, 4, 3, z));
        const double *c = cent + labels[i] * 3;
        for (int d = 0; d < 3; d++)
            sum += (z[d] - c[d]) * (z[d] - c[d]);
    }
    assert_true(fabs(sum - inertia) <= 1e-9 * sum);
    free(labels);
    free_blobs(&b);
}

/* 12,000 rows: several chunks of the assignment step, so the threaded
 * path runs and its reduction order is what is being compared. */
static void kmeans_same_seed_is_bit_identical(void **state)
{
    (void)state;
    struct blobs b = make_blobs(4, 3000, FEATURE_COUNT, 3, 13);
    struct kmeans_options o = kmeans_defaults();
    double c1[4 * FEATURE_COUNT], c2[4 * FEATURE_COUNT], in1, in2;
    int *l1 = malloc(b.n * sizeof *l1), *l2 = malloc(b.n * sizeof *l2);
    assert_int_equal(kmeans_fit(b.z, b.n, FEATURE_COUNT, &o, c1, l1, &in1,
                                NULL), 0);
    assert_int_equal(kmeans_fit(b.z, b.n, FEATURE_COUNT, &o, c2, l2, &in2,
                                NULL), 0);
    assert_memory_equal(c1, c2, sizeof c1);
    assert_memory_equal(l1, l2, b.n * sizeof *l1);
    assert_memory_equal(&in1, &in2, sizeof in1);
    /* Without labels asked for, the same centroids. */
    assert_int_equal(kmeans_fit(b.z, b.n, FEATURE_COUNT, &o, c2, NULL, NULL,
                                NULL), 0);
    assert_memory_equal(c1, c2, sizeof c1);
    free(l1);
    free(l2);
    free_blobs(&b);
}

static void kmeans_different_seeds_find_the_same_partition(void **state)
{
    (void)state;
    struct blobs b = make_blobs(4, 300, 5, 10, 17);
    static const uint64_t seeds[] = {0, 1, 42, 12345, 0xdeadbeef};
    int *labels = malloc(b.n * sizeof *labels);
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        struct kmeans_options o = kmeans_defaults();
        o.seed = seeds[s];
        double cent[4 * 5];
        assert_int_equal(kmeans_fit(b.z, b.n, 5, &o, cent, labels, NULL,
                                    NULL), 0);
        assert_labels_are_blobs(&b, labels, 4);
    }
    free(labels);
    free_blobs(&b);
}

/* Ten blobs in four clusters: local optima abound, so restarts matter; the
 * first of eight restarts is the single-restart run, so the best of eight
 * can only be lower or equal. */
static void kmeans_best_restart_is_no_worse_than_one(void **state)
{
    (void)state;
    struct prng p;
    prng_seed(&p, 23);
    size_t n = 2000;
    double *z = malloc(n * 2 * sizeof *z);
    for (size_t i = 0; i < n; i++) {
        int blob = (int)(i % 10);
        z[2 * i] = 4 * blob + prng_normal(&p);
        z[2 * i + 1] = 3 * (blob % 3) + prng_normal(&p);
    }
    bool some_better = false;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct kmeans_options o = kmeans_defaults();
        o.seed = seed;
        double cent[8], many, one;
        assert_int_equal(kmeans_fit(z, n, 2, &o, cent, NULL, &many, NULL), 0);
        o.restarts = 1;
        assert_int_equal(kmeans_fit(z, n, 2, &o, cent, NULL, &one, NULL), 0);
        assert_true(many <= one);
        some_better |= many < one;
    }
    assert_true(some_better); /* the data does exercise the restarts */
    free(z);
}

/* More rows than the restarts' sample: the sampled path still finds the
 * blobs and labels every row, not just the sampled ones. */
static void kmeans_on_more_rows_than_the_sample_recovers_blobs(void **state)
{
    (void)state;
    struct blobs b = make_blobs(4, 30000, 2, 12, 29);
    struct kmeans_options o = kmeans_defaults();
    double cent[8];
    int *labels = malloc(b.n * sizeof *labels);
    assert_int_equal(kmeans_fit(b.z, b.n, 2, &o, cent, labels, NULL, NULL),
                     0);
    assert_labels_are_blobs(&b, labels, 4);
    free(labels);
    free_blobs(&b);
}

static void kmeans_with_as_many_rows_as_k_gives_each_its_own(void **state)
{
    (void)state;
    double z[4 * 2] = {0, 0, 5, 0, 0, 5, 5, 5};
    struct kmeans_options o = kmeans_defaults();
    double cent[8], inertia;
    int labels[4];
    assert_int_equal(kmeans_fit(z, 4, 2, &o, cent, labels, &inertia, NULL),
                     0);
    assert_true(inertia == 0.0);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            assert_int_not_equal(labels[i], labels[j]);
}

/* Identical rows: seeding has nothing to draw from and clusters go empty;
 * the fit must still finish with valid labels and zero inertia. */
static void kmeans_with_fewer_distinct_rows_than_k_finishes(void **state)
{
    (void)state;
    double z[6 * 2];
    for (int i = 0; i < 12; i++)
        z[i] = 1.5;
    struct kmeans_options o = kmeans_defaults();
    double cent[8], inertia;
    int labels[6];
    assert_int_equal(kmeans_fit(z, 6, 2, &o, cent, labels, &inertia, NULL),
                     0);
    assert_true(inertia == 0.0);
    for (int i = 0; i < 6; i++)
        assert_true(labels[i] >= 0 && labels[i] < 4);
    for (int i = 0; i < 8; i++)
        assert_true(cent[i] == 1.5);
}

static void kmeans_refuses_fewer_rows_than_k(void **state)
{
    (void)state;
    double z[3 * 2] = {0, 1, 2, 3, 4, 5}, cent[8];
    struct kmeans_options o = kmeans_defaults();
    struct errbuf err = {{0}};
    assert_int_equal(kmeans_fit(z, 3, 2, &o, cent, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "n = 3"));
    assert_non_null(strstr(err.msg, "k = 4"));
}

static void kmeans_refuses_k_or_dims_below_one(void **state)
{
    (void)state;
    double z[4] = {0, 1, 2, 3}, cent[8];
    struct kmeans_options o = kmeans_defaults();
    struct errbuf err = {{0}};
    o.k = 0;
    assert_int_equal(kmeans_fit(z, 4, 1, &o, cent, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "k = 0"));
    o.k = 2;
    assert_int_equal(kmeans_fit(z, 4, 0, &o, cent, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "0 dimensions"));
}

static void kmeans_refuses_a_non_finite_value(void **state)
{
    (void)state;
    double z[5 * 2] = {0, 1, 2, 3, 4, 5, 6, NAN, 8, 9}, cent[8];
    struct kmeans_options o = kmeans_defaults();
    struct errbuf err = {{0}};
    assert_int_equal(kmeans_fit(z, 5, 2, &o, cent, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "row 3, column 1"));
}


/* ---- letters by mean target -------------------------------------------- */

static void order_by_target_puts_highest_first_and_renumbers(void **state)
{
    (void)state;
    double cent[4 * 2] = {0, 0, 1, 1, 2, 2, 3, 3};
    double target[4] = {0.2, 0.9, 0.5, 0.1};
    int labels[6] = {0, 1, 2, 3, 1, 0};
    segments_order_by_target(cent, 4, 2, target, labels, 6);
    static const double want_cent[8] = {1, 1, 2, 2, 0, 0, 3, 3};
    static const double want_target[4] = {0.9, 0.5, 0.2, 0.1};
    static const int want_labels[6] = {2, 0, 1, 3, 0, 2};
    assert_memory_equal(cent, want_cent, sizeof cent);
    assert_memory_equal(target, want_target, sizeof target);
    assert_memory_equal(labels, want_labels, sizeof labels);
}

static void order_by_target_keeps_ties_in_order(void **state)
{
    (void)state;
    double cent[4] = {10, 11, 12, 13};
    double target[4] = {0.5, 0.7, 0.5, 0.7};
    int labels[4] = {0, 1, 2, 3};
    segments_order_by_target(cent, 4, 1, target, labels, 4);
    static const double want_cent[4] = {11, 13, 10, 12};
    static const int want_labels[4] = {2, 0, 3, 1};
    assert_memory_equal(cent, want_cent, sizeof cent);
    assert_memory_equal(labels, want_labels, sizeof labels);
    /* Labels may be NULL. */
    segments_order_by_target(cent, 4, 1, target, NULL, 0);
    assert_memory_equal(cent, want_cent, sizeof cent);
}

int suite_kmeans(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(scaler_uses_population_std),
        cmocka_unit_test(scaler_is_exact_under_a_large_offset),
        cmocka_unit_test(scaler_gives_constant_column_scale_one),
        cmocka_unit_test(scaler_of_no_rows_is_identity),
        cmocka_unit_test(kmeans_defaults_are_the_spec),
        cmocka_unit_test(kmeans_recovers_separated_blobs),
        cmocka_unit_test(kmeans_labels_are_their_nearest_centroid),
        cmocka_unit_test(kmeans_same_seed_is_bit_identical),
        cmocka_unit_test(kmeans_different_seeds_find_the_same_partition),
        cmocka_unit_test(kmeans_best_restart_is_no_worse_than_one),
        cmocka_unit_test(kmeans_on_more_rows_than_the_sample_recovers_blobs),
        cmocka_unit_test(kmeans_with_as_many_rows_as_k_gives_each_its_own),
        cmocka_unit_test(kmeans_with_fewer_distinct_rows_than_k_finishes),
        cmocka_unit_test(kmeans_refuses_fewer_rows_than_k),
        cmocka_unit_test(kmeans_refuses_k_or_dims_below_one),
        cmocka_unit_test(kmeans_refuses_a_non_finite_value),
        cmocka_unit_test(order_by_target_puts_highest_first_and_renumbers),
        cmocka_unit_test(order_by_target_keeps_ties_in_order),
    };
    return RUN_SUITE("kmeans", tests, count);
}
