/*
 * bundle.c — loading and checking a model bundle (see bundle.h). The
 * manifest's format is manifest.c's; here the files it names are checked
 * against it and the scorer is built from them.
 */
#include "registry/bundle.h"

#include <unistd.h>

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/sha256.h"

static int check_hashes(const char *dir, const struct manifest *m,
                        struct errbuf *err)
{
    for (int f = 0; f < BUNDLE_FILE_COUNT; f++) {
        char path[4096 + 64], got[SHA256_HEX_SIZE];
        snprintf(path, sizeof path, "%s/%s", dir, bundle_files[f]);
        if (sha256_file(path, got, err) < 0)
            return -1;
        const char *want = m->file_sha256[f];
        if (strcmp(got, want) != 0)
            return err_set(err, "%s has changed since training (SHA-256 "
                                "%.12s…, expected %.12s…)",
                           bundle_files[f], got, want);
    }
    return 0;
}

/* The manifest, then the scorer's parts, each loaded by its own module,
 * in the order their failures have always been reported: manifest,
 * hashes, tables, rules, model. */
/* The team's texts (`models describe`) over the manifest's, when the
 * version has them; a file that is not what models describe writes is
 * refused with what is wrong. */
int bundle_descriptions(struct manifest *m, const char *dir,
                        struct errbuf *err)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, BUNDLE_DESCRIPTIONS_FILE);
    if (access(path, F_OK) != 0)
        return 0;
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return err_set(err, "%s: not a JSON object (%s)",
                       BUNDLE_DESCRIPTIONS_FILE, jerr.text);
    }
    int rc = 0;
    const char *key;
    json_t *seg;
    json_object_foreach(doc, key, seg) {
        int s = key[0] - 'A';
        if (key[1] || s < 0 || s >= SEGMENT_COUNT || !json_is_object(seg)) {
            rc = err_set(err, "%s: \"%s\" is not a segment A-D with its "
                              "texts", BUNDLE_DESCRIPTIONS_FILE, key);
            break;
        }
        static const char *const langs[2] = {"es", "en"};
        char *dst[2] = {m->segments[s].description,
                        m->segments[s].description_en};
        for (int l = 0; l < 2 && rc == 0; l++) {
            const json_t *v = json_object_get(seg, langs[l]);
            const char *text = json_string_value(v);
            if (!v)
                continue;
            if (!text || !*text ||
                strlen(text) >= sizeof m->segments[s].description)
                rc = err_set(err, "%s: %s.%s is not a text of 1 to %zu "
                                  "bytes", BUNDLE_DESCRIPTIONS_FILE, key,
                             langs[l],
                             sizeof m->segments[s].description - 1);
            else
                memcpy(dst[l], text, strlen(text) + 1);
        }
        if (rc < 0)
            break;
    }
    json_decref(doc);
    return rc;
}

static int load_parts(struct bundle *b, const char *dir, struct errbuf *err)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, MANIFEST_FILE);
    if (manifest_read(&b->manifest, path, err) < 0)
        return err_prefix(err, "%s", MANIFEST_FILE);
    /* after the read, so a malformed manifest says what is wrong in it */
    if (manifest_check_seal(path, err) < 0)
        return -1;
    if (check_hashes(dir, &b->manifest, err) < 0)
        return err_prefix(err, "%s", MANIFEST_FILE);
    if (bundle_descriptions(&b->manifest, dir, err) < 0)
        return -1;

    double centroids[SEGMENT_COUNT * FEATURE_COUNT];
    for (int s = 0; s < SEGMENT_COUNT; s++)
        memcpy(&centroids[s * FEATURE_COUNT], b->manifest.segments[s].centroid,
               sizeof b->manifest.segments[s].centroid);
    struct refdata rd;
    struct rules *rules = NULL;
    struct forest *forest = NULL;
    snprintf(path, sizeof path, "%s/refdata", dir);
    if (refdata_load(&rd, path, b->manifest.itaee_year, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/rules.json", dir);
    if (rules_load(&rules, path, err) < 0) {
        refdata_free(&rd);
        return -1;
    }
    snprintf(path, sizeof path, "%s/model.json", dir);
    size_t len;
    char *model = file_read_all(path, &len, err);
    int rc = -1;
    if (model) {
        rc = forest_load(&forest, model, len, FEATURE_COUNT, err);
        if (rc < 0)
            err_prefix(err, "model.json");
        free(model);
    }
    if (rc < 0) {
        refdata_free(&rd);
        rules_free(rules);
        return -1;
    }
    return scorer_build(&b->scorer, b->id, &rd, rules, forest,
                        &b->manifest.scaler, centroids, err);
}

int bundle_load(struct bundle **out, const char *dir, struct errbuf *err)
{
    *out = NULL;
    struct bundle *b = calloc(1, sizeof *b);
    if (!b)
        return err_set(err, "out of memory");
    snprintf(b->path, sizeof b->path, "%s", dir);
    const char *slash = strrchr(dir, '/');
    const char *name = slash && slash[1] ? slash + 1 : dir;
    snprintf(b->id, sizeof b->id, "%s", name);
    if (load_parts(b, dir, err) < 0) {
        bundle_free(b);
        return err_prefix(err, "bundle %s", dir);
    }
    *out = b;
    return 0;
}

int bundle_loads(const char *dir, void *arg, struct errbuf *err)
{
    (void)arg;
    struct bundle *b;
    if (bundle_load(&b, dir, err) < 0)
        return -1;
    bundle_free(b);
    return 0;
}

void bundle_free(struct bundle *b)
{
    if (!b)
        return;
    scorer_free(&b->scorer);
    free(b);
}
