/*
 * dataver.c — the registry's data versions (see dataver.h): zstd
 * streaming both ways, through base/fileio.h's atomic files.
 */
#include "pipeline/dataver.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "base/fileio.h"
#include "registry/manifest.h"
#include "registry/registry.h"

/* Level 3, zstd's default: ~10x on the dataset CSV at several hundred
 * MB/s; the higher levels save little more on it at many times the
 * time. */
#define DATAVER_LEVEL 3

void dataver_name(const char *sha, char *name, size_t size)
{
    snprintf(name, size, DATAVER_DIR "/%s" DATAVER_SUFFIX, sha);
}

void dataver_path(const char *registry_dir, const char *sha, char *path,
                  size_t size)
{
    snprintf(path, size, "%s/" DATAVER_DIR "/%s" DATAVER_SUFFIX, registry_dir,
             sha);
}

int dataver_exists(const char *registry_dir, const char *sha)
{
    char path[4096];
    dataver_path(registry_dir, sha, path, sizeof path);
    return access(path, F_OK) == 0;
}

/* in → zstd → out (compress) or the reverse; -1 with err. */
static int zstd_copy(FILE *in, const char *in_name, FILE *out, bool compress,
                     struct errbuf *err)
{
    size_t in_size = compress ? ZSTD_CStreamInSize() : ZSTD_DStreamInSize();
    size_t out_size = compress ? ZSTD_CStreamOutSize()
                               : ZSTD_DStreamOutSize();
    char *ibuf = malloc(in_size), *obuf = malloc(out_size);
    ZSTD_CCtx *cc = compress ? ZSTD_createCCtx() : NULL;
    ZSTD_DCtx *dc = compress ? NULL : ZSTD_createDCtx();
    int rc = 0;
    if (!ibuf || !obuf || (compress ? !cc : !dc)) {
        rc = err_set(err, "out of memory");
        goto done;
    }
    if (cc)
        ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, DATAVER_LEVEL);
    size_t last = 0; /* decompression: 0 once a frame is complete */
    for (;;) {
        size_t got = fread(ibuf, 1, in_size, in);
        if (ferror(in)) {
            rc = err_set(err, "%s: %s", in_name, strerror(errno));
            goto done;
        }
        bool end = got < in_size;
        ZSTD_inBuffer ib = {ibuf, got, 0};
        bool finished = false;
        while (!finished) {
            ZSTD_outBuffer ob = {obuf, out_size, 0};
            size_t r;
            if (compress) {
                r = ZSTD_compressStream2(cc, &ob, &ib,
                                         end ? ZSTD_e_end : ZSTD_e_continue);
                finished = end ? r == 0 : ib.pos == ib.size;
            } else {
                r = ZSTD_decompressStream(dc, &ob, &ib);
                finished = ib.pos == ib.size && ob.pos < ob.size;
                last = r;
            }
            if (ZSTD_isError(r)) {
                rc = err_set(err, "%s: %s", in_name, ZSTD_getErrorName(r));
                goto done;
            }
            if (ob.pos && fwrite(obuf, 1, ob.pos, out) != ob.pos) {
                rc = err_set(err, "writing: %s", strerror(errno));
                goto done;
            }
        }
        if (end)
            break;
    }
    if (!compress && last != 0)
        rc = err_set(err, "%s: truncated (the zstd frame does not end)",
                     in_name);
done:
    ZSTD_freeCCtx(cc);
    ZSTD_freeDCtx(dc);
    free(ibuf);
    free(obuf);
    return rc;
}

int dataver_keep(const char *registry_dir, const char *csv_path,
                 char sha[SHA256_HEX_SIZE], struct errbuf *err)
{
    if (sha256_file(csv_path, sha, err) < 0)
        return -1;
    char dir[4096], path[4096];
    snprintf(dir, sizeof dir, "%s/" DATAVER_DIR, registry_dir);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return err_set(err, "%s: %s", dir, strerror(errno));
    dataver_path(registry_dir, sha, path, sizeof path);
    if (access(path, F_OK) == 0)
        return 0; /* content-addressed: already kept */
    FILE *in = fopen(csv_path, "rb");
    if (!in)
        return err_set(err, "%s: %s", csv_path, strerror(errno));
    struct atomic_file af;
    if (atomic_file_open(&af, path, err) < 0) {
        fclose(in);
        return -1;
    }
    int rc = zstd_copy(in, csv_path, af.fp, true, err);
    fclose(in);
    if (rc < 0) {
        atomic_file_abort(&af);
        return err_prefix(err, "keeping %s", csv_path);
    }
    return atomic_file_commit(&af, err);
}

int dataver_restore(const char *registry_dir, const char *sha,
                    const char *out_path, struct errbuf *err)
{
    char path[4096];
    dataver_path(registry_dir, sha, path, sizeof path);
    FILE *in = fopen(path, "rb");
    if (!in)
        return err_set(err, "data version %.12s: %s: %s", sha, path,
                       strerror(errno));
    struct atomic_file af;
    if (atomic_file_open(&af, out_path, err) < 0) {
        fclose(in);
        return -1;
    }
    int rc = zstd_copy(in, path, af.fp, false, err);
    fclose(in);
    if (rc < 0) {
        atomic_file_abort(&af);
        return -1;
    }
    if (atomic_file_commit(&af, err) < 0)
        return -1;
    char got[SHA256_HEX_SIZE];
    if (sha256_file(out_path, got, err) < 0)
        return -1;
    if (strcmp(got, sha) != 0) {
        unlink(out_path);
        return err_set(err, "%s: decompressed to SHA-256 %s, not the %s it "
                            "is named by", path, got, sha);
    }
    return 0;
}

static bool named(const char *sha, char (*shas)[SHA256_HEX_SIZE], size_t n,
                  const char *const *keep, size_t nk)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(shas[i], sha) == 0)
            return true;
    for (size_t i = 0; i < nk; i++)
        if (keep[i] && strcmp(keep[i], sha) == 0)
            return true;
    return false;
}

int dataver_prune(const char *registry_dir, const char *const *keep,
                  size_t nk, size_t *removed, struct errbuf *err)
{
    *removed = 0;
    struct registry *reg;
    if (registry_open(&reg, registry_dir, err) < 0)
        return -1;
    char (*ids)[REGISTRY_ID_SIZE] = NULL;
    size_t n = 0;
    char (*shas)[SHA256_HEX_SIZE] = NULL;
    struct manifest *m = malloc(sizeof *m);
    int rc = -1;
    if (!m) {
        err_set(err, "out of memory");
        goto done;
    }
    if (registry_list(reg, &ids, &n, err) < 0)
        goto done;
    shas = calloc(n ? n : 1, sizeof *shas);
    if (!shas) {
        err_set(err, "out of memory");
        goto done;
    }
    /* every version's lineage, read before anything goes: one that
     * cannot be read stops the pruning rather than lose its data */
    for (size_t i = 0; i < n; i++) {
        char dir[4096], file[4096 + 32];
        if (registry_version_path(reg, ids[i], dir, sizeof dir, err) < 0)
            goto done;
        snprintf(file, sizeof file, "%s/%s", dir, MANIFEST_FILE);
        if (manifest_read(m, file, err) < 0) {
            err_prefix(err, "retention stopped: %s", file);
            goto done;
        }
        memcpy(shas[i], m->lineage.dataset_sha256, SHA256_HEX_SIZE);
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/" DATAVER_DIR, registry_dir);
    DIR *d = opendir(dir);
    if (!d) {
        rc = errno == ENOENT ? 0 : err_set(err, "%s: %s", dir,
                                           strerror(errno));
        goto done;
    }
    struct dirent *e;
    size_t sl = strlen(DATAVER_SUFFIX);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len != SHA256_HEX_SIZE - 1 + sl ||
            strcmp(e->d_name + len - sl, DATAVER_SUFFIX) != 0)
            continue;
        char sha[SHA256_HEX_SIZE];
        memcpy(sha, e->d_name, SHA256_HEX_SIZE - 1);
        sha[SHA256_HEX_SIZE - 1] = '\0';
        if (named(sha, shas, n, keep, nk))
            continue;
        char path[4096 + 300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            (*removed)++;
    }
    closedir(d);
    rc = 0;
done:
    free(m);
    free(shas);
    free(ids);
    registry_close(reg);
    return rc;
}
