/*
 * test_report.c — the training report: both files written, the HTML one
 * self-contained with its four charts, the numbers formatted for a
 * reader, manifest text escaped, the same bytes for the same input, a
 * partial manifest still rendered, and the PCA finding the direction the
 * variance lies along. Assertions are on the text; no screenshots.
 *
 * The input is synthetic: 3,000 held-out rows drawn from a fixed seed,
 * scored by the shipped rules, with a hand-written manifest.
 */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/paths.h"
#include "base/prng.h"
#include "train/report.h"

#define ROWS 3000

static const char manifest_text[] =
    "{\"format\": \"incomescore-bundle/1\","
    " \"created_at\": \"2024-05-01T06:00:00Z\","
    " \"metrics\": {"
    "   \"target\": {\"r2\": 0.99874, \"mse\": 1.234e-05, \"mae\": 0.00213},"
    "   \"score\": {\"r2\": 0.99812, \"mse\": 12.5, \"mae\": 2.61},"
    "   \"test_rows\": 12345, \"train_rows\": 49380, \"rounds\": 412,"
    "   \"calibration_gap\": 0.125},"
    " \"lineage\": {"
    "   \"dataset\": \"datos <mayo> & \\\"junio\\\".csv\","
    "   \"dataset_sha256\": \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
    "   \"rows\": 61725, \"seed\": 42,"
    "   \"rules_sha256\": \"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752\"},"
    " \"model\": {\"file\": \"model.json\", \"rounds\": 412,"
    "   \"params\": {\"objective\": \"reg:squarederror\", \"max_depth\": 6,"
    "                \"eta\": 0.1, \"seed\": 42}},"
    " \"segments\": ["
    "   {\"letter\": \"A\", \"description\": \"Segmento de altos ingresos y baja rotación laboral\"},"
    "   {\"letter\": \"B\", \"description\": \"Segmento de ingresos medios con estabilidad laboral\"},"
    "   {\"letter\": \"C\", \"description\": \"Segmento de jóvenes con bajos ingresos y poca estabilidad\"},"
    "   {\"letter\": \"D\", \"description\": \"Segmento actualmente desocupado y pocas posibilidades de reinserción\"}]}";

/* Importance in feature order; ingreso is the largest, edad the second. */
static const double importance[FEATURE_COUNT] = {
    .30, .12, .05, .04, .10, .15, .08, .06, .04, .03, .03,
};

struct fixture {
    json_t *manifest;
    double target[ROWS], predicted[ROWS], score[ROWS];
    int segment[ROWS];
    double features[ROWS * FEATURE_COUNT];
    double standardized[ROWS * FEATURE_COUNT];
    struct report_input in;
};

/* Rows a lender might see: four groups of applicants, from stable and
 * well paid (segment A) to out of work (D), each feature in its usual
 * range around its group's level; target and score from the shipped
 * rules, a prediction a little off the target. */
static void make_rows(struct fixture *fx)
{
    struct prng p;
    prng_seed(&p, 20240501);
    for (size_t i = 0; i < ROWS; i++) {
        int g = prng_range(&p, 0, SEGMENT_COUNT - 1);
        double q = 1.0 - g / 3.0; /* 1 for A .. 0 for D */
        double *x = fx->features + i * FEATURE_COUNT;
        x[F_INGRESO] = (6000 + 40000 * q) * (0.6 + 0.8 * prng_uniform(&p));
        x[F_ANTIGUEDAD_LABORAL_MESES] = g == 3 ? 0 : prng_range(&p, 0, 20 + (int)(100 * q));
        x[F_TIEMPO_DESEMPLEADO] = g == 3 ? prng_range(&p, 3, 24) : prng_range(&p, 0, 2);
        x[F_TRABAJOS_ULTIMOS_5] = prng_range(&p, 1, 3 + (int)(6 * (1 - q)));
        x[F_SEMANAS_COTIZADAS] = prng_range(&p, 0, 200 + (int)(1200 * q));
        x[F_EDAD] = prng_range(&p, 18 + (int)(15 * q), 40 + (int)(25 * q));
        x[F_CRECIMIENTO_INGRESO] = -40 + 150 * q + 60 * prng_uniform(&p);
        x[F_DECIL_INGRESO_ENIGH] = prng_range(&p, 1 + (int)(5 * q), 4 + (int)(6 * q));
        x[F_LIQUIDEZ_PORCENTUAL] = -80 + 250 * q + 80 * prng_uniform(&p);
        x[F_COSTO_DE_VIDA] = -80 + 220 * q + 80 * prng_uniform(&p);
        x[F_CRECIMIENTO_GRAL] = -3 + 8 * prng_uniform(&p);

        double values[VARIABLE_COUNT] = {0};
        memcpy(values, x, FEATURE_COUNT * sizeof *x);
        struct rules_result res;
        rules_evaluate(test_rules_shipped(), values, &res);
        fx->target[i] = res.target;
        fx->predicted[i] = res.target + 0.02 * (prng_uniform(&p) - 0.5);
        fx->score[i] = rules_score(test_rules_shipped(), fx->predicted[i]);
        fx->segment[i] = g;
    }
    for (int j = 0; j < FEATURE_COUNT; j++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < ROWS; i++)
            mean += fx->features[i * FEATURE_COUNT + j];
        mean /= ROWS;
        for (size_t i = 0; i < ROWS; i++) {
            double d = fx->features[i * FEATURE_COUNT + j] - mean;
            var += d * d;
        }
        double sd = sqrt(var / ROWS);
        for (size_t i = 0; i < ROWS; i++)
            fx->standardized[i * FEATURE_COUNT + j] =
                (fx->features[i * FEATURE_COUNT + j] - mean) / sd;
    }
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    json_error_t jerr;
    fx->manifest = json_loads(manifest_text, 0, &jerr);
    if (!fx->manifest) {
        free(fx);
        return -1;
    }
    make_rows(fx);
    fx->in = (struct report_input){
        .manifest = fx->manifest,
        .rules = test_rules_shipped(),
        .n = ROWS,
        .target = fx->target,
        .predicted = fx->predicted,
        .score = fx->score,
        .segment = fx->segment,
        .features = fx->features,
        .standardized = fx->standardized,
        .importance = importance,
    };
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    json_decref(fx->manifest);
    free(fx);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

struct rendered {
    char *dir;
    char *md, *html;
    size_t md_len, html_len;
};

static char *read_in(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct errbuf err;
    char *text = file_read_all(path, len, &err);
    if (!text)
        fail_msg("%s", err.msg);
    return text;
}

static void render(const struct report_input *in, struct rendered *r)
{
    r->dir = test_mkdtemp();
    assert_non_null(r->dir);
    struct errbuf err = {{0}};
    if (report_write(in, r->dir, &err) < 0)
        fail_msg("report_write: %s", err.msg);
    r->md = read_in(r->dir, "report.md", &r->md_len);
    r->html = read_in(r->dir, "report.html", &r->html_len);
}

static void rendered_free(struct rendered *r)
{
    test_rmtree(r->dir);
    free(r->dir);
    free(r->md);
    free(r->html);
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The text of the element that starts with `open` up to `close`, as a
 * malloc'd copy ("" when absent). */
static char *slice(const char *text, const char *open, const char *close)
{
    const char *a = strstr(text, open);
    const char *b = a ? strstr(a, close) : NULL;
    size_t n = a && b ? (size_t)(b - a) : 0;
    char *s = malloc(n + 1);
    memcpy(s, a ? a : "", n);
    s[n] = '\0';
    return s;
}

#define assert_contains(text, needle)                                        \
    do {                                                                     \
        if (!strstr((text), (needle)))                                       \
            fail_msg("expected to find \"%s\"", (needle));                   \
    } while (0)

#define assert_lacks(text, needle)                                           \
    do {                                                                     \
        if (strstr((text), (needle)))                                        \
            fail_msg("did not expect \"%s\"", (needle));                     \
    } while (0)

/* ---- tests ------------------------------------------------------------------ */

static void writes_markdown_and_html_in_the_directory(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    assert_true(r.md_len > 1000);
    assert_true(r.html_len > 10000);
    assert_true(strncmp(r.html, "<!DOCTYPE html>", 15) == 0);
    assert_contains(r.html, "</html>\n");
    assert_contains(r.md, "# Informe de entrenamiento");
    rendered_free(&r);
}

static void html_is_one_self_contained_file_without_scripts(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    assert_lacks(r.html, "<script");
    assert_lacks(r.html, "src=");
    assert_lacks(r.html, "href=");
    assert_lacks(r.html, "<link");
    assert_lacks(r.html, "url(");
    assert_lacks(r.html, "@import");
    rendered_free(&r);
}

static void html_has_four_charts_and_a_profile_for_every_letter(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    assert_int_equal(count_of(r.html, "<svg"), 4);
    assert_int_equal(count_of(r.html, "</svg>"), 4);
    assert_contains(r.html, "<figure id=\"scatter\">");
    assert_contains(r.html, "<figure id=\"histogram\">");
    assert_contains(r.html, "<figure id=\"importance\">");
    assert_contains(r.html, "<figure id=\"pca\">");

    char *profiles = slice(r.html, "<table class=\"profiles\">", "</table>");
    for (char c = 'A'; c <= 'D'; c++) {
        char head[8];
        snprintf(head, sizeof head, ">%c</th>", c);
        assert_contains(profiles, head);
    }
    assert_contains(profiles, "Segmento de altos ingresos y baja rotación");
    for (int j = 0; j < FEATURE_COUNT; j++) {
        char row[96];
        snprintf(row, sizeof row, "media de %s", variable_names[j]);
        assert_contains(profiles, row);
    }
    free(profiles);
    rendered_free(&r);
}

static void metrics_are_formatted_for_a_reader(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    char *metrics = slice(r.html, "<table class=\"metrics\">", "</table>");
    assert_contains(metrics, "<td class=\"num\">0.9987</td>");   /* R² */
    assert_contains(metrics, "<td class=\"num\">1.234e-05</td>"); /* MSE */
    assert_contains(metrics, "<td class=\"num\">0.0021</td>");   /* MAE */
    assert_contains(metrics, "<td class=\"num\">1.250e+01</td>");
    assert_contains(metrics, "<td class=\"num\">2.6100</td>");
    free(metrics);
    char *counts =
        slice(r.html, "<table class=\"metrics-counts\">", "</table>");
    assert_contains(counts, "12,345");
    assert_contains(counts, "49,380");
    assert_contains(counts, "412");
    /* a key nobody planned for is shown, not dropped */
    assert_contains(counts, "calibration_gap");
    assert_contains(counts, "0.125");
    free(counts);
    /* the seed is an identifier, not a quantity: no grouping */
    assert_contains(r.html, "semilla (seed)</td><td>42</td>");
    assert_contains(r.md, "| 0.9987 |");
    assert_contains(r.md, "12,345");
    rendered_free(&r);
}

static void scores_are_summarised_in_two_decimals_with_the_bands(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    char *q = slice(r.html, "<table class=\"quantiles\">", "</table>");
    assert_contains(q, "<td class=\"num\">3,000</td>");
    /* every score cell has exactly two decimals */
    size_t cells = 0;
    for (const char *p = strstr(q, "<tbody>"); (p = strstr(p, "<td")); p++) {
        const char *v = strchr(p, '>') + 1, *end = strstr(v, "</td>");
        if (cells++ == 0)
            continue; /* the row count */
        const char *dot = memchr(v, '.', (size_t)(end - v));
        assert_non_null(dot);
        assert_int_equal(end - dot, 3);
    }
    assert_int_equal(cells, 9);
    free(q);
    /* each band: a coloured range in the histogram and its label */
    char *hist = slice(r.html, "<figure id=\"histogram\">", "</figure>");
    for (int b = 0; b < rules_band_count(test_rules_shipped()); b++) {
        double from, to;
        const char *label, *color;
        rules_band(test_rules_shipped(), b, &from, &to, &label, &color);
        assert_contains(hist, label);
        assert_contains(hist, color);
    }
    free(hist);
    rendered_free(&r);
}

static void importance_bars_are_sorted_largest_first(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    char *table = slice(r.html, "<table class=\"importance\">", "</table>");
    const char *ingreso = strstr(table, "<td>ingreso</td>");
    const char *edad = strstr(table, "<td>edad</td>");
    const char *semanas = strstr(table, "<td>semanasCotizadas</td>");
    assert_non_null(ingreso);
    assert_true(ingreso < edad && edad < semanas);
    assert_contains(table, "<td class=\"num\">30.0 %</td>");
    free(table);
    char *chart = slice(r.html, "<figure id=\"importance\">", "</figure>");
    assert_true(strstr(chart, ">ingreso<") < strstr(chart, ">edad<"));
    free(chart);
    rendered_free(&r);
}

/* Axes as drawn, to the byte: on the score axis a mark below the plot and
 * its label every 50 points; on the count axis a grid line across the
 * plot, a mark left of it and the label right-aligned against the mark;
 * the scatter's target axis with its grid line too; the importance
 * chart's own axis, grid line and "%" label only. */
static void axes_are_drawn_tick_by_tick(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    char *hist = slice(r.html, "<figure id=\"histogram\">", "</figure>");
    assert_contains(hist,
        "<g class=\"axes\">\n"
        "<line x1=\"80.0\" y1=\"380.0\" x2=\"80.0\" y2=\"385.0\" stroke=\"#444\"/>\n"
        "<text x=\"80.0\" y=\"398.0\" text-anchor=\"middle\">300</text>\n"
        "<line x1=\"149.1\" y1=\"380.0\" x2=\"149.1\" y2=\"385.0\" stroke=\"#444\"/>\n"
        "<text x=\"149.1\" y=\"398.0\" text-anchor=\"middle\">350</text>\n");
    assert_contains(hist,
        "<text x=\"840.0\" y=\"398.0\" text-anchor=\"middle\">850</text>\n"
        "<line x1=\"80.0\" y1=\"380.0\" x2=\"840.0\" y2=\"380.0\" stroke=\"#e3e3e3\"/>\n"
        "<line x1=\"75.0\" y1=\"380.0\" x2=\"80.0\" y2=\"380.0\" stroke=\"#444\"/>\n"
        "<text x=\"72.0\" y=\"384.0\" text-anchor=\"end\">0</text>\n");
    assert_contains(hist,
        "<rect x=\"80.0\" y=\"40.0\" width=\"760.0\" height=\"340.0\" fill=\"none\" stroke=\"#444\"/>\n"
        "<text x=\"460.0\" y=\"420.0\" text-anchor=\"middle\" class=\"axis-title\">score (300–850)</text>\n"
        "<text x=\"22.0\" y=\"210.0\" text-anchor=\"middle\" class=\"axis-title\" transform=\"rotate(-90 22.0 210.0)\">filas de prueba</text>\n"
        "</g>\n");
    free(hist);
    char *scatter = slice(r.html, "<figure id=\"scatter\">", "</figure>");
    assert_contains(scatter,
        "<g class=\"axes\">\n"
        "<line x1=\"80.0\" y1=\"20.0\" x2=\"80.0\" y2=\"460.0\" stroke=\"#e3e3e3\"/>\n"
        "<line x1=\"80.0\" y1=\"460.0\" x2=\"80.0\" y2=\"465.0\" stroke=\"#444\"/>\n"
        "<text x=\"80.0\" y=\"478.0\" text-anchor=\"middle\">0.0</text>\n");
    free(scatter);
    char *imp = slice(r.html, "<figure id=\"importance\">", "</figure>");
    assert_contains(imp,
        "<line x1=\"200.0\" y1=\"20.0\" x2=\"200.0\" y2=\"333.0\" stroke=\"#e3e3e3\"/>\n"
        "<text x=\"200.0\" y=\"346.0\" text-anchor=\"middle\">0 %</text>\n"
        "<line x1=\"386.7\" y1=\"20.0\" x2=\"386.7\" y2=\"333.0\" stroke=\"#e3e3e3\"/>\n");
    free(imp);
    rendered_free(&r);
}

static void scatter_plots_are_subsampled_at_a_fixed_stride(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    /* 3,000 rows, at most 2,000 points: every second row */
    char *scatter = slice(r.html, "<figure id=\"scatter\">", "</figure>");
    assert_int_equal(count_of(scatter, "<circle"), 1500);
    assert_contains(scatter, "1,500 de 3,000 filas (una de cada 2)");
    free(scatter);
    char *pca = slice(r.html, "<figure id=\"pca\">", "</figure>");
    assert_int_equal(count_of(pca, "<circle"), 1500 + SEGMENT_COUNT);
    free(pca);
    rendered_free(&r);
}

static void manifest_text_is_escaped(void **state)
{
    struct fixture *fx = *state;
    struct rendered r;
    render(&fx->in, &r);
    assert_contains(r.html,
                    "datos &lt;mayo&gt; &amp; &quot;junio&quot;.csv");
    assert_lacks(r.html, "<mayo>");
    assert_lacks(r.html, "\"junio\"");
    /* Markdown is text: kept as is, but hashes in code font */
    assert_contains(r.md, "datos <mayo> & \"junio\".csv");
    assert_contains(r.md, "`9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822"
                          "cd15d6c15b0f00a08`");
    rendered_free(&r);
}

static void same_input_gives_identical_bytes(void **state)
{
    struct fixture *fx = *state;
    struct rendered a, b;
    render(&fx->in, &a);
    render(&fx->in, &b);
    assert_int_equal(a.md_len, b.md_len);
    assert_int_equal(a.html_len, b.html_len);
    assert_memory_equal(a.md, b.md, a.md_len);
    assert_memory_equal(a.html, b.html, a.html_len);
    rendered_free(&a);
    rendered_free(&b);
}

static void manifest_without_lineage_still_renders(void **state)
{
    struct fixture *fx = *state;
    json_t *m = json_deep_copy(fx->manifest);
    json_object_del(m, "lineage");
    json_object_del(m, "segments");
    struct report_input in = fx->in;
    in.manifest = m;
    struct rendered r;
    render(&in, &r);
    assert_contains(r.html, "El manifiesto no trae linaje.");
    assert_contains(r.md, "El manifiesto no trae linaje.");
    /* the descriptions fall back to segments.h's */
    assert_contains(r.html, segment_descriptions[3]);
    assert_contains(r.html, "0.9987");
    rendered_free(&r);
    json_decref(m);
}

static void odd_manifests_and_no_rows_still_render(void **state)
{
    (void)state;
    json_t *odd = json_pack("{s:[i], s:{s:s, s:n}, s:i, s:s}", "metrics", 1,
                            "model", "params", "x", "nothing", "lineage", 7,
                            "created_at", "hoy");
    const json_t *manifests[] = {odd, NULL};
    for (size_t k = 0; k < 2; k++) {
        struct report_input in = {.manifest = manifests[k]};
        struct rendered r;
        render(&in, &r);
        assert_int_equal(count_of(r.html, "<svg"), 4);
        assert_contains(r.html, "sin filas de prueba");
        assert_contains(r.html, "</html>\n");
        rendered_free(&r);
    }
    json_decref(odd);
}

/* All the variance along edad, none elsewhere worth the name: CP1 is edad
 * and explains nearly everything — whichever sign the data runs. */
static void pca_first_component_is_the_feature_carrying_the_variance(
    void **state)
{
    struct fixture *fx = *state;
    static double z[ROWS * FEATURE_COUNT];
    struct prng p;
    prng_seed(&p, 7);
    for (size_t i = 0; i < ROWS; i++)
        for (int j = 0; j < FEATURE_COUNT; j++)
            z[i * FEATURE_COUNT + j] =
                (j == F_EDAD ? -10.0 : 0.1) * (prng_uniform(&p) - 0.5);
    struct report_input in = fx->in;
    in.standardized = z;
    struct rendered r;
    render(&in, &r);
    char *table = slice(r.html, "<table class=\"loadings\">", "</table>");
    assert_contains(table, "<tr><td>edad</td><td class=\"num\">1.000</td>");
    assert_contains(table, "CP1 (99.");
    for (int j = 0; j < FEATURE_COUNT; j++) {
        if (j == F_EDAD)
            continue;
        char row[96];
        snprintf(row, sizeof row, "<tr><td>%s</td><td class=\"num\">0.000</td>",
                 variable_names[j]);
        assert_contains(table, row);
    }
    free(table);
    rendered_free(&r);
}

static void unwritable_directory_is_refused_with_the_path(void **state)
{
    struct fixture *fx = *state;
    struct errbuf err = {{0}};
    assert_int_equal(report_write(&fx->in, "/nonexistent/incomescore", &err),
                     -1);
    assert_non_null(strstr(err.msg, "/nonexistent/incomescore/report"));
}

int suite_report(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_markdown_and_html_in_the_directory),
        cmocka_unit_test(html_is_one_self_contained_file_without_scripts),
        cmocka_unit_test(html_has_four_charts_and_a_profile_for_every_letter),
        cmocka_unit_test(metrics_are_formatted_for_a_reader),
        cmocka_unit_test(scores_are_summarised_in_two_decimals_with_the_bands),
        cmocka_unit_test(importance_bars_are_sorted_largest_first),
        cmocka_unit_test(axes_are_drawn_tick_by_tick),
        cmocka_unit_test(scatter_plots_are_subsampled_at_a_fixed_stride),
        cmocka_unit_test(manifest_text_is_escaped),
        cmocka_unit_test(same_input_gives_identical_bytes),
        cmocka_unit_test(manifest_without_lineage_still_renders),
        cmocka_unit_test(odd_manifests_and_no_rows_still_render),
        cmocka_unit_test(pca_first_component_is_the_feature_carrying_the_variance),
        cmocka_unit_test(unwritable_directory_is_refused_with_the_path),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
