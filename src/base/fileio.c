/*
 * fileio.c — whole-file reads and atomic writes (see fileio.h).
 */
#include "base/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "16 MiB" when the cap is whole mebibytes, else "N bytes" */
static void size_words(size_t n, char *buf, size_t size)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        snprintf(buf, size, "%zu MiB", n >> 20);
    else
        snprintf(buf, size, "%zu bytes", n);
}

char *file_read_limited(const char *path, size_t max, size_t *len,
                        struct errbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        err_set(err, "%s is a directory", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    int too_big = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        /* one byte past the limit tells "too big" from "exactly max" */
        if (n > max) {
            too_big = 1;
            break;
        }
        size_t bigger_cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
        char *bigger = realloc(buf, bigger_cap);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap = bigger_cap;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf) {
        err_set(err, "%s: out of memory", path);
        return NULL;
    }
    if (too_big || n > max) {
        free(buf);
        char words[32];
        size_words(max, words, sizeof words);
        err_set(err, "%s: larger than %s, the most this file may hold", path,
                words);
        return NULL;
    }
    if (failed) {
        free(buf);
        err_set(err, "%s: read error", path);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *file_read_all(const char *path, size_t *len, struct errbuf *err)
{
    return file_read_limited(path, SIZE_MAX - 2, len, err);
}

/* The resolved directory of path and its last name, malloc'd; NULL when
 * the directory does not resolve. */
static char *canonical_path(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    if (slash)
        *slash = '\0';
    char *dir = realpath(slash ? (*copy ? copy : "/") : ".", NULL);
    char *out = NULL;
    if (dir && asprintf(&out, "%s/%s", dir, base) < 0)
        out = NULL;
    free(dir);
    free(copy);
    return out;
}

int file_same(const char *a, const char *b)
{
    struct stat sa, sb;
    int has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;
    if (has_a && has_b)
        return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
    if (has_a != has_b)
        return 0;
    char *ca = canonical_path(a), *cb = canonical_path(b);
    int same = ca && cb ? strcmp(ca, cb) == 0 : strcmp(a, b) == 0;
    free(ca);
    free(cb);
    return same;
}

/* Temporaries are "<target>.tmp.<pid>.XXXXXX": the pid says whose they
 * are, so that a later run can tell a dead run's leftover (a killed
 * `etl` leaves a dataset-sized one) from a live run's file. */
#define TMP_MARK ".tmp."

int leftover_of_dead_process(const char *name, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (strncmp(name, prefix, plen) != 0)
        return 0;
    const char *p = name + plen;
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (end == p || *p == '-' || *p == '+' || errno || *end != '.' ||
        strlen(end + 1) != 6 || pid <= 0 || pid == (long)getpid())
        return 0;
    /* only ESRCH proves the owner gone: a live process, another user's
     * (EPERM) or a reused pid keeps its leftover */
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes the target's temporaries whose process is gone. */
static void remove_dead_temps(const char *target)
{
    char *copy = strdup(target);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    const char *base = slash ? slash + 1 : copy;
    if (slash)
        *slash = '\0';
    char prefix[NAME_MAX + sizeof TMP_MARK];
    snprintf(prefix, sizeof prefix, "%s" TMP_MARK, base);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!leftover_of_dead_process(e->d_name, prefix))
            continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) <
            (int)sizeof path)
            unlink(path);
    }
    if (d)
        closedir(d);
    free(copy);
}

/* A target that is not a regular file (/dev/null, /dev/stdout, a FIFO)
 * cannot be replaced by a rename without destroying it: it is opened and
 * written through. */
static int open_through(struct atomic_file *af, const char *path,
                        struct errbuf *err)
{
    int fd = open(path, O_WRONLY | O_NOCTTY);
    if (fd < 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        close(fd);
        return err_set(err, "%s: %s", path, strerror(errno));
    }
    return 0;
}

int atomic_file_open(struct atomic_file *af, const char *path,
                     struct errbuf *err)
{
    memset(af, 0, sizeof *af);
    /* A symlink is followed: the file it names is the one replaced, and
     * the link stays a link. A dangling link is refused rather than
     * guessed at. */
    struct stat st;
    char *resolved = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        resolved = realpath(path, NULL);
        if (!resolved)
            return err_set(err, "%s: a symbolic link to a file that cannot "
                           "be reached: %s", path, strerror(errno));
    }
    const char *target = resolved ? resolved : path;
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        int rc = S_ISDIR(st.st_mode)
                     ? err_set(err, "%s is a directory", path)
                     : open_through(af, target, err);
        free(resolved);
        return rc;
    }
    size_t n = strlen(target) + sizeof TMP_MARK "XXXXXX" + 24;
    af->path = resolved ? resolved : strdup(path);
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        atomic_file_abort(af);
        return err_set(err, "%s: out of memory", path);
    }
    remove_dead_temps(af->path);
    snprintf(af->tmp_path, n, "%s" TMP_MARK "%ld.XXXXXX", af->path,
             (long)getpid());
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        err_set(err, "%s: cannot create a temporary file beside it: %s", path,
                strerror(errno));
        free(af->tmp_path);
        af->tmp_path = NULL;
        atomic_file_abort(af);
        return -1;
    }
    /* mkstemp makes the file private; give it the mode a plain fopen would */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        close(fd);
        atomic_file_abort(af);
        return err_set(err, "%s: %s", path, strerror(errno));
    }
    return 0;
}

int atomic_file_commit(struct atomic_file *af, struct errbuf *err)
{
    int rc = 0;
    const char *name = af->path ? af->path : "output";
    /* written through (no temporary): a device or FIFO has nothing to
     * sync or rename */
    int through = af->tmp_path == NULL;
    if (fflush(af->fp) != 0 || ferror(af->fp) ||
        (!through && fsync(fileno(af->fp)) != 0))
        rc = err_set(err, "%s: write failed: %s", name, strerror(errno));
    if (fclose(af->fp) != 0 && rc == 0)
        rc = err_set(err, "%s: write failed: %s", name, strerror(errno));
    af->fp = NULL;
    if (!through && rc == 0 && rename(af->tmp_path, af->path) != 0)
        rc = err_set(err, "%s: %s", af->path, strerror(errno));
    if (!through && rc != 0)
        unlink(af->tmp_path);
    free(af->tmp_path);
    free(af->path);
    af->tmp_path = af->path = NULL;
    return rc;
}

void atomic_file_abort(struct atomic_file *af)
{
    if (af->fp)
        fclose(af->fp);
    if (af->tmp_path)
        unlink(af->tmp_path);
    free(af->tmp_path);
    free(af->path);
    memset(af, 0, sizeof *af);
}

int atomic_write_file(const char *path, const void *data, size_t len,
                      struct errbuf *err)
{
    struct atomic_file af;
    if (atomic_file_open(&af, path, err) < 0)
        return -1;
    if (fwrite(data, 1, len, af.fp) != len) {
        err_set(err, "%s: write failed: %s", path, strerror(errno));
        atomic_file_abort(&af);
        return -1;
    }
    return atomic_file_commit(&af, err);
}

int atomic_write_json(const char *path, const void *json, size_t flags,
                      struct errbuf *err)
{
    char *text = json_dumps(json, flags);
    if (!text)
        return err_set(err, "%s: out of memory", path);
    struct atomic_file af;
    int rc = atomic_file_open(&af, path, err);
    if (rc == 0) {
        fputs(text, af.fp);
        fputc('\n', af.fp);
        rc = atomic_file_commit(&af, err);
    }
    free(text);
    return rc;
}
