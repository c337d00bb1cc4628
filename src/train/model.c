/*
 * model.c — training through XGBoost's C API, and our own evaluator of
 * the trees it grows (see model.h).
 *
 * Three parts:
 *   - the hyper-parameters: one table (param_specs) says each key's type,
 *     range and whether XGBoost takes it, and loading, validating,
 *     printing and passing them to XGBoost all read that table;
 *   - training, XGBoost's prediction and feature importance: thin, checked
 *     wrappers over the C API, every failure carrying XGBGetLastError();
 *   - the forest: XGBoost's JSON model validated and flattened once at
 *     load, then walked without XGBoost on every score.
 *
 * The forest keeps two layouts of the same trees:
 *   - complete: every tree padded to a complete binary tree of the
 *     forest's depth D (a leaf above depth D is copied into every slot
 *     below it, so either branch reaches the same value). A walk is then
 *     D steps of `i = 2i + 1 + (x[f] >= t)` with no data-dependent branch
 *     over 8-byte nodes. Trees go in groups of sixteen walked in lockstep,
 *     node slot by node slot interleaved, so sixteen independent load
 *     chains overlap and one index per tree finds its node.
 *   - compact: the reachable nodes renumbered breadth-first (children
 *     side by side), with each node's default direction. It serves rows
 *     holding a NaN (XGBoost's "missing") and forests too deep for the
 *     complete layout to be worth its memory.
 * Both add the leaves in float, in tree order, starting from base_score,
 * as XGBoost's CPU predictor does, so both agree with XGBoost bit for bit
 * (measured on every held-out row; the tests hold them to 1e-5).
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
    char *text = file_read_all(path, &len, err);
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

int model_predict_xgboost(const char *model_json, size_t model_len,
                          const float *x, size_t n, int n_features,
                          float *out, struct errbuf *err)
{
    if (n == 0)
        return 0;
    if (n_features < 1)
        return err_set(err, "%d features: at least 1 is needed", n_features);
    BoosterHandle b;
    if (booster_from_json(&b, model_json, model_len, err) < 0)
        return -1;
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

/* ---- the forest --------------------------------------------------------- */

/* Above this depth a complete tree costs more memory (2^D × 12 bytes a
 * tree) than the branch-free walk saves; such forests walk compactly. */
#define COMPLETE_MAX_DEPTH 10

/* Trees walked in lockstep, their nodes interleaved. A walk is a chain of
 * dependent loads; sixteen chains at once keep the core busy. Measured
 * with 100 and 150 trees of depth 6: 16 lanes ~30% faster than 8 and
 * twice as fast as 4, despite some lane indices living on the stack. */
#define LANES 16

struct split {
    float threshold;
    int32_t feature;
};

/* A compact node: a leaf holds its value in `value`; an internal node its
 * threshold, its feature and where its two children sit (left, left+1). */
struct cnode {
    float value;
    uint16_t feature;
    uint8_t leaf;
    uint8_t default_left;
    uint32_t left;
};

struct forest {
    int n_trees;
    int n_features;
    float base_score;
    int depth;                /* complete layout's depth; -1: not built */
    /* Trees in groups of LANES; within a group, slot j of lane k is at
     * [j × LANES + k], so one index per lane finds its node. */
    int n_groups;
    struct split *splits;     /* n_groups × (2^depth − 1) × LANES */
    float *leaves;            /* n_groups × 2^depth × LANES */
    uint32_t *roots;          /* compact: each tree's root in nodes */
    struct cnode *nodes;
};

/* One XGBoost tree as the JSON gives it, arrays borrowed from the doc. */
struct xtree {
    int n_nodes;
    json_t *left, *right, *feature, *cond, *default_left, *split_type;
};

static int node_int(json_t *array, int i)
{
    json_t *v = json_array_get(array, (size_t)i);
    return json_is_integer(v) ? (int)json_integer_value(v) : INT32_MIN;
}

/* default_left: 0/1 in XGBoost 1.x, true/false in some later writers. */
static int node_flag(json_t *array, int i)
{
    json_t *v = json_array_get(array, (size_t)i);
    return json_is_boolean(v) ? json_is_true(v) : node_int(array, i);
}

/* XGBoost writes each float in the fewest digits that read back as that
 * float; read as a double, then rounded to float, they give it back (the
 * agreement tests would catch a double-rounding exception). */
static double node_real(json_t *array, int i)
{
    json_t *v = json_array_get(array, (size_t)i);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *tree_array(json_t *tree, const char *key, int n_nodes,
                          bool required, struct errbuf *err)
{
    json_t *a = json_object_get(tree, key);
    if (!a && !required)
        return NULL;
    if (!json_is_array(a) || json_array_size(a) != (size_t)n_nodes) {
        err_set(err, "\"%s\" is not an array of %d nodes", key, n_nodes);
        return NULL;
    }
    return a;
}

static int parse_count(json_t *v, const char *what, long *out,
                       struct errbuf *err)
{
    /* XGBoost writes its model parameters as strings ("7", "5E-1"). */
    char *end;
    const char *s = json_string_value(v);
    if (!s)
        return err_set(err, "no %s", what);
    *out = strtol(s, &end, 10);
    if (end == s || *end)
        return err_set(err, "%s '%s' is not a whole number", what, s);
    return 0;
}

static int xtree_parse(struct xtree *t, json_t *tree, struct errbuf *err)
{
    long n;
    if (!json_is_object(tree))
        return err_set(err, "not an object");
    if (parse_count(json_object_get(json_object_get(tree, "tree_param"),
                                    "num_nodes"),
                    "tree_param.num_nodes", &n, err) < 0)
        return -1;
    if (n < 1 || n > INT32_MAX / 2)
        return err_set(err, "%ld nodes", n);
    t->n_nodes = (int)n;
    if (!(t->left = tree_array(tree, "left_children", t->n_nodes, true, err)) ||
        !(t->right = tree_array(tree, "right_children", t->n_nodes, true,
                                err)) ||
        !(t->feature = tree_array(tree, "split_indices", t->n_nodes, true,
                                  err)) ||
        !(t->cond = tree_array(tree, "split_conditions", t->n_nodes, true,
                               err)) ||
        !(t->default_left = tree_array(tree, "default_left", t->n_nodes, true,
                                       err)))
        return -1;
    t->split_type = tree_array(tree, "split_type", t->n_nodes, false, err);
    if (!t->split_type && json_object_get(tree, "split_type"))
        return -1;
    return 0;
}

/* Checks the nodes reachable from the root and measures the tree: a node
 * reached twice (a cycle or a shared child) is refused, which also bounds
 * every walk. `order` receives the reachable nodes breadth-first, `level`
 * each node's depth. */
static int xtree_check(const struct xtree *t, int n_features, int *order,
                       int *level, int *n_reached, int *depth,
                       struct errbuf *err)
{
    int n = t->n_nodes;
    for (int i = 0; i < n; i++)
        level[i] = -1;
    int head = 0, tail = 0;
    order[tail++] = 0;
    level[0] = 0;
    *depth = 0;
    while (head < tail) {
        int i = order[head++];
        int l = node_int(t->left, i), r = node_int(t->right, i);
        double value = node_real(t->cond, i);
        if (!isfinite(value) || !isfinite((float)value))
            return err_set(err, "node %d: split condition or leaf value is "
                           "not a finite float", i);
        if (l == -1 && r == -1) {
            if (level[i] > *depth)
                *depth = level[i];
            continue;
        }
        if (l < 0 || l >= n || r < 0 || r >= n)
            return err_set(err, "node %d: child %d is out of range "
                           "(0..%d)", i, (l < 0 || l >= n) ? l : r, n - 1);
        int f = node_int(t->feature, i);
        if (f < 0 || f >= n_features)
            return err_set(err, "node %d: feature index %d is not below "
                           "%d features", i, f, n_features);
        if (t->split_type && node_int(t->split_type, i) != 0)
            return err_set(err, "node %d: a categorical split is not "
                           "supported", i);
        int dl = node_flag(t->default_left, i);
        if (dl != 0 && dl != 1)
            return err_set(err, "node %d: default_left is not 0 or 1", i);
        if (l == r || level[l] >= 0 || level[r] >= 0)
            return err_set(err, "node %d: child %d is reached twice "
                           "(a cycle or a shared node)", i,
                           (l == r || level[l] >= 0) ? l : r);
        level[l] = level[r] = level[i] + 1;
        order[tail++] = l;
        order[tail++] = r;
    }
    *n_reached = tail;
    return 0;
}

/* Writes XGBoost node `i` into the complete layout at heap slot `slot`
 * (level `lvl`) of one lane; a leaf above the bottom fills its whole
 * subtree. Slot j of the lane is splits[j × LANES] or, at the bottom,
 * leaves[(j − internal) × LANES]. */
static void fill_complete(const struct xtree *t, int i, uint32_t slot,
                          int lvl, int depth, struct split *splits,
                          float *leaves)
{
    uint32_t internal = (1u << depth) - 1;
    if (lvl == depth) {
        leaves[(size_t)(slot - internal) * LANES] =
            (float)node_real(t->cond, i);
        return;
    }
    struct split *s = &splits[(size_t)slot * LANES];
    if (node_int(t->left, i) == -1) {
        /* Either way leads to the same leaf: the split's values do not
         * matter, only that they are harmless. */
        *s = (struct split){0.0f, 0};
        fill_complete(t, i, 2 * slot + 1, lvl + 1, depth, splits, leaves);
        fill_complete(t, i, 2 * slot + 2, lvl + 1, depth, splits, leaves);
        return;
    }
    *s = (struct split){(float)node_real(t->cond, i), node_int(t->feature, i)};
    fill_complete(t, node_int(t->left, i), 2 * slot + 1, lvl + 1, depth,
                  splits, leaves);
    fill_complete(t, node_int(t->right, i), 2 * slot + 2, lvl + 1, depth,
                  splits, leaves);
}

/* Appends the tree's reachable nodes to f->nodes at `base`, in the
 * breadth-first `order`, so siblings sit side by side. */
static void fill_compact(const struct xtree *t, const int *order,
                         int n_reached, int *renumber, struct cnode *nodes,
                         uint32_t base)
{
    for (int k = 0; k < n_reached; k++)
        renumber[order[k]] = k;
    for (int k = 0; k < n_reached; k++) {
        int i = order[k];
        struct cnode *c = &nodes[base + (uint32_t)k];
        int l = node_int(t->left, i);
        c->value = (float)node_real(t->cond, i);
        if (l == -1) {
            *c = (struct cnode){c->value, 0, 1, 0, 0};
            continue;
        }
        c->feature = (uint16_t)node_int(t->feature, i);
        c->leaf = 0;
        c->default_left = (uint8_t)node_flag(t->default_left, i);
        /* Breadth-first order puts a node's children next to each other,
         * left first. */
        c->left = base + (uint32_t)renumber[l];
    }
}

static const char *json_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* A learner_model_param entry, which XGBoost writes as a string ("11",
 * "5E-1"); absent is allowed and leaves *out alone. */
static int model_param_count(json_t *mp, const char *key, long *out,
                             struct errbuf *err)
{
    json_t *v = json_object_get(mp, key);
    return v ? parse_count(v, key, out, err) : 0;
}

/* Checks the learner — objective, booster, one output, the feature count —
 * and finds its base score and trees. */
static int check_learner(json_t *learner, int n_features, float *base_score,
                         json_t **trees, struct errbuf *err)
{
    if (!json_is_object(learner))
        return err_set(err, "no \"learner\" object: not an XGBoost JSON "
                       "model");
    const char *objective = json_str(json_object_get(learner, "objective"),
                                     "name");
    if (!objective || strcmp(objective, "reg:squarederror") != 0)
        return err_set(err, "objective '%s' is not supported (only "
                       "reg:squarederror)", objective ? objective : "");
    json_t *gb = json_object_get(learner, "gradient_booster");
    const char *booster = json_str(gb, "name");
    if (!booster || strcmp(booster, "gbtree") != 0)
        return err_set(err, "booster '%s' is not supported (only gbtree)",
                       booster ? booster : "");

    json_t *mp = json_object_get(learner, "learner_model_param");
    const char *bs = json_str(mp, "base_score");
    if (!bs)
        return err_set(err, "no learner_model_param.base_score");
    /* strtof straight from XGBoost's text gives the float XGBoost holds.
     * Later XGBoost versions write one value in brackets ("[5E-1]"). */
    char text[64], *end;
    size_t n = strlen(bs);
    if (n >= 2 && bs[0] == '[' && bs[n - 1] == ']' && n - 2 < sizeof text)
        snprintf(text, sizeof text, "%.*s", (int)(n - 2), bs + 1);
    else
        snprintf(text, sizeof text, "%s", bs);
    *base_score = strtof(text, &end);
    if (end == text || *end || !isfinite(*base_score))
        return err_set(err, "base_score '%s' is not a finite number", bs);
    long classes = 0, targets = 1, features = n_features;
    if (model_param_count(mp, "num_class", &classes, err) < 0 ||
        model_param_count(mp, "num_target", &targets, err) < 0 ||
        model_param_count(mp, "num_feature", &features, err) < 0)
        return -1;
    if (classes > 1 || targets > 1)
        return err_set(err, "%ld classes, %ld targets: only single-output "
                       "regression is supported", classes, targets);
    /* Columns are matched by position: a model of another width was
     * trained on another feature list. */
    if (features != n_features)
        return err_set(err, "the model has %ld features, expected %d",
                       features, n_features);

    json_t *model = json_object_get(gb, "model");
    *trees = json_object_get(model, "trees");
    if (!json_is_array(*trees))
        return err_set(err, "no gradient_booster.model.trees array");
    if (json_array_size(*trees) > INT32_MAX / 2)
        return err_set(err, "%zu trees", json_array_size(*trees));
    json_t *info = json_object_get(model, "tree_info");
    if (info) {
        size_t i;
        json_t *g;
        if (!json_is_array(info) ||
            json_array_size(info) != json_array_size(*trees))
            return err_set(err, "tree_info does not list every tree");
        json_array_foreach(info, i, g)
            if (!json_is_integer(g) || json_integer_value(g) != 0)
                return err_set(err, "tree %zu is not for output 0: only "
                               "single-output regression is supported", i);
    }
    return 0;
}

int forest_load(struct forest **out, const char *model_json, size_t len,
                int n_features, struct errbuf *err)
{
    *out = NULL;
    if (n_features < 1 || n_features > UINT16_MAX)
        return err_set(err, "%d features: 1..%d are supported", n_features,
                       UINT16_MAX);
    json_error_t jerr;
    json_t *doc = json_loadb(model_json, len, 0, &jerr);
    if (!doc)
        return err_set(err, "model is not JSON: line %d: %s", jerr.line,
                       jerr.text);
    struct forest *f = calloc(1, sizeof *f);
    struct xtree *xt = NULL;
    int *order = NULL, *level = NULL, *renumber = NULL;
    if (!f)
        goto oom;
    json_t *trees = NULL;
    if (check_learner(json_object_get(doc, "learner"), n_features,
                      &f->base_score, &trees, err) < 0)
        goto fail;
    f->n_features = n_features;
    f->n_trees = (int)json_array_size(trees);
    xt = calloc((size_t)f->n_trees + 1, sizeof *xt);
    f->roots = calloc((size_t)f->n_trees + 1, sizeof *f->roots);
    if (!xt || !f->roots)
        goto oom;

    /* First pass: parse and check every tree, measure both layouts. */
    size_t total_nodes = 0;
    int depth = 0, max_nodes = 0;
    for (int t = 0; t < f->n_trees; t++) {
        if (xtree_parse(&xt[t], json_array_get(trees, (size_t)t), err) < 0) {
            err_prefix(err, "tree %d", t);
            goto fail;
        }
        if (xt[t].n_nodes > max_nodes)
            max_nodes = xt[t].n_nodes;
    }
    order = malloc((size_t)max_nodes * sizeof *order);
    level = malloc((size_t)max_nodes * sizeof *level);
    renumber = malloc((size_t)max_nodes * sizeof *renumber);
    if (!order || !level || !renumber)
        goto oom;
    for (int t = 0; t < f->n_trees; t++) {
        int reached, d;
        if (xtree_check(&xt[t], n_features, order, level, &reached, &d,
                        err) < 0) {
            err_prefix(err, "tree %d", t);
            goto fail;
        }
        if (total_nodes + (size_t)reached > UINT32_MAX) {
            err_set(err, "more than %u nodes", UINT32_MAX);
            goto fail;
        }
        f->roots[t] = (uint32_t)total_nodes;
        total_nodes += (size_t)reached;
        if (d > depth)
            depth = d;
    }

    /* Second pass: lay the trees out. */
    f->nodes = malloc((total_nodes + 1) * sizeof *f->nodes);
    if (!f->nodes)
        goto oom;
    for (int t = 0; t < f->n_trees; t++) {
        int reached, d;
        xtree_check(&xt[t], n_features, order, level, &reached, &d, err);
        fill_compact(&xt[t], order, reached, renumber, f->nodes, f->roots[t]);
    }
    f->depth = -1;
    if (depth <= COMPLETE_MAX_DEPTH) {
        size_t internal = ((size_t)1 << depth) - 1;
        f->depth = depth;
        f->n_groups = (f->n_trees + LANES - 1) / LANES;
        size_t groups = (size_t)f->n_groups;
        /* calloc: lanes past the last tree hold harmless zero splits and
         * leaves that are walked but never added. */
        f->splits = calloc(groups * internal * LANES + 1, sizeof *f->splits);
        f->leaves = calloc((groups << depth) * LANES + 1, sizeof *f->leaves);
        if (!f->splits || !f->leaves)
            goto oom;
        for (int t = 0; t < f->n_trees; t++) {
            size_t g = (size_t)t / LANES, lane = (size_t)t % LANES;
            fill_complete(&xt[t], 0, 0, 0, depth,
                          f->splits + g * internal * LANES + lane,
                          f->leaves + (g << depth) * LANES + lane);
        }
    }
    free(renumber);
    free(level);
    free(order);
    free(xt);
    json_decref(doc);
    *out = f;
    return 0;

oom:
    err_set(err, "out of memory");
fail:
    free(renumber);
    free(level);
    free(order);
    free(xt);
    forest_free(f);
    json_decref(doc);
    return -1;
}

void forest_free(struct forest *f)
{
    if (!f)
        return;
    free(f->splits);
    free(f->leaves);
    free(f->roots);
    free(f->nodes);
    free(f);
}

int forest_tree_count(const struct forest *f)
{
    return f ? f->n_trees : 0;
}

/* Any row, NaN included: NaN takes the node's default direction, as in
 * XGBoost (`x < t` is false for NaN, so it is tested first). */
static float predict_compact(const struct forest *f, const float *x)
{
    float sum = f->base_score;
    for (int t = 0; t < f->n_trees; t++) {
        const struct cnode *n = &f->nodes[f->roots[t]];
        while (!n->leaf) {
            float v = x[n->feature];
            bool right = isnan(v) ? !n->default_left : !(v < n->value);
            n = &f->nodes[n->left + right];
        }
        sum += n->value;
    }
    return sum;
}

float forest_predict(const struct forest *f, const float *x)
{
    if (f->depth < 0)
        return predict_compact(f, x);
    for (int i = 0; i < f->n_features; i++)
        if (isnan(x[i]))
            return predict_compact(f, x);

    const int depth = f->depth;
    const uint32_t internal = (1u << depth) - 1;
    const struct split *s = f->splits;
    const float *leaf = f->leaves;
    /* XGBoost starts each row's sum at base_score and adds the trees in
     * order, in float; the same order gives the same bits. */
    float sum = f->base_score;
    for (int g = 0, left = f->n_trees; g < f->n_groups; g++, left -= LANES) {
        uint32_t i[LANES] = {0};
        for (int d = 0; d < depth; d++) {
            /* `>=` sends a row right exactly when XGBoost's `x < t` is
             * false: the same thing for the NaN-free rows that come here. */
#pragma GCC unroll 16
            for (int k = 0; k < LANES; k++) {
                const struct split *n = &s[i[k] * LANES + (uint32_t)k];
                i[k] = 2 * i[k] + 1 + (x[n->feature] >= n->threshold);
            }
        }
        int m = left < LANES ? left : LANES;
        for (int k = 0; k < m; k++)
            sum += leaf[(i[k] - internal) * LANES + (uint32_t)k];
        s += (size_t)internal * LANES;
        leaf += (size_t)(internal + 1) * LANES;
    }
    return sum;
}
