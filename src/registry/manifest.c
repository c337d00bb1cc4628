/*
 * manifest.c — bundle.json to struct manifest and back (see manifest.h).
 *
 * Writing builds the document key by key in the format's order; reading
 * walks the same keys and refuses the first one out of contract, naming
 * it by its path in the document ("lineage.seed", "segment B centroid").
 * The two halves sit side by side, section by section, so a key added to
 * one is seen missing from the other.
 */
#include "registry/manifest.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"

const char *const bundle_files[BUNDLE_FILE_COUNT + 1] = {
    "model.json", "rules.json", "refdata/states.csv", "refdata/enigh.csv",
    "refdata/itaee.csv", NULL,
};

#define MODEL_FILE "model.json"
#define TARGET_FROM_COLUMN "dataset column"
#define TARGET_BY_RULES "computed by the rules"

/* What train wrote, as train wrote it: two-space indentation, keys in
 * insertion order, reals that read back as the same double. */
#define MANIFEST_JSON_FLAGS                                                  \
    (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

/* ---- reading: one value -------------------------------------------------- */

/* Each names the value by `where` (its path, e.g. "lineage.") and `key`. */

static int get_text(const json_t *obj, const char *where, const char *key,
                    char *out, size_t size, struct errbuf *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return err_set(err, "%s%s is missing or not text", where, key);
    if (json_string_length(v) >= size)
        return err_set(err, "%s%s is longer than %zu bytes", where, key,
                       size - 1);
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int get_number(const json_t *obj, const char *where, const char *key,
                      double *out, struct errbuf *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return err_set(err, "%s%s is missing or not a finite number", where,
                       key);
    *out = json_number_value(v);
    return 0;
}

static int get_integer(const json_t *obj, const char *where, const char *key,
                       int64_t *out, struct errbuf *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        return err_set(err, "%s%s is missing or not a whole number", where,
                       key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int get_object(const json_t *obj, const char *key, const json_t **out,
                      struct errbuf *err)
{
    *out = json_object_get(obj, key);
    if (!json_is_object(*out))
        return err_set(err, "\"%s\" is missing", key);
    return 0;
}

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

/* Builders add member after member and look at the result once: these
 * drop the whole container (returning NULL) when one addition fails, and
 * pass a NULL container on. jansson frees the value it could not add. */
static json_t *with_member(json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, v) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *with_item(json_t *a, json_t *v)
{
    if (json_array_append_new(a, v) < 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *vector_json(const double *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        a = with_item(a, json_real(v[i]));
    return a;
}

/* ---- features ------------------------------------------------------------ */

json_t *manifest_features_json(void)
{
    json_t *a = json_array();
    for (int f = 0; f < FEATURE_COUNT; f++)
        a = with_item(a, json_string(variable_names[f]));
    return a;
}

/* Columns are matched by position: a model of another list was trained
 * on other features. */
static int read_features(const json_t *features, struct errbuf *err)
{
    if (!json_is_array(features) ||
        json_array_size(features) != FEATURE_COUNT)
        return err_set(err, "the feature list is not the %d features of "
                            "this version", FEATURE_COUNT);
    for (int f = 0; f < FEATURE_COUNT; f++) {
        const char *name =
            json_string_value(json_array_get(features, (size_t)f));
        if (!name || strcmp(name, variable_names[f]) != 0)
            return err_set(err, "feature %d is '%s', expected '%s'", f + 1,
                           name ? name : "(not a string)", variable_names[f]);
    }
    return 0;
}

/* ---- scaler -------------------------------------------------------------- */

static json_t *scaler_json(const struct scaler *s)
{
    return json_pack("{s:o, s:o}", "mean", vector_json(s->mean, FEATURE_COUNT),
                     "scale", vector_json(s->scale, FEATURE_COUNT));
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

/* ---- segments ------------------------------------------------------------ */

static json_t *profile_json(const struct manifest_segment *g)
{
    if (!g->has_profile)
        return json_null();
    const struct manifest_profile *p = &g->profile;
    return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "income",
                     p->income, "tenure", p->tenure, "jobs", p->jobs, "weeks",
                     p->weeks, "age", p->age, "no_job_share", p->no_job_share,
                     "retiree_share", p->retiree_share);
}

/* Optional (bundles from before profiles have neither). */
static int read_profile(struct manifest_segment *g, const json_t *seg,
                        const char *where, struct errbuf *err)
{
    const json_t *en = json_object_get(seg, "description_en");
    if (en && get_text(seg, where, "description_en", g->description_en,
                       sizeof g->description_en, err) < 0)
        return -1;
    const json_t *p = json_object_get(seg, "profile");
    if (!p || json_is_null(p))
        return 0;
    char in[64];
    snprintf(in, sizeof in, "%sprofile.", where);
    struct manifest_profile *o = &g->profile;
    if (get_number(p, in, "income", &o->income, err) < 0 ||
        get_number(p, in, "tenure", &o->tenure, err) < 0 ||
        get_number(p, in, "jobs", &o->jobs, err) < 0 ||
        get_number(p, in, "weeks", &o->weeks, err) < 0 ||
        get_number(p, in, "age", &o->age, err) < 0 ||
        get_number(p, in, "no_job_share", &o->no_job_share, err) < 0 ||
        get_number(p, in, "retiree_share", &o->retiree_share, err) < 0)
        return -1;
    g->has_profile = true;
    return 0;
}

static json_t *segments_json(const struct manifest *m)
{
    json_t *a = json_array();
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        const struct manifest_segment *g = &m->segments[s];
        char letter[2] = {segment_letter(s), '\0'};
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:o, s:o, s:f, s:I, s:I, s:f, s:f}", "letter",
            letter, "description", g->description, "description_en",
            g->description_en, "profile", profile_json(g), "centroid",
            vector_json(g->centroid, FEATURE_COUNT), "mean_target_train",
            g->mean_target_train, "train_rows", (json_int_t)g->train_rows,
            "test_rows", (json_int_t)g->test_rows, "mean_score_test",
            g->mean_score_test, "mean_target_test", g->mean_target_test);
        a = with_item(a, o);
    }
    return a;
}

static int read_segment(struct manifest_segment *g, int s, const json_t *seg,
                        struct errbuf *err)
{
    const char *letter = json_string_value(json_object_get(seg, "letter"));
    if (!letter || letter[0] != segment_letter(s) || letter[1])
        return err_set(err, "segment %d must be '%c'", s + 1,
                       segment_letter(s));
    char where[32];
    snprintf(where, sizeof where, "segment %c centroid", segment_letter(s));
    if (read_vector(json_object_get(seg, "centroid"), g->centroid,
                    FEATURE_COUNT, where, err) < 0)
        return -1;
    snprintf(where, sizeof where, "segment %c ", segment_letter(s));
    return read_profile(g, seg, where, err) < 0 ||
                   get_text(seg, where, "description", g->description,
                    sizeof g->description, err) < 0 ||
                   get_number(seg, where, "mean_target_train",
                              &g->mean_target_train, err) < 0 ||
                   get_integer(seg, where, "train_rows", &g->train_rows,
                               err) < 0 ||
                   get_integer(seg, where, "test_rows", &g->test_rows,
                               err) < 0 ||
                   get_number(seg, where, "mean_score_test",
                              &g->mean_score_test, err) < 0 ||
                   get_number(seg, where, "mean_target_test",
                              &g->mean_target_test, err) < 0
               ? -1
               : 0;
}

static int read_segments(struct manifest *m, const json_t *segments,
                         struct errbuf *err)
{
    if (!json_is_array(segments) || json_array_size(segments) != SEGMENT_COUNT)
        return err_set(err, "\"segments\" must list %d segments",
                       SEGMENT_COUNT);
    for (int s = 0; s < SEGMENT_COUNT; s++)
        if (read_segment(&m->segments[s], s,
                         json_array_get(segments, (size_t)s), err) < 0)
            return -1;
    return 0;
}

/* ---- letters ------------------------------------------------------------- */

#define LETTERS_BY_TARGET "mean target"
#define LETTERS_BY_MATCH "match"

static json_t *letters_json(const struct manifest *m)
{
    if (!*m->letters_reference)
        return json_pack("{s:s}", "by", LETTERS_BY_TARGET);
    return json_pack("{s:s, s:s, s:o}", "by", LETTERS_BY_MATCH, "reference",
                     m->letters_reference,
                     "shift", vector_json(m->letters_shift, SEGMENT_COUNT));
}

static int read_letters(struct manifest *m, const json_t *letters,
                        struct errbuf *err)
{
    if (!letters)
        return 0; /* a bundle from before letters were matched */
    const char *by = json_string_value(json_object_get(letters, "by"));
    if (by && strcmp(by, LETTERS_BY_TARGET) == 0)
        return 0;
    if (!by || strcmp(by, LETTERS_BY_MATCH) != 0)
        return err_set(err, "letters.by is neither \"%s\" nor \"%s\"",
                       LETTERS_BY_TARGET, LETTERS_BY_MATCH);
    if (get_text(letters, "letters.", "reference", m->letters_reference,
                 sizeof m->letters_reference, err) < 0 ||
        read_vector(json_object_get(letters, "shift"), m->letters_shift,
                    SEGMENT_COUNT, "letters.shift", err) < 0)
        return -1;
    if (!*m->letters_reference)
        return err_set(err, "letters.reference is empty");
    return 0;
}

/* ---- model --------------------------------------------------------------- */

static json_t *model_json(const struct manifest *m)
{
    /* A manifest made in memory may leave the parameters empty: they are
     * then an empty object, as they always were. */
    json_t *params = json_loads(m->params, 0, NULL);
    if (!json_is_object(params)) {
        json_decref(params);
        params = json_object();
    }
    return json_pack("{s:s, s:i, s:o}", "file", MODEL_FILE, "rounds",
                     m->rounds, "params", params);
}

static int read_model(struct manifest *m, const json_t *model,
                      struct errbuf *err)
{
    const char *file = json_string_value(json_object_get(model, "file"));
    if (!file || strcmp(file, MODEL_FILE) != 0)
        return err_set(err, "model.file is not \"%s\"", MODEL_FILE);
    int64_t rounds = 0;
    if (get_integer(model, "model.", "rounds", &rounds, err) < 0)
        return -1;
    if (rounds < 0 || rounds > INT32_MAX)
        return err_set(err, "model.rounds %lld is out of range",
                       (long long)rounds);
    m->rounds = (int)rounds;
    const json_t *params = json_object_get(model, "params");
    if (!json_is_object(params))
        return err_set(err, "model.params is not an object");
    char *text = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(17));
    if (!text)
        return err_set(err, "model.params: out of memory");
    size_t len = strlen(text);
    int rc = 0;
    if (len >= sizeof m->params)
        rc = err_set(err, "model.params is longer than %zu bytes",
                     sizeof m->params - 1);
    else
        memcpy(m->params, text, len + 1);
    free(text);
    return rc;
}

/* ---- score scale --------------------------------------------------------- */

json_t *manifest_score_scale_json(const struct manifest *m)
{
    return json_pack("{s:f, s:f}", "target_at_300", m->target_at_300,
                     "target_at_850", m->target_at_850);
}

static int read_score_scale(struct manifest *m, const json_t *scale,
                            struct errbuf *err)
{
    return get_number(scale, "score_scale.", "target_at_300",
                      &m->target_at_300, err) < 0 ||
                   get_number(scale, "score_scale.", "target_at_850",
                              &m->target_at_850, err) < 0
               ? -1
               : 0;
}

/* ---- files --------------------------------------------------------------- */

static json_t *files_json(const struct manifest *m)
{
    json_t *o = json_object();
    for (int f = 0; f < BUNDLE_FILE_COUNT; f++)
        o = with_member(o, bundle_files[f], json_string(m->file_sha256[f]));
    return o;
}

static int read_files(struct manifest *m, const json_t *files,
                      struct errbuf *err)
{
    if (!json_is_object(files))
        return err_set(err, "\"files\" is missing");
    for (int f = 0; f < BUNDLE_FILE_COUNT; f++) {
        const json_t *v = json_object_get(files, bundle_files[f]);
        if (!json_is_string(v))
            return err_set(err, "no hash for %s", bundle_files[f]);
        if (json_string_length(v) != SHA256_HEX_SIZE - 1)
            return err_set(err, "the hash of %s is not %d hex digits",
                           bundle_files[f], SHA256_HEX_SIZE - 1);
        memcpy(m->file_sha256[f], json_string_value(v), SHA256_HEX_SIZE);
    }
    return 0;
}

/* ---- metrics ------------------------------------------------------------- */

static json_t *fit_json(const struct manifest_fit *f)
{
    return json_pack("{s:f, s:f, s:f}", "r2", f->r2, "mse", f->mse, "mae",
                     f->mae);
}

json_t *manifest_metrics_json(const struct manifest *m)
{
    return json_pack("{s:o, s:o, s:I, s:I, s:i}", "target",
                     fit_json(&m->metrics.target), "score",
                     fit_json(&m->metrics.score), "train_rows",
                     (json_int_t)m->metrics.train_rows, "test_rows",
                     (json_int_t)m->metrics.test_rows, "rounds", m->rounds);
}

static int read_fit(struct manifest_fit *f, const json_t *metrics,
                    const char *key, struct errbuf *err)
{
    const json_t *o = json_object_get(metrics, key);
    char where[32];
    snprintf(where, sizeof where, "metrics.%s.", key);
    if (!json_is_object(o))
        return err_set(err, "metrics.%s is missing", key);
    return get_number(o, where, "r2", &f->r2, err) < 0 ||
                   get_number(o, where, "mse", &f->mse, err) < 0 ||
                   get_number(o, where, "mae", &f->mae, err) < 0
               ? -1
               : 0;
}

static int read_metrics(struct manifest *m, const json_t *metrics,
                        struct errbuf *err)
{
    int64_t rounds = 0;
    if (read_fit(&m->metrics.target, metrics, "target", err) < 0 ||
        read_fit(&m->metrics.score, metrics, "score", err) < 0 ||
        get_integer(metrics, "metrics.", "train_rows",
                    &m->metrics.train_rows, err) < 0 ||
        get_integer(metrics, "metrics.", "test_rows", &m->metrics.test_rows,
                    err) < 0 ||
        get_integer(metrics, "metrics.", "rounds", &rounds, err) < 0)
        return -1;
    if (rounds != m->rounds)
        return err_set(err, "metrics.rounds %lld is not model.rounds %d",
                       (long long)rounds, m->rounds);
    return 0;
}

/* ---- feature importance -------------------------------------------------- */

static json_t *importance_json(const struct manifest *m)
{
    json_t *o = json_object();
    for (int f = 0; f < FEATURE_COUNT; f++)
        o = with_member(o, variable_names[f], json_real(m->importance[f]));
    return o;
}

static int read_importance(struct manifest *m, const json_t *imp,
                           struct errbuf *err)
{
    for (int f = 0; f < FEATURE_COUNT; f++)
        if (get_number(imp, "feature_importance.", variable_names[f],
                       &m->importance[f], err) < 0)
            return -1;
    return 0;
}

/* ---- lineage ------------------------------------------------------------- */

json_t *manifest_lineage_json(const struct manifest *m)
{
    return json_pack(
        "{s:s, s:s, s:I, s:s, s:I, s:s, s:I, s:f, s:f}", "dataset",
        m->lineage.dataset, "dataset_sha256", m->lineage.dataset_sha256,
        "dataset_rows", (json_int_t)m->lineage.dataset_rows, "target",
        m->lineage.target_from_column ? TARGET_FROM_COLUMN : TARGET_BY_RULES,
        "target_rules_mismatches",
        (json_int_t)m->lineage.target_rules_mismatches, "rules_sha256",
        m->lineage.rules_sha256, "seed", (json_int_t)m->lineage.seed,
        "test_fraction", m->lineage.test_fraction, "stopping_fraction",
        m->lineage.stopping_fraction);
}

static int read_lineage(struct manifest *m, const json_t *lineage,
                        struct errbuf *err)
{
    static const char where[] = "lineage.";
    char target[MANIFEST_TEXT_SIZE];
    int64_t seed = 0;
    if (get_text(lineage, where, "dataset", m->lineage.dataset,
                 sizeof m->lineage.dataset, err) < 0 ||
        get_text(lineage, where, "dataset_sha256", m->lineage.dataset_sha256,
                 sizeof m->lineage.dataset_sha256, err) < 0 ||
        get_integer(lineage, where, "dataset_rows", &m->lineage.dataset_rows,
                    err) < 0 ||
        get_text(lineage, where, "target", target, sizeof target, err) < 0 ||
        get_integer(lineage, where, "target_rules_mismatches",
                    &m->lineage.target_rules_mismatches, err) < 0 ||
        get_text(lineage, where, "rules_sha256", m->lineage.rules_sha256,
                 sizeof m->lineage.rules_sha256, err) < 0 ||
        get_integer(lineage, where, "seed", &seed, err) < 0 ||
        get_number(lineage, where, "test_fraction",
                   &m->lineage.test_fraction, err) < 0 ||
        get_number(lineage, where, "stopping_fraction",
                   &m->lineage.stopping_fraction, err) < 0)
        return -1;
    if (strcmp(target, TARGET_FROM_COLUMN) == 0)
        m->lineage.target_from_column = true;
    else if (strcmp(target, TARGET_BY_RULES) == 0)
        m->lineage.target_from_column = false;
    else
        return err_set(err, "lineage.target '%s' is neither \"%s\" nor "
                       "\"%s\"", target, TARGET_FROM_COLUMN, TARGET_BY_RULES);
    /* jansson holds integers as int64: a seed of 2^63 or more was written
     * as its two's complement, and reads back to the same bits. */
    m->lineage.seed = (uint64_t)seed;
    return 0;
}

/* ---- the whole ----------------------------------------------------------- */

json_t *manifest_to_json(const struct manifest *m)
{
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:o}",
        "format", BUNDLE_FORMAT, "created_at", m->created_at, "code_version",
        m->code_version, "features", manifest_features_json(), "itaee_year",
        m->itaee_year, "scaler", scaler_json(&m->scaler), "segments",
        segments_json(m), "letters", letters_json(m), "model", model_json(m),
        "score_scale",
        manifest_score_scale_json(m), "files", files_json(m), "metrics",
        manifest_metrics_json(m), "feature_importance", importance_json(m),
        "lineage", manifest_lineage_json(m));
}

int manifest_write(const struct manifest *m, const char *path,
                   struct errbuf *err)
{
    json_t *doc = manifest_to_json(m);
    if (!doc)
        return err_set(err, "%s: could not be built", path);
    int rc = atomic_write_json(path, doc, MANIFEST_JSON_FLAGS, err);
    json_decref(doc);
    return rc < 0 ? -1 : manifest_seal(path, err);
}

/* "<path>.sha256" into seal; -1 when it does not fit. */
static int seal_path(const char *path, char *seal, size_t size,
                     struct errbuf *err)
{
    if ((size_t)snprintf(seal, size, "%s" MANIFEST_SEAL_SUFFIX, path) >= size)
        return err_set(err, "%s: path too long", path);
    return 0;
}

int manifest_seal(const char *path, struct errbuf *err)
{
    char seal[PATH_MAX], hex[SHA256_HEX_SIZE], line[SHA256_HEX_SIZE + 300];
    if (seal_path(path, seal, sizeof seal, err) < 0 ||
        sha256_file(path, hex, err) < 0)
        return -1;
    const char *slash = strrchr(path, '/');
    int n = snprintf(line, sizeof line, "%s  %.255s\n", hex,
                     slash ? slash + 1 : path);
    return atomic_write_file(seal, line, (size_t)n, err);
}

int manifest_check_seal(const char *path, struct errbuf *err)
{
    char seal[PATH_MAX], got[SHA256_HEX_SIZE];
    if (seal_path(path, seal, sizeof seal, err) < 0)
        return -1;
    if (access(seal, F_OK) != 0 && errno == ENOENT)
        return 0; /* a bundle from before the seal (manifest.h) */
    size_t len;
    char *text = file_read_all(seal, &len, err);
    if (!text)
        return -1;
    int rc = 0;
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    if (len < SHA256_HEX_SIZE - 1 ||
        strspn(text, "0123456789abcdef") != SHA256_HEX_SIZE - 1)
        rc = err_set(err, "%s: not a SHA-256 of %s", seal, name);
    else if (sha256_file(path, got, err) < 0)
        rc = -1;
    else if (strncmp(got, text, SHA256_HEX_SIZE - 1) != 0)
        rc = err_set(err, "%s has changed since training (SHA-256 %.12s…, "
                          "expected %.12s… in %s" MANIFEST_SEAL_SUFFIX ")",
                     name, got, text, name);
    free(text);
    return rc;
}

/* In the order bundle_load has always reported them: format, ITAEE year,
 * features, files, scaler, segments; then the rest in document order. */
int manifest_from_json(struct manifest *m, const json_t *doc,
                       struct errbuf *err)
{
    memset(m, 0, sizeof *m);
    const char *format = json_string_value(json_object_get(doc, "format"));
    if (!format || strcmp(format, BUNDLE_FORMAT) != 0)
        return err_set(err, "format is not \"%s\"", BUNDLE_FORMAT);
    const json_t *year = json_object_get(doc, "itaee_year");
    if (!json_is_integer(year))
        return err_set(err, "itaee_year is missing");
    if (json_integer_value(year) < 0 || json_integer_value(year) > 9999)
        return err_set(err, "itaee_year %lld is not a year",
                       (long long)json_integer_value(year));
    m->itaee_year = (int)json_integer_value(year);
    const json_t *model, *scale, *metrics, *imp, *lineage;
    if (read_features(json_object_get(doc, "features"), err) < 0 ||
        read_files(m, json_object_get(doc, "files"), err) < 0 ||
        read_scaler(&m->scaler, json_object_get(doc, "scaler"), err) < 0 ||
        read_segments(m, json_object_get(doc, "segments"), err) < 0 ||
        read_letters(m, json_object_get(doc, "letters"), err) < 0 ||
        get_text(doc, "", "created_at", m->created_at, sizeof m->created_at,
                 err) < 0 ||
        get_text(doc, "", "code_version", m->code_version,
                 sizeof m->code_version, err) < 0 ||
        get_object(doc, "model", &model, err) < 0 ||
        read_model(m, model, err) < 0 ||
        get_object(doc, "score_scale", &scale, err) < 0 ||
        read_score_scale(m, scale, err) < 0 ||
        get_object(doc, "metrics", &metrics, err) < 0 ||
        read_metrics(m, metrics, err) < 0 ||
        get_object(doc, "feature_importance", &imp, err) < 0 ||
        read_importance(m, imp, err) < 0 ||
        get_object(doc, "lineage", &lineage, err) < 0 ||
        read_lineage(m, lineage, err) < 0)
        return -1;
    return 0;
}

int manifest_read(struct manifest *m, const char *path, struct errbuf *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return err_set(err, "%s", jerr.text);
    int rc = manifest_from_json(m, doc, err);
    json_decref(doc);
    return rc;
}
