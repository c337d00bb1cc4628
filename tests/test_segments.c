/*
 * test_segments.c — SPEC §5, the segments as scoring sees them
 * (score/segments.h): the scaler's apply, the nearest-centroid tie rule,
 * the letters and the descriptions. Their fitting is test_kmeans.c's.
 */
#include "test.h"

#include "score/segments.h"

/* ---- scaler ------------------------------------------------------------ */

/* The scaler test_kmeans.c's known rows fit to: mean 5, 1e9 + 5, 47 and
 * scale 2, 2, 20 in the first three columns, the rest constant 0.1 (so
 * mean 0.1, scale 1); and row v of those rows. Built by hand so that
 * apply is tested on its own. */
static struct scaler known_scaler(void)
{
    struct scaler s;
    for (int j = 0; j < FEATURE_COUNT; j++) {
        s.mean[j] = 0.1;
        s.scale[j] = 1;
    }
    s.mean[0] = 5;
    s.mean[1] = 1e9 + 5;
    s.mean[2] = 47;
    s.scale[0] = 2;
    s.scale[1] = 2;
    s.scale[2] = 20;
    return s;
}

static void known_row(double x[FEATURE_COUNT], double v)
{
    for (int j = 0; j < FEATURE_COUNT; j++)
        x[j] = 0.1;
    x[0] = v;
    x[1] = 1e9 + v;
    x[2] = v * 10 - 3;
}

static void scaler_apply_subtracts_mean_and_divides_by_scale(void **state)
{
    (void)state;
    const struct scaler s = known_scaler();
    double x[FEATURE_COUNT], z[FEATURE_COUNT];
    known_row(x, 9);
    scaler_apply(&s, x, z); /* 9, 1e9 + 9, 87 */
    assert_true(z[0] == 2.0);
    assert_true(z[1] == 2.0);
    assert_true(z[2] == 2.0);
    known_row(x, 2);
    scaler_apply(&s, x, z); /* 2, 1e9 + 2, 17 */
    assert_true(z[0] == -1.5);
    assert_true(z[1] == -1.5);
    assert_true(z[2] == -1.5);
    for (int j = 3; j < FEATURE_COUNT; j++)
        assert_true(z[j] == 0.0);
}

/* ---- nearest centroid, letters ----------------------------------------- */

static void nearest_centroid_ties_go_to_the_lower_index(void **state)
{
    (void)state;
    double cent[3 * 2] = {0, 0, 2, 0, 1, 5};
    double mid[2] = {1, 0}; /* 1 from centroids 0 and 1 */
    assert_int_equal(nearest_centroid(cent, 3, 2, mid), 0);
    double cent2[3 * 2] = {9, 9, 0, 0, 2, 0};
    assert_int_equal(nearest_centroid(cent2, 3, 2, mid), 1);
    double same[2 * 2] = {3, 3, 3, 3};
    double any[2] = {-1, 7};
    assert_int_equal(nearest_centroid(same, 2, 2, any), 0);
    double near2[2] = {1.9, 4};
    assert_int_equal(nearest_centroid(cent, 3, 2, near2), 2);
}

static void segment_letters_are_A_to_D(void **state)
{
    (void)state;
    assert_int_equal(segment_letter(0), 'A');
    assert_int_equal(segment_letter(1), 'B');
    assert_int_equal(segment_letter(2), 'C');
    assert_int_equal(segment_letter(3), 'D');
}

static void segment_descriptions_are_the_originals(void **state)
{
    (void)state;
    assert_string_equal(segment_descriptions[0],
                        "Segmento de altos ingresos y baja rotación laboral");
    assert_string_equal(segment_descriptions[1],
                        "Segmento de ingresos medios con estabilidad laboral");
    assert_string_equal(
        segment_descriptions[2],
        "Segmento de jóvenes con bajos ingresos y poca estabilidad");
    assert_string_equal(segment_descriptions[3],
                        "Segmento actualmente desocupado y pocas "
                        "posibilidades de reinserción");
}

int suite_segments(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(scaler_apply_subtracts_mean_and_divides_by_scale),
        cmocka_unit_test(nearest_centroid_ties_go_to_the_lower_index),
        cmocka_unit_test(segment_letters_are_A_to_D),
        cmocka_unit_test(segment_descriptions_are_the_originals),
    };
    return RUN_SUITE("segments", tests, count);
}
