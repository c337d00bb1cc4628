/*
 * test.h — what every unit-test file shares.
 *
 * Each tests/test_<module>.c defines its cmocka tests and one entry point
 * `int suite_<module>(int *count)` that runs them as a group, stores how
 * many tests it ran in *count and returns how many failed. unit_main.c
 * lists the suites and prints the closing "N passed, M failed" line.
 */
#ifndef INCOMESCORE_TEST_H
#define INCOMESCORE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define RUN_SUITE(name, tests, count)                                        \
    (*(count) = (int)(sizeof(tests) / sizeof((tests)[0])),                   \
     cmocka_run_group_tests_name(name, tests, NULL, NULL))

/* A fresh empty directory under $TMPDIR (or /tmp); caller frees the path
 * and may remove the tree with test_rmtree(). */
char *test_mkdtemp(void);
void test_rmtree(const char *dir);
/* Writes `text` to dir/name; returns the malloc'd full path. */
char *test_write_file(const char *dir, const char *name, const char *text);

/* The shipped reference tables, loaded on first use and freed at exit;
 * a failure to load them fails the run with the reason. */
struct refdata;
const struct refdata *test_refdata(void);

/* fixture_bundle.c: a real model bundle, and the steps that make one. */
struct errbuf;
struct registry;

/* demo-data → etl: `count` demo documents from `seed`, as of 2024-06-30,
 * written to dir/docs.jsonl and put through the shipped rules into
 * dir/dataset.csv, whose path goes to dataset (size bytes). */
int test_demo_dataset(const char *dir, long count, uint64_t seed,
                      char *dataset, size_t size, struct errbuf *err);

/* Trains dataset with the parameters file params and the training seed
 * into dir (an empty directory), against the shipped rules and tables. */
int test_train_bundle(const char *dataset, const char *params, uint64_t seed,
                      const char *dir, struct errbuf *err);

/* The shared bundle: 2000 demo documents from seed 5 → etl → 30 rounds
 * at depth 4, training seed 42. Built on first use, once per process, in
 * a temporary directory removed at exit; NULL, with the reason printed,
 * if it cannot be built. Read-only: tests that change a version work on
 * a copy in their own registry (test_bundle_commit). */
struct test_bundle {
    const char *version_dir; /* the trained bundle */
    const char *dataset;     /* the dataset.csv it was trained on */
    const char *params;      /* the parameters file it was trained with */
};
const struct test_bundle *test_bundle(void);

/* Commits a copy of the shared bundle to r as its next version (v0001 in
 * a new registry, and then live); the id goes to id. */
int test_bundle_commit(struct registry *r, char *id, struct errbuf *err);

int suite_numeric(int *count);
int suite_refdata(int *count);
int suite_features(int *count);
int suite_rules(int *count);
int suite_csv(int *count);
int suite_dates(int *count);
int suite_history(int *count);
int suite_etl(int *count);
int suite_request(int *count);
int suite_train(int *count);
int suite_demo_data(int *count);
int suite_registry(int *count);
int suite_report(int *count);
int suite_segments(int *count);
int suite_kmeans(int *count);
int suite_audit(int *count);
int suite_server(int *count);
int suite_model(int *count);
int suite_apikeys(int *count);
int suite_text(int *count);
int suite_swap(int *count);
int suite_paths(int *count);
int suite_stream(int *count);
int suite_train_registry(int *count);
int suite_calibrate(int *count);
int suite_scoring(int *count);
int suite_bundle(int *count);

#endif
