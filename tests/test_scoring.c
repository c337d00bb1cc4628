/*
 * test_scoring.c — the scoring core on its own: score_applicant and
 * score_format_json, not through the server or `predict`.
 *
 * Two kinds of scorer:
 *   - the shared bundle (fixture_bundle.c), for the exact response a real
 *     model gives one applicant;
 *   - a scorer built here from the shipped tables and rules and a
 *     one-leaf forest whose prediction is a chosen target, with a chosen
 *     scaler and centroids, so that a score lands exactly on a band's
 *     edge and an applicant exactly between two centroids.
 */
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "registry/bundle.h"
#include "score/scoring.h"

/* The README's applicant: 45,000 pesos in Nuevo León, 50 months in
 * the job, 1,000 weeks contributed. */
static const struct applicant readme_applicant = {
    .ingreso = 45000, .antiguedad_laboral_meses = 50,
    .tiempo_desempleado = 0, .trabajos_ultimos_5 = 1,
    .semanas_cotizadas = 1000, .edad = 32, .crecimiento_ingreso = 265.38,
    .lugar_actual = 18,
};

/* Unemployed, young, low income: far from the top of every variable. */
static const struct applicant weak_applicant = {
    .ingreso = 4000, .antiguedad_laboral_meses = 0,
    .tiempo_desempleado = 14, .trabajos_ultimos_5 = 6,
    .semanas_cotizadas = 40, .edad = 19, .crecimiento_ingreso = -20,
    .lugar_actual = 6,
};

static struct bundle *shared_or_fail(void)
{
    const struct test_bundle *tb = test_bundle();
    if (!tb)
        fail_msg("the shared bundle could not be built");
    struct bundle *b;
    struct errbuf err;
    if (bundle_load(&b, tb->version_dir, &err) < 0)
        fail_msg("%s", err.msg);
    return b;
}

/* ---- a scorer made to measure ------------------------------------------- */

/* An XGBoost JSON model of one tree with one leaf of value 0: the
 * prediction is base_score, as a float. */
static char *constant_model(double target)
{
    char *text = malloc(1024);
    snprintf(text, 1024,
             "{\"learner\": {\"objective\": {\"name\": \"reg:squarederror\"}, "
             "\"learner_model_param\": {\"base_score\": \"%.9g\", "
             "\"num_feature\": \"%d\"}, \"gradient_booster\": {\"name\": "
             "\"gbtree\", \"model\": {\"trees\": [{\"tree_param\": "
             "{\"num_nodes\": \"1\"}, \"left_children\": [-1], "
             "\"right_children\": [-1], \"split_indices\": [0], "
             "\"split_conditions\": [0], \"default_left\": [0]}]}}}}",
             target, FEATURE_COUNT);
    return text;
}

/* Every feature standardized to 0 for `a`: the scaler's mean is a's own
 * features, its scale 1, so the nearest centroid is the one nearest to the
 * origin. */
static void center_on(struct scaler *s, const struct applicant *a)
{
    features_from_applicant(test_refdata(), a, s->mean);
    for (int f = 0; f < FEATURE_COUNT; f++)
        s->scale[f] = 1;
}

/* Centroid k at distance[k] from the origin, along axis k. */
static void centroids_at(double *centroids, const double distance[4])
{
    memset(centroids, 0, SEGMENT_COUNT * FEATURE_COUNT * sizeof *centroids);
    for (int k = 0; k < SEGMENT_COUNT; k++)
        centroids[k * FEATURE_COUNT + k] = distance[k];
}

static const double equal_a_b[4] = {1, 1, 2, 3};

/* A scorer of our own making: the shipped tables and `rules_path`, a
 * forest predicting `target`, a scaler centred on `center`, centroids at
 * `distance`, the version "v0042". Caller frees it with made_free. */
static struct scorer *made_scorer(const char *rules_path, double target,
                                  const struct applicant *center,
                                  const double distance[4])
{
    struct refdata rd;
    struct rules *rules;
    struct forest *forest;
    struct errbuf err;
    if (refdata_load(&rd, INCOMESCORE_DATADIR, ITAEE_DEFAULT_YEAR, &err) < 0 ||
        rules_load(&rules, rules_path, &err) < 0)
        fail_msg("%s", err.msg);
    char *model = constant_model(target);
    if (forest_load(&forest, model, strlen(model), FEATURE_COUNT, &err) < 0)
        fail_msg("forest_load: %s", err.msg);
    free(model);
    struct scaler scaler;
    double centroids[SEGMENT_COUNT * FEATURE_COUNT];
    center_on(&scaler, center);
    centroids_at(centroids, distance);
    struct scorer *s = malloc(sizeof *s);
    assert_non_null(s);
    if (scorer_build(s, "v0042", &rd, rules, forest, &scaler, centroids,
                     &err) < 0)
        fail_msg("scorer_build: %s", err.msg);
    return s;
}

static void made_free(struct scorer *s)
{
    scorer_free(s);
    free(s);
}

static const char *shipped_rules(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/rules.json", INCOMESCORE_DATADIR);
    return path;
}

/* The target the shipped scale maps to `score` (0.16 at 300, 0.84 at
 * 850). */
static double target_of(double score)
{
    return 0.16 + (score - 300) / 550 * (0.84 - 0.16);
}

/* ---- the shared bundle -------------------------------------------------- */

static void a_response_is_exactly_the_contract(void **state)
{
    (void)state;
    struct bundle *b = shared_or_fail();
    struct score sc;
    score_applicant(&b->scorer, &readme_applicant, &sc);
    char buf[1024];
    int n = score_format_json(&b->scorer, &sc, buf, sizeof buf);
    assert_string_equal(buf,
        "{\"scoring\": 784.03, \"cluster\": \"B\", \"model_version\": "
        "\"bundle\", \"band\": \"excelente\", \"reasons\": [{\"code\": "
        "\"CRECIMIENTO_INGRESO\", \"text\": \"Crecimiento del ingreso en "
        "los últimos 3 años fuera del rango preferido (50% a 150%)\"}, "
        "{\"code\": \"INGRESO_BAJO\", \"text\": \"Ingreso mensual menor a "
        "70,000 pesos\"}, {\"code\": \"DECIL_BAJO\", \"text\": \"Ingreso "
        "por debajo del decil más alto de su estado (ENIGH)\"}]}");
    assert_int_equal(n, (int)strlen(buf));
    bundle_free(b);
}

static void the_score_is_the_forest_prediction_on_the_rules_scale(void **s)
{
    (void)s;
    struct bundle *b = shared_or_fail();
    static const struct applicant *const applicants[] = {&readme_applicant,
                                                         &weak_applicant};
    /* the forest's float sum, read as a double */
    static const double predicted[] = {0.75844192504882812,
                                       0.35058355331420898};
    static const double scoring[] = {784.03, 454.15};
    static const int band[] = {4, 1}, segment[] = {1, 2};
    for (int i = 0; i < 2; i++) {
        struct score sc;
        score_applicant(&b->scorer, applicants[i], &sc);
        assert_true(sc.predicted_target == predicted[i]);
        assert_true(sc.scoring == scoring[i]);
        assert_true(sc.scoring ==
                    rules_score(b->scorer.rules, sc.predicted_target));
        assert_int_equal(sc.band, band[i]);
        assert_int_equal(sc.segment, segment[i]);
        assert_int_equal(sc.cluster, 'A' + segment[i]);
    }
    bundle_free(b);
}

static void a_short_buffer_gets_the_length_it_needs(void **s)
{
    (void)s;
    struct bundle *b = shared_or_fail();
    struct score sc;
    score_applicant(&b->scorer, &weak_applicant, &sc);
    char full[1024], small[40];
    int n = score_format_json(&b->scorer, &sc, full, sizeof full);
    assert_int_equal(score_format_json(&b->scorer, &sc, small, sizeof small),
                     n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    assert_int_equal(score_format_json(&b->scorer, &sc, NULL, 0), n);
    bundle_free(b);
}

/* The model's explanation adds up to the score before clamping and
 * rounding, and the explained answer is the plain one with the
 * explanation as its last member, every feature in order. */
static void an_explanation_adds_up_to_the_score(void **s)
{
    (void)s;
    struct bundle *b = shared_or_fail();
    static const struct applicant *const applicants[] = {&readme_applicant,
                                                         &weak_applicant};
    for (int i = 0; i < 2; i++) {
        struct score sc;
        score_applicant(&b->scorer, applicants[i], &sc);
        struct explanation e;
        assert_int_equal(score_explain(&b->scorer, applicants[i], &e), 0);
        double total = e.base;
        for (int f = 0; f < FEATURE_COUNT; f++)
            total += e.points[f];
        double unclamped = 300 + (sc.predicted_target - 0.16) / 0.68 * 550;
        if (fabs(total - unclamped) > 1e-3)
            fail_msg("base + contributions = %.6f, the score unclamped "
                     "%.6f", total, unclamped);

        char plain[1024], explained[2048];
        int n = score_format_json(&b->scorer, &sc, plain, sizeof plain);
        int m = score_format_explained(&b->scorer, applicants[i], &sc,
                                       explained, sizeof explained);
        assert_int_equal(m, (int)strlen(explained));
        assert_memory_equal(explained, plain, (size_t)n - 1);
        assert_true(strncmp(explained + n - 1, ", \"explanation\": "
                                               "{\"base\": ", 26) == 0);
        json_t *doc = json_loads(explained, 0, NULL);
        assert_non_null(doc);
        json_t *x = json_object_get(doc, "explanation");
        assert_float_equal(json_number_value(json_object_get(x, "base")),
                           round(e.base * 100) / 100, 1e-9);
        json_t *features = json_object_get(x, "features");
        assert_int_equal(json_object_size(features), FEATURE_COUNT);
        const char *key;
        json_t *v;
        int f = 0;
        json_object_foreach(features, key, v) {
            assert_string_equal(key, variable_names[f]);
            assert_float_equal(json_number_value(v),
                               round(e.points[f] * 100) / 100, 1e-9);
            f++;
        }
        json_decref(doc);
        /* a short buffer: the length needed, as snprintf */
        char small[64];
        assert_int_equal(score_format_explained(&b->scorer, applicants[i],
                                                &sc, small, sizeof small), m);
        assert_memory_equal(small, explained, sizeof small - 1);
    }
    bundle_free(b);
}

/* ---- scores at the edges ------------------------------------------------ */

static const char *band_label(const struct scorer *s, int i)
{
    double from, to;
    const char *label, *color;
    rules_band(s->rules, i, &from, &to, &label, &color);
    return label;
}

/* The shipped bands start at 300, 400, 500, 560 and 680: a score on an
 * edge is in the band it starts, a cent below is in the one before. */
static void a_score_on_a_band_edge_is_in_the_band_it_starts(void **s)
{
    (void)s;
    static const double edges[] = {400, 500, 560, 680};
    for (int i = 0; i < 4; i++) {
        for (int below = 0; below < 2; below++) {
            double score = edges[i] - (below ? 0.01 : 0);
            struct scorer *m = made_scorer(shipped_rules(), target_of(score),
                                           &readme_applicant, equal_a_b);
            struct score sc;
            score_applicant(m, &readme_applicant, &sc);
            assert_true(sc.scoring == score);
            assert_int_equal(sc.band, below ? i : i + 1);
            made_free(m);
        }
    }
}

static void scores_are_clamped_to_300_and_850(void **s)
{
    (void)s;
    static const double targets[] = {-0.5, 0.1, 0.9, 2.0};
    static const double scores[] = {300, 300, 850, 850};
    static const int bands[] = {0, 0, 4, 4};
    for (int i = 0; i < 4; i++) {
        struct scorer *m = made_scorer(shipped_rules(), targets[i],
                                       &readme_applicant, equal_a_b);
        struct score sc;
        score_applicant(m, &readme_applicant, &sc);
        assert_true(sc.scoring == scores[i]);
        assert_int_equal(sc.band, bands[i]);
        char buf[1024];
        score_format_json(m, &sc, buf, sizeof buf);
        char head[64];
        snprintf(head, sizeof head, "{\"scoring\": %.2f, ", scores[i]);
        assert_true(strncmp(buf, head, strlen(head)) == 0);
        assert_non_null(strstr(buf, band_label(m, bands[i])));
        made_free(m);
    }
}

/* The whole response of a made scorer, byte for byte: the score with two
 * decimals (an edge prints as 560.00), the letter, the version, the
 * band's label and the reasons of the shipped rules. */
static void a_made_scorer_answers_exactly(void **s)
{
    (void)s;
    struct scorer *m = made_scorer(shipped_rules(), target_of(560),
                                   &weak_applicant, equal_a_b);
    struct score sc;
    score_applicant(m, &weak_applicant, &sc);
    char buf[1024];
    score_format_json(m, &sc, buf, sizeof buf);
    assert_string_equal(buf,
        "{\"scoring\": 560.00, \"cluster\": \"A\", \"model_version\": "
        "\"v0042\", \"band\": \"bueno\", \"reasons\": [{\"code\": "
        "\"CRECIMIENTO_INGRESO\", \"text\": \"Crecimiento del ingreso en "
        "los últimos 3 años fuera del rango preferido (50% a 150%)\"}, "
        "{\"code\": \"ANTIGUEDAD_CORTA\", \"text\": \"Antigüedad en el "
        "empleo actual de 4 años o menos\"}, {\"code\": \"INGRESO_BAJO\", "
        "\"text\": \"Ingreso mensual menor a 70,000 pesos\"}]}");
    made_free(m);
}

/* Rules without bands: every response says "band": null. */
static void without_bands_the_band_is_null(void **s)
{
    (void)s;
    json_error_t jerr;
    json_t *rules = json_load_file(shipped_rules(), 0, &jerr);
    assert_non_null(rules);
    json_object_del(rules, "bands");
    char *dir = test_mkdtemp();
    char path[4200];
    snprintf(path, sizeof path, "%s/rules.json", dir);
    assert_int_equal(json_dump_file(rules, path, JSON_INDENT(2)), 0);
    json_decref(rules);

    struct scorer *m = made_scorer(path, target_of(700), &readme_applicant,
                                   equal_a_b);
    struct score sc;
    score_applicant(m, &readme_applicant, &sc);
    assert_int_equal(sc.band, -1);
    char buf[1024];
    score_format_json(m, &sc, buf, sizeof buf);
    assert_non_null(strstr(buf, ", \"band\": null, \"reasons\": ["));
    made_free(m);
    test_rmtree(dir);
    free(dir);
}

/* ---- segments at the edges ---------------------------------------------- */

/* Equally near A and B: the lower letter wins, as kmeans assigns. */
static void a_tie_between_centroids_goes_to_the_earlier_letter(void **s)
{
    (void)s;
    struct scorer *m = made_scorer(shipped_rules(), 0.5, &readme_applicant,
                                   equal_a_b);
    struct score sc;
    score_applicant(m, &readme_applicant, &sc);
    assert_int_equal(sc.segment, 0);
    assert_int_equal(sc.cluster, 'A');
    made_free(m);
}

static void the_nearest_centroid_gives_the_letter(void **s)
{
    (void)s;
    static const double layouts[4][4] = {
        {1, 1.5, 2, 3},    /* A */
        {1.5, 1, 2, 3},    /* B */
        {3, 2, 1.5, 4},    /* C */
        {2, 3, 4, 1.999},  /* D */
    };
    for (int k = 0; k < 4; k++) {
        struct scorer *m = made_scorer(shipped_rules(), 0.5,
                                       &readme_applicant, layouts[k]);
        struct score sc;
        score_applicant(m, &readme_applicant, &sc);
        assert_int_equal(sc.segment, k);
        assert_int_equal(sc.cluster, 'A' + k);
        char buf[1024], want[64];
        score_format_json(m, &sc, buf, sizeof buf);
        snprintf(want, sizeof want, ", \"cluster\": \"%c\", ", 'A' + k);
        assert_non_null(strstr(buf, want));
        made_free(m);
    }
}

int suite_scoring(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_response_is_exactly_the_contract),
        cmocka_unit_test(the_score_is_the_forest_prediction_on_the_rules_scale),
        cmocka_unit_test(a_short_buffer_gets_the_length_it_needs),
        cmocka_unit_test(an_explanation_adds_up_to_the_score),
        cmocka_unit_test(a_score_on_a_band_edge_is_in_the_band_it_starts),
        cmocka_unit_test(scores_are_clamped_to_300_and_850),
        cmocka_unit_test(a_made_scorer_answers_exactly),
        cmocka_unit_test(without_bands_the_band_is_null),
        cmocka_unit_test(a_tie_between_centroids_goes_to_the_earlier_letter),
        cmocka_unit_test(the_nearest_centroid_gives_the_letter),
    };
    return RUN_SUITE("scoring", tests, count);
}
