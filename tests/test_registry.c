/*
 * test_registry.c — the model registry (SPEC §8): its layout, version ids
 * in commit order, which version is live, the promotion history, rollback
 * one step at a time and never to a version that no longer loads, and that
 * readers and concurrent writers never see a half-done change.
 *
 * Most versions here are a directory with one file; the rollback checks
 * need real bundles, so they copy the shared one (fixture_bundle.c) into
 * a registry of their own.
 */
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry/bundle.h"
#include "base/fileio.h"
#include "registry/registry.h"

/* Room for a path built from another path buffer and a name. */
#define PATH_SIZE 4096
#define JOINED_SIZE (2 * PATH_SIZE)

static int exists(const char *dir, const char *name)
{
    char path[JOINED_SIZE];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static struct registry *open_registry(const char *dir)
{
    struct registry *r;
    struct errbuf err;
    if (registry_create(&r, dir, &err) < 0)
        fail_msg("%s", err.msg);
    return r;
}

/* Stages a version holding one file, `name`, and commits it. */
static void commit_one(struct registry *r, const char *name, char *id)
{
    struct errbuf err;
    char staging[PATH_SIZE];
    if (registry_stage(r, staging, sizeof staging, &err) < 0)
        fail_msg("%s", err.msg);
    free(test_write_file(staging, name, "bundle\n"));
    if (registry_commit(r, staging, id, &err) < 0)
        fail_msg("%s", err.msg);
}

static void promote(struct registry *r, const char *id, const char *reason)
{
    struct errbuf err;
    if (registry_promote(r, id, reason, NULL, NULL, &err) < 0)
        fail_msg("%s", err.msg);
}

static void assert_live(struct registry *r, const char *want)
{
    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    int rc = registry_live(r, id, &err);
    if (rc < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(id, want);
}

/* The history's lines; *last gets the last one parsed (caller decrefs). */
static int history(const char *dir, json_t **last)
{
    char path[PATH_SIZE], line[PATH_SIZE];
    snprintf(path, sizeof path, "%s/promotions.jsonl", dir);
    FILE *f = fopen(path, "r");
    int n = 0;
    if (last)
        *last = NULL;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (last) {
            json_decref(*last);
            json_error_t jerr;
            *last = json_loads(line, 0, &jerr);
            if (!*last)
                fail_msg("history line %d is not JSON: %s", n, jerr.text);
        }
    }
    fclose(f);
    return n;
}

static const char *field(json_t *rec, const char *name)
{
    return json_string_value(json_object_get(rec, name));
}

/* A registry with versions v0001..v000n, v0001 live. */
static struct registry *with_versions(const char *dir, int n)
{
    struct registry *r = open_registry(dir);
    for (int i = 0; i < n; i++) {
        char id[REGISTRY_ID_SIZE];
        commit_one(r, "model.json", id);
    }
    return r;
}

/* Every test's end: the handle closed, its scratch directory gone. */
static void close_and_remove(struct registry *r, char *dir)
{
    registry_close(r);
    test_rmtree(dir);
    free(dir);
}

/* A rollback with no check that succeeds and makes `want` live. */
static void assert_rolls_back_to(struct registry *r, const char *want)
{
    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    int rc = registry_rollback(r, NULL, NULL, id, &err);
    if (rc < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(id, want);
}

/* A rollback with no check that is refused with exactly `message`. */
static void assert_rollback_fails(struct registry *r, const char *message)
{
    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    assert_int_equal(registry_rollback(r, NULL, NULL, id, &err), -1);
    assert_string_equal(err.msg, message);
}

static void open_creates_the_layout(void **state)
{
    (void)state;
    char *tmp = test_mkdtemp();
    char dir[PATH_SIZE];
    snprintf(dir, sizeof dir, "%s/deep/er/registry", tmp);
    struct registry *r = open_registry(dir);
    assert_string_equal(registry_dir(r), dir);
    assert_true(exists(dir, "versions"));
    assert_true(exists(dir, "staging"));
    assert_true(exists(dir, "lock"));
    assert_false(exists(dir, "LIVE"));
    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    assert_int_equal(registry_live(r, id, &err), 1);
    char(*ids)[REGISTRY_ID_SIZE];
    size_t count;
    assert_int_equal(registry_list(r, &ids, &count, &err), 0);
    assert_int_equal(count, 0);
    free(ids);
    registry_close(r);
    /* opening it again finds it as it was */
    close_and_remove(open_registry(dir), tmp);
}

static void open_refuses_a_file_in_the_way(void **state)
{
    (void)state;
    char *tmp = test_mkdtemp();
    char *file = test_write_file(tmp, "registry", "not a directory\n");
    struct registry *r;
    struct errbuf err;
    assert_int_equal(registry_create(&r, file, &err), -1);
    assert_non_null(strstr(err.msg, file));
    assert_non_null(strstr(err.msg, "Not a directory"));
    free(file);
    test_rmtree(tmp);
    free(tmp);
}

/* A mistyped path is an error naming it, never a new empty registry. */
static void open_refuses_a_missing_registry_and_creates_nothing(void **state)
{
    (void)state;
    char *tmp = test_mkdtemp();
    char missing[PATH_SIZE], want[3 * PATH_SIZE];
    snprintf(missing, sizeof missing, "%s/registy", tmp);
    snprintf(want, sizeof want, "no registry at %s (%s/versions: No such "
             "file or directory): 'incomescore train' creates one",
             missing, missing);
    struct registry *r = NULL;
    struct errbuf err;
    assert_int_equal(registry_open(&r, missing, &err), -1);
    assert_null(r);
    assert_string_equal(err.msg, want);
    struct stat st;
    assert_int_equal(stat(missing, &st), -1);
    /* an empty directory (a mount waiting for the first train) is not one
     * either, and stays empty */
    assert_int_equal(mkdir(missing, 0755), 0);
    assert_int_equal(registry_open(&r, missing, &err), -1);
    assert_non_null(strstr(err.msg, "no registry at "));
    assert_false(exists(missing, "versions") || exists(missing, "lock"));
    test_rmtree(tmp);
    free(tmp);
}

static void commit_gives_v0001_then_v0002(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct errbuf err;
    char staging[PATH_SIZE], id[REGISTRY_ID_SIZE], path[PATH_SIZE];
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    free(test_write_file(staging, "model.json", "{}\n"));
    assert_int_equal(registry_commit(r, staging, id, &err), 0);
    assert_string_equal(id, "v0001");
    assert_false(exists(staging, ""));  /* moved, not copied */
    assert_int_equal(registry_version_path(r, id, path, sizeof path, &err),
                     0);
    assert_true(exists(path, "model.json"));
    commit_one(r, "model.json", id);
    assert_string_equal(id, "v0002");
    close_and_remove(r, dir);
}

/* A naming function writes a file naming the id it is given; "refuse"
 * as its arg makes it fail. */
static int name_version(const char *staging, const char *id, void *arg,
                        struct errbuf *err)
{
    if (arg && strcmp(arg, "refuse") == 0)
        return err_set(err, "the report could not be written");
    free(test_write_file(staging, "report.md", id));
    return 0;
}

/* What names a version is written with the id the commit gives, before
 * anyone can see the version; a naming that fails commits nothing. */
static void commit_naming_writes_the_id_it_gives(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct errbuf err;
    char staging[PATH_SIZE], id[REGISTRY_ID_SIZE], path[JOINED_SIZE];
    commit_one(r, "model.json", id);
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    assert_int_equal(registry_commit_naming(r, staging, false, name_version,
                                            "refuse", id, &err), -1);
    assert_string_equal(err.msg, "v0002: the report could not be written");
    assert_false(exists(dir, "versions/v0002"));
    assert_true(exists(staging, "")); /* the caller's to discard */
    assert_int_equal(registry_commit_naming(r, staging, false, name_version,
                                            NULL, id, &err), 0);
    assert_string_equal(id, "v0002");
    snprintf(path, sizeof path, "%s/versions/v0002/report.md", dir);
    size_t len;
    char *text = file_read_all(path, &len, NULL);
    assert_non_null(text);
    assert_string_equal(text, "v0002");
    free(text);
    assert_live(r, "v0001"); /* held: not made live */
    close_and_remove(r, dir);
}

static void commit_numbers_after_the_highest_version(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    char path[PATH_SIZE], id[REGISTRY_ID_SIZE];
    snprintf(path, sizeof path, "%s/versions/v9999", dir);
    mkdir(path, 0755);
    commit_one(r, "model.json", id);
    assert_string_equal(id, "v10000");
    close_and_remove(r, dir);
}

/* The registry at dir lists no version and staging/ is empty. */
static void assert_no_version_and_nothing_staged(struct registry *r,
                                                 const char *dir)
{
    struct errbuf err;
    char(*ids)[REGISTRY_ID_SIZE];
    size_t count;
    assert_int_equal(registry_list(r, &ids, &count, &err), 0);
    assert_int_equal(count, 0);
    free(ids);
    char staging_dir[JOINED_SIZE];
    snprintf(staging_dir, sizeof staging_dir, "%s/staging", dir);
    DIR *d = opendir(staging_dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fail_msg("left behind: staging/%s", e->d_name);
    closedir(d);
}

/* registry_adopt: a version copied from elsewhere keeps its id, is
 * never made live here, and never replaces one already there. */
static void adopt_keeps_the_id_given(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct errbuf err;
    char staging[PATH_SIZE], id[REGISTRY_ID_SIZE], live[REGISTRY_ID_SIZE];
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    free(test_write_file(staging, "model.json", "{}\n"));
    assert_int_equal(registry_adopt(r, staging, "v0007", &err), 0);
    assert_true(exists(dir, "versions/v0007/model.json"));
    assert_int_equal(registry_live(r, live, &err), 1); /* none live */
    /* the next commit numbers after it */
    commit_one(r, "model.json", id);
    assert_string_equal(id, "v0008");
    /* the same id again: refused, the first one kept */
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    free(test_write_file(staging, "other.json", "{}\n"));
    assert_int_equal(registry_adopt(r, staging, "v0007", &err), -1);
    assert_non_null(strstr(err.msg, "File exists"));
    assert_false(exists(dir, "versions/v0007/other.json"));
    assert_int_equal(registry_adopt(r, staging, "../x", &err), -1);
    assert_string_equal(err.msg, "'../x' is not a version id (v0001, v0002, "
                                 "...)");
    registry_discard(r, staging);
    close_and_remove(r, dir);
}

/* registry_withdraw (a bucket cache's damaged copy): the version leaves
 * versions/ whole, staging/ is left empty, LIVE still names it, and the
 * same id can be adopted again. */
static void withdraw_takes_a_version_out_to_be_adopted_again(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct errbuf err;
    char staging[PATH_SIZE], id[REGISTRY_ID_SIZE], live[REGISTRY_ID_SIZE];
    commit_one(r, "model.json", id);
    assert_string_equal(id, "v0001");
    assert_int_equal(registry_withdraw(r, "v0001", &err), 0);
    assert_false(exists(dir, "versions/v0001"));
    assert_false(exists(dir, "staging/v0001"));
    /* LIVE untouched (registry_live says it names nothing until the
     * copy is back) */
    char live_path[JOINED_SIZE];
    snprintf(live_path, sizeof live_path, "%s/LIVE", dir);
    size_t len;
    char *text = file_read_all(live_path, &len, &err);
    assert_non_null(text);
    assert_string_equal(text, "v0001\n");
    free(text);
    assert_no_version_and_nothing_staged(r, dir);
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    free(test_write_file(staging, "model.json", "{\"again\": 1}\n"));
    assert_int_equal(registry_adopt(r, staging, "v0001", &err), 0);
    assert_true(exists(dir, "versions/v0001/model.json"));
    assert_int_equal(registry_live(r, live, &err), 0);
    assert_string_equal(live, "v0001");
    /* an unknown or malformed id: refused, naming it */
    assert_int_equal(registry_withdraw(r, "v0009", &err), -1);
    assert_non_null(strstr(err.msg, "versions/v0009"));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_int_equal(registry_withdraw(r, "../x", &err), -1);
    assert_string_equal(err.msg, "'../x' is not a version id (v0001, v0002, "
                                 "...)");
    close_and_remove(r, dir);
}

static void first_commit_becomes_live_later_ones_do_not(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 1);
    assert_live(r, "v0001");
    json_t *rec;
    assert_int_equal(history(dir, &rec), 1);
    assert_string_equal(field(rec, "action"), "promote");
    assert_string_equal(field(rec, "id"), "v0001");
    assert_true(json_is_null(json_object_get(rec, "previous")));
    assert_string_equal(field(rec, "reason"), "first version");
    json_decref(rec);

    char id[REGISTRY_ID_SIZE];
    commit_one(r, "model.json", id);
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 1);
    close_and_remove(r, dir);
}

static void list_is_oldest_first_and_ignores_stray_entries(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    char versions[PATH_SIZE], path[JOINED_SIZE];
    snprintf(versions, sizeof versions, "%s/versions", dir);
    /* by number, not by name: "v10000" sorts before "v9999" as text */
    static const char *const dirs[] = {"v10000", "v9999", "v12", "vABCD",
                                       "v0003.tmp", ".hidden"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", versions, dirs[i]);
        assert_int_equal(mkdir(path, 0755), 0);
    }
    free(test_write_file(versions, "v0005", "a file, not a version\n"));
    free(test_write_file(versions, "notes.txt", "hello\n"));

    char(*ids)[REGISTRY_ID_SIZE];
    size_t count;
    struct errbuf err;
    assert_int_equal(registry_list(r, &ids, &count, &err), 0);
    assert_int_equal(count, 4);
    assert_string_equal(ids[0], "v0001");
    assert_string_equal(ids[1], "v0002");
    assert_string_equal(ids[2], "v9999");
    assert_string_equal(ids[3], "v10000");
    free(ids);
    close_and_remove(r, dir);
}

static void promote_switches_live_and_records_the_history(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    promote(r, "v0002", "auc 0.81 > 0.78");
    assert_live(r, "v0002");

    json_t *rec;
    assert_int_equal(history(dir, &rec), 2);
    assert_string_equal(field(rec, "action"), "promote");
    assert_string_equal(field(rec, "id"), "v0002");
    assert_string_equal(field(rec, "previous"), "v0001");
    assert_string_equal(field(rec, "reason"), "auc 0.81 > 0.78");
    regex_t iso;
    assert_int_equal(regcomp(&iso,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                             "[0-9]{2}Z$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    assert_non_null(field(rec, "time"));
    assert_int_equal(regexec(&iso, field(rec, "time"), 0, NULL, 0), 0);
    regfree(&iso);
    json_decref(rec);
    close_and_remove(r, dir);
}

static void promote_of_an_unknown_id_is_refused_naming_it(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 1);
    struct errbuf err;
    assert_int_equal(registry_promote(r, "v0042", "typo", NULL, NULL, &err),
                     -1);
    assert_non_null(strstr(err.msg, "v0042"));
    assert_int_equal(
        registry_promote(r, "../../etc", NULL, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "'../../etc' is not a version id"));
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 1);
    close_and_remove(r, dir);
}

/* Allowed, so a pipeline can always promote what passed its gate, and
 * recorded; but it is no step for rollback to stop at. */
static void promoting_the_live_version_again_is_recorded_not_a_step(
    void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    promote(r, "v0002", "better");
    promote(r, "v0002", "passed the gate");
    assert_live(r, "v0002");
    json_t *rec;
    assert_int_equal(history(dir, &rec), 3);
    assert_string_equal(field(rec, "id"), "v0002");
    assert_string_equal(field(rec, "previous"), "v0002");
    assert_string_equal(field(rec, "reason"), "passed the gate");
    json_decref(rec);

    assert_rolls_back_to(r, "v0001");
    close_and_remove(r, dir);
}

static void rollback_returns_to_the_previous_live(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    promote(r, "v0002", NULL);
    assert_rolls_back_to(r, "v0001");
    assert_live(r, "v0001");
    json_t *rec;
    assert_int_equal(history(dir, &rec), 3);
    assert_string_equal(field(rec, "action"), "rollback");
    assert_string_equal(field(rec, "id"), "v0001");
    assert_string_equal(field(rec, "previous"), "v0002");
    assert_non_null(field(rec, "time"));
    json_decref(rec);
    close_and_remove(r, dir);
}

static void rollback_twice_goes_back_two_steps(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 3);
    promote(r, "v0002", NULL);
    promote(r, "v0003", NULL);
    assert_rolls_back_to(r, "v0002");
    assert_rolls_back_to(r, "v0001");
    assert_live(r, "v0001");
    assert_rollback_fails(r, "nothing to roll back to: v0001 is the first "
                             "live version");
    close_and_remove(r, dir);
}

/* Like an editor's undo: a promote after a rollback is the new last step. */
static void rollback_after_a_new_promote_undoes_that_promote(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 4);
    promote(r, "v0002", NULL);
    promote(r, "v0003", NULL);
    assert_rolls_back_to(r, "v0002");
    promote(r, "v0004", NULL);
    assert_rolls_back_to(r, "v0002");
    assert_rolls_back_to(r, "v0001");
    close_and_remove(r, dir);
}

static void rollback_with_nothing_before_is_refused(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    assert_rollback_fails(r, "nothing to roll back to: no version is live");
    char id[REGISTRY_ID_SIZE];
    commit_one(r, "model.json", id);
    assert_rollback_fails(r, "nothing to roll back to: v0001 is the first "
                             "live version");
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 1);
    close_and_remove(r, dir);
}

/* ---- promote and rollback check the version they make live ------------ */

/* What a promote's or rollback's check was asked, and whether the
 * writers' lock was held while it ran. */
struct check_call {
    const char *registry;
    int calls, lock_held;
    char version_dir[PATH_SIZE];
};

static int record_check(const char *version_dir, void *arg,
                        struct errbuf *err)
{
    (void)err;
    struct check_call *c = arg;
    char lock[JOINED_SIZE];
    c->calls++;
    snprintf(c->version_dir, sizeof c->version_dir, "%s", version_dir);
    /* flock belongs to the open file, so even this process is refused
     * while rollback holds the lock */
    snprintf(lock, sizeof lock, "%s/lock", c->registry);
    int fd = open(lock, O_RDWR | O_CLOEXEC);
    c->lock_held = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 &&
                   errno == EWOULDBLOCK;
    if (fd >= 0)
        close(fd);
    return 0;
}

/* Checked inside the lock, a promote cannot change the target between the
 * check and the switch. */
static void rollback_checks_its_target_under_the_writers_lock(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 3);
    promote(r, "v0002", NULL);
    promote(r, "v0003", NULL);
    struct check_call c = {.registry = dir};
    char id[REGISTRY_ID_SIZE], want[JOINED_SIZE];
    struct errbuf err;
    if (registry_rollback(r, record_check, &c, id, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(id, "v0002");
    assert_int_equal(c.calls, 1);
    snprintf(want, sizeof want, "%s/versions/v0002", dir);
    assert_string_equal(c.version_dir, want);
    assert_true(c.lock_held);
    close_and_remove(r, dir);
}

/* The same for promote: the version checked is the one named, under the
 * lock, so nothing can come between the check and the switch. */
static void promote_checks_its_target_under_the_writers_lock(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    struct check_call c = {.registry = dir};
    char want[JOINED_SIZE];
    struct errbuf err;
    if (registry_promote(r, "v0002", "gate passed", record_check, &c,
                         &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(c.calls, 1);
    snprintf(want, sizeof want, "%s/versions/v0002", dir);
    assert_string_equal(c.version_dir, want);
    assert_true(c.lock_held);
    assert_live(r, "v0002");
    close_and_remove(r, dir);
}

/* Two copies of the shared bundle, v0002 promoted over v0001. */
static struct registry *with_bundles(const char *dir)
{
    struct registry *r = open_registry(dir);
    for (int i = 0; i < 2; i++) {
        char id[REGISTRY_ID_SIZE];
        struct errbuf err;
        if (test_bundle_commit(r, id, &err) < 0)
            fail_msg("%s", err.msg);
    }
    promote(r, "v0002", NULL);
    return r;
}

enum damage { ONE_BYTE_CHANGED, REMOVED };

/* promotions.jsonl as it is now (its length in *len); caller frees. */
static char *history_text(const char *dir, size_t *len)
{
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/promotions.jsonl", dir);
    char *text = file_read_all(path, len, NULL);
    assert_non_null(text);
    return text;
}

/* promotions.jsonl is byte for byte what history_text gave before; frees
 * before. */
static void assert_history_unchanged(const char *dir, char *before,
                                     size_t before_len)
{
    size_t after_len;
    char *after = history_text(dir, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before);
    free(after);
}

static void damage_file(const char *path, enum damage how)
{
    if (how == REMOVED) {
        assert_int_equal(unlink(path), 0);
    } else {
        size_t len;
        char *text = file_read_all(path, &len, NULL);
        assert_non_null(text);
        text[len / 2] ^= 1;
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        fclose(f);
        free(text);
    }
}

/* Damages `file` of v0001, the version rollback would return to: the
 * rollback is refused naming v0001 and `expected`, and LIVE and the
 * history stay byte for byte as they were. */
static void assert_rollback_refused(const char *file, enum damage how,
                                    const char *expected)
{
    char *dir = test_mkdtemp();
    struct registry *r = with_bundles(dir);
    char path[JOINED_SIZE];
    snprintf(path, sizeof path, "%s/versions/v0001/%s", dir, file);
    damage_file(path, how);
    size_t before_len;
    char *before = history_text(dir, &before_len);

    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    assert_int_equal(registry_rollback(r, bundle_loads, NULL, id, &err), -1);
    if (strncmp(err.msg, "cannot roll back to v0001: bundle ", 34) != 0 ||
        !strstr(err.msg, expected))
        fail_msg("message: %s\nexpected to contain: %s", err.msg, expected);
    assert_live(r, "v0002");
    assert_history_unchanged(dir, before, before_len);
    close_and_remove(r, dir);
}

static void rollback_to_a_version_whose_model_changed_is_refused(
    void **state)
{
    (void)state;
    assert_rollback_refused("model.json", ONE_BYTE_CHANGED,
                            "model.json has changed since training");
}

static void rollback_to_a_version_missing_its_rules_is_refused(void **state)
{
    (void)state;
    assert_rollback_refused("rules.json", REMOVED,
                            "v0001/rules.json: No such file or directory");
}

static void rollback_to_an_intact_version_passes_the_same_check(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_bundles(dir);
    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    if (registry_rollback(r, bundle_loads, NULL, id, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(id, "v0001");
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 3);
    close_and_remove(r, dir);
}

/* `models promote` asks the same of the version it names: a v0001 whose
 * model changed since training is not made live again, and LIVE and the
 * history stay as they were. */
static void promote_of_a_damaged_version_is_refused_and_changes_nothing(
    void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_bundles(dir);
    char path[JOINED_SIZE];
    snprintf(path, sizeof path, "%s/versions/v0001/model.json", dir);
    damage_file(path, ONE_BYTE_CHANGED);
    size_t before_len;
    char *before = history_text(dir, &before_len);

    struct errbuf err;
    assert_int_equal(registry_promote(r, "v0001", "by hand", bundle_loads,
                                      NULL, &err), -1);
    if (strncmp(err.msg, "v0001 is not promoted: bundle ", 30) != 0 ||
        !strstr(err.msg, "model.json has changed since training"))
        fail_msg("message: %s", err.msg);
    assert_live(r, "v0002");
    assert_history_unchanged(dir, before, before_len);
    close_and_remove(r, dir);
}

static void promote_of_an_intact_version_passes_the_same_check(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_bundles(dir);
    struct errbuf err;
    if (registry_promote(r, "v0001", "by hand", bundle_loads, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 3);
    close_and_remove(r, dir);
}

/* A writer that died mid-append leaves an unterminated line; it is not
 * history, and the next append cuts it off rather than gluing onto it. */
static void a_torn_last_history_line_is_ignored_and_cut(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 3);
    promote(r, "v0002", NULL);
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/promotions.jsonl", dir);
    FILE *f = fopen(path, "a");
    fputs("{\"time\": \"2024-01-01T00:00:00Z\", \"action\": \"pro", f);
    fclose(f);
    promote(r, "v0003", NULL);
    assert_int_equal(history(dir, NULL), 3);
    assert_rolls_back_to(r, "v0002");
    close_and_remove(r, dir);
}

static void a_discarded_staging_dir_leaves_nothing(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    char staging[PATH_SIZE], sub[JOINED_SIZE];
    struct errbuf err;
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    snprintf(sub, sizeof sub, "%s/segments", staging);
    assert_int_equal(mkdir(sub, 0755), 0);
    free(test_write_file(sub, "s1.json", "{}\n"));
    free(test_write_file(staging, "model.json", "{}\n"));
    registry_discard(r, staging);
    assert_no_version_and_nothing_staged(r, dir);
    close_and_remove(r, dir);
}

static void live_naming_a_missing_version_is_an_error(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 1);
    free(test_write_file(dir, "LIVE", "v0007\n"));
    char id[REGISTRY_ID_SIZE];
    struct errbuf err;
    assert_int_equal(registry_live(r, id, &err), -1);
    assert_non_null(strstr(err.msg, "LIVE"));
    assert_non_null(strstr(err.msg, "v0007"));
    assert_non_null(strstr(err.msg, "No such file or directory"));

    free(test_write_file(dir, "LIVE", "\n"));
    assert_int_equal(registry_live(r, id, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));

    /* a promote repairs it */
    promote(r, "v0001", "repair");
    assert_live(r, "v0001");
    close_and_remove(r, dir);
}

static void version_path_of_an_unknown_id_is_an_error(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 1);
    char path[PATH_SIZE];
    struct errbuf err;
    assert_int_equal(registry_version_path(r, "v0002", path, sizeof path,
                                           &err),
                     -1);
    assert_non_null(strstr(err.msg, "no such version: v0002"));
    close_and_remove(r, dir);
}

/* A directory on tmpfs when there is one, else the usual one. The stress
 * test below is about what readers see, which rename gives on any
 * filesystem; on a busy disk its 1,500 fsyncs alone take seconds. */
static char *scratch_mkdtemp(void)
{
    char path[] = "/dev/shm/incomescore-test-XXXXXX";
    return mkdtemp(path) ? strdup(path) : test_mkdtemp();
}

/* A child promotes back and forth while the parent keeps reading LIVE:
 * every read is one of the two ids, never empty, partial or an error. */
static void readers_see_the_old_or_the_new_live_during_promotes(
    void **state)
{
    (void)state;
    char *dir = scratch_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    enum { PROMOTES = 500, READS = 5000 };
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct errbuf err;
        for (int i = 0; i < PROMOTES; i++)
            if (registry_promote(r, i % 2 ? "v0001" : "v0002", "flip",
                                 NULL, NULL, &err) < 0) {
                fprintf(stderr, "child: %s\n", err.msg);
                _exit(1);
            }
        _exit(0);
    }
    int reads = 0, status = 0, done = 0, seen[2] = {0, 0};
    char bad[ERRBUF_SIZE + 64] = "";
    while (!done || reads < READS) {
        char id[REGISTRY_ID_SIZE];
        struct errbuf err;
        int rc = registry_live(r, id, &err);
        reads++;
        if (rc != 0) {
            snprintf(bad, sizeof bad, "read %d: rc %d: %s", reads, rc,
                     rc < 0 ? err.msg : "no live version");
            break;
        }
        if (strcmp(id, "v0001") == 0)
            seen[0]++;
        else if (strcmp(id, "v0002") == 0)
            seen[1]++;
        else {
            snprintf(bad, sizeof bad, "read %d: '%s'", reads, id);
            break;
        }
        if (!done && waitpid(child, &status, WNOHANG) == child)
            done = 1;
    }
    if (!done)
        waitpid(child, &status, 0);
    if (*bad)
        fail_msg("%s", bad);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_live(r, "v0001"); /* the last of an even number of flips */
    assert_int_equal(history(dir, NULL), 1 + PROMOTES);
    close_and_remove(r, dir);
}

/* Two trainers, each with its own handle, commit three versions at once:
 * six distinct ids, each holding exactly the one bundle committed to it,
 * and only the very first commit became live. */
static void concurrent_commits_get_distinct_ids(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    registry_close(open_registry(dir));
    enum { WRITERS = 2, EACH = 3 };
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t children[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        children[w] = fork();
        assert_true(children[w] >= 0);
        if (children[w] > 0)
            continue;
        close(gate[1]);
        struct registry *r;
        struct errbuf err;
        char staging[EACH][PATH_SIZE], id[REGISTRY_ID_SIZE], name[64];
        if (registry_create(&r, dir, &err) < 0)
            _exit(2);
        for (int k = 0; k < EACH; k++) {
            if (registry_stage(r, staging[k], sizeof staging[k], &err) < 0)
                _exit(3);
            snprintf(name, sizeof name, "from-%d-%d", w, k);
            free(test_write_file(staging[k], name, "bundle\n"));
        }
        char c;
        while (read(gate[0], &c, 1) < 0 && errno == EINTR)
            ; /* released together when the parent closes the pipe */
        for (int k = 0; k < EACH; k++)
            if (registry_commit(r, staging[k], id, &err) < 0) {
                fprintf(stderr, "writer %d: %s\n", w, err.msg);
                _exit(4);
            }
        registry_close(r);
        _exit(0);
    }
    close(gate[0]);
    close(gate[1]);
    for (int w = 0; w < WRITERS; w++) {
        int status;
        waitpid(children[w], &status, 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    struct registry *r = open_registry(dir);
    char(*ids)[REGISTRY_ID_SIZE];
    size_t count;
    struct errbuf err;
    assert_int_equal(registry_list(r, &ids, &count, &err), 0);
    assert_int_equal(count, WRITERS * EACH);
    for (size_t i = 0; i < count; i++) {
        char want[REGISTRY_ID_SIZE], path[PATH_SIZE];
        snprintf(want, sizeof want, "v%04zu", i + 1);
        assert_string_equal(ids[i], want);
        assert_int_equal(registry_version_path(r, ids[i], path, sizeof path,
                                               &err),
                         0);
        int files = 0;
        DIR *d = opendir(path);
        struct dirent *e;
        while ((e = readdir(d)))
            files += strncmp(e->d_name, "from-", 5) == 0;
        closedir(d);
        assert_int_equal(files, 1);
    }
    free(ids);
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 1);
    close_and_remove(r, dir);
}

/* ---- a writer killed between the record and LIVE ------------------------
 * The crash points are written by hand: what promotions.jsonl and LIVE hold
 * when a writer died between the two. */

static void append_history(const char *dir, const char *line)
{
    char path[JOINED_SIZE];
    snprintf(path, sizeof path, "%s/promotions.jsonl", dir);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(line, f);
    fclose(f);
}

static void write_live_by_hand(const char *dir, const char *id)
{
    free(test_write_file(dir, "LIVE", id));
}

/* Killed after the record, before LIVE: the next writer completes the
 * switch (the record is written only after the checks passed), and the
 * rollback that found it undoes that promote, not an older one. */
static void a_record_whose_switch_did_not_happen_is_completed(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 2);
    append_history(dir, "{\"time\": \"2026-11-29T10:00:00Z\", \"action\": "
                        "\"promote\", \"id\": \"v0002\", \"previous\": "
                        "\"v0001\", \"reason\": \"killed\", "
                        "\"record_first\": true}\n");
    assert_live(r, "v0001"); /* readers see LIVE as it is */
    assert_rolls_back_to(r, "v0001");
    json_t *last;
    assert_int_equal(history(dir, &last), 3);
    assert_string_equal(field(last, "action"), "rollback");
    assert_string_equal(field(last, "previous"), "v0002");
    assert_string_equal(field(last, "reason"), "rollback from v0002");
    json_decref(last);
    assert_live(r, "v0001");
    close_and_remove(r, dir);
}

/* Killed after LIVE, before the record (a release that switched first, or
 * LIVE edited by hand): recorded as "recovered", so rollback goes back to
 * what the history last had live instead of refusing. */
static void a_live_without_its_record_is_recorded_as_recovered(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = with_versions(dir, 3);
    write_live_by_hand(dir, "v0003\n");
    assert_rolls_back_to(r, "v0001");
    json_t *rec;
    char path[JOINED_SIZE], *text;
    snprintf(path, sizeof path, "%s/promotions.jsonl", dir);
    struct errbuf err;
    text = file_read_all(path, NULL, &err);
    assert_non_null(text);
    char *second = strchr(text, '\n') + 1;
    *strchr(second, '\n') = '\0';
    json_error_t jerr;
    rec = json_loads(second, 0, &jerr);
    assert_non_null(rec);
    assert_string_equal(field(rec, "action"), "recovered");
    assert_string_equal(field(rec, "id"), "v0003");
    assert_string_equal(field(rec, "previous"), "v0001");
    assert_string_equal(field(rec, "reason"),
                        "LIVE named v0003 without a record (v0001 was the "
                        "last recorded)");
    json_decref(rec);
    free(text);
    assert_int_equal(history(dir, NULL), 3);
    close_and_remove(r, dir);
}

/* registry_recover itself: 1 when it repaired, 0 once they agree, and a
 * first version whose LIVE was never written is made live. */
static void recover_says_whether_it_repaired(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    struct registry *r = open_registry(dir);
    struct errbuf err;
    assert_int_equal(registry_recover(r, &err), 0); /* empty registry */
    char staging[PATH_SIZE], target[JOINED_SIZE];
    assert_int_equal(registry_stage(r, staging, sizeof staging, &err), 0);
    snprintf(target, sizeof target, "%s/versions/v0001", dir);
    assert_int_equal(rename(staging, target), 0);
    append_history(dir, "{\"time\": \"2026-11-29T10:00:00Z\", \"action\": "
                        "\"promote\", \"id\": \"v0001\", \"previous\": null, "
                        "\"reason\": \"first version\", "
                        "\"record_first\": true}\n");
    char id[REGISTRY_ID_SIZE];
    assert_int_equal(registry_live(r, id, &err), 1);
    assert_int_equal(registry_recover(r, &err), 1);
    assert_live(r, "v0001");
    assert_int_equal(registry_recover(r, &err), 0);
    /* a torn record (no line end) is not a record: nothing to recover */
    append_history(dir, "{\"time\": \"2026-11-29T10:01:00Z\", \"action\": "
                        "\"promo");
    assert_int_equal(registry_recover(r, &err), 0);
    assert_live(r, "v0001");
    assert_int_equal(history(dir, NULL), 2);
    close_and_remove(r, dir);
}

/* A promote/rollback writer killed at random moments, 40 times: after each
 * kill the next writer's recovery leaves the history ending with what LIVE
 * names, and rollback never refuses for a missing record. */
static void writers_killed_at_random_leave_a_consistent_registry(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    registry_close(with_versions(dir, 3));
    srand(10);
    for (int round = 0; round < 40; round++) {
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            struct registry *w;
            struct errbuf err;
            char id[REGISTRY_ID_SIZE];
            if (registry_open(&w, dir, &err) < 0)
                _exit(2);
            for (int k = 0; k < 100000; k++) { /* until killed */
                if (registry_promote(w, k % 2 ? "v0002" : "v0003", NULL,
                                     NULL, NULL, &err) < 0 ||
                    registry_rollback(w, NULL, NULL, id, &err) < 0)
                    _exit(3);
            }
            _exit(0);
        }
        usleep((useconds_t)(rand() % 3000));
        kill(child, SIGKILL);
        int status;
        waitpid(child, &status, 0);
        if (WIFEXITED(status))
            fail_msg("round %d: the writer exited %d before the kill", round,
                     WEXITSTATUS(status));
        struct registry *r = open_registry(dir);
        struct errbuf err;
        if (registry_recover(r, &err) < 0)
            fail_msg("round %d: %s", round, err.msg);
        assert_int_equal(registry_recover(r, &err), 0);
        char live[REGISTRY_ID_SIZE];
        assert_int_equal(registry_live(r, live, &err), 0);
        json_t *last;
        history(dir, &last);
        assert_string_equal(field(last, "id"), live);
        json_decref(last);
        registry_close(r);
    }
    test_rmtree(dir);
    free(dir);
}

int suite_registry(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_creates_the_layout),
        cmocka_unit_test(open_refuses_a_file_in_the_way),
        cmocka_unit_test(open_refuses_a_missing_registry_and_creates_nothing),
        cmocka_unit_test(a_record_whose_switch_did_not_happen_is_completed),
        cmocka_unit_test(a_live_without_its_record_is_recorded_as_recovered),
        cmocka_unit_test(recover_says_whether_it_repaired),
        cmocka_unit_test(writers_killed_at_random_leave_a_consistent_registry),
        cmocka_unit_test(commit_gives_v0001_then_v0002),
        cmocka_unit_test(commit_naming_writes_the_id_it_gives),
        cmocka_unit_test(commit_numbers_after_the_highest_version),
        cmocka_unit_test(adopt_keeps_the_id_given),
        cmocka_unit_test(withdraw_takes_a_version_out_to_be_adopted_again),
        cmocka_unit_test(first_commit_becomes_live_later_ones_do_not),
        cmocka_unit_test(list_is_oldest_first_and_ignores_stray_entries),
        cmocka_unit_test(promote_switches_live_and_records_the_history),
        cmocka_unit_test(promote_of_an_unknown_id_is_refused_naming_it),
        cmocka_unit_test(
            promoting_the_live_version_again_is_recorded_not_a_step),
        cmocka_unit_test(rollback_returns_to_the_previous_live),
        cmocka_unit_test(rollback_twice_goes_back_two_steps),
        cmocka_unit_test(rollback_after_a_new_promote_undoes_that_promote),
        cmocka_unit_test(rollback_with_nothing_before_is_refused),
        cmocka_unit_test(rollback_checks_its_target_under_the_writers_lock),
        cmocka_unit_test(rollback_to_a_version_whose_model_changed_is_refused),
        cmocka_unit_test(rollback_to_a_version_missing_its_rules_is_refused),
        cmocka_unit_test(rollback_to_an_intact_version_passes_the_same_check),
        cmocka_unit_test(promote_checks_its_target_under_the_writers_lock),
        cmocka_unit_test(
            promote_of_a_damaged_version_is_refused_and_changes_nothing),
        cmocka_unit_test(promote_of_an_intact_version_passes_the_same_check),
        cmocka_unit_test(a_torn_last_history_line_is_ignored_and_cut),
        cmocka_unit_test(a_discarded_staging_dir_leaves_nothing),
        cmocka_unit_test(live_naming_a_missing_version_is_an_error),
        cmocka_unit_test(version_path_of_an_unknown_id_is_an_error),
        cmocka_unit_test(readers_see_the_old_or_the_new_live_during_promotes),
        cmocka_unit_test(concurrent_commits_get_distinct_ids),
    };
    return RUN_SUITE("registry", tests, count);
}
