/*
 * fileio.c — whole-file reads and atomic writes (see fileio.h).
 */
#include "base/fileio.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *file_read_all(const char *path, size_t *len, struct errbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf) {
        err_set(err, "%s: out of memory", path);
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

int atomic_file_open(struct atomic_file *af, const char *path,
                     struct errbuf *err)
{
    memset(af, 0, sizeof *af);
    size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
    af->path = strdup(path);
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        atomic_file_abort(af);
        return err_set(err, "%s: out of memory", path);
    }
    snprintf(af->tmp_path, n, "%s.tmp.XXXXXX", path);
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
    if (fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) != 0)
        rc = err_set(err, "%s: write failed: %s", af->path, strerror(errno));
    if (fclose(af->fp) != 0 && rc == 0)
        rc = err_set(err, "%s: write failed: %s", af->path, strerror(errno));
    af->fp = NULL;
    if (rc == 0 && rename(af->tmp_path, af->path) != 0)
        rc = err_set(err, "%s: %s", af->path, strerror(errno));
    if (rc != 0)
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
