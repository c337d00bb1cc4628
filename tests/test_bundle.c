/*
 * test_bundle.c — the bundle module on its own: what bundle_load accepts
 * and what it refuses, each refusal with its whole message; bundle_loads,
 * the check promote and rollback make; and the manifest (manifest.h),
 * written and read back unchanged.
 *
 * Every test works on its own copy of the shared bundle
 * (fixture_bundle.c), damaged in one way.
 */
#include "test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/sha256.h"
#include "registry/bundle.h"
#include "registry/manifest.h"

struct copy {
    char *work;        /* the temporary directory holding it */
    char dir[4200];    /* work/v0007: the copy itself */
};

static void copy_shared(struct copy *c)
{
    const struct test_bundle *tb = test_bundle();
    if (!tb)
        fail_msg("the shared bundle could not be built");
    c->work = test_mkdtemp();
    assert_non_null(c->work);
    snprintf(c->dir, sizeof c->dir, "%s/v0007", c->work);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s'", tb->version_dir, c->dir);
    assert_int_equal(system(cmd), 0);
}

static void copy_remove(struct copy *c)
{
    test_rmtree(c->work);
    free(c->work);
}

static void path_in(const struct copy *c, const char *file, char *path,
                    size_t size)
{
    snprintf(path, size, "%s/%s", c->dir, file);
}

/* Loads the copy, which must be refused with exactly "bundle DIR: " +
 * `expected`. */
static void assert_refused_with(const struct copy *c, const char *expected)
{
    struct bundle *b = (struct bundle *)1;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, c->dir, &err), -1);
    assert_null(b);
    char want[9000];
    snprintf(want, sizeof want, "bundle %s: %s", c->dir, expected);
    assert_string_equal(err.msg, want);
    /* and promote would refuse it for the same reason */
    struct errbuf err2;
    assert_int_equal(bundle_loads(c->dir, NULL, &err2), -1);
    assert_string_equal(err2.msg, want);
}

/* bundle.json read, changed by `edit`, written back as train writes it. */
static void edit_manifest(const struct copy *c, void (*edit)(json_t *m))
{
    char path[4300];
    path_in(c, "bundle.json", path, sizeof path);
    json_error_t jerr;
    json_t *m = json_load_file(path, 0, &jerr);
    if (!m)
        fail_msg("%s: %s", path, jerr.text);
    edit(m);
    assert_int_equal(json_dump_file(m, path, JSON_INDENT(2) |
                                                 JSON_PRESERVE_ORDER |
                                                 JSON_REAL_PRECISION(17)),
                     0);
    json_decref(m);
}

/* Loads a copy whose manifest `edit` changed; it must be refused with
 * "bundle DIR: bundle.json: " + expected. */
static void assert_manifest_refused(void (*edit)(json_t *m),
                                    const char *expected)
{
    struct copy c;
    copy_shared(&c);
    edit_manifest(&c, edit);
    char want[9000];
    snprintf(want, sizeof want, "bundle.json: %s", expected);
    assert_refused_with(&c, want);
    copy_remove(&c);
}

/* ---- the manifest's seal (bundle.json.sha256) ----------------------------- */

/* A valid edit: the first feature's mean moved, which moves applicants
 * between segments. */
static void scaler_mean_moved(json_t *m)
{
    json_t *mean = json_object_get(json_object_get(m, "scaler"), "mean");
    json_array_set_new(mean, 0,
                       json_real(json_number_value(json_array_get(mean, 0))
                                 + 1000.0));
}

static void an_edited_manifest_is_refused_by_its_seal(void **state)
{
    (void)state;
    struct copy c;
    copy_shared(&c);
    char seal[4400], manifest[4400], got[SHA256_HEX_SIZE], want[600];
    path_in(&c, "bundle.json.sha256", seal, sizeof seal);
    path_in(&c, "bundle.json", manifest, sizeof manifest);
    struct errbuf err;
    char *sealed = file_read_all(seal, NULL, &err);
    if (!sealed)
        fail_msg("train wrote no seal: %s", err.msg);
    edit_manifest(&c, scaler_mean_moved);
    assert_int_equal(sha256_file(manifest, got, &err), 0);
    snprintf(want, sizeof want, "bundle.json has changed since training "
             "(SHA-256 %.12s…, expected %.12s… in bundle.json.sha256)", got,
             sealed);
    assert_refused_with(&c, want);
    free(sealed);
    copy_remove(&c);
}

/* A bundle from a release before the seal has none, and loads (its other
 * files are still checked against the manifest). */
static void a_bundle_from_before_the_seal_loads(void **state)
{
    (void)state;
    struct copy c;
    copy_shared(&c);
    char seal[4400];
    path_in(&c, "bundle.json.sha256", seal, sizeof seal);
    assert_int_equal(unlink(seal), 0);
    edit_manifest(&c, scaler_mean_moved);
    struct bundle *b;
    struct errbuf err;
    if (bundle_load(&b, c.dir, &err) < 0)
        fail_msg("%s", err.msg);
    bundle_free(b);
    copy_remove(&c);
}

/* ---- accepted ----------------------------------------------------------- */

static void a_whole_bundle_loads_named_after_its_directory(void **state)
{
    (void)state;
    struct copy c;
    copy_shared(&c);
    struct bundle *b;
    struct errbuf err;
    if (bundle_load(&b, c.dir, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(b->id, "v0007");
    assert_string_equal(b->path, c.dir);
    bundle_free(b);
    assert_int_equal(bundle_loads(c.dir, NULL, &err), 0);
    /* promote's check takes an argument it does not use */
    assert_int_equal(bundle_loads(c.dir, &c, &err), 0);
    copy_remove(&c);
}

static void a_bundle_without_its_reports_still_loads(void **state)
{
    (void)state;
    /* report.md and report.html are for people; scoring needs neither */
    struct copy c;
    copy_shared(&c);
    char path[4300];
    path_in(&c, "report.md", path, sizeof path);
    assert_int_equal(unlink(path), 0);
    path_in(&c, "report.html", path, sizeof path);
    assert_int_equal(unlink(path), 0);
    struct errbuf err;
    assert_int_equal(bundle_loads(c.dir, NULL, &err), 0);
    copy_remove(&c);
}

/* ---- a file missing or changed ------------------------------------------ */

/* The files the manifest hashes, spelled out here as the format's
 * description gives them rather than taken from bundle_files. */
static const char *const hashed_files[] = {
    "model.json", "rules.json", "refdata/states.csv",
    "refdata/enigh.csv", "refdata/itaee.csv",
};

/* For each hashed file, a fresh copy where `damage` has spoiled it (path:
 * the file in the copy) and written into want the message expected after
 * "bundle DIR: ". */
static void each_hashed_file_spoiled(void (*damage)(const char *file,
                                                    const char *path,
                                                    char *want, size_t size))
{
    for (size_t i = 0; i < sizeof hashed_files / sizeof hashed_files[0];
         i++) {
        struct copy c;
        copy_shared(&c);
        char path[4300], want[9000];
        path_in(&c, hashed_files[i], path, sizeof path);
        damage(hashed_files[i], path, want, sizeof want);
        assert_refused_with(&c, want);
        copy_remove(&c);
    }
}

static void removed(const char *file, const char *path, char *want,
                    size_t size)
{
    (void)file;
    assert_int_equal(unlink(path), 0);
    /* the hash check reads each file first, so it is what notices */
    snprintf(want, size, "bundle.json: %s: No such file or directory", path);
}

/* One byte more: named with the two hashes' first twelve digits. */
static void one_byte_added(const char *file, const char *path, char *want,
                           size_t size)
{
    char before[SHA256_HEX_SIZE], after[SHA256_HEX_SIZE];
    struct errbuf err;
    assert_int_equal(sha256_file(path, before, &err), 0);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputc('\n', f);
    fclose(f);
    assert_int_equal(sha256_file(path, after, &err), 0);
    snprintf(want, size, "bundle.json: %s has changed since training "
             "(SHA-256 %.12s…, expected %.12s…)", file, after, before);
}

static void every_file_is_required(void **state)
{
    (void)state;
    each_hashed_file_spoiled(removed);
}

static void a_changed_file_is_refused_naming_both_hashes(void **state)
{
    (void)state;
    each_hashed_file_spoiled(one_byte_added);
}

static void a_missing_manifest_is_refused(void **state)
{
    (void)state;
    struct copy c;
    copy_shared(&c);
    char path[4300], want[9000];
    path_in(&c, "bundle.json", path, sizeof path);
    assert_int_equal(unlink(path), 0);
    snprintf(want, sizeof want, "bundle.json: unable to open %s: No such "
             "file or directory", path);
    assert_refused_with(&c, want);
    copy_remove(&c);
}

/* ---- a manifest field wrong --------------------------------------------- */

static void other_format(json_t *m)
{
    json_object_set_new(m, "format", json_string("incomescore-bundle/2"));
}

static void no_itaee_year(json_t *m)
{
    json_object_del(m, "itaee_year");
}

static void features_swapped(json_t *m)
{
    json_t *f = json_object_get(m, "features");
    json_array_set_new(f, 5, json_string("age"));
}

static void one_feature_less(json_t *m)
{
    json_array_remove(json_object_get(m, "features"), 10);
}

static void no_hash_for_itaee(json_t *m)
{
    json_object_del(json_object_get(m, "files"), "refdata/itaee.csv");
}

static void scale_zero(json_t *m)
{
    json_t *scale = json_object_get(json_object_get(m, "scaler"), "scale");
    json_array_set_new(scale, 3, json_real(0));
}

static void mean_short(json_t *m)
{
    json_array_remove(json_object_get(json_object_get(m, "scaler"), "mean"),
                      0);
}

static void segments_three(json_t *m)
{
    json_array_remove(json_object_get(m, "segments"), 3);
}

static void letters_swapped(json_t *m)
{
    json_t *b = json_array_get(json_object_get(m, "segments"), 1);
    json_object_set_new(b, "letter", json_string("C"));
}

static void centroid_text(json_t *m)
{
    json_t *c = json_array_get(json_object_get(m, "segments"), 2);
    json_array_set_new(json_object_get(c, "centroid"), 0, json_string("0.5"));
}

static void a_manifest_field_out_of_contract_is_refused_by_name(void **state)
{
    (void)state;
    assert_manifest_refused(other_format,
                            "format is not \"incomescore-bundle/1\"");
    assert_manifest_refused(no_itaee_year, "itaee_year is missing");
    assert_manifest_refused(features_swapped,
                            "feature 6 is 'age', expected 'edad'");
    assert_manifest_refused(one_feature_less,
                            "the feature list is not the 11 features of "
                            "this version");
    assert_manifest_refused(no_hash_for_itaee, "no hash for refdata/itaee.csv");
    assert_manifest_refused(scale_zero, "scaler.scale[3] is not positive");
    assert_manifest_refused(mean_short,
                            "scaler.mean must be an array of 11 numbers");
    assert_manifest_refused(segments_three,
                            "\"segments\" must list 4 segments");
    assert_manifest_refused(letters_swapped, "segment 2 must be 'B'");
    assert_manifest_refused(centroid_text,
                            "segment C centroid[0] is not a finite number");
}

static void a_manifest_not_json_is_refused_with_its_reason(void **state)
{
    (void)state;
    struct copy c;
    copy_shared(&c);
    char path[4300];
    path_in(&c, "bundle.json", path, sizeof path);
    struct errbuf err;
    assert_int_equal(atomic_write_file(path, "{\n  \"format\": \n", 16, &err),
                     0);
    assert_refused_with(&c, "bundle.json: invalid token near end of file");
    copy_remove(&c);
}

/* ---- the fields the manifest gained a reader for ----------------------- */

static void rounds_differ(json_t *m)
{
    json_object_set_new(json_object_get(m, "metrics"), "rounds",
                        json_integer(3));
}

static void target_unknown(json_t *m)
{
    json_object_set_new(json_object_get(m, "lineage"), "target",
                        json_string("guessed"));
}

static void no_seed(json_t *m)
{
    json_object_del(json_object_get(m, "lineage"), "seed");
}

static void params_text(json_t *m)
{
    json_object_set_new(json_object_get(m, "model"), "params",
                        json_string("eta=0.3"));
}

static void other_model_file(json_t *m)
{
    json_object_set_new(json_object_get(m, "model"), "file",
                        json_string("model.ubj"));
}

static void short_hash(json_t *m)
{
    json_object_set_new(json_object_get(m, "files"), "rules.json",
                        json_string("f7ab76acbc9d"));
}

static void long_description(json_t *m)
{
    char text[600];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    json_object_set_new(json_array_get(json_object_get(m, "segments"), 3),
                        "description", json_string(text));
}

static void r2_text(json_t *m)
{
    json_t *score = json_object_get(json_object_get(m, "metrics"), "score");
    json_object_set_new(score, "r2", json_string("0.99"));
}

static void no_lineage(json_t *m)
{
    json_object_del(m, "lineage");
}

static void importance_missing_one(json_t *m)
{
    json_object_del(json_object_get(m, "feature_importance"), "edad");
}

static void every_field_is_read_and_checked(void **state)
{
    (void)state;
    assert_manifest_refused(rounds_differ,
                            "metrics.rounds 3 is not model.rounds 30");
    assert_manifest_refused(target_unknown,
                            "lineage.target 'guessed' is neither \"dataset "
                            "column\" nor \"computed by the rules\"");
    assert_manifest_refused(no_seed,
                            "lineage.seed is missing or not a whole number");
    assert_manifest_refused(params_text, "model.params is not an object");
    assert_manifest_refused(other_model_file,
                            "model.file is not \"model.json\"");
    assert_manifest_refused(short_hash,
                            "the hash of rules.json is not 64 hex digits");
    assert_manifest_refused(long_description,
                            "segment D description is longer than 511 bytes");
    assert_manifest_refused(r2_text, "metrics.score.r2 is missing or not a "
                                     "finite number");
    assert_manifest_refused(no_lineage, "\"lineage\" is missing");
    assert_manifest_refused(importance_missing_one,
                            "feature_importance.edad is missing or not a "
                            "finite number");
}

/* ---- written and read back ---------------------------------------------- */

static char *read_text(const char *path, size_t *len)
{
    struct errbuf err;
    char *text = file_read_all(path, len, &err);
    if (!text)
        fail_msg("%s", err.msg);
    return text;
}

/* Read, then written again: the same bytes train wrote. */
static void a_trained_manifest_is_rewritten_byte_for_byte(void **state)
{
    (void)state;
    const struct test_bundle *tb = test_bundle();
    assert_non_null(tb);
    char *work = test_mkdtemp();
    char path[4300], again[4300];
    snprintf(path, sizeof path, "%s/bundle.json", tb->version_dir);
    snprintf(again, sizeof again, "%s/bundle.json", work);
    struct manifest *m = malloc(sizeof *m), *back = malloc(sizeof *back);
    struct errbuf err;
    if (manifest_read(m, path, &err) < 0 ||
        manifest_write(m, again, &err) < 0 ||
        manifest_read(back, again, &err) < 0)
        fail_msg("%s", err.msg);
    size_t la, lb;
    char *a = read_text(path, &la), *b = read_text(again, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    assert_memory_equal(m, back, sizeof *m);
    /* what the shared bundle was trained with (fixture_bundle.c) */
    assert_int_equal(m->rounds, 30);
    assert_int_equal(m->lineage.seed, 42);
    assert_int_equal(m->itaee_year, ITAEE_DEFAULT_YEAR);
    /* the target is always the rules' now (issue 13: targets follow the
     * rules), even from a dataset with a target column */
    assert_false(m->lineage.target_from_column);
    assert_int_equal(m->lineage.target_rules_mismatches, 0);
    /* each segment described from its rows (train/describe.h), in both
     * languages, its profile kept */
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        assert_true(strstr(m->segments[s].description, ": ingreso típico $")
                    != NULL);
        assert_true(strstr(m->segments[s].description_en,
                           ": typical income $") != NULL);
        assert_true(m->segments[s].has_profile);
    }
    free(a);
    free(b);
    free(m);
    free(back);
    test_rmtree(work);
    free(work);
}

/* A manifest made in memory, every field set to a value of its own,
 * written and read back: the same struct, bit for bit. */
static void a_manifest_made_in_memory_reads_back_equal(void **state)
{
    (void)state;
    struct manifest *m = calloc(1, sizeof *m), *back = malloc(sizeof *back);
    snprintf(m->created_at, sizeof m->created_at, "2024-05-01T06:00:00Z");
    snprintf(m->code_version, sizeof m->code_version, "9.8.7");
    m->itaee_year = 2022;
    for (int f = 0; f < FEATURE_COUNT; f++) {
        m->scaler.mean[f] = 1000.0 / (f + 3);
        m->scaler.scale[f] = 0.1 + f;
        m->importance[f] = (f + 1) / 66.0;
    }
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        struct manifest_segment *g = &m->segments[s];
        snprintf(g->description, sizeof g->description,
                 "Segmento %c: \"comillas\", acentos (á) y \\", 'A' + s);
        snprintf(g->description_en, sizeof g->description_en,
                 "Segment %c", 'A' + s);
        g->has_profile = s % 2; /* absent in bundles from before */
        if (g->has_profile)
            g->profile = (struct manifest_profile){1000.5 * s, 12, 2, 300,
                                                   40, 0.25, 0.125};
        for (int f = 0; f < FEATURE_COUNT; f++)
            g->centroid[f] = (s - 1.5) * (f + 1) / 7.0;
        g->mean_target_train = 0.7 - 0.1 * s;
        g->train_rows = 1000 + s;
        g->test_rows = 400 - s;
        g->mean_score_test = 650.25 - 50 * s;
        g->mean_target_test = 0.69 - 0.1 * s;
    }
    m->rounds = 417;
    /* as the reader gives it back: compact, in the trainer's order */
    snprintf(m->params, sizeof m->params, "{\"max_depth\":4,\"eta\":0.25}");
    m->target_at_300 = 0.16;
    m->target_at_850 = 0.84;
    for (int f = 0; f < BUNDLE_FILE_COUNT; f++)
        for (int k = 0; k < SHA256_HEX_SIZE - 1; k++)
            m->file_sha256[f][k] = "0123456789abcdef"[(f * 7 + k) % 16];
    m->metrics.target = (struct manifest_fit){0.998, 3.4e-5, 0.0041};
    m->metrics.score = (struct manifest_fit){0.997, 22.04, 3.31};
    m->metrics.train_rows = 13492;
    m->metrics.test_rows = 5782;
    snprintf(m->lineage.dataset, sizeof m->lineage.dataset,
             "/datos/mayo <2024>.csv");
    memcpy(m->lineage.dataset_sha256, m->file_sha256[1], SHA256_HEX_SIZE);
    m->lineage.dataset_rows = 19274;
    m->lineage.target_from_column = false;
    m->lineage.target_rules_mismatches = 12;
    memcpy(m->lineage.rules_sha256, m->file_sha256[2], SHA256_HEX_SIZE);
    m->lineage.seed = UINT64_MAX - 1; /* above jansson's int64 */
    m->lineage.test_fraction = 0.3;
    m->lineage.stopping_fraction = 0.1;

    char *work = test_mkdtemp();
    char path[4300];
    snprintf(path, sizeof path, "%s/bundle.json", work);
    struct errbuf err;
    if (manifest_write(m, path, &err) < 0 ||
        manifest_read(back, path, &err) < 0)
        fail_msg("%s", err.msg);
    assert_memory_equal(m, back, sizeof *m);
    size_t len;
    char *text = read_text(path, &len);
    assert_non_null(strstr(text, "\"target\": \"computed by the rules\""));
    assert_non_null(strstr(text, "\"eta\": 0.25"));
    free(text);
    free(m);
    free(back);
    test_rmtree(work);
    free(work);
}

int suite_bundle(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_whole_bundle_loads_named_after_its_directory),
        cmocka_unit_test(an_edited_manifest_is_refused_by_its_seal),
        cmocka_unit_test(a_bundle_from_before_the_seal_loads),
        cmocka_unit_test(a_bundle_without_its_reports_still_loads),
        cmocka_unit_test(every_file_is_required),
        cmocka_unit_test(a_missing_manifest_is_refused),
        cmocka_unit_test(a_changed_file_is_refused_naming_both_hashes),
        cmocka_unit_test(a_manifest_field_out_of_contract_is_refused_by_name),
        cmocka_unit_test(a_manifest_not_json_is_refused_with_its_reason),
        cmocka_unit_test(every_field_is_read_and_checked),
        cmocka_unit_test(a_trained_manifest_is_rewritten_byte_for_byte),
        cmocka_unit_test(a_manifest_made_in_memory_reads_back_equal),
    };
    return RUN_SUITE("bundle", tests, count);
}
