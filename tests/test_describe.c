/*
 * test_describe.c — segments described from their own rows
 * (train/describe.h): profiles, the test for the original titles, the
 * words in both languages.
 */
#include "test.h"

#include <string.h>

#include "train/describe.h"

/* One row of raw features with the five the profile reads. */
static void row(double *x, double income, double tenure, double jobs,
                double weeks, double age)
{
    memset(x, 0, FEATURE_COUNT * sizeof *x);
    x[F_INGRESO] = income;
    x[F_ANTIGUEDAD_LABORAL_MESES] = tenure;
    x[F_TRABAJOS_ULTIMOS_5] = jobs;
    x[F_SEMANAS_COTIZADAS] = weeks;
    x[F_EDAD] = age;
}

/* Medians and shares per segment and for all rows; rows picked through
 * an index. */
static void profiles_are_medians_and_shares(void **state)
{
    (void)state;
    double x[6 * FEATURE_COUNT];
    row(&x[0 * FEATURE_COUNT], 40000, 60, 1, 1200, 45);
    row(&x[1 * FEATURE_COUNT], 50000, 80, 2, 1400, 50);
    row(&x[2 * FEATURE_COUNT], 60000, 100, 1, 1600, 55);
    row(&x[3 * FEATURE_COUNT], 7000, 0, 0, 2000, 70);  /* retired */
    row(&x[4 * FEATURE_COUNT], 6000, 0, 0, 300, 40);   /* no job */
    row(&x[5 * FEATURE_COUNT], 9000, 10, 4, 100, 22);
    size_t rows[6] = {0, 1, 2, 3, 4, 5};
    int labels[6] = {0, 0, 0, 3, 3, 2};
    struct segment_profile seg[SEGMENT_COUNT], all;
    assert_int_equal(profile_segments(x, rows, labels, 6, seg, &all), 0);
    assert_true(seg[0].income == 50000 && seg[0].tenure == 80 &&
                seg[0].jobs == 1 && seg[0].weeks == 1400 && seg[0].age == 50);
    assert_true(seg[0].no_job_share == 0 && seg[0].retiree_share == 0);
    assert_true(seg[3].income == 6500 && seg[3].no_job_share == 1 &&
                seg[3].retiree_share == 0.5);
    assert_int_equal(seg[1].rows, 0);
    assert_int_equal(all.rows, 6);
    assert_true(all.income == (9000.0 + 40000) / 2);
}

/* The original titles only where the profile agrees: each test at its
 * bounds. */
static void original_titles_only_where_they_fit(void **state)
{
    (void)state;
    struct segment_profile all = {.income = 10000};
    struct segment_profile a = {.income = 12500, .jobs = 2};
    assert_true(original_title_fits(0, &a, &all));
    a.jobs = 3;
    assert_false(original_title_fits(0, &a, &all));
    struct segment_profile b = {.income = 10000, .tenure = 24, .jobs = 2};
    assert_true(original_title_fits(1, &b, &all));
    b.tenure = 18; /* the demo's "B": 18 months */
    assert_false(original_title_fits(1, &b, &all));
    struct segment_profile c = {.income = 7500, .age = 30, .tenure = 23};
    assert_true(original_title_fits(2, &c, &all));
    c.age = 31;
    assert_false(original_title_fits(2, &c, &all));
    struct segment_profile d = {.no_job_share = 0.5, .retiree_share = 0.49};
    assert_true(original_title_fits(3, &d, &all));
    d.retiree_share = 0.96; /* the demo's "D": retirees */
    assert_false(original_title_fits(3, &d, &all));
}

static void descriptions_in_both_languages(void **state)
{
    (void)state;
    struct segment_profile all = {.income = 10000};
    struct segment_profile a = {.income = 17583.17, .tenure = 61, .jobs = 1,
                                .weeks = 1306, .age = 48,
                                .no_job_share = 0.027,
                                .retiree_share = 0.027};
    char es[512], en[512];
    describe_segment(0, &a, &all, es, sizeof es, en, sizeof en);
    assert_string_equal(es, "Segmento de altos ingresos y baja rotación "
                            "laboral: ingreso típico $17,583 al mes, 61 "
                            "meses en el empleo actual, 1 empleo en 5 años, "
                            "1,306 semanas cotizadas, 48 años; 3% sin empleo "
                            "actual, 3% jubilados.");
    assert_string_equal(en, "High income and low job turnover: typical "
                            "income $17,583 a month, 61 months in the "
                            "current job, 1 job in 5 years, 1,306 weeks of "
                            "contributions, age 48; 3% without a current "
                            "job, 3% retired.");
    struct segment_profile d = {.income = 7216, .tenure = 0, .jobs = 0,
                                .weeks = 2180, .age = 70, .no_job_share = 1,
                                .retiree_share = 0.96};
    describe_segment(3, &d, &all, es, sizeof es, en, sizeof en);
    assert_string_equal(es, "Segmento de jubilados: ingreso típico $7,216 "
                            "al mes, 0 meses en el empleo actual, 0 empleos "
                            "en 5 años, 2,180 semanas cotizadas, 70 años; "
                            "100% sin empleo actual, 96% jubilados.");
    struct segment_profile b = {.income = 8306, .tenure = 18, .jobs = 3,
                                .weeks = 183, .age = 24};
    describe_segment(1, &b, &all, es, sizeof es, en, sizeof en);
    static const char b_es[] = "Segmento de jóvenes con ingresos medios "
                               "con poca estabilidad laboral: ";
    static const char b_en[] = "Young, middle income, with little job "
                               "stability: ";
    assert_memory_equal(es, b_es, sizeof b_es - 1);
    assert_memory_equal(en, b_en, sizeof b_en - 1);
}

int suite_describe(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(profiles_are_medians_and_shares),
        cmocka_unit_test(original_titles_only_where_they_fit),
        cmocka_unit_test(descriptions_in_both_languages),
    };
    return RUN_SUITE("describe", tests, count);
}
