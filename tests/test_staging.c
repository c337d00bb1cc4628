/*
 * test_staging.c — a killed `train` leaves its staging folder behind: the
 * next registry_stage removes the folders whose process is gone and
 * keeps a live process's (registry.h, leftover_of_dead_process in
 * fileio.h).
 */
#include "test.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/fileio.h"
#include "registry/registry.h"

/* A staging folder as `pid` would have left it, with a file inside. */
static void leave_staging(const char *reg, long pid, const char *suffix,
                          char *path, size_t size)
{
    snprintf(path, size, "%s/staging/v-%ld.%s", reg, pid, suffix);
    assert_int_equal(mkdir(path, 0755), 0);
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/model.json", path);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("{\"half\": \"a model\"}", f);
    fclose(f);
}

static void a_dead_runs_staging_is_removed_a_live_ones_kept(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r;
    struct errbuf err;
    assert_int_equal(registry_create(&r, dir, &err), 0);
    char staging[PATH_MAX];
    snprintf(staging, sizeof staging, "%s/staging", dir);
    mkdir(staging, 0755); /* registry_create made it already */

    pid_t live = fork();
    if (live == 0) {
        alarm(60); /* bounded, should an assertion leave it behind */
        pause();
        _exit(0);
    }
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);

    char dead_dir[PATH_MAX], live_dir[PATH_MAX], mine[PATH_MAX];
    leave_staging(dir, (long)dead, "AbC123", dead_dir, sizeof dead_dir);
    leave_staging(dir, (long)live, "XyZ789", live_dir, sizeof live_dir);
    assert_int_equal(registry_stage(r, mine, sizeof mine, &err), 0);
    struct stat st;
    assert_int_equal(stat(dead_dir, &st), -1);
    assert_int_equal(stat(live_dir, &st), 0);
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/staging/v-%ld.", dir, (long)getpid());
    assert_true(strncmp(mine, want, strlen(want)) == 0);
    registry_discard(r, mine);

    kill(live, SIGKILL);
    waitpid(live, NULL, 0);
    registry_close(r);
    test_rmtree(dir);
    free(dir);
}

static void only_a_dead_pid_in_the_right_form_is_a_leftover(void **state)
{
    (void)state;
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char name[64];
    snprintf(name, sizeof name, "v-%ld.AbC123", (long)dead);
    assert_int_equal(leftover_of_dead_process(name, "v-"), 1);
    assert_int_equal(leftover_of_dead_process(name, "x-"), 0);
    snprintf(name, sizeof name, "v-%ld.AbC12", (long)dead);
    assert_int_equal(leftover_of_dead_process(name, "v-"), 0);
    snprintf(name, sizeof name, "v-%ld.AbC123", (long)getpid());
    assert_int_equal(leftover_of_dead_process(name, "v-"), 0);
    snprintf(name, sizeof name, "v-%ld.AbC123", (long)getppid());
    assert_int_equal(leftover_of_dead_process(name, "v-"), 0);
    assert_int_equal(leftover_of_dead_process("v-AbC123", "v-"), 0);
    assert_int_equal(leftover_of_dead_process("v--5.AbC123", "v-"), 0);
}

int suite_staging(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_dead_runs_staging_is_removed_a_live_ones_kept),
        cmocka_unit_test(only_a_dead_pid_in_the_right_form_is_a_leftover),
    };
    return RUN_SUITE("staging", tests, count);
}
