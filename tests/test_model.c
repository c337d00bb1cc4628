/*
 * test_model.c — the hyper-parameters file, training through XGBoost
 * (learning, determinism, early stopping, importance), and our forest
 * against XGBoost itself: the same prediction on every held-out row, and
 * the refusal of models it cannot evaluate, with the reason.
 *
 * Data is small and seeded (a few thousand rows of a known function), so
 * the suite runs in well under a second or two.
 */
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/forest.h"
#include "train/model.h"
#include "base/prng.h"

#define NF 6 /* features of the synthetic problems */

struct sample {
    size_t n;
    float *x; /* n × NF */
    float *y;
};

/* A known function of the features, additive steps plus one interaction,
 * like the business rules; feature 5 is constant, so no split can use
 * it. `missing`: the share of feature values replaced by NaN. `noise`:
 * the spread of a uniform error added to the target. */
static struct sample make_sample(size_t n, uint64_t seed, double missing,
                                 double noise)
{
    struct sample s = {n, malloc(n * NF * sizeof(float)),
                       malloc(n * sizeof(float))};
    assert_non_null(s.x);
    assert_non_null(s.y);
    struct prng p;
    prng_seed(&p, seed);
    for (size_t i = 0; i < n; i++) {
        float *x = &s.x[i * NF];
        for (int k = 0; k < NF - 1; k++)
            x[k] = (float)prng_uniform(&p);
        x[NF - 1] = 1.0f;
        double y = 0.5 * (x[0] > 0.3f) + 0.3 * (x[1] > 0.6f) +
                   0.2 * (x[2] > 0.5f && x[3] > 0.5f) +
                   0.1 * floor(x[4] * 4) / 4;
        s.y[i] = (float)(y + noise * (prng_uniform(&p) - 0.5));
        for (int k = 0; k < NF - 1; k++)
            if (prng_uniform(&p) < missing)
                x[k] = NAN;
    }
    return s;
}

static void free_sample(struct sample *s)
{
    free(s->x);
    free(s->y);
}

/* Fast parameters for small data. */
static struct model_params small_params(void)
{
    struct model_params p;
    model_params_defaults(&p);
    p.max_depth = 4;
    p.rounds = 40;
    p.max_bin = 256;
    p.seed = 7;
    return p;
}

static char *train_or_fail(const struct sample *train,
                           const struct sample *valid,
                           const struct model_params *p, size_t *len,
                           int *kept)
{
    char *json;
    struct errbuf err;
    int rounds;
    if (model_train(train->x, train->y, train->n, valid ? valid->x : NULL,
                    valid ? valid->y : NULL, valid ? valid->n : 0, NF, p,
                    &json, len, kept ? kept : &rounds, &err) < 0)
        fail_msg("model_train: %s", err.msg);
    return json;
}

/* make_sample's arguments, for the tests that need a sample only to train
 * on: they name it in one line and train_spec makes and frees it. */
struct sample_spec {
    size_t n;
    uint64_t seed;
    double missing, noise;
};
#define SAMPLE(n, seed, missing, noise)                                      \
    ((struct sample_spec){n, seed, missing, noise})
#define NO_VALIDATION SAMPLE(0, 0, 0, 0)

/* Trains p on a sample made to `train`, stopping early against one made to
 * `valid` unless valid.n is 0; the rounds kept go to *kept if not NULL. */
static char *train_spec(struct sample_spec train, struct sample_spec valid,
                        const struct model_params *p, size_t *len, int *kept)
{
    struct sample t = make_sample(train.n, train.seed, train.missing,
                                  train.noise);
    struct sample v = {0, NULL, NULL};
    if (valid.n > 0)
        v = make_sample(valid.n, valid.seed, valid.missing, valid.noise);
    char *json = train_or_fail(&t, valid.n > 0 ? &v : NULL, p, len, kept);
    free_sample(&t);
    free_sample(&v);
    return json;
}

static struct forest *forest_or_fail(const char *json, size_t len)
{
    struct forest *f;
    struct errbuf err;
    if (forest_load(&f, json, len, NF, &err) < 0)
        fail_msg("forest_load: %s", err.msg);
    return f;
}

/* A small trained model, for the tests that only need some model: three
 * stumps, so every tree has exactly three nodes. */
static char *some_model(size_t *len)
{
    struct model_params p = small_params();
    p.max_depth = 1;
    p.rounds = 3;
    return train_spec(SAMPLE(500, 11, 0, 0), NO_VALIDATION, &p, len, NULL);
}

static json_t *first_tree(json_t *doc)
{
    json_t *trees = json_object_get(
        json_object_get(
            json_object_get(json_object_get(doc, "learner"),
                            "gradient_booster"),
            "model"),
        "trees");
    return json_array_get(trees, 0);
}

/* How deep the model's deepest leaf lies. */
static int model_depth(const char *json, size_t len)
{
    json_t *doc = json_loadb(json, len, 0, NULL);
    assert_non_null(doc);
    json_t *tree = first_tree(doc);
    json_t *parents = json_object_get(tree, "parents");
    int depth = 0;
    for (size_t i = 0; i < json_array_size(parents); i++) {
        int d = 0;
        for (size_t j = i; j != 0 && d <= 64; d++)
            j = (size_t)json_integer_value(json_array_get(parents, j));
        if (d > depth)
            depth = d;
    }
    json_decref(doc);
    return depth;
}

/* ---- hyper-parameters --------------------------------------------------- */

static int load_params_text(struct model_params *p, const char *text,
                            struct errbuf *err)
{
    char *dir = test_mkdtemp();
    char *path = test_write_file(dir, "params.json", text);
    int rc = model_params_load(p, path, err);
    /* name the file as the message does, without the temporary dir */
    char *slash = strrchr(err->msg, '/');
    if (rc < 0 && slash && strstr(err->msg, dir) == err->msg)
        memmove(err->msg, slash + 1, strlen(slash + 1) + 1);
    test_rmtree(dir);
    free(path);
    free(dir);
    return rc;
}

static void load_params_or_fail(struct model_params *p, const char *text)
{
    struct errbuf err;
    if (load_params_text(p, text, &err) < 0)
        fail_msg("%s: %s", text, err.msg);
}

/* Loads text over the defaults: it must be refused with exactly msg, and
 * leave every parameter as it was. */
static void assert_params_refused(const char *text, const char *msg)
{
    struct model_params p, before;
    struct errbuf err;
    model_params_defaults(&p);
    memcpy(&before, &p, sizeof p);
    if (load_params_text(&p, text, &err) != -1)
        fail_msg("%s was accepted", text);
    if (strcmp(err.msg, msg) != 0)
        fail_msg("%s: got \"%s\", expected \"%s\"", text, err.msg, msg);
    if (memcmp(&p, &before, sizeof p) != 0)
        fail_msg("%s was refused but changed the parameters", text);
}

static void defaults_are_xgboost_own_with_fixed_threads(void **state)
{
    (void)state;
    struct model_params p;
    model_params_defaults(&p);
    assert_string_equal(p.objective, "reg:squarederror");
    assert_string_equal(p.tree_method, "hist");
    assert_int_equal(p.max_depth, 6);
    assert_true(p.eta == 0.3);
    assert_true(p.subsample == 1 && p.colsample_bynode == 1);
    assert_true(p.min_child_weight == 1 && p.lambda == 1);
    assert_int_equal(p.max_bin, 256);
    assert_int_equal(p.early_stopping_rounds, 0);
    assert_true(p.rounds > 0);
    assert_true(p.nthread >= 1); /* never "all cores": not reproducible */
}

static void a_partial_params_file_keeps_the_other_defaults(void **state)
{
    (void)state;
    struct model_params p, want;
    model_params_defaults(&p);
    model_params_defaults(&want);
    load_params_or_fail(&p, "{\"eta\": 0.05, \"max_depth\": 3, "
                            "\"seed\": 123456789012}");
    want.eta = 0.05;
    want.max_depth = 3;
    want.seed = 123456789012ULL;
    assert_memory_equal(&p, &want, sizeof p);
}

static void an_unknown_params_key_is_refused_by_name(void **state)
{
    (void)state;
    assert_params_refused("{\"eta\": 0.1, \"etta\": 0.2}",
                          "params.json: unknown key 'etta'");
}

static void out_of_range_params_are_refused_naming_key_and_value(void **s)
{
    (void)s;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"{\"eta\": 0}", "params.json: eta 0 is outside (0, 1]"},
        {"{\"eta\": 1.5}", "params.json: eta 1.5 is outside (0, 1]"},
        {"{\"max_depth\": 0}", "params.json: max_depth 0 is outside 1..16"},
        {"{\"max_depth\": 6.5}",
         "params.json: max_depth must be a whole number"},
        {"{\"rounds\": 0}", "params.json: rounds 0 is outside 1..100000"},
        {"{\"early_stopping_rounds\": -1}",
         "params.json: early_stopping_rounds -1 is outside 0..100000"},
        {"{\"subsample\": 0}", "params.json: subsample 0 is outside (0, 1]"},
        {"{\"colsample_bynode\": 1.01}",
         "params.json: colsample_bynode 1.01 is outside (0, 1]"},
        {"{\"min_child_weight\": -1}",
         "params.json: min_child_weight -1 is outside [0, 1000000000]"},
        {"{\"lambda\": -0.5}",
         "params.json: lambda -0.5 is outside [0, 1000000000]"},
        {"{\"max_bin\": 1}", "params.json: max_bin 1 is outside 2..65536"},
        {"{\"nthread\": 0}", "params.json: nthread 0 is outside 1..256"},
        {"{\"seed\": -3}",
         "params.json: seed -3 is outside 0..9223372036854775807"},
        {"{\"objective\": \"reg:logistic\"}",
         "params.json: objective 'reg:logistic' is not one of: "
         "reg:squarederror"},
        {"{\"tree_method\": \"gpu_hist\"}",
         "params.json: tree_method 'gpu_hist' is not one of: hist, approx, "
         "exact"},
        {"{\"eta\": \"0.1\"}", "params.json: eta must be a number"},
        {"[1]", "params.json: the document must be a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_params_refused(cases[i].text, cases[i].msg);
}

static void a_refused_params_file_changes_nothing(void **state)
{
    (void)state;
    /* eta is valid and comes first: it must not be kept either */
    assert_params_refused("{\"eta\": 0.1, \"max_bin\": 0}",
                          "params.json: max_bin 0 is outside 2..65536");
}

static void the_shipped_params_file_is_valid(void **state)
{
    (void)state;
    struct model_params p;
    struct errbuf err;
    char path[4096];
    snprintf(path, sizeof path, "%s/model.json", INCOMESCORE_DATADIR);
    model_params_defaults(&p);
    if (model_params_load(&p, path, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(p.early_stopping_rounds > 0);
}

static void params_json_reads_back_as_the_same_params(void **state)
{
    (void)state;
    struct model_params p, back;
    model_params_defaults(&p);
    p.eta = 0.1; /* not exact in binary: must still come back equal */
    p.subsample = 0.8;
    p.seed = 9007199254740993ULL; /* beyond a double's integers */
    char *text = model_params_to_json(&p);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"eta\": 0.1,"));
    model_params_defaults(&back);
    back.max_depth = 2; /* overwritten by the file */
    load_params_or_fail(&back, text);
    assert_memory_equal(&p, &back, sizeof p);
    free(text);
}

/* ---- training ----------------------------------------------------------- */

static double r_squared(const float *y, const float *pred, size_t n)
{
    double mean = 0, ss_tot = 0, ss_res = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        ss_tot += ((double)y[i] - mean) * ((double)y[i] - mean);
        ss_res += ((double)y[i] - pred[i]) * ((double)y[i] - pred[i]);
    }
    return 1 - ss_res / ss_tot;
}

static void training_learns_a_known_function_on_held_out_rows(void **state)
{
    (void)state;
    struct model_params p = small_params();
    size_t len;
    int kept;
    char *json = train_spec(SAMPLE(3000, 1, 0, 0), NO_VALIDATION, &p, &len,
                            &kept);
    assert_int_equal(kept, p.rounds);
    struct forest *f = forest_or_fail(json, len);
    assert_int_equal(forest_tree_count(f), kept);
    struct sample test = make_sample(1000, 2, 0, 0);
    float *pred = malloc(test.n * sizeof *pred);
    for (size_t i = 0; i < test.n; i++)
        pred[i] = forest_predict(f, &test.x[i * NF]);
    double r2 = r_squared(test.y, pred, test.n);
    print_message("held-out R² %.5f\n", r2);
    assert_true(r2 > 0.995);
    free(pred);
    forest_free(f);
    free(json);
    free_sample(&test);
}

static void the_same_seed_gives_byte_identical_model_json(void **state)
{
    (void)state;
    /* sampling rows and columns, so the seed is what makes it repeat */
    struct sample_spec train = SAMPLE(2000, 3, 0.02, 0.05);
    struct sample_spec valid = SAMPLE(500, 4, 0.02, 0.05);
    struct model_params p = small_params();
    p.subsample = 0.7;
    p.colsample_bynode = 0.6;
    p.early_stopping_rounds = 5;
    size_t len1, len2, len3;
    int kept1, kept2;
    char *a = train_spec(train, valid, &p, &len1, &kept1);
    char *b = train_spec(train, valid, &p, &len2, &kept2);
    assert_int_equal(kept1, kept2);
    assert_int_equal(len1, len2);
    assert_memory_equal(a, b, len1);
    p.seed++; /* and the seed matters */
    char *c = train_spec(train, valid, &p, &len3, NULL);
    assert_true(len3 != len1 || memcmp(a, c, len1) != 0);
    free(a);
    free(b);
    free(c);
}

static void early_stopping_keeps_fewer_rounds_than_the_maximum(void **state)
{
    (void)state;
    /* Heavy noise: after the signal is learnt, deep trees only fit noise
     * and the validation error climbs. */
    struct model_params p = small_params();
    p.max_depth = 6;
    p.rounds = 200;
    p.early_stopping_rounds = 5;
    size_t len;
    int kept;
    char *json = train_spec(SAMPLE(2000, 5, 0, 2.0), SAMPLE(1000, 6, 0, 2.0),
                            &p, &len, &kept);
    print_message("kept %d of %d rounds\n", kept, p.rounds);
    assert_true(kept >= 1 && kept < p.rounds - p.early_stopping_rounds);
    struct forest *f = forest_or_fail(json, len);
    assert_int_equal(forest_tree_count(f), kept); /* the rest were cut */
    forest_free(f);
    free(json);
}

static void feature_importance_sums_to_one_and_is_zero_for_unused(void **s)
{
    (void)s;
    struct model_params p = small_params();
    size_t len;
    char *json = train_spec(SAMPLE(2000, 7, 0, 0), NO_VALIDATION, &p, &len,
                            NULL);
    double imp[NF];
    struct errbuf err;
    if (model_feature_importance(json, len, NF, imp, &err) < 0)
        fail_msg("%s", err.msg);
    double sum = 0;
    for (int k = 0; k < NF; k++) {
        assert_true(imp[k] >= 0);
        sum += imp[k];
    }
    assert_true(fabs(sum - 1) < 1e-9);
    assert_true(imp[NF - 1] == 0); /* the constant feature */
    assert_true(imp[0] > imp[4]);  /* the 0.5 step beats the 0.1 ramp */
    free(json);
}

/* Training on `train` with p must fail with exactly msg and no model. */
static void assert_training_refused(const struct sample *train,
                                    const struct model_params *p,
                                    const char *msg)
{
    char *json;
    size_t len;
    int kept;
    struct errbuf err;
    assert_int_equal(model_train(train->x, train->y, train->n, NULL, NULL, 0,
                                 NF, p, &json, &len, &kept, &err),
                     -1);
    assert_string_equal(err.msg, msg);
    assert_null(json);
}

static void training_refuses_a_non_finite_target_naming_the_row(void **s)
{
    (void)s;
    struct sample train = make_sample(100, 8, 0, 0);
    train.y[41] = NAN;
    struct model_params p = small_params();
    assert_training_refused(&train, &p,
                            "training row 42: the target nan is not finite");
    free_sample(&train);
}

static void training_refuses_out_of_range_params(void **state)
{
    (void)state;
    struct sample train = make_sample(100, 9, 0, 0);
    struct model_params p = small_params();
    p.eta = 2;
    assert_training_refused(&train, &p, "eta 2 is outside (0, 1]");
    p = small_params();
    p.seed = UINT64_MAX; /* XGBoost's seed is an int64 */
    assert_training_refused(&train, &p, "seed 18446744073709551615 is outside "
                                        "0..9223372036854775807");
    free_sample(&train);
}

static void xgboost_prediction_refuses_a_broken_model(void **state)
{
    (void)state;
    float x[NF] = {0}, out;
    struct errbuf err;
    static const char junk[] = "{\"learner\": 3}";
    assert_int_equal(model_predict_xgboost(junk, strlen(junk), x, 1, NF, &out,
                                           &err),
                     -1);
    static const char prefix[] = "XGBoost XGBoosterLoadModelFromBuffer: ";
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("%s", err.msg);
}

/* ---- the forest against XGBoost ----------------------------------------- */

/* Trains p on `train`, scores every row of `rows` both with our forest
 * and with XGBoost, and asserts they agree within 1e-5; `what` names the
 * rows in the printed summary. Returns the depth of the trained model. */
static int assert_forest_agrees(const struct sample *train,
                                const struct sample *rows,
                                const struct model_params *p, const char *what)
{
    size_t len;
    char *json = train_or_fail(train, NULL, p, &len, NULL);
    int depth = model_depth(json, len);
    struct forest *f = forest_or_fail(json, len);
    struct errbuf err;
    float *ref = malloc(rows->n * sizeof *ref);
    assert_non_null(ref);
    if (model_predict_xgboost(json, len, rows->x, rows->n, NF, ref, &err) < 0)
        fail_msg("model_predict_xgboost: %s", err.msg);
    double max = 0;
    size_t identical = 0;
    for (size_t i = 0; i < rows->n; i++) {
        float ours = forest_predict(f, &rows->x[i * NF]);
        double d = fabs((double)ours - (double)ref[i]);
        if (!(d <= max)) /* NaN counts as the largest */
            max = isnan(d) ? INFINITY : d;
        identical += ours == ref[i];
    }
    print_message("max |forest - xgboost| = %g over %zu %s, %zu identical, "
                  "depth %d\n", max, rows->n, what, identical, depth);
    assert_true(max <= 1e-5);
    free(ref);
    forest_free(f);
    free(json);
    return depth;
}

/* The same, on samples made to `train` and `rows`. */
static int assert_forest_agrees_on(struct sample_spec train,
                                   struct sample_spec rows,
                                   const struct model_params *p,
                                   const char *what)
{
    struct sample t = make_sample(train.n, train.seed, train.missing,
                                  train.noise);
    struct sample r = make_sample(rows.n, rows.seed, rows.missing, rows.noise);
    int depth = assert_forest_agrees(&t, &r, p, what);
    free_sample(&t);
    free_sample(&r);
    return depth;
}

/* Our TreeSHAP against XGBoost's pred_contribs on every row of `rows`:
 * each contribution and the bias within 1e-4 (XGBoost sums in float, we
 * in double), and contributions + bias = the forest's prediction within
 * 1e-4. */
static void assert_explanations_agree(const struct sample *train,
                                      const struct sample *rows,
                                      const struct model_params *p,
                                      const char *what)
{
    size_t len;
    char *json = train_or_fail(train, NULL, p, &len, NULL);
    struct forest *f = forest_or_fail(json, len);
    struct errbuf err;
    float *ref = malloc(rows->n * (NF + 1) * sizeof *ref);
    assert_non_null(ref);
    if (model_contributions_xgboost(json, len, rows->x, rows->n, NF, ref,
                                    &err) < 0)
        fail_msg("model_contributions_xgboost: %s", err.msg);
    double max_diff = 0, max_sum = 0;
    for (size_t i = 0; i < rows->n; i++) {
        double phi[NF + 1], total = 0;
        assert_int_equal(forest_explain(f, &rows->x[i * NF], phi), 0);
        for (int k = 0; k <= NF; k++) {
            double d = fabs(phi[k] - (double)ref[i * (NF + 1) + (size_t)k]);
            if (!(d <= max_diff))
                max_diff = isnan(d) ? INFINITY : d;
            total += phi[k];
        }
        double d = fabs(total - (double)forest_predict(f, &rows->x[i * NF]));
        if (!(d <= max_sum))
            max_sum = isnan(d) ? INFINITY : d;
    }
    print_message("max |ours - xgboost pred_contribs| = %g, max |sum - "
                  "prediction| = %g over %zu %s\n", max_diff, max_sum,
                  rows->n, what);
    assert_true(max_diff <= 1e-4);
    assert_true(max_sum <= 1e-4);
    free(ref);
    forest_free(f);
    free(json);
}

static void explanations_agree_with_xgboost_pred_contribs(void **state)
{
    (void)state;
    struct model_params p = small_params();
    struct sample t = make_sample(3000, 11, 0, 0.1);
    struct sample r = make_sample(500, 12, 0, 0.1);
    assert_explanations_agree(&t, &r, &p, "held-out rows");
    free_sample(&r);
    /* missing values take the default direction in both */
    r = make_sample(500, 13, 0.2, 0.1);
    assert_explanations_agree(&t, &r, &p, "rows with missing values");
    free_sample(&r);
    /* deep trees: features met twice on a path */
    p.max_depth = 10;
    r = make_sample(300, 14, 0, 0.1);
    assert_explanations_agree(&t, &r, &p, "rows, depth 10");
    free_sample(&r);
    free_sample(&t);
}

/* A model without covers (sum_hessian) scores but cannot explain. */
static void a_model_without_covers_does_not_explain(void **state)
{
    (void)state;
    struct model_params p = small_params();
    struct sample t = make_sample(500, 15, 0, 0.1);
    size_t len;
    char *json = train_or_fail(&t, NULL, &p, &len, NULL);
    json_t *doc = json_loadb(json, len, 0, NULL);
    json_t *trees = json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "learner"),
                                        "gradient_booster"), "model"),
        "trees");
    size_t i;
    json_t *tree;
    json_array_foreach(trees, i, tree) json_object_del(tree, "sum_hessian");
    char *stripped = json_dumps(doc, JSON_COMPACT);
    struct forest *f = forest_or_fail(stripped, strlen(stripped));
    double phi[NF + 1];
    assert_int_equal(forest_explain(f, t.x, phi), -1);
    forest_free(f);
    free(stripped);
    json_decref(doc);
    free(json);
    free_sample(&t);
}

static void forest_agrees_with_xgboost_on_every_held_out_row(void **state)
{
    (void)state;
    struct model_params p = small_params();
    p.max_depth = 6;
    p.rounds = 50;
    assert_forest_agrees_on(SAMPLE(3000, 12, 0, 0.05),
                            SAMPLE(2000, 13, 0, 0.05), &p, "held-out rows");
}

static void rows_with_missing_values_take_the_default_direction(void **s)
{
    (void)s;
    /* trained with missing values, so the default directions differ */
    struct model_params p = small_params();
    p.max_depth = 5;
    assert_forest_agrees_on(SAMPLE(3000, 14, 0.1, 0.05),
                            SAMPLE(2000, 15, 0.2, 0.05), &p, "rows with NaNs");
}

static void trees_that_are_a_single_leaf_agree_too(void **state)
{
    (void)state;
    /* a constant target: no split gains anything, every tree is a leaf */
    struct sample train = make_sample(500, 18, 0, 0);
    for (size_t i = 0; i < train.n; i++)
        train.y[i] = 0.75f;
    struct model_params p = small_params();
    p.rounds = 3;
    assert_int_equal(assert_forest_agrees(&train, &train, &p, "training rows"),
                     0);
    free_sample(&train);
}

static void forests_deeper_than_the_complete_layout_agree_too(void **state)
{
    (void)state;
    /* pure noise and no minimum leaf weight: trees grow to the limit */
    struct model_params p = small_params();
    p.max_depth = 14;
    p.min_child_weight = 0;
    p.rounds = 5;
    int depth = assert_forest_agrees_on(SAMPLE(4000, 16, 0, 50),
                                        SAMPLE(1000, 17, 0, 0), &p,
                                        "held-out rows");
    assert_true(depth > 10); /* beyond the complete layout */
}

/* ---- refusals ----------------------------------------------------------- */

static void set_in(json_t *obj, const char *a, const char *b, json_t *v)
{
    json_object_set_new(json_object_get(obj, a), b, v);
}

static void edit_gblinear(json_t *doc)
{
    set_in(json_object_get(doc, "learner"), "gradient_booster",
           "name", json_string("gblinear"));
}

static void edit_objective(json_t *doc)
{
    set_in(json_object_get(doc, "learner"), "objective", "name",
           json_string("binary:logistic"));
}

static void edit_feature(json_t *doc)
{
    json_array_set_new(json_object_get(first_tree(doc), "split_indices"), 0,
                       json_integer(NF));
}

static void edit_child_range(json_t *doc)
{
    json_array_set_new(json_object_get(first_tree(doc), "right_children"), 0,
                       json_integer(999));
}

static void edit_cycle(json_t *doc)
{
    json_array_set_new(json_object_get(first_tree(doc), "left_children"), 0,
                       json_integer(0));
}

static void edit_num_feature(json_t *doc)
{
    set_in(json_object_get(doc, "learner"), "learner_model_param",
           "num_feature", json_string("12"));
}

static void edit_short_array(json_t *doc)
{
    json_array_remove(json_object_get(first_tree(doc), "split_conditions"), 0);
}

static void edit_base_score(json_t *doc)
{
    set_in(json_object_get(doc, "learner"), "learner_model_param",
           "base_score", json_string("half"));
}

static void edit_no_trees(json_t *doc)
{
    json_object_del(
        json_object_get(json_object_get(json_object_get(doc, "learner"),
                                        "gradient_booster"),
                        "model"),
        "trees");
}

static void forest_refuses_malformed_models_with_the_reason(void **state)
{
    (void)state;
    static const struct {
        void (*edit)(json_t *doc); /* NULL: the text below instead */
        const char *text, *msg;
    } cases[] = {
        {NULL, "{\"learner\": ", "model is not JSON: line 1: "},
        {NULL, "[1, 2]", "no \"learner\" object: not an XGBoost JSON model"},
        {edit_gblinear, NULL,
         "booster 'gblinear' is not supported (only gbtree)"},
        {edit_objective, NULL,
         "objective 'binary:logistic' is not supported (only "
         "reg:squarederror)"},
        {edit_feature, NULL,
         "tree 0: node 0: feature index 6 is not below 6 features"},
        {edit_child_range, NULL,
         "tree 0: node 0: child 999 is out of range (0..2)"},
        {edit_cycle, NULL,
         "tree 0: node 0: child 0 is reached twice (a cycle or a shared "
         "node)"},
        {edit_num_feature, NULL, "the model has 12 features, expected 6"},
        {edit_short_array, NULL,
         "tree 0: \"split_conditions\" is not an array of 3 nodes"},
        {edit_base_score, NULL, "base_score 'half' is not a finite number"},
        {edit_no_trees, NULL, "no gradient_booster.model.trees array"},
    };
    size_t len;
    char *model = some_model(&len);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = NULL;
        if (cases[i].edit) {
            json_t *doc = json_loadb(model, len, 0, NULL);
            assert_non_null(doc);
            /* the edits assume a stump: a root and two leaves */
            assert_int_equal(json_array_size(json_object_get(
                                 first_tree(doc), "left_children")),
                             3);
            cases[i].edit(doc);
            text = json_dumps(doc, JSON_COMPACT);
            json_decref(doc);
        } else {
            text = strdup(cases[i].text);
        }
        struct forest *f = (struct forest *)&f; /* must come back NULL */
        struct errbuf err;
        assert_int_equal(forest_load(&f, text, strlen(text), NF, &err), -1);
        assert_null(f);
        if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, err.msg,
                     cases[i].msg);
        free(text);
    }
    free(model);
}

static void an_untouched_model_loads(void **state)
{
    (void)state;
    /* the refusal cases' base model, loaded as is: they test the edit */
    size_t len;
    char *model = some_model(&len);
    struct forest *f = forest_or_fail(model, len);
    assert_int_equal(forest_tree_count(f), 3);
    forest_free(f);
    free(model);
}

int suite_model(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_xgboost_own_with_fixed_threads),
        cmocka_unit_test(a_partial_params_file_keeps_the_other_defaults),
        cmocka_unit_test(an_unknown_params_key_is_refused_by_name),
        cmocka_unit_test(out_of_range_params_are_refused_naming_key_and_value),
        cmocka_unit_test(a_refused_params_file_changes_nothing),
        cmocka_unit_test(the_shipped_params_file_is_valid),
        cmocka_unit_test(params_json_reads_back_as_the_same_params),
        cmocka_unit_test(training_learns_a_known_function_on_held_out_rows),
        cmocka_unit_test(the_same_seed_gives_byte_identical_model_json),
        cmocka_unit_test(early_stopping_keeps_fewer_rounds_than_the_maximum),
        cmocka_unit_test(feature_importance_sums_to_one_and_is_zero_for_unused),
        cmocka_unit_test(training_refuses_a_non_finite_target_naming_the_row),
        cmocka_unit_test(training_refuses_out_of_range_params),
        cmocka_unit_test(xgboost_prediction_refuses_a_broken_model),
        cmocka_unit_test(forest_agrees_with_xgboost_on_every_held_out_row),
        cmocka_unit_test(explanations_agree_with_xgboost_pred_contribs),
        cmocka_unit_test(a_model_without_covers_does_not_explain),
        cmocka_unit_test(rows_with_missing_values_take_the_default_direction),
        cmocka_unit_test(trees_that_are_a_single_leaf_agree_too),
        cmocka_unit_test(forests_deeper_than_the_complete_layout_agree_too),
        cmocka_unit_test(forest_refuses_malformed_models_with_the_reason),
        cmocka_unit_test(an_untouched_model_loads),
    };
    return RUN_SUITE("model", tests, count);
}
