/*
 * test.h — what every unit-test file shares.
 *
 * Each tests/test_<module>.c defines its cmocka tests and one entry point
 * `int suite_<module>(int *count)` that runs them as a group, stores how
 * many tests it ran in *count and returns how many failed. unit_main.c
 * runs every suite the Makefile found (build/suites.h), or the ones named
 * on its command line (`build/unit server audit`), and prints the
 * closing "N passed, M failed" line: a new suite file needs no other edit.
 */
#ifndef INCOMESCORE_TEST_H
#define INCOMESCORE_TEST_H

#include <stdarg.h>
#include <stdbool.h>
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

/* A file path `name` in a fresh temporary directory (the file itself is
 * not made); test_temp_file_free removes the directory and all in it. */
struct test_temp_file {
    char *dir;
    char path[4096];
};
struct test_temp_file test_temp_file_new(const char *name);
void test_temp_file_free(struct test_temp_file *f);
/* Writes `text` to dir/name; returns the malloc'd full path. */
char *test_write_file(const char *dir, const char *name, const char *text);

/* The shipped reference tables, loaded on first use and freed at exit;
 * a failure to load them fails the run with the reason. */
struct refdata;
const struct refdata *test_refdata(void);

/* The shipped business rules, data/rules.json of the build's data
 * directory (not rules_default_path(), so that INCOMESCORE_DATA in the
 * environment of the run cannot change what the tests check), loaded on
 * first use and freed at exit like test_refdata(). The path is for the
 * calls that take a file. */
struct rules;
const struct rules *test_rules_shipped(void);
const char *test_rules_shipped_path(void);

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

/* fixture_http.c: HTTP/1.1 over a raw loopback socket to a server
 * started in-process, for clients a client library would not imitate;
 * what a test cannot do (bind, connect, send) fails it. */
struct server;
struct timespec;
/* A connection from the loopback address `from` (all of 127/8 is
 * loopback, so one test can be several clients); -1 when refused. */
int test_http_connect_from(const struct server *s, const char *from);
/* A connection from 127.0.0.1. */
int test_http_connect(const struct server *s);
/* Sends it all; false when the peer stopped taking it (reset, closed). */
bool test_http_try_send(int fd, const char *data, size_t len);
void test_http_send(int fd, const char *data, size_t len);
void test_http_send_text(int fd, const char *text);
/* Reads into buf (NUL-terminated, also when nothing came) until a whole
 * response is in (its headers and Content-Length bytes), or with
 * to_close until the server closes instead; in either case at most
 * wait_ms, and no further than a close, a reset or a full buf. Returns
 * the bytes read; *closed (when not NULL) says the server closed or
 * reset the connection. */
size_t test_http_read(int fd, char *buf, size_t size, int wait_ms,
                      bool to_close, bool *closed);
/* test_http_read of one response; its status, 0 when none came. */
int test_http_response(int fd, char *buf, size_t size, int wait_ms);
/* The status of a response's text (0 when none), and its body ("" when
 * its headers did not end). */
int test_http_status(const char *response);
const char *test_http_body(const char *response);
/* The request line and headers of a POST of `len` bytes of JSON. */
void test_http_post_head(char *out, size_t size, const char *path,
                         size_t len);
/* Milliseconds since t0 (CLOCK_MONOTONIC). */
int test_elapsed_ms(const struct timespec *t0);
/* Lines of the file at path holding text (and also, when not NULL): a
 * server log's events. The caller flushes the log first. */
int test_lines_with(const char *path, const char *text, const char *also);

/* fixture_audit.c: a record shaped like the API's (model v0007, a short
 * request and response). */
struct audit_record;
struct audit_record test_audit_record(int64_t time_ms, const char *id,
                                      int status);

/* The suites: one SUITE(X) line per tests/test_X.c in suites.h, which
 * the Makefile writes from its wildcard into the build tree. */
#define SUITE(name) int suite_##name(int *count);
#include "suites.h"
#undef SUITE

#endif
