/*
 * bundle.c — loading and checking a model bundle (see bundle.h). The
 * writing side is train.c's: it knows what it trained.
 */
#include "registry/bundle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/sha256.h"

const char *const bundle_files[] = {
    "model.json", "rules.json", "refdata/states.csv", "refdata/enigh.csv",
    "refdata/itaee.csv", NULL,
};

static int read_vector(const json_t *arr, double *out, int n,
                       const char *what, struct errbuf *err)
{
    if (!json_is_array(arr) || (int)json_array_size(arr) != n)
        return err_set(err, "%s must be an array of %d numbers", what, n);
    for (int i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, (size_t)i);
        if (!json_is_number(v) || !isfinite(json_number_value(v)))
            return err_set(err, "%s[%d] is not a finite number", what, i);
        out[i] = json_number_value(v);
    }
    return 0;
}

static int check_features(const json_t *features, struct errbuf *err)
{
    if (!json_is_array(features) ||
        json_array_size(features) != FEATURE_COUNT)
        return err_set(err, "the feature list is not the %d features of "
                            "this version", FEATURE_COUNT);
    for (int f = 0; f < FEATURE_COUNT; f++) {
        const char *name = json_string_value(json_array_get(features, (size_t)f));
        if (!name || strcmp(name, variable_names[f]) != 0)
            return err_set(err, "feature %d is '%s', expected '%s'", f + 1,
                           name ? name : "(not a string)", variable_names[f]);
    }
    return 0;
}

static int check_hashes(const char *dir, const json_t *files,
                        struct errbuf *err)
{
    if (!json_is_object(files))
        return err_set(err, "\"files\" is missing");
    for (const char *const *f = bundle_files; *f; f++) {
        const char *want = json_string_value(json_object_get(files, *f));
        if (!want)
            return err_set(err, "no hash for %s", *f);
        char path[4096 + 64], got[SHA256_HEX_SIZE];
        snprintf(path, sizeof path, "%s/%s", dir, *f);
        if (sha256_file(path, got, err) < 0)
            return -1;
        if (strcmp(got, want) != 0)
            return err_set(err, "%s has changed since training (SHA-256 %.12s…, "
                                "expected %.12s…)", *f, got, want);
    }
    return 0;
}

static int read_scaler(struct scaler *out, const json_t *scaler,
                       struct errbuf *err)
{
    if (read_vector(json_object_get(scaler, "mean"), out->mean,
                    FEATURE_COUNT, "scaler.mean", err) < 0 ||
        read_vector(json_object_get(scaler, "scale"), out->scale,
                    FEATURE_COUNT, "scaler.scale", err) < 0)
        return -1;
    for (int f = 0; f < FEATURE_COUNT; f++)
        if (!(out->scale[f] > 0))
            return err_set(err, "scaler.scale[%d] is not positive", f);
    return 0;
}

static int read_segments(double *centroids, const json_t *segments,
                         struct errbuf *err)
{
    if (!json_is_array(segments) || json_array_size(segments) != SEGMENT_COUNT)
        return err_set(err, "\"segments\" must list %d segments",
                       SEGMENT_COUNT);
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        json_t *seg = json_array_get(segments, (size_t)s);
        const char *letter = json_string_value(json_object_get(seg, "letter"));
        if (!letter || letter[0] != segment_letter(s) || letter[1])
            return err_set(err, "segment %d must be '%c'", s + 1,
                           segment_letter(s));
        char what[32];
        snprintf(what, sizeof what, "segment %c centroid", segment_letter(s));
        if (read_vector(json_object_get(seg, "centroid"),
                        &centroids[s * FEATURE_COUNT], FEATURE_COUNT, what,
                        err) < 0)
            return -1;
    }
    return 0;
}

/* The scorer's parts, each loaded by its own module, in the order their
 * failures are reported: manifest, tables, rules, model. */
static int load_parts(struct bundle *b, const char *dir, struct errbuf *err)
{
    char path[4096 + 64];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/bundle.json", dir);
    b->manifest = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!b->manifest)
        return err_set(err, "bundle.json: %s", jerr.text);
    const char *format = json_string_value(json_object_get(b->manifest, "format"));
    if (!format || strcmp(format, BUNDLE_FORMAT) != 0)
        return err_set(err, "bundle.json: format is not \"%s\"", BUNDLE_FORMAT);
    json_t *year = json_object_get(b->manifest, "itaee_year");
    if (!json_is_integer(year))
        return err_set(err, "bundle.json: itaee_year is missing");
    struct scaler scaler;
    double centroids[SEGMENT_COUNT * FEATURE_COUNT];
    if (check_features(json_object_get(b->manifest, "features"), err) < 0 ||
        check_hashes(dir, json_object_get(b->manifest, "files"), err) < 0 ||
        read_scaler(&scaler, json_object_get(b->manifest, "scaler"), err) < 0 ||
        read_segments(centroids, json_object_get(b->manifest, "segments"),
                      err) < 0)
        return err_prefix(err, "bundle.json");

    struct refdata rd;
    struct rules *rules = NULL;
    struct forest *forest = NULL;
    snprintf(path, sizeof path, "%s/refdata", dir);
    if (refdata_load(&rd, path, (int)json_integer_value(year), err) < 0)
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
    return scorer_build(&b->scorer, b->id, &rd, rules, forest, &scaler,
                        centroids, err);
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
    json_decref(b->manifest);
    scorer_free(&b->scorer);
    free(b);
}
