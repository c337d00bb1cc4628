/*
 * model.c — training through XGBoost's C API (see model.h). The trees it
 * grows are evaluated elsewhere, without XGBoost (score/forest.c).
 *
 * Two parts:
 *   - the hyper-parameters: one table (param_specs) says each key's type,
 *     range and whether XGBoost takes it, and loading, validating,
 *     printing and passing them to XGBoost all read that table;
 *   - training, XGBoost's prediction and feature importance: thin, checked
 *     wrappers over the C API, every failure carrying XGBGetLastError().
 */
#include "train/model.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "base/fileio.h"
#include "base/numeric.h"

/* ---- hyper-parameters --------------------------------------------------- */

enum param_kind { P_STRING, P_INT, P_REAL, P_SEED };

struct param_spec {
    const char *key;
    enum param_kind kind;
    size_t offset;
    size_t size;           /* of the field: a string's capacity */
    bool xgboost;          /* passed to XGBoosterSetParam under `key` */
    double lo, hi;         /* the allowed range of a number */
    bool lo_open;          /* lo itself excluded: (lo, hi] */
    const char *const *choices; /* the allowed strings, NULL-terminated */
};

/* forest_load reads only squared-error regression trees, so that is the
 * one objective training may ask for. */
static const char *const objectives[] = {"reg:squarederror", NULL};
static const char *const tree_methods[] = {"hist", "approx", "exact", NULL};

#define FIELD(field)                                                         \
    offsetof(struct model_params, field),                                    \
        sizeof(((struct model_params *)0)->field)

static const struct param_spec param_specs[] = {
    {"objective", P_STRING, FIELD(objective), true, 0, 0, false, objectives},
    {"tree_method", P_STRING, FIELD(tree_method), true, 0, 0, false,
     tree_methods},
    /* XGBoost's own ceiling is far higher, but a depth above 16 is a typo
     * here: 2^16 leaves per tree from eleven features. */
    {"max_depth", P_INT, FIELD(max_depth), true, 1, 16, false, NULL},
    {"eta", P_REAL, FIELD(eta), true, 0, 1, true, NULL},
    {"rounds", P_INT, FIELD(rounds), false, 1, 100000, false, NULL},
    {"early_stopping_rounds", P_INT, FIELD(early_stopping_rounds), false, 0,
     100000, false, NULL},
    {"subsample", P_REAL, FIELD(subsample), true, 0, 1, true, NULL},
    {"colsample_bynode", P_REAL, FIELD(colsample_bynode), true, 0, 1, true,
     NULL},
    {"min_child_weight", P_REAL, FIELD(min_child_weight), true, 0, 1e9, false,
     NULL},
    {"lambda", P_REAL, FIELD(lambda), true, 0, 1e9, false, NULL},
    {"max_bin", P_INT, FIELD(max_bin), true, 2, 65536, false, NULL},
    /* No "0 = all cores": a model must not depend on the machine that
     * trained it. (Measured here, 1, 2 and 3 threads gave byte-identical
     * models, but XGBoost does not promise that.) */
    {"nthread", P_INT, FIELD(nthread), true, 1, 256, false, NULL},
    /* XGBoost holds the seed as int64; the range is checked as integers. */
    {"seed", P_SEED, FIELD(seed), true, 0, 0, false, NULL},
    {"min_rows", P_INT, FIELD(min_rows), false, 20, 1000000000, false, NULL},
    {"min_segment_share", P_REAL, FIELD(min_segment_share), false, 0, 0.25,
     false, NULL},
    {"min_holdout_r2", P_REAL, FIELD(min_holdout_r2), false, -1, 1, false,
     NULL},
};

#define PARAM_COUNT (sizeof param_specs / sizeof param_specs[0])

void model_params_defaults(struct model_params *p)
{
    /* XGBoost's own defaults, so a params file that names nothing trains
     * as XGBoost would; data/model.json holds the measured choices. The
     * exceptions: `hist` rather than 1.7's `auto` (which picks a method by
     * data size), a fixed thread count and seed (reproducibility), and a
     * round budget, which XGBoost leaves to its caller. */
    memset(p, 0, sizeof *p);
    snprintf(p->objective, sizeof p->objective, "%s", "reg:squarederror");
    snprintf(p->tree_method, sizeof p->tree_method, "%s", "hist");
    p->max_depth = 6;
    p->eta = 0.3;
    p->rounds = 100;
    p->early_stopping_rounds = 0;
    p->subsample = 1;
    p->colsample_bynode = 1;
    p->min_child_weight = 1;
    p->lambda = 1;
    p->max_bin = 256;
    p->nthread = 2;
    p->seed = 0;
    /* the guards: see data/model.json's notes in README */
    p->min_rows = 200;
    p->min_segment_share = 0.01;
    p->min_holdout_r2 = 0.5;
}

/* The value of one parameter as text, as XGBoost and our JSON take it. */
static void param_text(const struct model_params *p,
                       const struct param_spec *s, char *buf, size_t size)
{
    const char *field = (const char *)p + s->offset;
    switch (s->kind) {
    case P_STRING:
        snprintf(buf, size, "%s", field);
        break;
    case P_INT:
        snprintf(buf, size, "%d", *(const int *)(const void *)field);
        break;
    case P_REAL:
        format_double(buf, size, *(const double *)(const void *)field);
        break;
    case P_SEED:
        snprintf(buf, size, "%" PRIu64,
                 *(const uint64_t *)(const void *)field);
        break;
    }
}

static void range_text(const struct param_spec *s, char *buf, size_t size)
{
    char lo[32], hi[32];
    format_double(lo, sizeof lo, s->lo);
    format_double(hi, sizeof hi, s->hi);
    if (s->kind == P_SEED)
        snprintf(hi, sizeof hi, "%" PRId64, INT64_MAX);
    if (s->kind == P_REAL)
        snprintf(buf, size, "%s%s, %s]", s->lo_open ? "(" : "[", lo, hi);
    else
        snprintf(buf, size, "%s..%s", lo, hi);
}

static int check_param(const struct model_params *p,
                       const struct param_spec *s, struct errbuf *err)
{
    const char *field = (const char *)p + s->offset;
    char value[64], range[80];
    param_text(p, s, value, sizeof value);
    if (s->kind == P_STRING) {
        if (strnlen(field, s->size) == s->size)
            return err_set(err, "%s is not terminated", s->key);
        for (const char *const *c = s->choices; *c; c++)
            if (strcmp(field, *c) == 0)
                return 0;
        char allowed[128] = "";
        for (const char *const *c = s->choices; *c; c++)
            snprintf(allowed + strlen(allowed),
                     sizeof allowed - strlen(allowed), "%s%s",
                     c == s->choices ? "" : ", ", *c);
        return err_set(err, "%s '%s' is not one of: %s", s->key, field,
                       allowed);
    }
    bool outside;
    if (s->kind == P_SEED) {
        /* compared as an integer: 2^63 - 1 and 2^63 are one double */
        outside = *(const uint64_t *)(const void *)field > INT64_MAX;
    } else {
        double v = s->kind == P_INT ? *(const int *)(const void *)field
                                    : *(const double *)(const void *)field;
        bool below = s->lo_open ? !(v > s->lo) : !(v >= s->lo);
        outside = below || !(v <= s->hi); /* NaN is outside */
    }
    if (outside) {
        range_text(s, range, sizeof range);
        return err_set(err, "%s %s is outside %s", s->key, value, range);
    }
    return 0;
}

static int check_params(const struct model_params *p, struct errbuf *err)
{
    for (size_t i = 0; i < PARAM_COUNT; i++)
        if (check_param(p, &param_specs[i], err) < 0)
            return -1;
    return 0;
}

static const struct param_spec *param_by_key(const char *key)
{
    for (size_t i = 0; i < PARAM_COUNT; i++)
        if (strcmp(param_specs[i].key, key) == 0)
            return &param_specs[i];
    return NULL;
}

/* Stores one JSON value into its field, refusing a wrong type; the range
 * is checked afterwards by check_param. */
static int set_param(struct model_params *p, const struct param_spec *s,
                     json_t *v, struct errbuf *err)
{
    char *field = (char *)p + s->offset;
    switch (s->kind) {
    case P_STRING:
        if (!json_is_string(v))
            return err_set(err, "%s must be a string", s->key);
        if (json_string_length(v) >= s->size)
            return err_set(err, "%s '%s' is too long", s->key,
                           json_string_value(v));
        memcpy(field, json_string_value(v), json_string_length(v) + 1);
        return 0;
    case P_INT: {
        if (!json_is_integer(v))
            return err_set(err, "%s must be a whole number", s->key);
        json_int_t n = json_integer_value(v);
        if (n < (json_int_t)s->lo || n > (json_int_t)s->hi)
            return err_set(err, "%s %" JSON_INTEGER_FORMAT " is outside "
                           "%.0f..%.0f", s->key, n, s->lo, s->hi);
        *(int *)(void *)field = (int)n;
        return 0;
    }
    case P_SEED: {
        if (!json_is_integer(v))
            return err_set(err, "%s must be a whole number", s->key);
        json_int_t n = json_integer_value(v);
        if (n < 0)
            return err_set(err, "%s %" JSON_INTEGER_FORMAT " is outside "
                           "0..%" PRId64, s->key, n, INT64_MAX);
        *(uint64_t *)(void *)field = (uint64_t)n;
        return 0;
    }
    case P_REAL:
        if (!json_is_number(v))
            return err_set(err, "%s must be a number", s->key);
        *(double *)(void *)field = json_number_value(v);
        return 0;
    }
    return 0;
}

int model_params_load(struct model_params *p, const char *path,
                      struct errbuf *err)
{
    size_t len;
    char *text = file_read_limited(path, FILE_CAP_PARAMS, &len, err);
    if (!text)
        return -1;
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!doc)
        return err_set(err, "%s line %d: %s", path, jerr.line, jerr.text);
    int rc = 0;
    struct model_params tmp = *p;
    if (!json_is_object(doc)) {
        rc = err_set(err, "%s: the document must be a JSON object", path);
    } else {
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v) {
            const struct param_spec *s = param_by_key(key);
            if (!s) {
                rc = err_set(err, "%s: unknown key '%s'", path, key);
                break;
            }
            if (set_param(&tmp, s, v, err) < 0 ||
                check_param(&tmp, s, err) < 0) {
                rc = err_prefix(err, "%s", path);
                break;
            }
        }
    }
    json_decref(doc);
    if (rc == 0)
        *p = tmp; /* all or nothing: a refused file changes nothing */
    return rc;
}

char *model_params_to_json(const struct model_params *p)
{
    /* Written by hand rather than by jansson so reals come out short
     * ("0.1", not "0.10000000000000001") and keys in the table's order. */
    size_t cap = 1024, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    n += (size_t)snprintf(out + n, cap - n, "{");
    for (size_t i = 0; i < PARAM_COUNT; i++) {
        const struct param_spec *s = &param_specs[i];
        char value[64];
        param_text(p, s, value, sizeof value);
        char *quoted = NULL;
        if (s->kind == P_STRING) {
            json_t *str = json_string(value);
            quoted = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
            json_decref(str);
            if (!quoted) {
                free(out);
                return NULL;
            }
        }
        size_t need = strlen(s->key) + strlen(quoted ? quoted : value) + 8;
        if (n + need >= cap) { /* cannot happen with today's table */
            free(quoted);
            free(out);
            return NULL;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s\"%s\": %s",
                              i ? ", " : "", s->key, quoted ? quoted : value);
        free(quoted);
    }
    snprintf(out + n, cap - n, "}");
    return out;
}

/* ---- XGBoost wrappers --------------------------------------------------- */

/* `call` failed: the message names it and carries XGBoost's reason. */
static int xgb_fail(struct errbuf *err, const char *call)
{
    const char *why = XGBGetLastError();
    return err_set(err, "XGBoost %s: %s", call, why && *why ? why : "failed");
}

#define XGB_CHECK(call, name)                                                \
    do {                                                                     \
        if ((call) != 0) {                                                   \
            xgb_fail(err, name);                                             \
            goto fail;                                                       \
        }                                                                    \
    } while (0)

/* XGBoost logs warnings and progress to stderr by default; a library call
 * must print nothing. XGBoost keeps this setting per thread, so it is set
 * on every call, in the thread that makes it. */
static int xgb_quiet(struct errbuf *err)
{
    if (XGBSetGlobalConfig("{\"verbosity\": 0}") != 0)
        return xgb_fail(err, "XGBSetGlobalConfig");
    return 0;
}

static int matrix_new(DMatrixHandle *out, const float *x, const float *y,
                      size_t n, int n_features, const char *what,
                      struct errbuf *err)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return err_set(err, "%s row %zu: the target %g is not finite",
                           what, i + 1, (double)y[i]);
    /* NaN marks a missing value, as everywhere in XGBoost. */
    if (XGDMatrixCreateFromMat(x, (bst_ulong)n, (bst_ulong)n_features, NAN,
                               out) != 0)
        return xgb_fail(err, "XGDMatrixCreateFromMat");
    if (XGDMatrixSetFloatInfo(*out, "label", y, (bst_ulong)n) != 0) {
        xgb_fail(err, "XGDMatrixSetFloatInfo");
        XGDMatrixFree(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The rmse in EvalOneIter's "[12]\tvalid-rmse:0.0123". */
static int parse_rmse(const char *text, double *rmse, struct errbuf *err)
{
    const char *at = text ? strstr(text, "valid-rmse:") : NULL;
    char *end;
    if (at) {
        *rmse = strtod(at + strlen("valid-rmse:"), &end);
        if (end != at + strlen("valid-rmse:") && !isnan(*rmse))
            return 0;
    }
    return err_set(err, "XGBoost evaluation '%s' has no valid-rmse",
                   text ? text : "");
}

static int save_json(BoosterHandle b, char **model_json, size_t *model_len,
                     struct errbuf *err)
{
    bst_ulong len;
    const char *buf;
    if (XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &len, &buf)
        != 0)
        return xgb_fail(err, "XGBoosterSaveModelToBuffer");
    /* The buffer is XGBoost's until its next call: copy it, NUL-ended so
     * a caller may treat it as a string. */
    char *copy = malloc((size_t)len + 1);
    if (!copy)
        return err_set(err, "out of memory for a %llu-byte model",
                       (unsigned long long)len);
    memcpy(copy, buf, (size_t)len);
    copy[len] = '\0';
    *model_json = copy;
    *model_len = (size_t)len;
    return 0;
}

int model_train(const float *x_train, const float *y_train, size_t n_train,
                const float *x_valid, const float *y_valid, size_t n_valid,
                int n_features, const struct model_params *p,
                char **model_json, size_t *model_len, int *rounds_kept,
                struct errbuf *err)
{
    *model_json = NULL;
    *model_len = 0;
    *rounds_kept = 0;
    if (n_train == 0)
        return err_set(err, "no training rows");
    if (n_features < 1)
        return err_set(err, "%d features: at least 1 is needed", n_features);
    if (check_params(p, err) < 0)
        return -1;
    if (xgb_quiet(err) < 0)
        return -1;

    DMatrixHandle train = NULL, valid = NULL;
    BoosterHandle booster = NULL, best = NULL;
    if (matrix_new(&train, x_train, y_train, n_train, n_features, "training",
                   err) < 0)
        return -1;
    bool stopping = n_valid > 0 && p->early_stopping_rounds > 0;
    if (stopping && matrix_new(&valid, x_valid, y_valid, n_valid, n_features,
                               "validation", err) < 0)
        goto fail;

    /* Both matrices are the booster's cache, so each round's evaluation
     * adds the new tree to kept predictions instead of re-predicting. */
    DMatrixHandle cache[2] = {train, valid};
    XGB_CHECK(XGBoosterCreate(cache, stopping ? 2 : 1, &booster),
              "XGBoosterCreate");
    for (size_t i = 0; i < PARAM_COUNT; i++) {
        if (!param_specs[i].xgboost)
            continue;
        char value[64];
        param_text(p, &param_specs[i], value, sizeof value);
        if (XGBoosterSetParam(booster, param_specs[i].key, value) != 0) {
            xgb_fail(err, "XGBoosterSetParam");
            err_prefix(err, "%s = %s", param_specs[i].key, value);
            goto fail;
        }
    }
    XGB_CHECK(XGBoosterSetParam(booster, "eval_metric", "rmse"),
              "XGBoosterSetParam");

    int rounds = 0, best_round = -1;
    double best_rmse = INFINITY;
    const char *names[1] = {"valid"};
    for (int r = 0; r < p->rounds; r++) {
        XGB_CHECK(XGBoosterUpdateOneIter(booster, r, train),
                  "XGBoosterUpdateOneIter");
        rounds = r + 1;
        if (!stopping)
            continue;
        const char *eval;
        double rmse = INFINITY;
        XGB_CHECK(XGBoosterEvalOneIter(booster, r, &valid, names, 1, &eval),
                  "XGBoosterEvalOneIter");
        if (parse_rmse(eval, &rmse, err) < 0)
            goto fail;
        /* Only a strict improvement counts, as in XGBoost's own early
         * stopping, so a plateau keeps its first round. */
        if (rmse < best_rmse) {
            best_rmse = rmse;
            best_round = r;
        } else if (r - best_round >= p->early_stopping_rounds) {
            break;
        }
    }

    BoosterHandle keep = booster;
    if (stopping && best_round + 1 < rounds) {
        XGB_CHECK(XGBoosterSlice(booster, 0, best_round + 1, 1, &best),
                  "XGBoosterSlice");
        keep = best;
        rounds = best_round + 1;
    }
    if (save_json(keep, model_json, model_len, err) < 0)
        goto fail;
    *rounds_kept = rounds;
    XGBoosterFree(best);
    XGBoosterFree(booster);
    XGDMatrixFree(valid);
    XGDMatrixFree(train);
    return 0;

fail:
    if (best)
        XGBoosterFree(best);
    if (booster)
        XGBoosterFree(booster);
    if (valid)
        XGDMatrixFree(valid);
    if (train)
        XGDMatrixFree(train);
    return -1;
}

static int booster_from_json(BoosterHandle *out, const char *model_json,
                             size_t model_len, struct errbuf *err)
{
    *out = NULL;
    if (xgb_quiet(err) < 0)
        return -1;
    if (XGBoosterCreate(NULL, 0, out) != 0)
        return xgb_fail(err, "XGBoosterCreate");
    if (XGBoosterLoadModelFromBuffer(*out, model_json, (bst_ulong)model_len)
        != 0) {
        xgb_fail(err, "XGBoosterLoadModelFromBuffer");
        XGBoosterFree(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The booster to predict n rows of n_features with: 1 with it in *b, 0
 * when there is nothing to predict (no rows), -1 with err. */
static int booster_for_rows(BoosterHandle *b, const char *model_json,
                            size_t model_len, size_t n, int n_features,
                            struct errbuf *err)
{
    if (n == 0)
        return 0;
    if (n_features < 1)
        return err_set(err, "%d features: at least 1 is needed", n_features);
    return booster_from_json(b, model_json, model_len, err) < 0 ? -1 : 1;
}

int model_predict_xgboost(const char *model_json, size_t model_len,
                          const float *x, size_t n, int n_features,
                          float *out, struct errbuf *err)
{
    BoosterHandle b;
    int ready = booster_for_rows(&b, model_json, model_len, n, n_features,
                                 err);
    if (ready <= 0)
        return ready;
    /* In-place prediction over our row-major floats, described as a NumPy
     * __array_interface__. 1.7.4 aborts without "cache_id" (NOTES.md). */
    char values[160];
    snprintf(values, sizeof values,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %d], "
             "\"strides\": null, \"typestr\": \"<f4\", \"version\": 3}",
             (uintptr_t)x, n, n_features);
    static const char config[] =
        "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
        "\"iteration_end\": 0, \"strict_shape\": false, \"missing\": NaN, "
        "\"cache_id\": 0}";
    const bst_ulong *shape;
    bst_ulong dim;
    const float *result;
    if (XGBoosterPredictFromDense(b, values, config, NULL, &shape, &dim,
                                  &result) != 0) {
        xgb_fail(err, "XGBoosterPredictFromDense");
        XGBoosterFree(b);
        return -1;
    }
    bst_ulong count = 1;
    for (bst_ulong i = 0; i < dim; i++)
        count *= shape[i];
    if (count != (bst_ulong)n) {
        XGBoosterFree(b);
        return err_set(err, "XGBoost predicted %llu values for %zu rows "
                       "(not a single-target regression model?)",
                       (unsigned long long)count, n);
    }
    memcpy(out, result, n * sizeof *out);
    XGBoosterFree(b);
    return 0;
}

/* In-place prediction does not compute contributions (1.7.4: "Unsupported
 * prediction type:2"), so these go through a DMatrix. */
int model_contributions_xgboost(const char *model_json, size_t model_len,
                                const float *x, size_t n, int n_features,
                                float *out, struct errbuf *err)
{
    BoosterHandle b;
    int ready = booster_for_rows(&b, model_json, model_len, n, n_features,
                                 err);
    if (ready <= 0)
        return ready;
    DMatrixHandle m;
    if (XGDMatrixCreateFromMat(x, (bst_ulong)n, (bst_ulong)n_features, NAN,
                               &m) != 0) {
        xgb_fail(err, "XGDMatrixCreateFromMat");
        XGBoosterFree(b);
        return -1;
    }
    bst_ulong len;
    const float *result;
    int rc = 0;
    /* option_mask 4: pred_contribs (exact TreeSHAP) */
    if (XGBoosterPredict(b, m, 4, 0, 0, &len, &result) != 0)
        rc = xgb_fail(err, "XGBoosterPredict");
    else if (len != (bst_ulong)(n * ((size_t)n_features + 1)))
        rc = err_set(err, "XGBoost gave %llu contributions for %zu rows of "
                     "%d features", (unsigned long long)len, n, n_features);
    else
        memcpy(out, result, len * sizeof *out);
    XGDMatrixFree(m);
    XGBoosterFree(b);
    return rc;
}

int model_feature_importance(const char *model_json, size_t model_len,
                             int n_features, double *importance,
                             struct errbuf *err)
{
    if (n_features < 1)
        return err_set(err, "%d features: at least 1 is needed", n_features);
    for (int i = 0; i < n_features; i++)
        importance[i] = 0;
    BoosterHandle b;
    if (booster_from_json(&b, model_json, model_len, err) < 0)
        return -1;
    bst_ulong n_names, dim;
    const char **names;
    const bst_ulong *shape;
    const float *scores;
    if (XGBoosterFeatureScore(b, "{\"importance_type\": \"total_gain\"}",
                              &n_names, &names, &dim, &shape, &scores) != 0) {
        xgb_fail(err, "XGBoosterFeatureScore");
        XGBoosterFree(b);
        return -1;
    }
    /* XGBoost lists only the features some split uses, named f0, f1, …
     * by column index when the model carries no names. */
    double total = 0;
    for (bst_ulong i = 0; i < n_names; i++) {
        char *end;
        long index = names[i][0] == 'f' ? strtol(names[i] + 1, &end, 10) : -1;
        if (index < 0 || index >= n_features || end == names[i] + 1 || *end) {
            err_set(err, "XGBoost names feature '%s', not one of f0..f%d",
                    names[i], n_features - 1);
            XGBoosterFree(b);
            return -1;
        }
        importance[index] += scores[i];
        total += scores[i];
    }
    XGBoosterFree(b);
    /* A model without a single split has no importance to share out: all
     * stay 0 rather than dividing by zero. */
    if (total > 0)
        for (int i = 0; i < n_features; i++)
            importance[i] /= total;
    return 0;
}
