/*
 * unit_main.c — runs every unit-test suite and prints the closing line
 * "unit: N passed, M failed" that CI reads.
 */
#include "test.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/refdata.h"

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

int main(void)
{
    static int (*const suites[])(int *) = {
        suite_numeric, suite_refdata, suite_features, suite_rules, suite_csv,
        suite_dates,   suite_history, suite_etl,     suite_request,
        suite_demo_data,
        suite_registry,
        suite_report,
        suite_segments,
        suite_kmeans,
        suite_train,
        suite_audit,
        suite_server,
        suite_model,
        suite_apikeys,
        suite_text,
        suite_swap,
        suite_paths,
        suite_stream,
        suite_train_registry,
        suite_calibrate,
        suite_scoring,
        suite_bundle,
    };
    /* Line-buffered so the closing line comes last even when stdout and
     * cmocka's stderr share one log. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    int total = 0, failed = 0;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int count = 0;
        failed += suites[i](&count);
        total += count;
    }
    printf("unit: %d passed, %d failed\n", total - failed, failed);
    return failed ? 1 : 0;
}
