/*
 * test_fileio.c — the contract of fileio.h at its edges: atomic writes
 * never replace what is not a regular file (a FIFO is written through, a
 * symlink followed and kept), capped reads refuse at the cap, and
 * temporaries a dead run left are removed while a live run's are kept.
 */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/fileio.h"

static char *join(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void a_fifo_is_written_through_not_replaced(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *fifo = join(dir, "out.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* a reader holds it open so the write does not block */
    int rd = open(fifo, O_RDWR | O_NONBLOCK);
    assert_true(rd >= 0);
    struct errbuf err;
    assert_int_equal(atomic_write_file(fifo, "hola\n", 5, &err), 0);
    char buf[16] = {0};
    assert_int_equal(read(rd, buf, sizeof buf - 1), 5);
    assert_string_equal(buf, "hola\n");
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    close(rd);
    free(fifo);
    test_rmtree(dir);
    free(dir);
}

static void dev_null_stays_a_device(void **state)
{
    (void)state;
    struct errbuf err;
    if (access("/dev/null", W_OK) != 0)
        skip();
    assert_int_equal(atomic_write_file("/dev/null", "x\n", 2, &err), 0);
    struct stat st;
    assert_int_equal(lstat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void a_symlink_is_followed_and_kept(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *real = test_write_file(dir, "real.csv", "old\n");
    char *link = join(dir, "link.csv");
    assert_int_equal(symlink("real.csv", link), 0);
    struct errbuf err;
    assert_int_equal(atomic_write_file(link, "new\n", 4, &err), 0);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *text = file_read_all(real, NULL, &err);
    assert_non_null(text);
    assert_string_equal(text, "new\n");
    free(text);
    free(real);
    free(link);
    test_rmtree(dir);
    free(dir);
}

static void a_dangling_symlink_is_refused(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *link = join(dir, "link.csv");
    assert_int_equal(symlink("nowhere/x.csv", link), 0);
    struct errbuf err;
    assert_int_equal(atomic_write_file(link, "new\n", 4, &err), -1);
    char want[4200];
    snprintf(want, sizeof want, "%s: a symbolic link to a file that cannot "
             "be reached: No such file or directory", link);
    assert_string_equal(err.msg, want);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    free(link);
    test_rmtree(dir);
    free(dir);
}

static void writing_a_directory_is_refused(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct errbuf err;
    assert_int_equal(atomic_write_file(dir, "x", 1, &err), -1);
    char want[4200];
    snprintf(want, sizeof want, "%s is a directory", dir);
    assert_string_equal(err.msg, want);
    test_rmtree(dir);
    free(dir);
}

static void reading_a_directory_says_so(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct errbuf err;
    assert_null(file_read_all(dir, NULL, &err));
    char want[4200];
    snprintf(want, sizeof want, "%s is a directory", dir);
    assert_string_equal(err.msg, want);
    test_rmtree(dir);
    free(dir);
}

static void a_capped_read_refuses_past_the_cap(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *path = test_write_file(dir, "rules.json", "0123456789");
    struct errbuf err;
    size_t len;
    char *text = file_read_limited(path, 10, &len, &err);
    assert_non_null(text);
    assert_int_equal(len, 10);
    free(text);
    assert_null(file_read_limited(path, 9, &len, &err));
    char want[4200];
    snprintf(want, sizeof want, "%s: larger than 9 bytes, the most this "
             "file may hold", path);
    assert_string_equal(err.msg, want);
    free(path);
    test_rmtree(dir);
    free(dir);
}

static void dev_zero_is_refused_at_the_cap(void **state)
{
    (void)state;
    struct errbuf err;
    assert_null(file_read_limited("/dev/zero", FILE_CAP_RULES, NULL, &err));
    assert_string_equal(err.msg, "/dev/zero: larger than 16 MiB, the most "
                                 "this file may hold");
}

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static void a_dead_runs_temporary_is_removed_a_live_ones_kept(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    pid_t live = fork();
    if (live == 0) {
        alarm(60); /* bounded, should an assertion leave it behind */
        pause();
        _exit(0);
    }
    pid_t dead = dead_pid();
    char name[64];
    snprintf(name, sizeof name, "dataset.csv.tmp.%ld.AbC123", (long)dead);
    char *dead_tmp = test_write_file(dir, name, "half a dataset");
    snprintf(name, sizeof name, "dataset.csv.tmp.%ld.XyZ789", (long)live);
    char *live_tmp = test_write_file(dir, name, "a dataset being written");
    char *other = test_write_file(dir, "other.csv.tmp.1.AbC123", "not ours");
    char *target = join(dir, "dataset.csv");
    struct errbuf err;
    assert_int_equal(atomic_write_file(target, "a,b\n", 4, &err), 0);
    assert_int_equal(access(dead_tmp, F_OK), -1);
    assert_int_equal(access(live_tmp, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
    kill(live, SIGKILL);
    waitpid(live, NULL, 0);
    free(dead_tmp);
    free(live_tmp);
    free(other);
    free(target);
    test_rmtree(dir);
    free(dir);
}

int suite_fileio(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_fifo_is_written_through_not_replaced),
        cmocka_unit_test(dev_null_stays_a_device),
        cmocka_unit_test(a_symlink_is_followed_and_kept),
        cmocka_unit_test(a_dangling_symlink_is_refused),
        cmocka_unit_test(writing_a_directory_is_refused),
        cmocka_unit_test(reading_a_directory_says_so),
        cmocka_unit_test(a_capped_read_refuses_past_the_cap),
        cmocka_unit_test(dev_zero_is_refused_at_the_cap),
        cmocka_unit_test(a_dead_runs_temporary_is_removed_a_live_ones_kept),
    };
    return RUN_SUITE("fileio", tests, count);
}
