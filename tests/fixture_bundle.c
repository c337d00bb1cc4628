/*
 * fixture_bundle.c — the real model bundle that suites needing one share,
 * and the two steps that make one: demo-data → etl into a dataset, and
 * training a dataset into a bundle directory.
 *
 * Training is the slow part of a suite's setup, so the shared bundle is
 * built once per test process, on first use (as test_refdata() loads the
 * tables), in a temporary directory removed at exit. Nobody changes it:
 * a test that promotes, rolls back or damages versions gets its own
 * registry and copies of it (test_bundle_commit), so every test starts
 * from the same bundle whichever suite happened to build it.
 */
#include "test.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dates.h"
#include "demo/demo_data.h"
#include "etl/etl.h"
#include "registry/registry.h"
#include "score/rules.h"
#include "train/train.h"

/* Every path here is a temporary directory plus a short name. */
#define PATH_SIZE 4096

/* test_server's registry as it was trained before the bundle was shared:
 * small and quick, yet a model whose answers are worth comparing. */
#define SHARED_DOCUMENTS 2000
#define SHARED_DEMO_SEED 5
#define SHARED_TRAIN_SEED 42
static const char shared_params[] =
    "{\"rounds\": 30, \"early_stopping_rounds\": 10, \"max_depth\": 4, "
    "\"eta\": 0.3, \"nthread\": 1}";

int test_demo_dataset(const char *dir, long count, uint64_t seed,
                      char *dataset, size_t size, struct errbuf *err)
{
    char docs[PATH_SIZE + 16];
    snprintf(docs, sizeof docs, "%s/docs.jsonl", dir);
    snprintf(dataset, size, "%s/dataset.csv", dir);
    struct demo_options dopt = {.count = count, .seed = seed};
    date_parse_iso("2024-06-30", &dopt.as_of);
    FILE *f = fopen(docs, "w");
    if (!f)
        return err_set(err, "%s: %s", docs, strerror(errno));
    int rc = demo_data_write(test_refdata(), &dopt, f, NULL, err);
    if (fclose(f) != 0 && rc == 0)
        rc = err_set(err, "%s: %s", docs, strerror(errno));
    if (rc == 0) {
        struct etl_options eopt = {.source = docs, .dataset_path = dataset,
                                   .rd = test_refdata(),
                                   .rules = test_rules_shipped(),
                                   .as_of = dopt.as_of};
        struct etl_counts n;
        rc = etl_run(&eopt, &n, err);
    }
    return rc;
}

int test_train_bundle(const char *dataset, const char *params, uint64_t seed,
                      const char *dir, struct errbuf *err)
{
    struct train_options topt;
    train_defaults(&topt);
    topt.dataset_path = dataset;
    topt.params_path = params;
    topt.data_dir = INCOMESCORE_DATADIR;
    topt.rules_path = test_rules_shipped_path();
    topt.seed = seed;
    struct train_summary sum;
    return train_bundle(&topt, dir, &sum, err);
}

static char *shared_work;       /* the temporary directory, or NULL */
static pid_t shared_owner;      /* the process that made it */
static struct test_bundle shared;
static struct errbuf shared_failure;

static void remove_shared_bundle(void)
{
    /* A forked child that calls exit() must not take the parent's
     * bundle with it. */
    if (getpid() == shared_owner)
        test_rmtree(shared_work);
    free(shared_work);
}

static int build_shared_bundle(struct errbuf *err)
{
    static char version_dir[PATH_SIZE + 16], dataset[PATH_SIZE + 16],
        params[PATH_SIZE + 16];
    shared_work = test_mkdtemp();
    if (!shared_work)
        return err_set(err, "no temporary directory: %s", strerror(errno));
    shared_owner = getpid();
    atexit(remove_shared_bundle);
    if (test_demo_dataset(shared_work, SHARED_DOCUMENTS, SHARED_DEMO_SEED,
                          dataset, sizeof dataset, err) < 0)
        return -1;
    free(test_write_file(shared_work, "params.json", shared_params));
    snprintf(params, sizeof params, "%s/params.json", shared_work);
    snprintf(version_dir, sizeof version_dir, "%s/bundle", shared_work);
    if (mkdir(version_dir, 0755) < 0)
        return err_set(err, "%s: %s", version_dir, strerror(errno));
    if (test_train_bundle(dataset, params, SHARED_TRAIN_SEED, version_dir,
                          err) < 0)
        return -1;
    shared = (struct test_bundle){.version_dir = version_dir,
                                  .dataset = dataset,
                                  .params = params};
    return 0;
}

const struct test_bundle *test_bundle(void)
{
    static bool tried;
    static const struct test_bundle *built;
    if (!tried) {
        tried = true;
        if (build_shared_bundle(&shared_failure) < 0)
            print_error("the shared bundle: %s\n", shared_failure.msg);
        else
            built = &shared;
    }
    return built;
}

int test_bundle_commit(struct registry *r, char *id, struct errbuf *err)
{
    const struct test_bundle *b = test_bundle();
    if (!b)
        return err_set(err, "the shared bundle could not be built: %s",
                       shared_failure.msg);
    char staging[PATH_SIZE], cmd[2 * PATH_SIZE + 64];
    if (registry_stage(r, staging, sizeof staging, err) < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "cp -R '%s/.' '%s'", b->version_dir, staging);
    int rc = system(cmd) == 0 ? 0 : err_set(err, "%s: failed", cmd);
    if (rc == 0)
        rc = registry_commit(r, staging, id, err);
    if (rc < 0)
        registry_discard(r, staging);
    return rc;
}
