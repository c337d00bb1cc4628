/*
 * unit_main.c — runs every unit-test suite (or those named on the
 * command line) and prints the closing line "unit: N passed, M failed"
 * that CI reads; also the helpers test.h declares for all suites
 * (temporary files, the shipped tables).
 */
#include "test.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/refdata.h"
#include "score/rules.h"

char *test_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/incomescore-test-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(path))
        return NULL;
    return strdup(path);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void test_rmtree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct test_temp_file test_temp_file_new(const char *name)
{
    struct test_temp_file f = {.dir = test_mkdtemp()};
    if (!f.dir) {
        fprintf(stderr, "unit: no temporary directory\n");
        exit(1);
    }
    snprintf(f.path, sizeof f.path, "%s/%s", f.dir, name);
    return f;
}

void test_temp_file_free(struct test_temp_file *f)
{
    test_rmtree(f->dir);
    free(f->dir);
}

char *test_write_file(const char *dir, const char *name, const char *text)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static struct refdata shipped;
static bool shipped_loaded;

static void free_shipped(void)
{
    refdata_free(&shipped);
}

const struct refdata *test_refdata(void)
{
    if (!shipped_loaded) {
        struct errbuf err;
        if (refdata_load(&shipped, INCOMESCORE_DATADIR, ITAEE_DEFAULT_YEAR,
                         &err) < 0) {
            fprintf(stderr, "unit: %s\n", err.msg);
            exit(1);
        }
        shipped_loaded = true;
        atexit(free_shipped);
    }
    return &shipped;
}

const char *test_rules_shipped_path(void)
{
    return INCOMESCORE_DATADIR "/rules.json";
}

static struct rules *shipped_rules;

static void free_shipped_rules(void)
{
    rules_free(shipped_rules);
}

const struct rules *test_rules_shipped(void)
{
    if (!shipped_rules) {
        struct errbuf err;
        if (rules_load(&shipped_rules, test_rules_shipped_path(), &err) < 0) {
            fprintf(stderr, "unit: %s\n", err.msg);
            exit(1);
        }
        atexit(free_shipped_rules);
    }
    return shipped_rules;
}

/* With no arguments every suite runs; with names (`build/unit server
 * audit`) only those, in the order given, so that a slow instrumented
 * build (make tsan) can run just the suites that start threads. */
int main(int argc, char **argv)
{
    /* Every tests/test_X.c, in file-name order (see test.h). */
    static const struct {
        const char *name;
        int (*run)(int *);
    } suites[] = {
#define SUITE(name) {#name, suite_##name},
#include "suites.h"
#undef SUITE
    };
    size_t nsuites = sizeof suites / sizeof suites[0];
    /* Every name is checked before any suite runs: a misspelt one must
     * not pass quietly as a shorter run. */
    for (int a = 1; a < argc; a++) {
        size_t i = 0;
        while (i < nsuites && strcmp(suites[i].name, argv[a]) != 0)
            i++;
        if (i == nsuites) {
            fprintf(stderr, "unit: no suite named '%s'; the suites are:",
                    argv[a]);
            for (i = 0; i < nsuites; i++)
                fprintf(stderr, " %s", suites[i].name);
            fprintf(stderr, "\n");
            return 2;
        }
    }
    /* Line-buffered so the closing line comes last even when stdout and
     * cmocka's stderr share one log. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    int total = 0, failed = 0;
    size_t nrun = argc > 1 ? (size_t)argc - 1 : nsuites;
    for (size_t k = 0; k < nrun; k++) {
        size_t i = k;
        if (argc > 1)
            for (i = 0; strcmp(suites[i].name, argv[k + 1]) != 0; i++)
                ;
        int count = 0;
        failed += suites[i].run(&count);
        total += count;
    }
    printf("unit: %d passed, %d failed\n", total - failed, failed);
    return failed ? 1 : 0;
}
