/*
 * registry.c — model versions on disk and which one is live (see
 * registry.h for the layout).
 *
 * Writers (commit, promote, rollback) hold flock(LOCK_EX) on `lock` for the
 * whole operation. Readers take no lock: LIVE is only ever replaced by
 * rename, and a version only ever appears by rename of a finished
 * directory, so a reader sees a consistent state without one.
 *
 * The lock file is opened afresh by every write: flock belongs to an open
 * file description, so a descriptor kept in the handle and inherited across
 * fork() (or shared by two threads) would let two writers "hold" the same
 * lock at once.
 *
 * promotions.jsonl is the history of what was live: one JSON object a line,
 *   {"time", "action": "promote"|"rollback"|"recovered", "id", "previous",
 *    "reason", "record_first": true}
 * (records of releases before record_first lack it).
 * Replaying it as a stack (promote pushes, rollback pops) gives the chain of
 * live versions that rollback walks back through.
 */
#include "registry/registry.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/dates.h"
#include "base/fileio.h"
#include "registry/manifest.h"
#include "score/segments.h"

struct registry {
    char *dir;
};

/* Room for "<dir>/versions/<id>" and "<dir>/LIVE.tmp.XXXXXX"; registry_open
 * refuses a dir too long to leave it. */
#define PATH_ROOM (REGISTRY_ID_SIZE + 32)

/* ---- paths and ids ---------------------------------------------------- */

static void path_of(const struct registry *r, const char *name, char *out)
{
    snprintf(out, PATH_MAX, "%s/%s", r->dir, name);
}

static void version_dir(const struct registry *r, const char *id, char *out)
{
    snprintf(out, PATH_MAX, "%s/versions/%s", r->dir, id);
}

/* "v" and at least four digits, fitting REGISTRY_ID_SIZE; its number goes
 * to *number. Anything else in versions/ is not a version. */
static int parse_id(const char *s, unsigned long long *number)
{
    size_t n = strlen(s);
    if (n < 5 || n >= REGISTRY_ID_SIZE || s[0] != 'v')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    errno = 0;
    unsigned long long v = strtoull(s + 1, NULL, 10);
    if (errno == ERANGE)
        return 0;
    if (number)
        *number = v;
    return 1;
}

/* 1 for a directory; else 0 with errno saying why not. */
static int is_dir(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return 0;
    }
    return 1;
}

/* 0 when id is an existing version, else -1 with the reason. */
static int check_version(const struct registry *r, const char *id,
                         struct errbuf *err)
{
    if (!parse_id(id, NULL))
        return err_set(err, "'%s' is not a version id (expected v0001, "
                            "v0002, ...)", id);
    char path[PATH_MAX];
    version_dir(r, id, path);
    if (!is_dir(path))
        return err_set(err, "no such version: %s (%s: %s)", id, path,
                       strerror(errno));
    return 0;
}

static int mkdir_p(const char *dir, struct errbuf *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return err_set(err, "%s: %s", path, strerror(errno));
        if (!is_dir(path))
            return err_set(err, "%s: %s", path, strerror(ENOTDIR));
        *p = c;
        if (c == '\0')
            return 0;
    }
}

/* A rename is durable once the directory holding it is synced. */
static int sync_dir(const char *dir, struct errbuf *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, "%s: %s", dir, strerror(errno));
    int rc = 0;
    if (fsync(fd) != 0)
        rc = err_set(err, "%s: fsync: %s", dir, strerror(errno));
    close(fd);
    return rc;
}

/* ---- the writers' lock ------------------------------------------------ */

static int lock_writers(const struct registry *r, struct errbuf *err)
{
    char path[PATH_MAX];
    path_of(r, "lock", path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        err_set(err, "%s: flock: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void unlock_writers(int fd)
{
    close(fd); /* releases the flock */
}

/* ---- LIVE ------------------------------------------------------------- */

/* LIVE's id, not checked against versions/: 0, 1 when absent, -1. */
static int read_live(const struct registry *r, char *id, struct errbuf *err)
{
    char path[PATH_MAX];
    path_of(r, "LIVE", path);
    /* LIVE, once there, is only ever replaced, never removed */
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 1;
    size_t len;
    char *text = file_read_all(path, &len, err);
    if (!text)
        return -1;
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        text[--len] = '\0';
    int rc = 0;
    if (len == 0)
        rc = err_set(err, "%s: empty, names no version", path);
    else if (!parse_id(text, NULL))
        rc = err_set(err, "%s: '%.40s' is not a version id", path, text);
    else
        memcpy(id, text, len + 1);
    free(text);
    return rc;
}

static int write_live(const struct registry *r, const char *id,
                      struct errbuf *err)
{
    char path[PATH_MAX], line[REGISTRY_ID_SIZE + 1];
    path_of(r, "LIVE", path);
    int n = snprintf(line, sizeof line, "%s\n", id);
    if (atomic_write_file(path, line, (size_t)n, err) < 0)
        return -1;
    return sync_dir(r->dir, err);
}

/* ---- promotions.jsonl ------------------------------------------------- */

static json_t *id_or_null(const char *id)
{
    return id && *id ? json_string(id) : json_null();
}

/* Appends one record and syncs it. A line torn by a writer that crashed
 * mid-append is cut off first: under the lock nobody else is writing, so an
 * unterminated tail can only be such a fragment. */
static int append_record(const struct registry *r, const char *action,
                         const char *id, const char *previous,
                         const char *reason, off_t *before,
                         struct errbuf *err)
{
    char path[PATH_MAX];
    path_of(r, "promotions.jsonl", path);

    char when[TIMESTAMP_ISO_SIZE];
    timestamp_format_iso(time(NULL), when);

    json_t *rec = json_object();
    json_object_set_new(rec, "time", json_string(when));
    json_object_set_new(rec, "action", json_string(action));
    json_object_set_new(rec, "id", json_string(id));
    json_object_set_new(rec, "previous", id_or_null(previous));
    json_object_set_new(rec, "reason", reason ? json_string(reason)
                                              : json_null());
    json_object_set_new(rec, "record_first", json_true());
    char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rec);
    if (!text)
        return err_set(err, "%s: cannot encode the record (is the reason "
                            "valid UTF-8?)", path);

    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(text);
        return err_set(err, "%s: %s", path, strerror(errno));
    }
    int rc = 0;
    struct stat st;
    off_t end = 0;
    if (fstat(fd, &st) != 0) {
        rc = err_set(err, "%s: %s", path, strerror(errno));
    } else {
        end = st.st_size;
        char c = '\n';
        while (end > 0) {
            if (pread(fd, &c, 1, end - 1) != 1) {
                rc = err_set(err, "%s: %s", path, strerror(errno));
                break;
            }
            if (c == '\n')
                break;
            end--;
        }
        if (rc == 0 && end != st.st_size && ftruncate(fd, end) != 0)
            rc = err_set(err, "%s: %s", path, strerror(errno));
    }
    if (rc == 0) {
        size_t len = strlen(text);
        text[len++] = '\n'; /* over the NUL: the buffer is not a string now */
        size_t done = 0;
        while (done < len) {
            ssize_t w = pwrite(fd, text + done, len - done, end + (off_t)done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = err_set(err, "%s: write failed: %s", path,
                             strerror(errno));
                break;
            }
            done += (size_t)w;
        }
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = err_set(err, "%s: fsync: %s", path, strerror(errno));
    close(fd);
    free(text);
    if (before)
        *before = end;
    return rc;
}

/* Takes back the record append_record just wrote (the history's length
 * before it is `before`): 0, or -1 when the file cannot be cut. */
static int unappend_record(const struct registry *r, off_t before)
{
    char path[PATH_MAX];
    path_of(r, "promotions.jsonl", path);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = ftruncate(fd, before) == 0 && fsync(fd) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

/* The record, then LIVE: a writer killed between the two leaves a record
 * whose switch did not happen, which the next writer completes
 * (recover_locked), never a LIVE that changed without a record. When LIVE
 * cannot be written the record is taken back; if even that fails, the
 * next writer completes the switch, and the message says so. */
static int set_live(const struct registry *r, const char *action,
                    const char *id, const char *previous, const char *reason,
                    int rewrite_live, struct errbuf *err)
{
    off_t before;
    if (append_record(r, action, id, previous, reason, &before, err) < 0)
        return -1;
    if (!rewrite_live || write_live(r, id, err) == 0)
        return 0;
    if (unappend_record(r, before) < 0)
        err_prefix(err, "%s is recorded as live but LIVE could not be "
                        "switched; the next promote, rollback or train "
                        "completes it", id);
    return -1;
}

struct live_chain {
    char (*ids)[REGISTRY_ID_SIZE];
    size_t count, cap;
    /* the last record: what recovery needs to tell an interrupted switch
     * from a LIVE changed without a record */
    char last_id[REGISTRY_ID_SIZE], last_previous[REGISTRY_ID_SIZE];
    int last_record_first;
};

static int chain_push(struct live_chain *c, const char *id)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        void *bigger = realloc(c->ids, cap * sizeof c->ids[0]);
        if (!bigger)
            return -1;
        c->ids = bigger;
        c->cap = cap;
    }
    snprintf(c->ids[c->count++], REGISTRY_ID_SIZE, "%s", id);
    return 0;
}

static const char *chain_top(const struct live_chain *c)
{
    return c->count ? c->ids[c->count - 1] : NULL;
}

/* Replays promotions.jsonl into the chain of live versions, oldest at the
 * bottom: a promote pushes its id (unless it is already on top: promoting
 * the live version again changes nothing), a rollback pops. A missing file
 * is an empty history; an unterminated last line is a torn append and is
 * skipped. */
static int replay_history(const struct registry *r, struct live_chain *c,
                          struct errbuf *err)
{
    char path[PATH_MAX];
    path_of(r, "promotions.jsonl", path);
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0;
    char *text = file_read_all(path, NULL, err);
    if (!text)
        return -1;
    int rc = 0;
    size_t lineno = 0;
    for (char *line = text; *line && rc == 0;) {
        char *nl = strchr(line, '\n');
        lineno++;
        if (!nl)
            break;
        *nl = '\0';
        char *next = nl + 1;
        if (strspn(line, " \t\r") == strlen(line)) {
            line = next;
            continue;
        }
        json_error_t jerr;
        json_t *rec = json_loads(line, 0, &jerr);
        const char *action = json_string_value(json_object_get(rec, "action"));
        const char *id = json_string_value(json_object_get(rec, "id"));
        const char *prev = json_string_value(json_object_get(rec, "previous"));
        if (!rec) {
            rc = err_set(err, "%s line %zu: %s", path, lineno, jerr.text);
        } else if (!action || !id || !parse_id(id, NULL)
                   || (prev && !parse_id(prev, NULL))) {
            rc = err_set(err, "%s line %zu: a record needs \"action\" and "
                              "\"id\" (a version id)", path, lineno);
        } else if (strcmp(action, "promote") == 0
                   || strcmp(action, "recovered") == 0) {
            /* a history begun before LIVE had a record still knows what
             * was live before its first promote */
            if (c->count == 0 && prev && chain_push(c, prev) < 0)
                rc = err_set(err, "out of memory");
            const char *top = chain_top(c);
            if (rc == 0 && (!top || strcmp(top, id) != 0)
                && chain_push(c, id) < 0)
                rc = err_set(err, "out of memory");
        } else if (strcmp(action, "rollback") == 0) {
            if (c->count > 0)
                c->count--;
            const char *top = chain_top(c);
            if ((!top || strcmp(top, id) != 0) && chain_push(c, id) < 0)
                rc = err_set(err, "out of memory");
        } else {
            rc = err_set(err, "%s line %zu: unknown action '%s'", path,
                         lineno, action);
        }
        if (rc == 0) {
            snprintf(c->last_id, sizeof c->last_id, "%s", id);
            snprintf(c->last_previous, sizeof c->last_previous, "%s",
                     prev ? prev : "");
            c->last_record_first =
                json_is_true(json_object_get(rec, "record_first"));
        }
        json_decref(rec);
        line = next;
    }
    free(text);
    return rc;
}

/* Brings LIVE and the history into agreement after a writer died between
 * writing one and the other; the caller holds the writers' lock. Returns
 * 0 when they agree (or LIVE or the history is unreadable: the operation
 * that needs them says so), 1 when repaired, -1 when the repair failed.
 *   - The last record was written first (record_first) and LIVE still
 *     names its "previous": the switch did not happen. It is completed,
 *     since the record is only written after the version passed its
 *     checks and the history already says it is live.
 *   - Otherwise LIVE names a version the history does not end with (a
 *     release before record_first, killed between the switch and the
 *     record, or a hand edit): that is recorded as "recovered", so
 *     rollback goes back to what was live before. */
static int recover_locked(const struct registry *r, struct errbuf *err)
{
    char live[REGISTRY_ID_SIZE] = "";
    struct errbuf ignored;
    int live_rc = read_live(r, live, &ignored);
    struct live_chain chain = {0};
    int rc = 0;
    if (live_rc < 0 || replay_history(r, &chain, &ignored) < 0)
        goto out;
    const char *top = chain_top(&chain);
    if (!top || strcmp(top, live) == 0)
        goto out;
    if (chain.last_record_first && strcmp(chain.last_id, top) == 0
        && strcmp(chain.last_previous, live) == 0) {
        rc = write_live(r, top, err) < 0 ? -1 : 1;
        if (rc < 0)
            err_prefix(err, "completing the switch to %s", top);
    } else if (live_rc == 0) {
        char reason[2 * REGISTRY_ID_SIZE + 64];
        snprintf(reason, sizeof reason, "LIVE named %s without a record "
                 "(%s was the last recorded)", live, top);
        rc = append_record(r, "recovered", live, top, reason, NULL, err) < 0
                 ? -1 : 1;
        if (rc < 0)
            err_prefix(err, "recording LIVE's %s", live);
    }
out:
    free(chain.ids);
    return rc;
}

/* The writers' lock, with LIVE and the history made to agree first: every
 * writer starts from a consistent state whatever the last one died in. */
static int lock_and_recover(const struct registry *r, struct errbuf *err)
{
    int fd = lock_writers(r, err);
    if (fd >= 0 && recover_locked(r, err) < 0) {
        unlock_writers(fd);
        return -1;
    }
    return fd;
}

/* ---- the API ---------------------------------------------------------- */

/* The handle, without touching the disk. */
static int registry_new(struct registry **out, const char *dir,
                        struct errbuf *err)
{
    *out = NULL;
    if (!dir || !*dir)
        return err_set(err, "registry: no directory given");
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n + PATH_ROOM >= PATH_MAX)
        return err_set(err, "%.64s...: registry path too long", dir);
    struct registry *r = calloc(1, sizeof *r);
    if (!r || !(r->dir = strndup(dir, n))) {
        free(r);
        return err_set(err, "%s: out of memory", dir);
    }
    *out = r;
    return 0;
}

/* A registry is there when its versions/ is: an empty directory (a mount
 * point waiting for the first training) is not one yet. */
int registry_open(struct registry **out, const char *dir, struct errbuf *err)
{
    struct registry *r;
    if (registry_new(&r, dir, err) < 0)
        return -1;
    char path[PATH_MAX];
    path_of(r, "versions", path);
    if (!is_dir(path)) {
        err_set(err, "no registry at %s (%s: %s): 'incomescore train' "
                     "creates one", r->dir, path, strerror(errno));
        registry_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int registry_create(struct registry **out, const char *dir,
                    struct errbuf *err)
{
    struct registry *r;
    if (registry_new(&r, dir, err) < 0)
        return -1;
    char path[PATH_MAX];
    int rc = mkdir_p(r->dir, err);
    if (rc == 0) {
        path_of(r, "versions", path);
        rc = mkdir_p(path, err);
    }
    if (rc == 0) {
        path_of(r, "staging", path);
        rc = mkdir_p(path, err);
    }
    if (rc == 0) {
        int fd = lock_writers(r, err); /* creates it, and proves we can */
        if (fd < 0)
            rc = -1;
        else
            unlock_writers(fd);
    }
    if (rc < 0) {
        registry_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int registry_recover(struct registry *r, struct errbuf *err)
{
    int fd = lock_writers(r, err);
    if (fd < 0)
        return -1;
    int rc = recover_locked(r, err);
    unlock_writers(fd);
    return rc;
}

void registry_close(struct registry *r)
{
    if (!r)
        return;
    free(r->dir);
    free(r);
}

const char *registry_dir(const struct registry *r)
{
    return r->dir;
}

/* A killed `train` leaves its staging folder (a whole bundle); the
 * folders whose process is gone are removed by the next stage. */
static void remove_dead_stagings(const struct registry *r)
{
    char dir[PATH_MAX];
    path_of(r, "staging", dir);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        if (leftover_of_dead_process(e->d_name, "v-") &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) <
                (int)sizeof path)
            registry_discard(NULL, path);
    }
    if (d)
        closedir(d);
}

int registry_stage(struct registry *r, char *path, size_t size,
                   struct errbuf *err)
{
    remove_dead_stagings(r);
    /* named with our pid, so that a later run can tell ours from a dead
     * run's (leftover_of_dead_process) */
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "%s/staging/v-%ld.XXXXXX", r->dir,
             (long)getpid());
    if (strlen(tmpl) >= size)
        return err_set(err, "%s: path does not fit the caller's buffer",
                       tmpl);
    if (!mkdtemp(tmpl))
        return err_set(err, "%s: %s", tmpl, strerror(errno));
    /* mkdtemp makes it private; a version must be readable by the server
     * running as another user */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmpl, 0755 & ~mask);
    memcpy(path, tmpl, strlen(tmpl) + 1);
    return 0;
}

/* Highest version number in versions/, 0 when there is none. */
static int highest_version(const struct registry *r, unsigned long long *max,
                           struct errbuf *err)
{
    char path[PATH_MAX];
    path_of(r, "versions", path);
    DIR *d = opendir(path);
    if (!d)
        return err_set(err, "%s: %s", path, strerror(errno));
    *max = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned long long v;
        if (parse_id(e->d_name, &v) && v > *max)
            *max = v;
    }
    closedir(d);
    return 0;
}

/* rename(2) that never replaces `to`: under the lock the id is free, but a
 * version must not be overwritten even by a writer that bypassed the lock
 * (rename would silently replace an empty directory). Where the filesystem
 * lacks RENAME_NOREPLACE, a check then a plain rename. */
static int rename_new(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    struct stat st;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

static int sync_subdir(const char *path, const struct stat *st, int flag,
                       struct FTW *ftw)
{
    (void)st; (void)ftw;
    struct errbuf ignored;
    return flag == FTW_D && sync_dir(path, &ignored) < 0 ? -1 : 0;
}

/* Every directory of a finished staging tree synced: its files were
 * fsync'ed by their writer (base/fileio.h), but their names are durable
 * only once the directories holding them are, and the version must be
 * whole on disk before the rename makes it appear (a crash must not
 * leave versions/<id> naming files that are not there). */
static int sync_staging(const char *staging_path, struct errbuf *err)
{
    if (nftw(staging_path, sync_subdir, 16, FTW_PHYS) != 0)
        return err_set(err, "%s: cannot sync its directories: %s",
                       staging_path, strerror(errno));
    return 0;
}

/* The id goes to `id` once the version is in versions/, even when making
 * the first version live then fails (the message says so). `wanted`:
 * the id it must have (registry_adopt), NULL for the next one. */
static int commit_version(struct registry *r, const char *staging_path,
                          const char *wanted, char *id, int first_goes_live,
                          registry_naming_fn *naming, void *naming_arg,
                          struct errbuf *err)
{
    if (!is_dir(staging_path))
        return err_set(err, "%s: %s", staging_path, strerror(errno));
    int lock = lock_and_recover(r, err);
    if (lock < 0)
        return -1;
    int rc = 0;
    unsigned long long max = 0;
    char new_id[REGISTRY_ID_SIZE], dest[PATH_MAX], versions[PATH_MAX];
    if (!wanted && highest_version(r, &max, err) < 0) {
        rc = -1;
        goto out;
    }
    if (wanted)
        snprintf(new_id, sizeof new_id, "%s", wanted);
    else
        snprintf(new_id, sizeof new_id, "v%04llu", max + 1);
    /* under the lock the id is this version's for certain: what names
     * it is written now, before anyone can see the version */
    if (naming && naming(staging_path, new_id, naming_arg, err) < 0) {
        rc = err_prefix(err, "%s", new_id);
        goto out;
    }
    if (sync_staging(staging_path, err) < 0) {
        rc = -1;
        goto out;
    }
    version_dir(r, new_id, dest);
    if (rename_new(staging_path, dest) != 0) {
        rc = err_set(err, "%s -> %s: %s", staging_path, dest,
                     strerror(errno));
        goto out;
    }
    memcpy(id, new_id, strlen(new_id) + 1);
    path_of(r, "versions", versions);
    if (sync_dir(versions, err) < 0) {
        rc = -1;
        goto out;
    }
    char live_path[PATH_MAX];
    path_of(r, "LIVE", live_path);
    if (first_goes_live && access(live_path, F_OK) != 0 && errno == ENOENT) {
        rc = set_live(r, "promote", new_id, NULL, "first version", 1, err);
        if (rc < 0)
            err_prefix(err, "%s committed but not made live", new_id);
    }
out:
    unlock_writers(lock);
    return rc;
}

int registry_commit(struct registry *r, const char *staging_path, char *id,
                    struct errbuf *err)
{
    return commit_version(r, staging_path, NULL, id, 1, NULL, NULL, err);
}

int registry_commit_held(struct registry *r, const char *staging_path,
                         char *id, struct errbuf *err)
{
    return commit_version(r, staging_path, NULL, id, 0, NULL, NULL, err);
}

int registry_commit_naming(struct registry *r, const char *staging_path,
                           bool first_goes_live, registry_naming_fn *naming,
                           void *naming_arg, char *id, struct errbuf *err)
{
    return commit_version(r, staging_path, NULL, id, first_goes_live, naming,
                          naming_arg, err);
}

int registry_adopt(struct registry *r, const char *staging_path,
                   const char *id, struct errbuf *err)
{
    char got[REGISTRY_ID_SIZE];
    if (!parse_id(id, NULL))
        return err_set(err, "'%s' is not a version id (v0001, v0002, ...)",
                       id);
    return commit_version(r, staging_path, id, got, 0, NULL, NULL, err);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void registry_discard(struct registry *r, const char *staging_path)
{
    (void)r;
    if (staging_path && *staging_path)
        nftw(staging_path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int registry_withdraw(struct registry *r, const char *id, struct errbuf *err)
{
    if (!parse_id(id, NULL))
        return err_set(err, "'%s' is not a version id (v0001, v0002, ...)",
                       id);
    char from[PATH_MAX], to[PATH_MAX], versions[PATH_MAX];
    if (registry_stage(r, to, sizeof to, err) < 0)
        return -1;
    int lock = lock_and_recover(r, err);
    if (lock < 0) {
        registry_discard(r, to);
        return -1;
    }
    version_dir(r, id, from);
    path_of(r, "versions", versions);
    int rc = 0;
    /* over the empty staging directory just made: rename replaces an
     * empty directory */
    if (rename(from, to) != 0)
        rc = err_set(err, "%s -> %s: %s", from, to, strerror(errno));
    else if (sync_dir(versions, err) < 0)
        rc = -1;
    unlock_writers(lock);
    registry_discard(r, to);
    return rc;
}

int registry_live(struct registry *r, char *id, struct errbuf *err)
{
    char live[REGISTRY_ID_SIZE];
    int rc = read_live(r, live, err);
    if (rc != 0)
        return rc;
    char path[PATH_MAX];
    version_dir(r, live, path);
    if (!is_dir(path)) {
        char live_path[PATH_MAX];
        path_of(r, "LIVE", live_path);
        return err_set(err, "%s: names %s, but %s: %s", live_path, live, path,
                       strerror(errno));
    }
    memcpy(id, live, strlen(live) + 1);
    return 0;
}

int registry_version_path(struct registry *r, const char *id, char *path,
                          size_t size, struct errbuf *err)
{
    if (check_version(r, id, err) < 0)
        return -1;
    char dir[PATH_MAX];
    version_dir(r, id, dir);
    if (strlen(dir) >= size)
        return err_set(err, "%s: path does not fit the caller's buffer", dir);
    memcpy(path, dir, strlen(dir) + 1);
    return 0;
}

/* Promoting the version that is already live is allowed and recorded: a
 * pipeline whose first training run made its version live can still
 * "promote" it after the gate, and the reason lands in the history. It does
 * not add a step to roll back through (see replay_history). */
int registry_promote(struct registry *r, const char *id, const char *reason,
                     registry_check_fn *check, void *check_arg,
                     struct errbuf *err)
{
    if (check_version(r, id, err) < 0)
        return -1;
    int lock = lock_and_recover(r, err);
    if (lock < 0)
        return -1;
    char dir[PATH_MAX];
    version_dir(r, id, dir);
    if (check && check(dir, check_arg, err) < 0) {
        err_prefix(err, "%s is not promoted", id);
        unlock_writers(lock);
        return -1;
    }
    /* LIVE naming a vanished version must not block the promote that
     * repairs it, so it is read without the existence check */
    char previous[REGISTRY_ID_SIZE] = "";
    struct errbuf ignored;
    if (read_live(r, previous, &ignored) != 0)
        previous[0] = '\0';
    int rc = set_live(r, "promote", id, previous, reason,
                      strcmp(previous, id) != 0, err);
    unlock_writers(lock);
    return rc;
}

/* Rollback undoes the last change of the live version: the target is the
 * "previous" of the promote that made the current version live. A second
 * rollback goes one more step back (v3 -> v2 -> v1), not back and forth
 * between two versions, because the history is replayed as a stack and a
 * rollback pops it; it stops with "nothing to roll back to" at the first
 * live version. A promote after rollbacks pushes onto what is left, like
 * an editor's undo. */
int registry_rollback(struct registry *r, registry_check_fn *check,
                      void *check_arg, char *id, struct errbuf *err)
{
    int lock = lock_and_recover(r, err);
    if (lock < 0)
        return -1;
    struct live_chain chain = {0};
    char live[REGISTRY_ID_SIZE], history[PATH_MAX];
    path_of(r, "promotions.jsonl", history);
    int rc = registry_live(r, live, err);
    if (rc == 1) {
        rc = err_set(err, "nothing to roll back to: no version is live");
        goto out;
    }
    if (rc < 0 || replay_history(r, &chain, err) < 0) {
        rc = -1;
        goto out;
    }
    const char *top = chain_top(&chain);
    if (top && strcmp(top, live) != 0) {
        rc = err_set(err, "%s ends with %s live but LIVE names %s; promote a "
                          "version to say which one should be live",
                     history, top, live);
        goto out;
    }
    if (chain.count < 2) {
        rc = err_set(err, "nothing to roll back to: %s is the first live "
                          "version", live);
        goto out;
    }
    const char *target = chain.ids[chain.count - 2];
    if (check_version(r, target, err) < 0) {
        rc = err_prefix(err, "cannot roll back from %s", live);
        goto out;
    }
    /* a version is immutable only by convention: its files may have been
     * damaged since it was last live, and LIVE must never name a version
     * a server would refuse to load */
    char target_dir[PATH_MAX];
    version_dir(r, target, target_dir);
    if (check && check(target_dir, check_arg, err) < 0) {
        rc = err_prefix(err, "cannot roll back to %s", target);
        goto out;
    }
    char reason[2 * REGISTRY_ID_SIZE + 32];
    snprintf(reason, sizeof reason, "rollback from %s", live);
    rc = set_live(r, "rollback", target, live, reason, 1, err);
    if (rc == 0)
        memcpy(id, target, strlen(target) + 1);
out:
    free(chain.ids);
    unlock_writers(lock);
    return rc;
}

static int by_number(const void *a, const void *b)
{
    unsigned long long x, y;
    parse_id(a, &x);
    parse_id(b, &y);
    return x < y ? -1 : x > y;
}

int registry_list(struct registry *r, char (**ids)[REGISTRY_ID_SIZE],
                  size_t *count, struct errbuf *err)
{
    *ids = NULL;
    *count = 0;
    char path[PATH_MAX];
    path_of(r, "versions", path);
    DIR *d = opendir(path);
    if (!d)
        return err_set(err, "%s: %s", path, strerror(errno));
    struct live_chain found = {0}; /* just a growable array of ids here */
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        char child[PATH_MAX];
        if (!parse_id(e->d_name, NULL))
            continue;
        version_dir(r, e->d_name, child);
        if (!is_dir(child))
            continue;
        if (chain_push(&found, e->d_name) < 0) {
            rc = err_set(err, "%s: out of memory", path);
            break;
        }
    }
    closedir(d);
    if (rc < 0) {
        free(found.ids);
        return -1;
    }
    if (found.count)
        qsort(found.ids, found.count, sizeof found.ids[0], by_number);
    *ids = found.ids;
    *count = found.count;
    return 0;
}

int registry_describe(struct registry *r, const char *id, int segment,
                      bool english, const char *text, struct errbuf *err)
{
    if (segment < 0 || segment >= SEGMENT_COUNT)
        return err_set(err, "segment %d: A to D", segment);
    size_t len = strlen(text);
    if (len == 0 || len >= MANIFEST_DESCRIPTION_SIZE || strchr(text, '\n'))
        return err_set(err, "a description is 1 to %d bytes on one line",
                       MANIFEST_DESCRIPTION_SIZE - 1);
    json_t *value = json_string(text);
    if (!value)
        return err_set(err, "the description is not valid UTF-8");
    if (check_version(r, id, err) < 0) {
        json_decref(value);
        return -1;
    }
    int fd = lock_and_recover(r, err);
    if (fd < 0) {
        json_decref(value);
        return -1;
    }
    char dir[PATH_MAX], path[PATH_MAX + 64], history[PATH_MAX];
    version_dir(r, id, dir);
    snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_DESCRIPTIONS_FILE);
    json_t *doc = access(path, F_OK) == 0 ? json_load_file(path, 0, NULL)
                                          : json_object();
    int rc = 0;
    char letter[2] = {segment_letter(segment), '\0'};
    const char *lang = english ? "en" : "es";
    if (!json_is_object(doc)) {
        rc = err_set(err, "%s: not a JSON object; fix or remove it", path);
    } else {
        json_t *seg = json_object_get(doc, letter);
        if (!json_is_object(seg)) {
            seg = json_object();
            json_object_set_new(doc, letter, seg);
        }
        json_object_set(seg, lang, value);
        rc = atomic_write_json(path, doc, JSON_INDENT(2) | JSON_SORT_KEYS,
                               err);
    }
    if (rc == 0) {
        char when[TIMESTAMP_ISO_SIZE];
        timestamp_format_iso(time(NULL), when);
        json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:O}", "time", when,
                                "version", id, "segment", letter, "lang",
                                lang, "text", value);
        char *line = rec ? json_dumps(rec, JSON_COMPACT |
                                               JSON_PRESERVE_ORDER)
                         : NULL;
        json_decref(rec);
        path_of(r, "descriptions.jsonl", history);
        int h = line ? open(history, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                            0644)
                     : -1;
        if (h < 0 || dprintf(h, "%s\n", line) < 0 || fsync(h) != 0)
            rc = err_set(err, "%s: %s", history,
                         line ? strerror(errno) : "out of memory");
        if (h >= 0)
            close(h);
        free(line);
    }
    json_decref(doc);
    json_decref(value);
    unlock_writers(fd);
    return rc;
}
