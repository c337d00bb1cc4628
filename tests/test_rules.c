/*
 * test_rules.c — the shipped rules reproduce SPEC §4 at every bin
 * boundary (below, at and above each bound), the adjustments, the target's
 * rounding, the score scale, and the refusal of malformed rules files.
 */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/rules.h"

#define E 1e-9 /* a hair: far below any bound's spacing, above any ulp here */

struct case_ {
    double value;
    double points;
};

/* Every case: the variable alone at `value` (the rest at 0) earns
 * `points` from its own bins. */
static void check_bins(int variable, const struct case_ *cases, size_t n)
{
    const struct rules *r = test_rules_shipped();
    for (size_t i = 0; i < n; i++) {
        double values[VARIABLE_COUNT] = {0};
        values[variable] = cases[i].value;
        struct rules_result res;
        rules_evaluate(r, values, &res);
        long long want = llround(cases[i].points * 1e6);
        if (res.points[variable] != want)
            fail_msg("%s = %.10g: %g points, expected %g",
                     variable_names[variable], cases[i].value,
                     rules_points_value(res.points[variable]),
                     cases[i].points);
    }
}

#define CHECK_BINS(var, ...)                                                 \
    do {                                                                     \
        static const struct case_ c[] = {__VA_ARGS__};                       \
        check_bins(var, c, sizeof c / sizeof c[0]);                          \
    } while (0)

static void edad_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_EDAD, {0, 0}, {18 - E, 0}, {18, .3}, {20 - E, .3}, {20, .5},
               {25 - E, .5}, {25, .6}, {28 - E, .6}, {28, .8}, {43, .8},
               {43 + E, .6}, {60, .6}, {60 + E, .5}, {65, .5}, {65 + E, .3},
               {70, .3}, {70 + E, 0}, {80, 0});
}

static void ingreso_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_INGRESO, {-1, 0}, {0, 0}, {E, .1}, {7000 - E, .1},
               {7000, .2}, {8000 - E, .2}, {8000, .3}, {9000 - E, .3},
               {9000, .4}, {10000 - E, .4}, {10000, .5}, {15000 - E, .5},
               {15000, .6}, {25000 - E, .6}, {25000, .7}, {35000 - E, .7},
               {35000, .8}, {50000 - E, .8}, {50000, .9}, {70000 - E, .9},
               {70000, 1}, {1e7, 1});
}

static void semanas_cotizadas_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_SEMANAS_COTIZADAS, {-1, 0}, {0, 0}, {E, .5}, {150 - E, .5},
               {150, .6}, {300 - E, .6}, {300, .8}, {500 - E, .8}, {500, 1},
               {3000, 1});
}

static void antiguedad_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_ANTIGUEDAD_LABORAL_MESES, {0, 0}, {2 - E, 0}, {2, .1},
               {3 - E, .1}, {3, .2}, {4 - E, .2}, {4, .3}, {5 - E, .3},
               {5, .4}, {6 - E, .4}, {6, .5}, {9 - E, .5}, {9, .6},
               {12 - E, .6}, {12, .65}, {24 - E, .65}, {24, .8}, {36 - E, .8},
               {36, .9}, {48, .9}, {48 + E, 1}, {600, 1});
}

static void tiempo_desempleado_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_TIEMPO_DESEMPLEADO, {-E, 0}, {0, .6}, {E, .4}, {2, .4},
               {2 + E, .3}, {3, .3}, {3 + E, .1}, {6, .1}, {6 + E, 0},
               {120, 0});
}

static void trabajos_ultimos_5_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_TRABAJOS_ULTIMOS_5, {0, 0}, {1, 1}, {2, .8}, {3, .6},
               {4, .5}, {5, .4}, {6, .3}, {7, .3}, {8, .2}, {9, .1}, {10, 0},
               {1.5, 0}, {6 - E, 0}, {7 + E, 0});
}

static void crecimiento_ingreso_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_CRECIMIENTO_INGRESO, {-1e6, -.4}, {-50 - E, -.4},
               {-50, -.2}, {-20 - E, -.2}, {-20, .1}, {-5 - E, .1}, {-5, .4},
               {-E, .4}, {0, .5}, {10 - E, .5}, {10, 1.1}, {50 - E, 1.1},
               {50, 1.5}, {150, 1.5}, {150 + E, 1.1}, {300, 1.1},
               {300 + E, .5}, {1e6, .5});
}

static void decil_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_DECIL_INGRESO_ENIGH, {0, 0}, {1, 0}, {2, 0}, {3, .2},
               {4, .3}, {5, .5}, {6, .5}, {7, .6}, {8, .7}, {9, .8}, {10, 1});
}

#define PERCENT_CASES                                                        \
    {-1000, 0}, {-200 - E, 0}, {-200, .1}, {-100 - E, .1}, {-100, .2},       \
        {-50 - E, .2}, {-50, .3}, {-25 - E, .3}, {-25, .4}, {-5 - E, .4},    \
        {-5, .5}, {5 - E, .5}, {5, .6}, {25 - E, .6}, {25, .7},              \
        {50 - E, .7}, {50, .8}, {100 - E, .8}, {100, .9}, {200 - E, .9},     \
        {200, 1}, {5000, 1}

static void liquidez_porcentual_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_LIQUIDEZ_PORCENTUAL, PERCENT_CASES);
}

static void costo_de_vida_bins(void **state)
{
    (void)state;
    CHECK_BINS(F_COSTO_DE_VIDA, PERCENT_CASES);
}

static void crecimiento_gral_bins(void **state)
{
    (void)state;
    /* r = -5 exactly falls in no bin of SPEC §4 (-5 < r <= -3 and r < -5
     * both exclude it) and so gets 0, as the original did. */
    CHECK_BINS(F_CRECIMIENTO_GRAL, {-30, .1}, {-5 - E, .1}, {-5, 0},
               {-5 + E, .2}, {-3, .2}, {-3 + E, .3}, {-2, .3}, {-2 + E, .4},
               {-1, .4}, {-1 + E, .5}, {0, .5}, {1, .5}, {1 + E, .6}, {2, .6},
               {2 + E, .7}, {3, .7}, {3 + E, .8}, {5, .8}, {5 + E, .9},
               {30, .9});
}

static long long adjustment(const struct rules *r, const char *name,
                            const struct rules_result *res)
{
    for (int i = 0; i < rules_adjustment_count(r); i++)
        if (strcmp(rules_adjustment_name(r, i), name) == 0)
            return res->adjustments[i];
    fail_msg("no adjustment %s", name);
    return 0;
}

static void no_unemployment_and_no_seniority_costs_a_tenth(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    struct rules_result res;
    double v[VARIABLE_COUNT] = {0};
    v[F_TIEMPO_DESEMPLEADO] = 0;
    v[F_ANTIGUEDAD_LABORAL_MESES] = 0;
    rules_evaluate(r, v, &res);
    assert_int_equal(adjustment(r, "sin_antiguedad", &res), -100000);
    v[F_ANTIGUEDAD_LABORAL_MESES] = 1;
    rules_evaluate(r, v, &res);
    assert_int_equal(adjustment(r, "sin_antiguedad", &res), 0);
    v[F_ANTIGUEDAD_LABORAL_MESES] = 0;
    v[F_TIEMPO_DESEMPLEADO] = 1;
    rules_evaluate(r, v, &res);
    assert_int_equal(adjustment(r, "sin_antiguedad", &res), 0);
}

static void retiree_without_seniority_earns_two(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    struct rules_result res;
    double v[VARIABLE_COUNT] = {0};
    v[V_JUBILADO] = 1;
    v[F_TIEMPO_DESEMPLEADO] = 24;
    rules_evaluate(r, v, &res);
    assert_int_equal(adjustment(r, "jubilado", &res), 2000000);
    v[F_ANTIGUEDAD_LABORAL_MESES] = 3;
    rules_evaluate(r, v, &res);
    assert_int_equal(adjustment(r, "jubilado", &res), 0);
    v[F_ANTIGUEDAD_LABORAL_MESES] = 0;
    v[V_JUBILADO] = 0;
    rules_evaluate(r, v, &res);
    assert_int_equal(adjustment(r, "jubilado", &res), 0);
}

static void target_is_the_sum_over_twelve_to_cents(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    struct rules_result res;
    /* A strong applicant: .8 + .8 + 1 + 1 + .6 + 1 + 1.1 + decil 8 (.7)
     * + liquidez 155.86% (.9) + costo 280.3% (1) + itaee 2.07 (.7) = 9.6 */
    double v[VARIABLE_COUNT] = {0};
    v[F_INGRESO] = 45000;
    v[F_ANTIGUEDAD_LABORAL_MESES] = 50;
    v[F_TIEMPO_DESEMPLEADO] = 0;
    v[F_TRABAJOS_ULTIMOS_5] = 1;
    v[F_SEMANAS_COTIZADAS] = 1000;
    v[F_EDAD] = 32;
    v[F_CRECIMIENTO_INGRESO] = 265.38;
    v[F_DECIL_INGRESO_ENIGH] = 8;
    v[F_LIQUIDEZ_PORCENTUAL] = 155.86;
    v[F_COSTO_DE_VIDA] = 280.3;
    v[F_CRECIMIENTO_GRAL] = 2.07;
    rules_evaluate(r, v, &res);
    assert_int_equal(res.sum, 9600000);
    assert_true(res.target == 0.8); /* 9.6 / 12 */
    /* the shipped scale maps 0.16..0.84 to 300..850: 300 + 0.64 / 0.68 ×
     * 550 = 817.647... */
    assert_true(res.score == 817.65);
}

/* A one-variable rule set whose only bin gives `points`: isolates the
 * division and rounding. */
static struct rules *single_bin_rules(double points)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"format\": \"incomescore-rules/1\", \"divisor\": 12,"
             " \"scale\": {\"target_at_300\": 0.1, \"target_at_850\": 0.8},"
             " \"variables\": {\"edad\": {\"bins\": [{\"match\": \"(-inf, inf)\","
             " \"points\": %.6f}]}}}",
             points);
    struct rules *r;
    struct errbuf err;
    if (rules_parse(&r, text, strlen(text), "inline", &err) < 0)
        fail_msg("%s", err.msg);
    return r;
}

static double target_of_points(double points)
{
    struct rules *r = single_bin_rules(points);
    double v[VARIABLE_COUNT] = {0};
    struct rules_result res;
    rules_evaluate(r, v, &res);
    rules_free(r);
    return res.target;
}

static void target_ties_round_to_even_on_the_exact_sum(void **state)
{
    (void)state;
    assert_true(target_of_points(3.9) == 0.32);  /* 0.325 */
    assert_true(target_of_points(4.5) == 0.38);  /* 0.375 */
    assert_true(target_of_points(2.7) == 0.22);  /* 0.225 */
    assert_true(target_of_points(0.3) == 0.02);  /* 0.025 */
    assert_true(target_of_points(-0.3) == -0.02);
    assert_true(target_of_points(-0.9) == -0.08); /* -0.075 */
    assert_true(target_of_points(6.0) == 0.5);
    assert_true(target_of_points(6.05) == 0.5);  /* 0.50416 */
    assert_true(target_of_points(6.1) == 0.51);  /* 0.50833 */
    assert_true(target_of_points(-0.5) == -0.04); /* -0.04166 */
}

static void score_maps_the_scale_and_clamps(void **state)
{
    (void)state;
    struct rules *r = single_bin_rules(1);
    assert_true(rules_score(r, 0.1) == 300.0);
    assert_true(rules_score(r, 0.8) == 850.0);
    assert_true(rules_score(r, 0.45) == 575.0);
    assert_true(rules_score(r, 0.5) == 614.29); /* 614.2857... */
    assert_true(rules_score(r, 0.0) == 300.0);
    assert_true(rules_score(r, -3) == 300.0);
    assert_true(rules_score(r, 0.81) == 850.0);
    assert_true(rules_score(r, NAN) == 300.0);
    rules_free(r);
}

static void set_scale_changes_score_and_document(void **state)
{
    (void)state;
    struct rules *r = single_bin_rules(1);
    struct errbuf err;
    assert_int_equal(rules_set_scale(r, 0.2, 0.6, "from test", &err), 0);
    assert_true(rules_score(r, 0.2) == 300.0);
    assert_true(rules_score(r, 0.6) == 850.0);
    assert_int_equal(rules_set_scale(r, 0.6, 0.6, NULL, &err), -1);
    char *text = rules_to_text(r);
    struct rules *again;
    assert_int_equal(rules_parse(&again, text, strlen(text), "x", &err), 0);
    double lo, hi;
    rules_scale(again, &lo, &hi);
    assert_true(lo == 0.2 && hi == 0.6);
    assert_non_null(strstr(text, "\"calibration\": \"from test\""));
    free(text);
    rules_free(again);
    rules_free(r);
}

static void default_rules_score_every_feature_and_jubilado(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    for (int v = 0; v < VARIABLE_COUNT; v++)
        assert_true(rules_uses(r, v));
    assert_int_equal(rules_adjustment_count(r), 2);
}

static void reasons_are_the_largest_point_gaps_first(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    double v[VARIABLE_COUNT] = {0};
    /* ingreso 1000 (.1 of 1), edad 32 (.8, best), semanas 1000 (1, best),
     * antiguedad 50 (1), u 0 (.6, best), trabajos 1 (1), crec 0 (.5 of
     * 1.5), decil 2 (0 of 1), liquidez -93 (.2 of 1), costo -92 (.2 of
     * 1), gral 2.5 (.7 of .9) */
    v[F_INGRESO] = 1000; v[F_EDAD] = 32; v[F_SEMANAS_COTIZADAS] = 1000;
    v[F_ANTIGUEDAD_LABORAL_MESES] = 50; v[F_TRABAJOS_ULTIMOS_5] = 1;
    v[F_DECIL_INGRESO_ENIGH] = 2; v[F_LIQUIDEZ_PORCENTUAL] = -93;
    v[F_COSTO_DE_VIDA] = -92; v[F_CRECIMIENTO_GRAL] = 2.5;
    struct rules_result res;
    rules_evaluate(r, v, &res);
    int vars[3];
    assert_int_equal(rules_reasons(r, &res, vars, 3), 3);
    /* gaps: decil 1.0, crecimiento 1.0, ingreso .9, liquidez .8, costo .8 */
    assert_int_equal(vars[0], F_CRECIMIENTO_INGRESO); /* feature order on ties */
    assert_int_equal(vars[1], F_DECIL_INGRESO_ENIGH);
    assert_int_equal(vars[2], F_INGRESO);
    assert_string_equal(rules_reason_code(r, F_INGRESO), "INGRESO_BAJO");
    assert_string_equal(rules_reason_text(r, F_INGRESO),
                        "Ingreso mensual menor a 70,000 pesos");
}

static void a_perfect_profile_has_no_reasons(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    double v[VARIABLE_COUNT] = {0};
    v[F_INGRESO] = 80000; v[F_EDAD] = 32; v[F_SEMANAS_COTIZADAS] = 1000;
    v[F_ANTIGUEDAD_LABORAL_MESES] = 50; v[F_TRABAJOS_ULTIMOS_5] = 1;
    v[F_CRECIMIENTO_INGRESO] = 100; v[F_DECIL_INGRESO_ENIGH] = 10;
    v[F_LIQUIDEZ_PORCENTUAL] = 300; v[F_COSTO_DE_VIDA] = 300;
    v[F_CRECIMIENTO_GRAL] = 6;
    struct rules_result res;
    rules_evaluate(r, v, &res);
    int vars[3];
    assert_int_equal(rules_reasons(r, &res, vars, 3), 0);
}

static void bands_are_spec_bands_with_lower_bounds_inclusive(void **state)
{
    (void)state;
    const struct rules *r = test_rules_shipped();
    assert_int_equal(rules_band_count(r), 5);
    static const struct { double score; int band; } cases[] = {
        {300, 0}, {399.99, 0}, {400, 1}, {499.99, 1}, {500, 2}, {559.99, 2},
        {560, 3}, {679.99, 3}, {680, 4}, {850, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (rules_band_of(r, cases[i].score) != cases[i].band)
            fail_msg("score %g: band %d, expected %d", cases[i].score,
                     rules_band_of(r, cases[i].score), cases[i].band);
    double from, to;
    const char *label, *color;
    rules_band(r, 4, &from, &to, &label, &color);
    assert_true(from == 680 && to == 850);
    assert_string_equal(label, "excelente");
}

/* ---- malformed rules files ---------------------------------------------- */

static const char *const good_head =
    "{\"format\": \"incomescore-rules/1\", \"divisor\": 12, "
    "\"scale\": {\"target_at_300\": 0.1, \"target_at_850\": 0.8}, ";

struct bad_case {
    const char *body;     /* what follows good_head, or a whole document */
    bool whole;
    const char *message;  /* the whole error, after "bad.json: " */
};

static void malformed_rules_are_refused_with_the_reason(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"{\"format\": ", true,
         "bad.json line 1: unexpected token near end of file"},
        {"[1, 2]", true, "bad.json: the document must be a JSON object"},
        {"{\"format\": \"other/2\"}", true,
         "bad.json: \"format\" must be \"incomescore-rules/1\""},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1, \"points\": 1}]}},"
         " \"divisor\": 3}",
         false, NULL /* duplicate key: jansson's wording */},
        {"\"variables\": {\"edadd\": {\"bins\": [{\"match\": 1, \"points\": 1}]}}}",
         false, "bad.json: unknown variable 'edadd'"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1, \"pionts\": 1}]}}}",
         false, "bad.json: variable 'edad': bin 1: unknown key 'pionts'"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1, \"points\": 1},"
         " {\"match\": \"[28, 43\", \"points\": 0.8}]}}}",
         false,
         "bad.json: variable 'edad': bin 2: match \"[28, 43\" lacks a closing "
         "']' or ')'"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": \"[43, 28]\","
         " \"points\": 1}]}}}",
         false,
         "bad.json: variable 'edad': bin 1: match \"[43, 28]\": lower bound "
         "above upper bound"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": \"(5, 5)\","
         " \"points\": 1}]}}}",
         false, "bad.json: variable 'edad': bin 1: match \"(5, 5)\" can never "
                "hold"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": \"[0, inf]\","
         " \"points\": 1}]}}}",
         false, "bad.json: variable 'edad': bin 1: match \"[0, inf]\": an "
                "infinite bound must be open"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": \"[a, 3)\","
         " \"points\": 1}]}}}",
         false, "bad.json: variable 'edad': bin 1: match \"[a, 3)\": lower "
                "bound is not a number"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": \"[1; 3)\","
         " \"points\": 1}]}}}",
         false, "bad.json: variable 'edad': bin 1: match \"[1; 3)\": lower "
                "bound is not a number"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": true,"
         " \"points\": 1}]}}}",
         false, "bad.json: variable 'edad': bin 1: match must be a number or "
                "an interval string such as \"[25000, 35000)\""},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1,"
         " \"points\": \"1\"}]}}}",
         false, "bad.json: variable 'edad': bin 1: points must be a number"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1,"
         " \"points\": 0.1234567}]}}}",
         false, "bad.json: variable 'edad': bin 1: points 0.1234567 has more "
                "than 6 decimals"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1,"
         " \"points\": 5000}]}}}",
         false, "bad.json: variable 'edad': bin 1: points 5000 is outside "
                "-1000..1000"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"points\": 1}]}}}", false,
         "bad.json: variable 'edad': bin 1: no \"match\""},
        {"\"variables\": {\"edad\": {\"bins\": []}}}", false,
         "bad.json: variable 'edad': \"bins\" must be a non-empty array"},
        {"\"variables\": {}}", false,
         "bad.json: \"variables\" must be a non-empty object"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1, \"points\": 1}]}},"
         " \"adjustments\": [{\"name\": \"x\", \"when\": {\"edd\": 0},"
         " \"points\": 1}]}",
         false, "bad.json: adjustment 1: condition on unknown variable 'edd'"},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1, \"points\": 1}]}},"
         " \"adjustments\": [{\"when\": {\"edad\": 0}, \"points\": 1}]}",
         false, "bad.json: adjustment 1: needs a \"name\""},
        {"\"variables\": {\"edad\": {\"bins\": [{\"match\": 1, \"points\": 1}]}},"
         " \"adjustments\": [{\"name\": \"x\", \"when\": {}, \"points\": 1}]}",
         false, "bad.json: adjustment 1: \"when\" must be a non-empty object "
                "of variable: match"},
        {"\"bands\": [{\"from\": 300, \"label\": \"a\"}, {\"from\": 300,"
         " \"label\": \"b\"}], \"variables\": {\"edad\": {\"bins\": "
         "[{\"match\": 1, \"points\": 1}]}}}",
         false, "bad.json: band 2 must start above band 1"},
        {"\"bands\": [{\"from\": 350, \"label\": \"a\"}], \"variables\":"
         " {\"edad\": {\"bins\": [{\"match\": 1, \"points\": 1}]}}}",
         false, "bad.json: band 1 must start at 300"},
        {"\"variables\": {\"edad\": {\"reason\": \"old\", \"bins\": "
         "[{\"match\": 1, \"points\": 1}]}}}",
         false, "bad.json: variable 'edad': \"reason\" must be {\"code\": "
                "text, \"text\": text}"},
        {"{\"format\": \"incomescore-rules/1\", \"divisor\": 0}", true,
         "bad.json: \"divisor\" must be a whole number from 1 to 1000000"},
        {"{\"format\": \"incomescore-rules/1\", \"divisor\": 12.5}", true,
         "bad.json: \"divisor\" must be a whole number from 1 to 1000000"},
        {"{\"format\": \"incomescore-rules/1\", \"divisor\": 12, \"scale\":"
         " {\"target_at_300\": 0.8, \"target_at_850\": 0.1}}",
         true, "bad.json: scale: target_at_300 (0.8) must be below "
               "target_at_850 (0.1)"},
        {"{\"format\": \"incomescore-rules/1\", \"divisor\": 12, \"scale\":"
         " {\"target_at_300\": 0.1}}",
         true, "bad.json: scale: target_at_300 and target_at_850 must be "
               "numbers"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s", cases[i].whole ? "" : good_head,
                 cases[i].body);
        struct rules *r = (struct rules *)1;
        struct errbuf err;
        int rc = rules_parse(&r, text, strlen(text), "bad.json", &err);
        if (rc != -1 || r != NULL)
            fail_msg("case %zu accepted: %s", i, text);
        if (cases[i].message && strcmp(err.msg, cases[i].message) != 0)
            fail_msg("case %zu:\n got  %s\n want %s", i, err.msg,
                     cases[i].message);
        if (!cases[i].message && !strstr(err.msg, "duplicate"))
            fail_msg("case %zu: %s", i, err.msg);
    }
}

static void missing_rules_file_is_named(void **state)
{
    (void)state;
    struct rules *r;
    struct errbuf err;
    assert_int_equal(rules_load(&r, "/nonexistent/rules.json", &err), -1);
    assert_string_equal(err.msg,
                        "/nonexistent/rules.json: No such file or directory");
}

static void points_print_as_short_decimals(void **state)
{
    (void)state;
    char buf[32];
    format_points(buf, sizeof buf, 9600000);
    assert_string_equal(buf, "9.6");
    format_points(buf, sizeof buf, -100000);
    assert_string_equal(buf, "-0.1");
    format_points(buf, sizeof buf, 0);
    assert_string_equal(buf, "0");
    format_points(buf, sizeof buf, 650000);
    assert_string_equal(buf, "0.65");
    format_points(buf, sizeof buf, 12);
    assert_string_equal(buf, "0.000012");
}

int suite_rules(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(edad_bins),
        cmocka_unit_test(ingreso_bins),
        cmocka_unit_test(semanas_cotizadas_bins),
        cmocka_unit_test(antiguedad_bins),
        cmocka_unit_test(tiempo_desempleado_bins),
        cmocka_unit_test(trabajos_ultimos_5_bins),
        cmocka_unit_test(crecimiento_ingreso_bins),
        cmocka_unit_test(decil_bins),
        cmocka_unit_test(liquidez_porcentual_bins),
        cmocka_unit_test(costo_de_vida_bins),
        cmocka_unit_test(crecimiento_gral_bins),
        cmocka_unit_test(no_unemployment_and_no_seniority_costs_a_tenth),
        cmocka_unit_test(retiree_without_seniority_earns_two),
        cmocka_unit_test(target_is_the_sum_over_twelve_to_cents),
        cmocka_unit_test(target_ties_round_to_even_on_the_exact_sum),
        cmocka_unit_test(score_maps_the_scale_and_clamps),
        cmocka_unit_test(set_scale_changes_score_and_document),
        cmocka_unit_test(default_rules_score_every_feature_and_jubilado),
        cmocka_unit_test(reasons_are_the_largest_point_gaps_first),
        cmocka_unit_test(a_perfect_profile_has_no_reasons),
        cmocka_unit_test(bands_are_spec_bands_with_lower_bounds_inclusive),
        cmocka_unit_test(malformed_rules_are_refused_with_the_reason),
        cmocka_unit_test(missing_rules_file_is_named),
        cmocka_unit_test(points_print_as_short_decimals),
    };
    return RUN_SUITE("rules", tests, count);
}
