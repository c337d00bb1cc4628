/*
 * remote.c — push, pull and LIVE of the registry in a bucket (see
 * remote.h for the layout and why the order of the writes is the crash
 * safety).
 */
#include "remote/remote.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry/bundle.h"
#include "registry/manifest.h"

#define VERSION_PATH_SIZE 4096
#define SEAL_FILE MANIFEST_FILE MANIFEST_SEAL_SUFFIX

/* The key of `name` in version id's folder: PREFIX/versions/<id>/<name>
 * (name "" for the folder itself, with its trailing '/'). */
static int version_key(char key[S3_KEY_SIZE], const struct s3_location *loc,
                       const char *id, const char *name, struct errbuf *err)
{
    char rel[S3_KEY_SIZE];
    int n = snprintf(rel, sizeof rel, "versions/%s/%s", id, name);
    if (n < 0 || (size_t)n >= sizeof rel)
        return err_set(err, "object name versions/%s/%s is too long", id,
                       name);
    return s3_key(key, loc->prefix, rel, err);
}

/* --- push --------------------------------------------------------- */

/* The files of a version's directory, relative paths, as nftw finds
 * them. nftw has no argument for its callback: one push at a time per
 * process is all the CLI and the pipeline do, and the list is reset
 * around each walk. */
static struct {
    char (*names)[VERSION_PATH_SIZE];
    size_t count, cap;
    size_t root_len;
    bool failed;
} walk;

static int collect(const char *path, const struct stat *st, int flag,
                   struct FTW *ftw)
{
    (void)st; (void)ftw;
    if (flag != FTW_F)
        return 0;
    if (walk.count == walk.cap) {
        size_t cap = walk.cap ? walk.cap * 2 : 16;
        void *p = realloc(walk.names, cap * sizeof *walk.names);
        if (!p) {
            walk.failed = true;
            return 1;
        }
        walk.names = p;
        walk.cap = cap;
    }
    snprintf(walk.names[walk.count++], VERSION_PATH_SIZE, "%s",
             path + walk.root_len + 1);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int put_version_file(struct s3 *s, const struct s3_location *loc,
                            const char *id, const char *dir,
                            const char *name, struct errbuf *err)
{
    char key[S3_KEY_SIZE], path[VERSION_PATH_SIZE * 2 + 2];
    if (version_key(key, loc, id, name, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return s3_put_file(s, loc->bucket, key, path, err);
}

static int same_version(struct s3 *s, const struct s3_location *loc,
                        const char *dir, const char *id, struct errbuf *err);
static int upload_version(struct s3 *s, const struct s3_location *loc,
                          const char *id, const char *dir,
                          struct errbuf *err);

int remote_push(struct s3 *s, const struct s3_location *loc,
                struct registry *reg, const char *id, bool make_live,
                struct errbuf *err)
{
    char dir[VERSION_PATH_SIZE];
    if (registry_version_path(reg, id, dir, sizeof dir, err) < 0)
        return -1;
    /* a version that would not serve is not published */
    if (bundle_loads(dir, NULL, err) < 0)
        return err_prefix(err, "%s is not pushed", id);
    /* a pull refuses a version without its seal: not published */
    char seal[VERSION_PATH_SIZE + 32];
    snprintf(seal, sizeof seal, "%s/%s", dir, SEAL_FILE);
    if (access(seal, F_OK) != 0)
        return err_set(err, "%s is not pushed: %s is missing (a version "
                            "made before seals; a bucket holds only "
                            "sealed versions)", id, seal);
    /* another registry's version under this id: refused. The same one
     * is uploaded again all the same (the same bytes), so pushing again
     * also repairs a copy damaged in the bucket. */
    int same = same_version(s, loc, dir, id, err);
    if (same < 0 || same == 2)
        return -1;
    if (upload_version(s, loc, id, dir, err) < 0)
        return -1;
    if (!make_live)
        return 0;
    /* last: until here, the bucket's LIVE names the old version */
    char key[S3_KEY_SIZE], line[REGISTRY_ID_SIZE + 2];
    if (s3_key(key, loc->prefix, REMOTE_LIVE_OBJECT, err) < 0)
        return -1;
    int n = snprintf(line, sizeof line, "%s\n", id);
    if (s3_put(s, loc->bucket, key, line, (size_t)n, err) < 0)
        return err_prefix(err, "%s was uploaded but not made live", id);
    return 0;
}

/* Every file of the version's directory, the manifest and its seal
 * last. */
static int upload_version(struct s3 *s, const struct s3_location *loc,
                          const char *id, const char *dir,
                          struct errbuf *err)
{
    memset(&walk, 0, sizeof walk);
    walk.root_len = strlen(dir);
    if (nftw(dir, collect, 16, FTW_PHYS) != 0 || walk.failed) {
        free(walk.names);
        return err_set(err, "%s: cannot list its files", dir);
    }
    qsort(walk.names, walk.count, sizeof *walk.names, by_name);
    int rc = 0;
    /* everything but the manifest and its seal first: a reader takes a
     * version by its manifest, so it is written once the files it
     * hashes are there, and the seal after it */
    for (size_t i = 0; rc == 0 && i < walk.count; i++)
        if (strcmp(walk.names[i], MANIFEST_FILE) != 0 &&
            strcmp(walk.names[i], SEAL_FILE) != 0)
            rc = put_version_file(s, loc, id, dir, walk.names[i], err);
    if (rc == 0)
        rc = put_version_file(s, loc, id, dir, MANIFEST_FILE, err);
    for (size_t i = 0; rc == 0 && i < walk.count; i++)
        if (strcmp(walk.names[i], SEAL_FILE) == 0)
            rc = put_version_file(s, loc, id, dir, SEAL_FILE, err);
    free(walk.names);
    memset(&walk, 0, sizeof walk);
    return rc;
}

/* --- LIVE ---------------------------------------------------------- */

int remote_live(struct s3 *s, const struct s3_location *loc,
                const char *if_none_match, char *id, char *etag,
                struct errbuf *err)
{
    char key[S3_KEY_SIZE];
    if (s3_key(key, loc->prefix, REMOTE_LIVE_OBJECT, err) < 0)
        return -1;
    char *body = NULL;
    size_t len = 0;
    bool missing = false;
    int rc = s3_get(s, loc->bucket, key, if_none_match, &body, &len, etag,
                    &missing, err);
    if (rc == 1)
        return 1;
    if (rc < 0)
        return missing ? 2 : -1;
    while (len && (body[len - 1] == '\n' || body[len - 1] == '\r' ||
                   body[len - 1] == ' '))
        body[--len] = '\0';
    bool ok = len >= 5 && len < REGISTRY_ID_SIZE && body[0] == 'v' &&
              strspn(body + 1, "0123456789") == len - 1;
    if (ok)
        memcpy(id, body, len + 1);
    else
        err_set(err, "s3://%s/%s does not hold a version id (v0001, ...)",
                loc->bucket, key);
    free(body);
    return ok ? 0 : -1;
}

/* --- pull ---------------------------------------------------------- */

struct pull {
    struct s3 *s;
    const struct s3_location *loc;
    const char *folder;   /* PREFIX/versions/<id>/ */
    const char *staging;
    /* bundle_files, then the manifest, then its seal */
    bool has[BUNDLE_FILE_COUNT + 2];
    size_t files;
};

/* A relative path a bucket may hand us: no "..", no empty or hidden
 * component, nothing absolute, so nothing lands outside the staging
 * directory. */
static bool safe_relative(const char *rel)
{
    if (!*rel || *rel == '/')
        return false;
    for (const char *p = rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || p[0] == '.')
            return false;
        p += n + (slash ? 1 : 0);
    }
    return true;
}

static int make_parents(char *path, size_t from, struct errbuf *err)
{
    for (char *p = path + from; (p = strchr(p, '/')); p++) {
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return err_set(err, "%s: %s", path, strerror(errno));
    }
    return 0;
}

static int pull_one(const char *key, void *arg, struct errbuf *err)
{
    struct pull *p = arg;
    const char *rel = key + strlen(p->folder);
    if (!safe_relative(rel))
        return err_set(err, "s3://%s/%s: not a file name a version holds",
                       p->loc->bucket, key);
    char path[VERSION_PATH_SIZE * 2 + 2];
    int n = snprintf(path, sizeof path, "%s/%s", p->staging, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return err_set(err, "%s/%s: path too long", p->staging, rel);
    if (make_parents(path, strlen(p->staging) + 1, err) < 0 ||
        s3_get_file(p->s, p->loc->bucket, key, path, err) < 0)
        return -1;
    for (int f = 0; f < BUNDLE_FILE_COUNT; f++)
        if (strcmp(rel, bundle_files[f]) == 0)
            p->has[f] = true;
    if (strcmp(rel, MANIFEST_FILE) == 0)
        p->has[BUNDLE_FILE_COUNT] = true;
    if (strcmp(rel, SEAL_FILE) == 0)
        p->has[BUNDLE_FILE_COUNT + 1] = true;
    p->files++;
    return 0;
}

/* bundle_load's messages start "bundle <dir>: "; the staging directory's
 * name means nothing to the reader, so it goes. */
static void drop_bundle_prefix(struct errbuf *err, const char *dir)
{
    char head[VERSION_PATH_SIZE + 16];
    snprintf(head, sizeof head, "bundle %s: ", dir);
    size_t n = strlen(head);
    if (strncmp(err->msg, head, n) == 0)
        memmove(err->msg, err->msg + n, strlen(err->msg + n) + 1);
}

/* Whether the bucket's version id is the one in dir, by their seals
 * (bundle.json.sha256, the manifest's SHA-256, which holds every other
 * file's): 1 the same, 0 the bucket has no seal for id (never pushed, or
 * a push that did not finish), 2 with err set when they differ, -1 with
 * err set when the bucket cannot say. What keeps two registries that both have a v0003
 * from mixing them up in one bucket. */
static int same_version(struct s3 *s, const struct s3_location *loc,
                        const char *dir, const char *id, struct errbuf *err)
{
    char key[S3_KEY_SIZE], seal[VERSION_PATH_SIZE + 32];
    snprintf(seal, sizeof seal, "%s/%s", dir, SEAL_FILE);
    size_t mine_len = 0;
    FILE *f = fopen(seal, "rb");
    char mine[256] = "";
    if (f) {
        mine_len = fread(mine, 1, sizeof mine - 1, f);
        fclose(f);
    }
    char *theirs = NULL;
    size_t len = 0;
    bool missing = false;
    if (version_key(key, loc, id, SEAL_FILE, err) < 0)
        return -1;
    if (s3_get(s, loc->bucket, key, NULL, &theirs, &len, NULL, &missing,
               err) < 0)
        return missing ? 0 : -1;
    bool same = len == mine_len && memcmp(theirs, mine, len) == 0;
    free(theirs);
    if (!same) {
        err_set(err, "s3://%s/%s holds another %s than %s (their "
                            "seals differ): version ids belong to one "
                            "registry; give each registry its own prefix",
                       loc->bucket, key, id, dir);
        return 2;
    }
    return 1;
}

/* The copy of id that reg holds, against the bucket's: 1 the same
 * version and (for a cache) still whole; 0 when it is not (a cache's
 * copy that fails its checks: withdrawn, its reason in damage, to be
 * pulled again); -1 with the reason. */
static int check_copy(struct s3 *s, const struct s3_location *loc,
                      struct registry *reg, const char *id, const char *dir,
                      struct errbuf *damage, struct errbuf *err)
{
    int same = same_version(s, loc, dir, id, err);
    if (same == 0)
        return err_set(err, "version %s is not in s3://%s/%s (its seal "
                            "is missing)", id, loc->bucket, loc->prefix);
    if (same < 0)
        return -1; /* the bucket cannot say: nothing is touched */
    if (!damage)   /* a registry's own copy: never replaced from here */
        return same == 1 ? 1 : -1;
    /* a cache holds only what it pulled, after every check: a copy that
     * fails them now was damaged here (a crash before its files reached
     * the disk, a disk), and the bucket has the version whole. A copy
     * that still loads but differs from the bucket's is another version
     * under the same id, refused as for any registry. */
    if (bundle_loads(dir, NULL, damage) == 0)
        return same == 1 ? 1 : -1;
    drop_bundle_prefix(damage, dir);
    if (registry_withdraw(reg, id, err) < 0)
        return err_prefix(err, "the cached copy of %s is damaged (%s) and "
                               "could not be removed", id, damage->msg);
    return 0;
}

static int pull(struct s3 *s, const struct s3_location *loc,
                struct registry *reg, const char *id, struct errbuf *damage,
                struct errbuf *err)
{
    char dir[VERSION_PATH_SIZE];
    struct errbuf none;
    bool repaired = false;
    if (registry_version_path(reg, id, dir, sizeof dir, &none) == 0) {
        int rc = check_copy(s, loc, reg, id, dir, damage, err);
        if (rc != 0)
            return rc; /* 1: already here */
        repaired = true;
    }
    char folder[S3_KEY_SIZE], staging[VERSION_PATH_SIZE];
    if (version_key(folder, loc, id, "", err) < 0 ||
        registry_stage(reg, staging, sizeof staging, err) < 0)
        return -1;
    struct pull p = {s, loc, folder, staging, {false}, 0};
    int rc = s3_list(s, loc->bucket, folder, pull_one, &p, err);
    if (rc == 0 && p.files == 0)
        rc = err_set(err, "version %s is not in s3://%s/%s", id, loc->bucket,
                     loc->prefix);
    if (rc == 0 && !p.has[BUNDLE_FILE_COUNT])
        rc = err_set(err, "version %s is refused: s3://%s/%s%s is missing "
                          "(a push that did not finish?)", id, loc->bucket,
                     folder, MANIFEST_FILE);
    /* a local bundle from before the seal loads without one
     * (manifest.h); a version in a bucket never does: every push sends
     * the seal, and without it nothing vouches for the manifest that
     * vouches for the other files */
    if (rc == 0 && !p.has[BUNDLE_FILE_COUNT + 1])
        rc = err_set(err, "version %s is refused: s3://%s/%s%s is missing "
                          "(a version in a bucket must be sealed)", id,
                     loc->bucket, folder, SEAL_FILE);
    for (int f = 0; rc == 0 && f < BUNDLE_FILE_COUNT; f++)
        if (!p.has[f])
            rc = err_set(err, "version %s is refused: s3://%s/%s%s is "
                              "missing", id, loc->bucket, folder,
                         bundle_files[f]);
    if (rc == 0 && bundle_loads(staging, NULL, err) < 0) {
        drop_bundle_prefix(err, staging);
        rc = err_prefix(err, "version %s from s3://%s/%s is refused", id,
                        loc->bucket, folder);
    }
    if (rc == 0)
        rc = registry_adopt(reg, staging, id, err);
    if (rc < 0)
        registry_discard(reg, staging);
    if (rc < 0 && repaired) /* the damage is said even when no repair */
        err_prefix(err, "the cached copy of %s was damaged (%s) and "
                        "removed; pulling it again failed", id, damage->msg);
    return rc < 0 ? -1 : repaired ? 2 : 0;
}

int remote_pull(struct s3 *s, const struct s3_location *loc,
                struct registry *reg, const char *id, struct errbuf *err)
{
    return pull(s, loc, reg, id, NULL, err);
}

int remote_refresh(struct s3 *s, const struct s3_location *loc,
                   struct registry *cache, const char *id,
                   struct errbuf *damage, struct errbuf *err)
{
    return pull(s, loc, cache, id, damage, err);
}
