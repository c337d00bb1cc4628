/*
 * test_calibrate.c — the score scale from a dataset (calibrate.h): the
 * dataset's target range becomes the scale, and every refusal leaves the
 * rules as they were.
 */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fileio.h"
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

/* The original's bounds on a few rows: what most tests below check. */
static const struct calibration_options minmax = {
    .bounds = CALIBRATION_MINMAX, .min_rows = 2};

/* Calibrates against a dataset holding `csv` with options o; the reason
 * goes to err. */
static int calibrate_with(struct fixture *f, const char *csv,
                          const struct calibration_options *o,
                          struct calibration *cal, struct errbuf *err)
{
    char *path = test_write_file(f->dir, "dataset.csv", csv);
    FILE *diag = fopen("/dev/null", "w");
    int rc = rules_calibrate(f->rules, path, o, diag, cal, err);
    fclose(diag);
    free(path);
    return rc;
}

static int calibrate(struct fixture *f, const char *csv,
                     struct calibration *cal, struct errbuf *err)
{
    return calibrate_with(f, csv, &minmax, cal, err);
}

/* The score the shipped scale gives a target (2 decimals). */
static double rules_score_at(const struct fixture *f, double target)
{
    return round((300 + (target - f->lo) / (f->hi - f->lo) * 550) * 100) /
           100;
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
                   "dataset.csv: 1 rows; at least 2 are needed for a scale "
                   "(--min-rows)");
}

/* The default asks for 1,000 rows: a scale from ten applicants (which
 * calibrated silently before) is an accident. */
static void ten_rows_are_not_enough_by_default(void **state)
{
    struct fixture *f = *state;
    char csv[4096] = HEADER;
    for (int i = 0; i < 10; i++)
        strcat(csv, i % 2 ? ROW_HIGH : ROW_LOW);
    struct calibration_options o;
    calibration_defaults(&o);
    struct calibration cal;
    struct errbuf err;
    assert_int_equal(calibrate_with(f, csv, &o, &cal, &err), -1);
    char want[4200];
    snprintf(want, sizeof want, "%s/dataset.csv: 10 rows; at least 1000 are "
             "needed for a scale (--min-rows)", f->dir);
    assert_string_equal(err.msg, want);
}

/* 1,000 applicants at 0.39 and one each at 0.32 and 0.80: min–max follows
 * the two outliers; the 0.1% quantiles (nearest rank) do not. The spread
 * says where the scores land before and after. */
static void quantile_bounds_ignore_single_outliers(void **state)
{
    struct fixture *f = *state;
    size_t size = 1200 * sizeof ROW_MID + sizeof HEADER;
    char *csv = malloc(size);
    strcpy(csv, HEADER ROW_LOW ROW_HIGH);
    for (int i = 0; i < 499; i++)
        strcat(csv, ROW_MID);
    strcat(csv, "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5\n"); /* 0.32 again */
    for (int i = 0; i < 501; i++)
        strcat(csv, ROW_MID);
    /* targets: 0.32 twice, 0.80 once, 0.39 1,000 times */
    struct calibration_options o;
    calibration_defaults(&o);
    struct calibration cal;
    struct errbuf err;
    if (calibrate_with(f, csv, &o, &cal, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cal.rows, 1003);
    /* rank round(0.001 × 1002) = 1: the second 0.32; the top: rank 1001,
     * a 0.39 — the single 0.80 is left out */
    assert_float_equal(cal.target_at_300, 0.32, 1e-9);
    assert_float_equal(cal.target_at_850, 0.39, 1e-9);
    assert_true(cal.before_300 == f->lo);
    assert_true(cal.before_850 == f->hi);
    /* after: 1,000 rows at 850 (0.39) and the 0.80 too; 2 at 300 */
    assert_int_equal(cal.after.clamped_high, 1001);
    assert_int_equal(cal.after.clamped_low, 2);
    assert_float_equal(cal.after.percentile[2], 850, 1e-9);
    assert_float_equal(cal.before.percentile[2], rules_score_at(f, 0.39),
                       1e-9);

    cal = (struct calibration){0};
    if (calibrate_with(f, csv, &minmax, &cal, &err) < 0)
        fail_msg("%s", err.msg);
    assert_float_equal(cal.target_at_300, 0.32, 1e-9);
    assert_float_equal(cal.target_at_850, 0.80, 1e-9);
    free(csv);
}

/* Only the scale's two numbers and its note change in the file: every
 * other byte of the shipped rules stays. */
static void the_file_is_rewritten_in_place(void **state)
{
    struct fixture *f = *state;
    struct calibration cal;
    struct errbuf err;
    if (calibrate(f, HEADER ROW_HIGH ROW_LOW ROW_MID, &cal, &err) < 0)
        fail_msg("%s", err.msg);
    size_t len;
    char *original = file_read_all(test_rules_shipped_path(), &len, NULL);
    assert_non_null(original);
    char *text;
    size_t text_len;
    if (rules_text_rescaled(original, len, f->rules, &text, &text_len,
                            &err) < 0)
        fail_msg("%s", err.msg);
    /* line by line: the same lines but the three of the scale */
    char *a_save, *b_save;
    char *a = strtok_r(original, "\n", &a_save);
    char *b = strtok_r(text, "\n", &b_save);
    int differing = 0;
    for (; a && b; a = strtok_r(NULL, "\n", &a_save),
                   b = strtok_r(NULL, "\n", &b_save)) {
        if (strcmp(a, b) == 0)
            continue;
        differing++;
        if (strstr(a, "\"target_at_300\": "))
            assert_string_equal(b, "    \"target_at_300\": 0.32,");
        else if (strstr(a, "\"target_at_850\": "))
            assert_string_equal(b, "    \"target_at_850\": 0.8,");
        else if (!strstr(a, "\"calibration\": ") ||
                 !strstr(b, "\"calibration\": \"from "))
            fail_msg("line changed:\n%s\n%s", a, b);
    }
    assert_null(a);
    assert_null(b);
    assert_int_equal(differing, 3);
    free(original);
    free(text);
}

/* A file whose scale is not where its text says (a key written with an
 * escape) is refused rather than rewritten wrongly. */
static void a_scale_that_cannot_be_found_is_refused(void **state)
{
    struct fixture *f = *state;
    struct calibration cal;
    struct errbuf err;
    if (calibrate(f, HEADER ROW_HIGH ROW_LOW ROW_MID, &cal, &err) < 0)
        fail_msg("%s", err.msg);
    size_t len;
    char *original = file_read_all(test_rules_shipped_path(), &len, NULL);
    char *key = strstr(original, "\"scale\"");
    assert_non_null(key);
    char *edited = malloc(len + 8);
    size_t head = (size_t)(key - original);
    memcpy(edited, original, head);
    strcpy(edited + head, "\"sc\\u0061le\"");
    strcat(edited, key + 7);
    char *text;
    size_t text_len;
    assert_int_equal(rules_text_rescaled(edited, strlen(edited), f->rules,
                                         &text, &text_len, &err), -1);
    assert_string_equal(err.msg, "the rules file's scale cannot be found to "
                                 "be rewritten in place");
    free(edited);
    free(original);
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
                                     &minmax, stderr, &cal, &err), -1);
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
        cmocka_unit_test_setup_teardown(ten_rows_are_not_enough_by_default,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            quantile_bounds_ignore_single_outliers, setup, teardown),
        cmocka_unit_test_setup_teardown(the_file_is_rewritten_in_place, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_scale_that_cannot_be_found_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_dataset_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_dataset_without_a_needed_column_is_refused, setup, teardown),
    };
    return RUN_SUITE("calibrate", tests, count);
}
