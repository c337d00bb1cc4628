/*
 * test_train_registry.c — a dataset into a new registry version
 * (train_registry.h): what lands in the registry, what becomes live, and
 * that a failed run leaves nothing behind.
 */
#include "test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "registry/bundle.h"
#include "registry/registry.h"
#include "train/train_registry.h"

#define PATH_SIZE 4096

/* The options the shared bundle was trained with (fixture_bundle.c), so
 * a version trained here must hold the same model. */
static void shared_options(struct train_options *opt)
{
    const struct test_bundle *b = test_bundle();
    assert_non_null(b);
    train_defaults(opt);
    opt->dataset_path = b->dataset;
    opt->params_path = b->params;
    opt->data_dir = INCOMESCORE_DATADIR;
    opt->rules_path = test_rules_shipped_path();
    opt->seed = 42;
}

static struct registry *open_registry(const char *dir)
{
    struct registry *r;
    struct errbuf err;
    if (registry_create(&r, dir, &err) < 0)
        fail_msg("%s", err.msg);
    return r;
}

/* Entries of dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t alen, blen;
    char *x = file_read_all(a, &alen, NULL), *y = file_read_all(b, &blen, NULL);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(alen, blen);
    assert_memory_equal(x, y, alen);
    free(x);
    free(y);
}

/* The first version of a registry: committed, loadable, live, and the
 * very model train_bundle makes from the same inputs. */
static void the_first_version_loads_and_becomes_live(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct train_options opt;
    shared_options(&opt);
    struct train_summary sum;
    char id[REGISTRY_ID_SIZE], live[REGISTRY_ID_SIZE], path[PATH_SIZE];
    struct errbuf err;
    if (train_into_registry(r, &opt, &sum, id, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(id, "v0001");
    assert_int_equal(registry_live(r, live, &err), 0);
    assert_string_equal(live, "v0001");
    assert_true(sum.rows > 0);
    assert_int_equal(sum.rows, sum.train_rows + sum.test_rows);

    assert_int_equal(registry_version_path(r, id, path, sizeof path, &err),
                     0);
    assert_int_equal(bundle_loads(path, NULL, &err), 0);
    char ours[PATH_SIZE + 16], shared[PATH_SIZE + 16];
    snprintf(ours, sizeof ours, "%s/model.json", path);
    snprintf(shared, sizeof shared, "%s/model.json",
             test_bundle()->version_dir);
    assert_same_file(ours, shared);

    snprintf(path, sizeof path, "%s/staging", dir);
    assert_int_equal(entries(path), 0);
    registry_close(r);
    test_rmtree(dir);
    free(dir);
}

/* Later versions wait for a promote: the gate decides, not training. */
static void a_later_version_is_committed_but_not_made_live(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    char id[REGISTRY_ID_SIZE], live[REGISTRY_ID_SIZE];
    struct errbuf err;
    assert_int_equal(test_bundle_commit(r, id, &err), 0);
    struct train_options opt;
    shared_options(&opt);
    struct train_summary sum;
    if (train_into_registry(r, &opt, &sum, id, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(id, "v0002");
    assert_int_equal(registry_live(r, live, &err), 0);
    assert_string_equal(live, "v0001");
    registry_close(r);
    test_rmtree(dir);
    free(dir);
}

/* A run that fails leaves no version and no staging directory. */
static void a_failed_run_leaves_nothing_in_the_registry(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct train_options opt;
    shared_options(&opt);
    char missing[PATH_SIZE + 16];
    snprintf(missing, sizeof missing, "%s/no-such-dataset.csv", dir);
    opt.dataset_path = missing;
    struct train_summary sum;
    char id[REGISTRY_ID_SIZE] = "", path[PATH_SIZE + 16];
    struct errbuf err;
    assert_int_equal(train_into_registry(r, &opt, &sum, id, &err), -1);
    if (!strstr(err.msg, "no-such-dataset.csv"))
        fail_msg("message: %s", err.msg);
    assert_string_equal(id, "");
    snprintf(path, sizeof path, "%s/versions", dir);
    assert_int_equal(entries(path), 0);
    snprintf(path, sizeof path, "%s/staging", dir);
    assert_int_equal(entries(path), 0);
    assert_int_equal(registry_live(r, id, &err), 1);
    registry_close(r);
    test_rmtree(dir);
    free(dir);
}

int suite_train_registry(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_first_version_loads_and_becomes_live),
        cmocka_unit_test(a_later_version_is_committed_but_not_made_live),
        cmocka_unit_test(a_failed_run_leaves_nothing_in_the_registry),
    };
    return RUN_SUITE("train_registry", tests, count);
}
