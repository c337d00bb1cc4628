/*
 * test_bundle.c — the bundle module on its own: what bundle_load accepts
 * and what it refuses, each refusal with its whole message, and
 * bundle_loads, the check promote and rollback make.
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

static void every_file_is_required(void **state)
{
    (void)state;
    static const char *const files[] = {
        "model.json", "rules.json", "refdata/states.csv",
        "refdata/enigh.csv", "refdata/itaee.csv",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct copy c;
        copy_shared(&c);
        char path[4300], want[9000];
        path_in(&c, files[i], path, sizeof path);
        assert_int_equal(unlink(path), 0);
        /* the hash check reads each file first, so it is what notices */
        snprintf(want, sizeof want, "bundle.json: %s: No such file or "
                 "directory", path);
        assert_refused_with(&c, want);
        copy_remove(&c);
    }
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

/* Any file the manifest hashes, changed by one byte, is named with the
 * two hashes' first twelve digits. */
static void a_changed_file_is_refused_naming_both_hashes(void **state)
{
    (void)state;
    static const char *const files[] = {
        "model.json", "rules.json", "refdata/states.csv",
        "refdata/enigh.csv", "refdata/itaee.csv",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct copy c;
        copy_shared(&c);
        char path[4300], want[9000];
        char before[SHA256_HEX_SIZE], after[SHA256_HEX_SIZE];
        path_in(&c, files[i], path, sizeof path);
        struct errbuf err;
        assert_int_equal(sha256_file(path, before, &err), 0);
        FILE *f = fopen(path, "a");
        assert_non_null(f);
        fputc('\n', f);
        fclose(f);
        assert_int_equal(sha256_file(path, after, &err), 0);
        snprintf(want, sizeof want, "bundle.json: %s has changed since "
                 "training (SHA-256 %.12s…, expected %.12s…)", files[i],
                 after, before);
        assert_refused_with(&c, want);
        copy_remove(&c);
    }
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

static void a_manifest_that_is_not_json_is_refused_with_jansson_s_reason(void **state)
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

int suite_bundle(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_whole_bundle_loads_named_after_its_directory),
        cmocka_unit_test(a_bundle_without_its_reports_still_loads),
        cmocka_unit_test(every_file_is_required),
        cmocka_unit_test(a_missing_manifest_is_refused),
        cmocka_unit_test(a_changed_file_is_refused_naming_both_hashes),
        cmocka_unit_test(a_manifest_field_out_of_contract_is_refused_by_name),
        cmocka_unit_test(a_manifest_that_is_not_json_is_refused_with_jansson_s_reason),
    };
    return RUN_SUITE("bundle", tests, count);
}
