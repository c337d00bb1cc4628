/*
 * test_calibrate.c — the score scale from a dataset (calibrate.h): the
 * dataset's target range becomes the scale, and every refusal leaves the
 * rules as they were.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "score/rules.h"
#include "train/calibrate.h"

#define HEADER                                                               \
    "ingreso,antiguedad_laboral_meses,tiempo_desempleado,"                   \
    "trabajos_ultimos_5,semanasCotizadas,edad,crecimiento_ingreso,"          \
    "decil_ingreso_ENIGH,liquidez_porcentual,costo_de_vida,"                 \
    "crecimiento_gral\n"
/* tests/fixtures/features.csv's rows: targets 0.80, 0.32 and 0.39 with
 * the shipped rules (tests/cli.sh's calibration of the same file gives
 * 0.32 -> 300, 0.80 -> 850). */
#define ROW_HIGH "45000,50,0,1,1000,32,265.38,8,155.86,280.3,2.07\n"
#define ROW_LOW "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5\n"
#define ROW_MID "12000,0,0,1,80,19,0,5,-10.2,-5,-5\n"

struct fixture {
    char *dir;
    struct rules *rules;
    double lo, hi; /* the shipped scale */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct errbuf err;
    /* its own copy: rules_calibrate changes the scale of the rules given */
    if (!f || !(f->dir = test_mkdtemp()) ||
        rules_load(&f->rules, test_rules_shipped_path(), &err) < 0)
        return -1;
    rules_scale(f->rules, &f->lo, &f->hi);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rules_free(f->rules);
    test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Calibrates against a dataset holding `csv`; the reason goes to err. */
static int calibrate(struct fixture *f, const char *csv,
                     struct calibration *cal, struct errbuf *err)
{
    char *path = test_write_file(f->dir, "dataset.csv", csv);
    FILE *diag = fopen("/dev/null", "w");
    int rc = rules_calibrate(f->rules, path, diag, cal, err);
    fclose(diag);
    free(path);
    return rc;
}

/* A refusal names its reason and leaves the scale alone. */
static void assert_refused(struct fixture *f, const char *csv,
                           const char *reason)
{
    struct calibration cal;
    struct errbuf err;
    assert_int_equal(calibrate(f, csv, &cal, &err), -1);
    if (!strstr(err.msg, reason))
        fail_msg("message: %s\nexpected to contain: %s", err.msg, reason);
    double lo, hi;
    rules_scale(f->rules, &lo, &hi);
    assert_true(lo == f->lo);
    assert_true(hi == f->hi);
}

static void the_target_range_becomes_the_scale(void **state)
{
    struct fixture *f = *state;
    struct calibration cal;
    struct errbuf err;
    if (calibrate(f, HEADER ROW_HIGH ROW_LOW ROW_MID, &cal, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cal.rows, 3);
    assert_float_equal(cal.target_at_300, 0.32, 1e-9);
    assert_float_equal(cal.target_at_850, 0.80, 1e-9);
    double lo, hi;
    rules_scale(f->rules, &lo, &hi);
    assert_true(lo == cal.target_at_300);
    assert_true(hi == cal.target_at_850);
    assert_float_equal(rules_score(f->rules, 0.32), 300, 1e-9);
    assert_float_equal(rules_score(f->rules, 0.80), 850, 1e-9);
}

/* The rules file says where its scale came from and when. */
static void the_scale_notes_its_dataset_and_day(void **state)
{
    struct fixture *f = *state;
    struct calibration cal;
    struct errbuf err;
    if (calibrate(f, HEADER ROW_HIGH ROW_LOW ROW_MID, &cal, &err) < 0)
        fail_msg("%s", err.msg);
    char day[32], want[4200];
    time_t now = time(NULL);
    strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
    snprintf(want, sizeof want,
             "from %s/dataset.csv (3 rows, targets 0.32..0.80) on %s", f->dir,
             day);
    char *text = rules_to_text(f->rules);
    assert_non_null(text);
    if (!strstr(text, want))
        fail_msg("no '%s' in\n%s", want, text);
    free(text);
}

static void a_bad_row_refuses_the_calibration(void **state)
{
    assert_refused(*state,
                   HEADER ROW_HIGH
                   "1000,0,13,2,198,veinte,0,0,-93.5,-92.1,1.5\n" ROW_MID,
                   "dataset.csv: 1 bad rows (listed above); fix them first");
}

static void one_row_is_not_enough(void **state)
{
    assert_refused(*state, HEADER ROW_HIGH,
                   "dataset.csv: 1 rows; at least 2 are needed");
}

static void rows_with_one_target_give_no_scale(void **state)
{
    assert_refused(*state, HEADER ROW_HIGH ROW_HIGH,
                   "dataset.csv: every row has target 0.80; a scale needs a "
                   "spread");
}

static void a_missing_dataset_is_refused(void **state)
{
    struct fixture *f = *state;
    struct calibration cal;
    struct errbuf err;
    assert_int_equal(rules_calibrate(f->rules, "/nonexistent/dataset.csv",
                                     stderr, &cal, &err), -1);
    assert_string_equal(err.msg, "/nonexistent/dataset.csv: cannot open");
}

static void a_dataset_without_a_needed_column_is_refused(void **state)
{
    assert_refused(*state, "ingreso,edad\n45000,32\n1000,29\n", "edad");
}

int suite_calibrate(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_target_range_becomes_the_scale,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_scale_notes_its_dataset_and_day,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_bad_row_refuses_the_calibration,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(one_row_is_not_enough, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rows_with_one_target_give_no_scale,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_dataset_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_dataset_without_a_needed_column_is_refused, setup, teardown),
    };
    return RUN_SUITE("calibrate", tests, count);
}
