/*
 * test_pipeline.c — the pipeline's parts that decide: the gate's verdict
 * from stated figures (a better model accepted, a worse one and an
 * unstable one refused, each reason word for word), the PSI, the data
 * versions (kept, restored byte for byte, refused when damaged, and
 * retention keeping what a model names), the held-out rows training
 * exports, and the run end to end on the shared fixture's documents.
 */
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/fileio.h"
#include "base/sha256.h"
#include "base/stability.h"
#include "pipeline/dataver.h"
#include "pipeline/gate.h"
#include "pipeline/pipeline.h"
#include "registry/registry.h"
#include "train/train.h"
#include "train/train_registry.h"

/* ---- the verdict ------------------------------------------------------------ */

static struct gate_figures live_and_candidate(double live_r2, double live_mae,
                                              double r2, double mae)
{
    struct gate_figures f;
    memset(&f, 0, sizeof f);
    f.rows = 1000;
    f.has_live = true;
    f.live = (struct gate_fit){live_r2, live_mae, live_r2};
    f.candidate = (struct gate_fit){r2, mae, r2};
    f.has_psi = true;
    for (int i = 0; i < GATE_PSI_COUNT; i++)
        f.psi[i] = 0.01;
    f.changed_segment = 0.04;
    f.changed_band = 0.02;
    f.changed_either = 0.05;
    return f;
}

static void gate_accepts_better_model(void **state)
{
    (void)state;
    struct gate_thresholds t;
    gate_defaults(&t);
    struct gate_figures f = live_and_candidate(0.95, 8.0, 0.99, 5.0);
    struct gate_verdict v;
    gate_decide(&f, &t, &v);
    assert_true(v.accept);
    assert_int_equal(v.reason_count, 0);
}

static void gate_refuses_worse_model(void **state)
{
    (void)state;
    struct gate_thresholds t;
    gate_defaults(&t);
    struct gate_figures f = live_and_candidate(0.99, 5.0, 0.85, 30.0);
    struct gate_verdict v;
    gate_decide(&f, &t, &v);
    assert_false(v.accept);
    assert_int_equal(v.reason_count, 4);
    assert_string_equal(v.reasons[0], "R² 0.8500 is below the floor 0.9000");
    assert_string_equal(v.reasons[1],
                        "MAE 30.00 points is above the ceiling 25.00");
    assert_string_equal(v.reasons[2], "R² 0.8500 is more than 0.0200 below "
                                      "the live model's 0.9900");
    assert_string_equal(v.reasons[3], "MAE 30.00 points is more than 2.00 "
                                      "above the live model's 5.00");
}

static void gate_refuses_unstable_population(void **state)
{
    (void)state;
    struct gate_thresholds t;
    gate_defaults(&t);
    struct gate_figures f = live_and_candidate(0.99, 5.0, 0.99, 5.0);
    f.psi[5] = 1.5;              /* edad */
    f.psi[GATE_PSI_SCORE] = 0.15;
    f.changed_segment = 0.6;
    f.changed_band = 0.4;
    struct gate_verdict v;
    gate_decide(&f, &t, &v);
    assert_false(v.accept);
    assert_int_equal(v.reason_count, 4);
    assert_string_equal(v.reasons[0],
                        "PSI of edad 1.500 is at or above 0.25 (red)");
    assert_string_equal(v.reasons[1], "60.0 % of applicants would change "
                                      "segment (more than 50.0 %)");
    assert_string_equal(v.reasons[2], "40.0 % of applicants would change "
                                      "band (more than 10.0 %)");
    assert_string_equal(v.reasons[3], "note: PSI of score 0.150 is amber "
                                      "(0.10 to 0.25)");
}

static void gate_first_model_floors_only(void **state)
{
    (void)state;
    struct gate_thresholds t;
    gate_defaults(&t);
    struct gate_figures f;
    memset(&f, 0, sizeof f);
    f.candidate = (struct gate_fit){0.95, 9.0, 0.95};
    struct gate_verdict v;
    gate_decide(&f, &t, &v);
    assert_true(v.accept);
    assert_int_equal(v.reason_count, 1);
    assert_string_equal(v.reasons[0],
                        "note: first model: only the floors apply");
    f.candidate.r2 = 0.5;
    gate_decide(&f, &t, &v);
    assert_false(v.accept);
    assert_string_equal(v.reasons[0], "R² 0.5000 is below the floor 0.9000");
}

static void gate_without_psi_says_so(void **state)
{
    (void)state;
    struct gate_thresholds t;
    gate_defaults(&t);
    struct gate_figures f = live_and_candidate(0.99, 5.0, 0.99, 5.0);
    f.has_psi = false;
    f.psi[0] = 9; /* not measured: not read */
    struct gate_verdict v;
    gate_decide(&f, &t, &v);
    assert_true(v.accept);
    assert_int_equal(v.reason_count, 1);
    assert_string_equal(v.reasons[0], "note: no PSI: the live model's "
                                      "training data is not kept in the "
                                      "registry");
}

/* ---- PSI --------------------------------------------------------------------- */

static void psi_of_same_population_is_zero(void **state)
{
    (void)state;
    double a[1000];
    for (int i = 0; i < 1000; i++)
        a[i] = i % 97;
    double psi = -1;
    struct errbuf err;
    assert_int_equal(
        population_stability(a, 1000, 1, a, 1000, 1, &psi, &err), 0);
    assert_true(psi == 0.0);
}

static void psi_of_known_shift(void **state)
{
    (void)state;
    /* reference: 0..999 (ten equal bins at 100, 200, ...); new: every
     * value in the first bin. PSI = 0.9·(−0.1·ln(0.0001/0.1))... : the
     * nine empty bins give (0.0001−0.1)·ln(0.0001/0.1) each, the full
     * one (0.9999... ≈ 1 − 0.1)·ln(1/0.1). */
    double ref[1000], got[500];
    for (int i = 0; i < 1000; i++)
        ref[i] = i;
    for (int i = 0; i < 500; i++)
        got[i] = i % 100;
    double psi;
    struct errbuf err;
    assert_int_equal(
        population_stability(ref, 1000, 1, got, 500, 1, &psi, &err), 0);
    double want = (1 - 0.1) * log(1 / 0.1) +
                  9 * (0.0001 - 0.1) * log(0.0001 / 0.1);
    assert_true(fabs(psi - want) < 1e-12);
    /* ties merged: a two-valued feature has two bins (and an empty one
     * below), so a changed mix shows */
    double r2[10] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    double g2[10] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    assert_int_equal(
        population_stability(r2, 10, 1, g2, 10, 1, &psi, &err), 0);
    want = (0.8 - 0.5) * log(0.8 / 0.5) + (0.2 - 0.5) * log(0.2 / 0.5);
    assert_true(fabs(psi - want) < 1e-12);
}

/* ---- data versions ---------------------------------------------------------- */

static char *registry_with_version(char *id)
{
    char *dir = test_mkdtemp();
    struct registry *r;
    struct errbuf err;
    if (registry_create(&r, dir, &err) < 0 ||
        test_bundle_commit(r, id, &err) < 0)
        fail_msg("%s", err.msg);
    registry_close(r);
    return dir;
}

static void dataver_keeps_and_restores(void **state)
{
    (void)state;
    const struct test_bundle *b = test_bundle();
    assert_non_null(b);
    char id[REGISTRY_ID_SIZE];
    char *reg = registry_with_version(id);
    struct errbuf err;
    char sha[SHA256_HEX_SIZE], want[SHA256_HEX_SIZE];
    assert_int_equal(sha256_file(b->dataset, want, &err), 0);
    if (dataver_keep(reg, b->dataset, sha, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(sha, want);
    assert_int_equal(dataver_exists(reg, sha), 1);
    char out[4200];
    snprintf(out, sizeof out, "%s/back.csv", reg);
    if (dataver_restore(reg, sha, out, &err) < 0)
        fail_msg("%s", err.msg);
    size_t alen, blen;
    char *x = file_read_all(b->dataset, &alen, &err);
    char *y = file_read_all(out, &blen, &err);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(alen, blen);
    assert_memory_equal(x, y, alen);
    free(x);
    free(y);

    /* a version whose bytes are not its name is refused, and leaves
     * nothing behind */
    char other[SHA256_HEX_SIZE], from[4200], to[4200];
    memset(other, 'a', SHA256_HEX_SIZE - 1);
    other[SHA256_HEX_SIZE - 1] = '\0';
    dataver_path(reg, sha, from, sizeof from);
    dataver_path(reg, other, to, sizeof to);
    assert_int_equal(rename(from, to), 0);
    unlink(out);
    assert_int_equal(dataver_restore(reg, other, out, &err), -1);
    char msg[9000];
    snprintf(msg, sizeof msg, "%s: decompressed to SHA-256 %s, not the %s it "
             "is named by", to, sha, other);
    assert_string_equal(err.msg, msg);
    assert_int_equal(access(out, F_OK), -1);
    test_rmtree(reg);
    free(reg);
}

static void dataver_prune_keeps_what_models_name(void **state)
{
    (void)state;
    const struct test_bundle *b = test_bundle();
    assert_non_null(b);
    char id[REGISTRY_ID_SIZE];
    char *reg = registry_with_version(id);
    struct errbuf err;
    char named[SHA256_HEX_SIZE];
    /* the version's own dataset: named by its lineage */
    if (dataver_keep(reg, b->dataset, named, &err) < 0)
        fail_msg("%s", err.msg);
    /* two datasets no model names; one of them a caller keeps */
    char *d1 = test_write_file(reg, "one.csv", "a,b\n1,2\n");
    char *d2 = test_write_file(reg, "two.csv", "a,b\n3,4\n");
    char s1[SHA256_HEX_SIZE], s2[SHA256_HEX_SIZE];
    assert_int_equal(dataver_keep(reg, d1, s1, &err), 0);
    assert_int_equal(dataver_keep(reg, d2, s2, &err), 0);
    const char *keep[] = {s2};
    size_t removed = 99;
    if (dataver_prune(reg, keep, 1, &removed, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(removed, 1);
    assert_int_equal(dataver_exists(reg, named), 1);
    assert_int_equal(dataver_exists(reg, s1), 0);
    assert_int_equal(dataver_exists(reg, s2), 1);
    free(d1);
    free(d2);
    test_rmtree(reg);
    free(reg);
}

/* ---- the held-out rows ------------------------------------------------------- */

static void held_out_rows_are_trainings(void **state)
{
    (void)state;
    const struct test_bundle *b = test_bundle();
    assert_non_null(b);
    struct train_options o;
    train_defaults(&o);
    o.dataset_path = b->dataset;
    o.rules_path = test_rules_shipped_path();
    struct train_rows all, held;
    struct errbuf err;
    if (train_read_rows(&o, 0, &all, &err) < 0 ||
        train_read_rows(&o, 1, &held, &err) < 0)
        fail_msg("%s", err.msg);
    /* as many as train_bundle holds out: round(n × 0.3) */
    assert_int_equal(held.n, (size_t)llround((double)all.n * 0.3));
    /* every held-out row is one of the dataset's */
    for (size_t i = 0; i < held.n; i += 97) {
        bool found = false;
        for (size_t j = 0; j < all.n && !found; j++)
            found = memcmp(&held.x[i * FEATURE_COUNT],
                           &all.x[j * FEATURE_COUNT],
                           FEATURE_COUNT * sizeof(double)) == 0 &&
                    held.target[i] == all.target[j];
        assert_true(found);
    }
    train_rows_free(&all);
    train_rows_free(&held);
}

/* ---- the config --------------------------------------------------------------- */

static void config_file_refuses_unknown_keys(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *good = test_write_file(dir, "good.json",
                                 "{\"source\": \"docs.jsonl\", \"seed\": 7, "
                                 "\"gate\": {\"psi_max\": 0.3}}");
    char *bad = test_write_file(dir, "bad.json", "{\"gate\": {\"psi\": 1}}");
    char *range = test_write_file(dir, "range.json",
                                  "{\"gate\": {\"max_changed_band\": 2}}");
    struct pipeline_config c;
    pipeline_defaults(&c);
    void *doc = NULL;
    struct errbuf err;
    if (pipeline_config_load(&c, good, &doc, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(c.source, "docs.jsonl");
    assert_int_equal(c.seed, 7);
    assert_true(c.gate.psi_max == 0.3);
    void *doc2 = NULL;
    assert_int_equal(pipeline_config_load(&c, bad, &doc2, &err), -1);
    char msg[4300];
    snprintf(msg, sizeof msg, "%s: gate: \"psi\" is not a gate threshold",
             bad);
    assert_string_equal(err.msg, msg);
    assert_int_equal(pipeline_config_load(&c, range, &doc2, &err), -1);
    snprintf(msg, sizeof msg, "%s: gate: gate.max_changed_band 2 is out of "
             "range (0 to 1)", range);
    assert_string_equal(err.msg, msg);
    json_decref(doc);
    free(good);
    free(bad);
    free(range);
    test_rmtree(dir);
    free(dir);
}

int suite_pipeline(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_accepts_better_model),
        cmocka_unit_test(gate_refuses_worse_model),
        cmocka_unit_test(gate_refuses_unstable_population),
        cmocka_unit_test(gate_first_model_floors_only),
        cmocka_unit_test(gate_without_psi_says_so),
        cmocka_unit_test(psi_of_same_population_is_zero),
        cmocka_unit_test(psi_of_known_shift),
        cmocka_unit_test(dataver_keeps_and_restores),
        cmocka_unit_test(dataver_prune_keeps_what_models_name),
        cmocka_unit_test(held_out_rows_are_trainings),
        cmocka_unit_test(config_file_refuses_unknown_keys),
    };
    return RUN_SUITE("pipeline", tests, count);
}
