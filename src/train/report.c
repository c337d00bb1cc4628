/*
 * report.c — the training report (see report.h): report.md, the text
 * version, and report.html, the same tables plus five inline SVG charts.
 * This file holds the sections and the two documents; the numbers are
 * computed in report_stats.c, spelled in report_format.c and drawn in
 * report_svg.c (report_internal.h says what each shares).
 *
 * Who reads it: a credit analyst and the data team deciding, after each
 * daily retrain, whether the new version may be promoted. So the page must
 * open anywhere without tools: one HTML file, no scripts, no fonts or
 * images fetched from anywhere, hand-written SVG. Labels are Spanish;
 * feature names stay as the data spells them.
 *
 * Everything is computed once into struct report_stats (quantiles, band
 * counts, histogram, importance order, the PCA, the segment profiles) and
 * then rendered twice. The tables go through one small writer (struct doc)
 * that emits the Markdown row and the HTML row together, so the two files
 * cannot disagree on a number.
 *
 * Determinism: no clock, no randomness, fixed-stride subsamples, numbers
 * printed with fixed formats, manifest keys in their stored order (jansson
 * keeps insertion order), the PCA's eigenvector signs fixed by a rule.
 * The same input gives the same bytes.
 */
#include "train/report.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "train/report_internal.h"

/* ---- the two documents at once ------------------------------------------ */

struct doc {
    FILE *md, *html;
};

struct column {
    const char *head;
    bool numeric;            /* right-aligned */
    const char *color;       /* a coloured bar over the header, or NULL */
};

static void doc_heading(struct doc *d, int level, const char *text)
{
    for (int i = 0; i < level; i++)
        fputc('#', d->md);
    fputc(' ', d->md);
    report_put_md(d->md, text);
    fputs("\n\n", d->md);
    fprintf(d->html, "<h%d>", level);
    report_put_html(d->html, text);
    fprintf(d->html, "</h%d>\n", level);
}

static void doc_para(struct doc *d, const char *text)
{
    report_put_md(d->md, text);
    fputs("\n\n", d->md);
    fputs("<p>", d->html);
    report_put_html(d->html, text);
    fputs("</p>\n", d->html);
}

static void doc_table_begin(struct doc *d, const char *html_class,
                            const struct column *cols, int ncols)
{
    fputs("|", d->md);
    for (int c = 0; c < ncols; c++) {
        fputc(' ', d->md);
        report_put_md(d->md, cols[c].head);
        fputs(" |", d->md);
    }
    fputs("\n|", d->md);
    for (int c = 0; c < ncols; c++)
        fputs(cols[c].numeric ? "---:|" : "---|", d->md);
    fputc('\n', d->md);

    fprintf(d->html, "<table class=\"%s\">\n<thead><tr>", html_class);
    for (int c = 0; c < ncols; c++) {
        fputs("<th", d->html);
        if (cols[c].numeric)
            fputs(" class=\"num\"", d->html);
        if (cols[c].color) {
            fputs(" style=\"border-top:6px solid ", d->html);
            report_put_html(d->html, cols[c].color);
            fputs("\"", d->html);
        }
        fputc('>', d->html);
        report_put_html(d->html, cols[c].head);
        fputs("</th>", d->html);
    }
    fputs("</tr></thead>\n<tbody>\n", d->html);
}

/* One row; cells[c] is plain text (escaped here). Cells whose bit is set
 * in code_mask are set in code font (hashes, file names). */
static void doc_table_row(struct doc *d, const struct column *cols,
                          int ncols, const char *const *cells,
                          unsigned code_mask)
{
    fputs("|", d->md);
    fputs("<tr>", d->html);
    for (int c = 0; c < ncols; c++) {
        bool code = c < 32 && (code_mask >> c) & 1u;
        fputc(' ', d->md);
        if (code && cells[c][0])
            fputc('`', d->md);
        report_put_md(d->md, cells[c]);
        if (code && cells[c][0])
            fputc('`', d->md);
        fputs(" |", d->md);

        fputs(cols[c].numeric ? "<td class=\"num\">" : "<td>", d->html);
        if (code)
            fputs("<code>", d->html);
        report_put_html(d->html, cells[c]);
        if (code)
            fputs("</code>", d->html);
        fputs("</td>", d->html);
    }
    fputc('\n', d->md);
    fputs("</tr>\n", d->html);
}

static void doc_table_end(struct doc *d)
{
    fputc('\n', d->md);
    fputs("</tbody></table>\n", d->html);
}

/* ---- the sections ----------------------------------------------------------- */

static const json_t *object_get(const json_t *o, const char *key)
{
    return json_is_object(o) ? json_object_get(o, key) : NULL;
}

/* Every scalar key of an object as a two-column table; nested values as
 * compact JSON. Keys whose name says "sha" or "hash", and file names, are
 * set in code font. */
static int section_key_values(struct doc *d, const json_t *obj,
                              const char *html_class, bool skip_nested)
{
    static const struct column cols[2] = {{"concepto", false, NULL},
                                          {"valor", false, NULL}};
    const char *key;
    json_t *v;
    bool any = false;
    json_object_foreach((json_t *)obj, key, v) {
        if (skip_nested && (json_is_object(v) || json_is_array(v)))
            continue;
        if (!any)
            doc_table_begin(d, html_class, cols, 2);
        any = true;
        char label[2 * NUM_SIZE + 8];
        report_fmt_key(label, sizeof label, key);
        char *text = report_fmt_value(key, v);
        if (!text)
            return -1;
        const char *cells[2] = {label, text};
        doc_table_row(d, cols, 2, cells, report_key_is_code(key) ? 2u : 0u);
        free(text);
    }
    if (any)
        doc_table_end(d);
    return 0;
}

static void section_version(struct doc *d, const json_t *manifest,
                            const char *version_id, char *created,
                            size_t size)
{
    const json_t *c = object_get(manifest, "created_at");
    created[0] = '\0';
    if (c) {
        char *text = report_fmt_value("created_at", c);
        if (text) {
            snprintf(created, size, "%s", text);
            free(text);
        }
    }
    char line[512];
    snprintf(line, sizeof line, "Informe de entrenamiento: %s",
             version_id ? version_id : "sin registrar");
    doc_heading(d, 1, line);
    const char *code = json_string_value(object_get(manifest,
                                                    "code_version"));
    snprintf(line, sizeof line, "Versión creada: %s, con incomescore %s. %s",
             created[0] ? created : "fecha desconocida",
             code ? code : "de versión desconocida",
             version_id ? "Su identificador en el registro es el del "
                          "título (`models list`, `models show`)."
                        : "Sin registrar: este modelo se escribió fuera "
                          "de un registro de modelos y no tiene "
                          "identificador; no es ninguna versión de "
                          "`models list`.");
    doc_para(d, line);
    /* what it was trained from and on which scale, in one table */
    static const struct column cols[2] = {{"concepto", false, NULL},
                                          {"valor", false, NULL}};
    doc_table_begin(d, "identity", cols, 2);
    const char *cells[2] = {"versión", version_id ? version_id
                                                   : "sin registrar"};
    doc_table_row(d, cols, 2, cells, version_id ? 2u : 0u);
    const json_t *lineage = object_get(manifest, "lineage");
    const char *dataset = json_string_value(object_get(lineage, "dataset"));
    const char *sha = json_string_value(object_get(lineage,
                                                   "dataset_sha256"));
    char rows[NUM_SIZE];
    report_fmt_count(rows, sizeof rows,
                     (size_t)json_integer_value(object_get(lineage,
                                                           "dataset_rows")));
    snprintf(line, sizeof line, "%s — %s filas — SHA-256 %.16s…",
             dataset ? dataset : "?", rows, sha ? sha : "?");
    cells[0] = "conjunto de datos";
    cells[1] = line;
    doc_table_row(d, cols, 2, cells, 0);
    const json_t *scale = object_get(manifest, "score_scale");
    snprintf(line, sizeof line, "objetivo %g → 300, %g → 850",
             json_number_value(object_get(scale, "target_at_300")),
             json_number_value(object_get(scale, "target_at_850")));
    cells[0] = "escala del score";
    doc_table_row(d, cols, 2, cells, 0);
    snprintf(line, sizeof line, "ITAEE %lld (crecimiento estatal, INEGI); "
             "ENIGH de la tabla refdata/enigh.csv (edición no registrada "
             "en la fuente original), SHA-256 %.16s…",
             (long long)json_integer_value(object_get(manifest,
                                                      "itaee_year")),
             json_string_value(object_get(object_get(manifest, "files"),
                                          "refdata/enigh.csv"))
                 ? json_string_value(object_get(
                       object_get(manifest, "files"), "refdata/enigh.csv"))
                 : "?");
    cells[0] = "encuestas";
    doc_table_row(d, cols, 2, cells, 0);
    doc_table_end(d);
}

/* Metrics: scalar keys (row counts, rounds) in one table; object keys
 * (target, score: {r2, mse, mae}) as one matrix whose columns are every
 * inner key met, in order of first appearance — nothing is hard-coded,
 * so a metric added to train shows up here without a change. */
static int section_metrics(struct doc *d, const json_t *manifest)
{
    doc_heading(d, 2, "Métricas en el conjunto de prueba");
    const json_t *metrics = object_get(manifest, "metrics");
    if (!json_is_object(metrics) || json_object_size(metrics) == 0) {
        doc_para(d, "El manifiesto no trae métricas.");
        return 0;
    }
    json_t *inner = json_array();
    if (!inner)
        return -1;
    const char *key;
    json_t *v;
    int groups = 0;
    json_object_foreach((json_t *)metrics, key, v) {
        if (!json_is_object(v))
            continue;
        groups++;
        const char *ik;
        json_t *iv;
        json_object_foreach(v, ik, iv) {
            bool seen = false;
            for (size_t k = 0; k < json_array_size(inner); k++)
                seen |= strcmp(json_string_value(json_array_get(inner, k)),
                               ik) == 0;
            if (!seen)
                json_array_append_new(inner, json_string(ik));
        }
    }
    int rc = 0;
    size_t ncols = json_array_size(inner) + 1;
    if (groups) {
        struct column *cols = calloc(ncols, sizeof *cols);
        const char **cells = calloc(ncols, sizeof *cells);
        char **owned = calloc(ncols, sizeof *owned);
        char(*labels)[NUM_SIZE] = calloc(ncols, sizeof *labels);
        if (!cols || !cells || !owned || !labels) {
            rc = -1;
            goto done_matrix;
        }
        cols[0].head = "medida sobre";
        for (size_t k = 1; k < ncols; k++) {
            const char *ik = json_string_value(json_array_get(inner, k - 1));
            const char *l = report_key_label(ik);
            snprintf(labels[k], NUM_SIZE, "%s", l ? l : ik);
            cols[k].head = labels[k];
            cols[k].numeric = true;
        }
        doc_table_begin(d, "metrics", cols, (int)ncols);
        json_object_foreach((json_t *)metrics, key, v) {
            if (!json_is_object(v))
                continue;
            char label[2 * NUM_SIZE + 8];
            report_fmt_key(label, sizeof label, key);
            cells[0] = label;
            for (size_t k = 1; k < ncols; k++) {
                const char *ik =
                    json_string_value(json_array_get(inner, k - 1));
                const json_t *iv = json_object_get(v, ik);
                owned[k] = iv ? report_fmt_value(ik, iv) : strdup("—");
                if (!owned[k])
                    rc = -1;
                cells[k] = owned[k] ? owned[k] : "";
            }
            doc_table_row(d, cols, (int)ncols, cells, 0);
            for (size_t k = 1; k < ncols; k++) {
                free(owned[k]);
                owned[k] = NULL;
            }
        }
        doc_table_end(d);
    done_matrix:
        free(cols);
        free(cells);
        free(owned);
        free(labels);
    }
    json_decref(inner);
    if (rc == 0)
        rc = section_key_values(d, metrics, "metrics-counts", true);
    return rc;
}

/* ---- the comparison with the live model ---------------------------------- */

/* A difference with its sign always written: "+0.0012", "-3.40". */
static void fmt_signed(char *buf, size_t size, double v, int decimals)
{
    char num[NUM_SIZE - 1]; /* room for the sign */
    report_fmt_grouped(num, sizeof num, v, decimals);
    snprintf(buf, size, "%s%s", isfinite(v) && num[0] != '-' ? "+" : "",
             num);
}

static int compare_bin(double score)
{
    int b = (int)floor((score - HIST_LO) / COMPARE_WIDTH);
    return b < 0 ? 0 : b >= COMPARE_BINS ? COMPARE_BINS - 1 : b;
}

/* The live model at training time against this one, on the same held-out
 * rows: the metrics side by side, how each new segment was matched to a
 * live letter (and how far its centroid moved), and both distributions
 * of the score with its PSI. A first model says there is nothing to
 * compare with. */
static void section_comparison(struct doc *d, const struct report_input *in,
                               const struct report_stats *st)
{
    doc_heading(d, 2, "Comparación con el modelo vivo");
    const struct report_comparison *live = in->live;
    char line[ERRBUF_SIZE + 160];
    if (!live) {
        doc_para(d, "Primer modelo: sin comparación (el registro no tenía "
                    "un modelo vivo al entrenarlo).");
        return;
    }
    if (live->unavailable) {
        snprintf(line, sizeof line, "Sin comparación: el modelo vivo %s no "
                 "se pudo cargar (%s).", live->live_id, live->unavailable);
        doc_para(d, line);
        return;
    }
    char rows[NUM_SIZE];
    report_fmt_count(rows, sizeof rows, in->n);
    snprintf(line, sizeof line,
             "Modelo vivo al entrenar: %s. Los dos modelos se miden sobre "
             "las mismas %s filas de prueba de este conjunto de datos, que "
             "ninguno vio al entrenar; el score de cada uno, frente al que "
             "su propia escala da al objetivo verdadero.",
             live->live_id, rows);
    doc_para(d, line);

    /* the metrics side by side; this model's from its manifest */
    const json_t *metrics = object_get(in->manifest, "metrics");
    const json_t *mt = object_get(metrics, "target");
    const json_t *ms = object_get(metrics, "score");
    char live_head[NUM_SIZE + 32];
    snprintf(live_head, sizeof live_head, "modelo vivo (%s)", live->live_id);
    const struct column mcols[4] = {{"medida", false, NULL},
                                    {live_head, true, NULL},
                                    {"este modelo", true, NULL},
                                    {"diferencia", true, NULL}};
    doc_table_begin(d, "comparison", mcols, 4);
    double live_mean = 0;
    for (size_t i = 0; i < in->n; i++)
        live_mean += live->score[i];
    live_mean = in->n ? live_mean / (double)in->n : 0;
    struct {
        const char *label;
        double live, cand;
        int decimals;
    } rows_of[4] = {
        {"R² del objetivo", live->r2,
         json_number_value(object_get(mt, "r2")), 4},
        {"MAE (puntos de score)", live->mae_points,
         json_number_value(object_get(ms, "mae")), 2},
        {"R² del score", live->score_r2,
         json_number_value(object_get(ms, "r2")), 4},
        {"score medio", live_mean, st->score_mean, 2},
    };
    for (int r = 0; r < 4; r++) {
        char a[NUM_SIZE], b[NUM_SIZE], c[NUM_SIZE];
        report_fmt_grouped(a, sizeof a, rows_of[r].live, rows_of[r].decimals);
        report_fmt_grouped(b, sizeof b, rows_of[r].cand, rows_of[r].decimals);
        fmt_signed(c, sizeof c, rows_of[r].cand - rows_of[r].live,
                   rows_of[r].decimals);
        const char *cells[4] = {rows_of[r].label, a, b, c};
        doc_table_row(d, mcols, 4, cells, 0);
    }
    doc_table_end(d);

    /* the segment match: manifest.letters says which live letter each
     * new segment took and how far its centroid moved */
    doc_heading(d, 3, "Emparejamiento de segmentos");
    const json_t *letters = object_get(in->manifest, "letters");
    const char *reference =
        json_string_value(object_get(letters, "reference"));
    const json_t *shift = object_get(letters, "shift");
    bool matched = reference && json_array_size(shift) == SEGMENT_COUNT;
    static const struct column scols[7] = {
        {"segmento nuevo", false, NULL},
        {"letra del modelo vivo", false, NULL},
        {"desplazamiento del centroide", true, NULL},
        {"filas de prueba (vivo)", true, NULL},
        {"filas de prueba (este)", true, NULL},
        {"score medio (vivo)", true, NULL},
        {"score medio (este)", true, NULL},
    };
    size_t live_size[SEGMENT_COUNT] = {0};
    double live_sum[SEGMENT_COUNT] = {0};
    for (size_t i = 0; i < in->n; i++)
        if (live->segment[i] >= 0 && live->segment[i] < SEGMENT_COUNT) {
            live_size[live->segment[i]]++;
            live_sum[live->segment[i]] += live->score[i];
        }
    doc_table_begin(d, "segment-match", scols, 7);
    for (int g = 0; g < SEGMENT_COUNT; g++) {
        char t[7][NUM_SIZE];
        snprintf(t[0], NUM_SIZE, "%c", segment_letter(g));
        /* letters_match gives each new segment the live letter it lies
         * closest to: the same letter, by construction */
        snprintf(t[1], NUM_SIZE, "%s", matched ? t[0] : "—");
        report_fmt_grouped(t[2], NUM_SIZE,
                           matched ? json_number_value(json_array_get(
                                         shift, (size_t)g))
                                   : NAN,
                           3);
        report_fmt_count(t[3], NUM_SIZE, live_size[g]);
        report_fmt_count(t[4], NUM_SIZE, st->segment[g].size);
        report_fmt_grouped(t[5], NUM_SIZE,
                           live_size[g] ? live_sum[g] / (double)live_size[g]
                                        : NAN,
                           2);
        report_fmt_grouped(t[6], NUM_SIZE,
                           st->segment[g].size ? st->segment[g].score : NAN,
                           2);
        const char *cells[7] = {t[0], t[1], t[2], t[3], t[4], t[5], t[6]};
        doc_table_row(d, scols, 7, cells, 0);
    }
    doc_table_end(d);
    if (!matched)
        doc_para(d, "Las letras no se emparejaron con las del modelo vivo.");
    else
        doc_para(d, "Desplazamiento: distancia entre el centroide nuevo y el "
                    "del modelo vivo con la misma letra, en el espacio "
                    "estandarizado del modelo vivo.");

    /* both distributions of the score, and its PSI */
    doc_heading(d, 3, "Distribución del score");
    size_t live_hist[COMPARE_BINS] = {0}, cand_hist[COMPARE_BINS] = {0};
    for (size_t i = 0; i < in->n; i++) {
        live_hist[compare_bin(live->score[i])]++;
        if (isfinite(in->score[i]))
            cand_hist[compare_bin(in->score[i])]++;
    }
    char psi[NUM_SIZE];
    report_fmt_grouped(psi, sizeof psi, live->psi, 4);
    snprintf(line, sizeof line,
             "PSI del score (este modelo frente al vivo, en deciles de los "
             "scores del vivo): %s — %s.", psi,
             live->psi >= 0.25   ? "otra distribución (0.25 o más)"
             : live->psi >= 0.10 ? "se desplaza (0.10 a 0.25)"
                                 : "estable (menos de 0.10)");
    doc_para(d, line);
    report_chart_compare(d->html, live_hist, cand_hist, live->live_id);
    const struct column hcols[3] = {{"rango de score", false, NULL},
                                    {live_head, true, NULL},
                                    {"este modelo", true, NULL}};
    doc_table_begin(d, "score-shift", hcols, 3);
    for (int b = 0; b < COMPARE_BINS; b++) {
        char range[NUM_SIZE], a[NUM_SIZE], c[NUM_SIZE];
        double from = HIST_LO + b * COMPARE_WIDTH;
        snprintf(range, sizeof range,
                 b == COMPARE_BINS - 1 ? "%.0f a %.0f" : "%.0f a menos de %.0f",
                 from, from + COMPARE_WIDTH);
        report_fmt_count(a, sizeof a, live_hist[b]);
        report_fmt_count(c, sizeof c, cand_hist[b]);
        const char *cells[3] = {range, a, c};
        doc_table_row(d, hcols, 3, cells, 0);
    }
    doc_table_end(d);
}

static void section_scores(struct doc *d, const struct report_stats *st)
{
    doc_heading(d, 2, "Distribución de los scores de prueba");
    static const struct column qcols[9] = {
        {"filas", true, NULL},  {"media", true, NULL}, {"mínimo", true, NULL},
        {"p5", true, NULL},     {"p25", true, NULL},   {"mediana", true, NULL},
        {"p75", true, NULL},    {"p95", true, NULL},   {"máximo", true, NULL},
    };
    char text[9][NUM_SIZE];
    const char *cells[9];
    report_fmt_count(text[0], NUM_SIZE, st->scored);
    report_fmt_grouped(text[1], NUM_SIZE, st->score_mean, 2);
    for (int q = 0; q < 7; q++)
        report_fmt_grouped(text[2 + q], NUM_SIZE, st->quantile[q], 2);
    for (int c = 0; c < 9; c++)
        cells[c] = text[c];
    doc_table_begin(d, "quantiles", qcols, 9);
    doc_table_row(d, qcols, 9, cells, 0);
    doc_table_end(d);

    if (st->bands == 0)
        return;
    static const struct column bcols[4] = {
        {"banda", false, NULL},
        {"rango de score", false, NULL},
        {"filas", true, NULL},
        {"participación", true, NULL},
    };
    doc_table_begin(d, "bands", bcols, 4);
    for (int b = 0; b < st->bands; b++) {
        char range[NUM_SIZE], count[NUM_SIZE], share[NUM_SIZE];
        bool last = b == st->bands - 1;
        snprintf(range, sizeof range, last ? "%.0f a %.0f" :
                 "%.0f a menos de %.0f", st->band_from[b], st->band_to[b]);
        report_fmt_count(count, sizeof count, st->band_rows[b]);
        report_fmt_share(share, sizeof share, st->band_rows[b], st->scored);
        const char *c4[4] = {st->band_label[b] ? st->band_label[b] : "",
                             range, count, share};
        doc_table_row(d, bcols, 4, c4, 0);
    }
    doc_table_end(d);
}

static void section_importance(struct doc *d, const struct report_input *in,
                               const struct report_stats *st)
{
    if (!in->importance) {
        doc_para(d, "Sin importancias en la entrada.");
        return;
    }
    static const struct column cols[2] = {{"variable", false, NULL},
                                          {"importancia", true, NULL}};
    doc_table_begin(d, "importance", cols, 2);
    for (int r = 0; r < FEATURE_COUNT; r++) {
        int j = st->importance_order[r];
        char v[NUM_SIZE];
        snprintf(v, sizeof v, "%.1f %%", 100 * in->importance[j]);
        const char *cells[2] = {variable_names[j], v};
        doc_table_row(d, cols, 2, cells, 0);
    }
    doc_table_end(d);
}

/* The model's own explanations summed up: how many score points each
 * feature moves an applicant's score, on average, either way. */
static void section_explanations(struct doc *d, const struct report_input *in)
{
    if (!in->mean_abs_points || !in->explained)
        return;
    doc_heading(d, 2, "Contribución de cada variable al score");
    char line[256], rows[NUM_SIZE];
    report_fmt_count(rows, sizeof rows, in->explained);
    snprintf(line, sizeof line,
             "Media del valor absoluto de la contribución de cada variable "
             "(valores SHAP del modelo, en puntos de score) sobre %s filas "
             "de prueba: lo que `?explain=1` da por solicitante.", rows);
    doc_para(d, line);
    int order[FEATURE_COUNT];
    for (int f = 0; f < FEATURE_COUNT; f++)
        order[f] = f;
    for (int i = 1; i < FEATURE_COUNT; i++) /* largest first, stable */
        for (int j = i; j > 0 && in->mean_abs_points[order[j]] >
                                     in->mean_abs_points[order[j - 1]];
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    static const struct column cols[2] = {{"variable", false, NULL},
                                          {"puntos (media de |SHAP|)", true,
                                           NULL}};
    doc_table_begin(d, "explanations", cols, 2);
    for (int r = 0; r < FEATURE_COUNT; r++) {
        char v[NUM_SIZE];
        report_fmt_grouped(v, sizeof v, in->mean_abs_points[order[r]], 2);
        const char *cells[2] = {variable_names[order[r]], v};
        doc_table_row(d, cols, 2, cells, 0);
    }
    doc_table_end(d);
}

/* The loadings, so a reader can say what "CP1" is: for the shipped
 * features it is mostly income and its state-relative cousins. */
static void section_loadings(struct doc *d, const struct pca *p)
{
    if (!p->ok) {
        doc_para(d, "Sin filas suficientes para calcular los componentes "
                    "principales.");
        return;
    }
    char h1[NUM_SIZE], h2[NUM_SIZE];
    snprintf(h1, sizeof h1, "CP1 (%.1f %%)", 100 * p->variance_share[0]);
    snprintf(h2, sizeof h2, "CP2 (%.1f %%)", 100 * p->variance_share[1]);
    const struct column cols[3] = {{"variable", false, NULL},
                                   {h1, true, NULL},
                                   {h2, true, NULL}};
    doc_table_begin(d, "loadings", cols, 3);
    for (int j = 0; j < FEATURE_COUNT; j++) {
        char a[NUM_SIZE], b[NUM_SIZE];
        report_fmt_grouped(a, sizeof a, p->axis[0][j], 3);
        report_fmt_grouped(b, sizeof b, p->axis[1][j], 3);
        const char *cells[3] = {variable_names[j], a, b};
        doc_table_row(d, cols, 3, cells, 0);
    }
    doc_table_end(d);

    /* the same in words: the three heaviest loadings of each component */
    char line[512];
    size_t o = 0;
    for (int c = 0; c < 2; c++) {
        int top[3] = {-1, -1, -1};
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < FEATURE_COUNT; j++) {
                if (j == top[0] || j == top[1])
                    continue;
                if (top[k] < 0 || fabs(p->axis[c][j]) >
                                      fabs(p->axis[c][top[k]]) + 1e-12)
                    top[k] = j;
            }
        o += (size_t)snprintf(line + o, sizeof line - o, "%s",
                              c == 0 ? "CP1 pesa sobre todo en "
                                     : "; CP2, en ");
        for (int k = 0; k < 3 && o < sizeof line; k++) {
            char v[NUM_SIZE];
            report_fmt_grouped(v, sizeof v, p->axis[c][top[k]], 3);
            o += (size_t)snprintf(line + o, sizeof line - o, "%s%s (%s%s)",
                                  k == 0 ? "" : k == 1 ? ", " : " y ",
                                  variable_names[top[k]],
                                  v[0] == '-' ? "" : "+", v);
        }
        if (o >= sizeof line)
            break;
    }
    if (o + 1 < sizeof line) {
        line[o++] = '.';
        line[o] = '\0';
    }
    doc_para(d, line);
}

/* The manifest's description of a segment when it carries one (a bundle
 * keeps the words it was trained with), else ours. */
static const char *segment_description(const json_t *manifest, int s)
{
    const json_t *segs = object_get(manifest, "segments");
    const json_t *text = NULL;
    if (json_is_array(segs))
        text = object_get(json_array_get(segs, (size_t)s), "description");
    else if (json_is_object(segs))
        text = json_array_get(json_object_get(segs, "descriptions"),
                              (size_t)s);
    if (json_is_string(text))
        return json_string_value(text);
    return segment_descriptions[s];
}

/* How the letters were given: by mean target (a first model), or matched
 * to the live model's segments, with how far each letter's centroid
 * moved. */
static void section_letters(struct doc *d, const json_t *manifest)
{
    const json_t *letters = object_get(manifest, "letters");
    const char *reference =
        json_string_value(object_get(letters, "reference"));
    const json_t *shift = object_get(letters, "shift");
    if (!reference || json_array_size(shift) != SEGMENT_COUNT) {
        doc_para(d, "Letras por objetivo medio (A el más alto): no había "
                    "un modelo vivo con cuyas letras emparejar.");
        return;
    }
    char line[512];
    int n = snprintf(line, sizeof line,
                     "Letras emparejadas con las de %s (asignación óptima "
                     "de centroides en su espacio estandarizado), para que "
                     "cada letra nombre el mismo tipo de solicitante. "
                     "Desplazamiento de cada centroide:", reference);
    for (int s = 0; s < SEGMENT_COUNT && n > 0 && (size_t)n < sizeof line;
         s++) {
        char num[NUM_SIZE];
        report_fmt_grouped(num, sizeof num,
                           json_number_value(json_array_get(shift,
                                                            (size_t)s)),
                           3);
        n += snprintf(line + n, sizeof line - (size_t)n, "%s %c %s",
                      s ? "," : "", segment_letter(s), num);
    }
    if (n > 0 && (size_t)n + 1 < sizeof line)
        strcat(line, ".");
    doc_para(d, line);
}

/* One column per letter, one row per measure: eleven feature means
 * across four columns fit a page; four rows across fifteen columns do
 * not. */
static void section_profiles(struct doc *d, const struct report_input *in,
                             const struct report_stats *st)
{
    doc_heading(d, 2, "Perfil de los segmentos");
    char heads[SEGMENT_COUNT][8];
    struct column cols[SEGMENT_COUNT + 1] = {{"medida", false, NULL}};
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        snprintf(heads[s], sizeof heads[s], "%c", segment_letter(s));
        cols[s + 1] = (struct column){heads[s], true, report_segment_colors[s]};
    }
    doc_table_begin(d, "profiles", cols, SEGMENT_COUNT + 1);
    char text[SEGMENT_COUNT + 1][NUM_SIZE];
    const char *cells[SEGMENT_COUNT + 1];

    cells[0] = "descripción";
    for (int s = 0; s < SEGMENT_COUNT; s++)
        cells[s + 1] = segment_description(in->manifest, s);
    struct column desc_cols[SEGMENT_COUNT + 1];
    memcpy(desc_cols, cols, sizeof desc_cols);
    for (int s = 1; s <= SEGMENT_COUNT; s++)
        desc_cols[s].numeric = false;
    doc_table_row(d, desc_cols, SEGMENT_COUNT + 1, cells, 0);

    for (int row = 0; row < 4 + FEATURE_COUNT; row++) {
        for (int s = 0; s < SEGMENT_COUNT; s++) {
            const struct profile *p = &st->segment[s];
            char *t = text[s + 1];
            switch (row) {
            case 0:
                cells[0] = "filas de prueba";
                report_fmt_count(t, NUM_SIZE, p->size);
                break;
            case 1:
                cells[0] = "participación";
                report_fmt_share(t, NUM_SIZE, p->size, st->n);
                break;
            case 2:
                cells[0] = "score medio";
                report_fmt_grouped(t, NUM_SIZE, p->score, 2);
                break;
            case 3:
                cells[0] = "objetivo medio";
                report_fmt_grouped(t, NUM_SIZE, p->target, 4);
                break;
            default:
                snprintf(text[0], NUM_SIZE, "media de %s",
                         variable_names[row - 4]);
                cells[0] = text[0];
                report_fmt_grouped(t, NUM_SIZE, p->feature[row - 4], 2);
            }
            cells[s + 1] = t;
        }
        doc_table_row(d, cols, SEGMENT_COUNT + 1, cells, 0);
    }
    doc_table_end(d);
    section_letters(d, in->manifest);
    if (st->unsegmented) {
        char count[NUM_SIZE], line[160];
        report_fmt_count(count, sizeof count, st->unsegmented);
        snprintf(line, sizeof line,
                 "%s filas de prueba no tienen segmento A–D y no se cuentan.",
                 count);
        doc_para(d, line);
    }
}

static int section_model(struct doc *d, const json_t *manifest)
{
    doc_heading(d, 2, "Modelo");
    const json_t *model = object_get(manifest, "model");
    if (!json_is_object(model)) {
        doc_para(d, "El manifiesto no describe el modelo.");
        return 0;
    }
    if (section_key_values(d, model, "model", true) < 0)
        return -1;
    const json_t *params = object_get(model, "params");
    if (json_is_object(params)) {
        doc_heading(d, 3, "Parámetros");
        return section_key_values(d, params, "params", false);
    }
    return 0;
}

static int section_lineage(struct doc *d, const json_t *manifest)
{
    doc_heading(d, 2, "Linaje");
    const json_t *lineage = object_get(manifest, "lineage");
    if (!json_is_object(lineage) || json_object_size(lineage) == 0) {
        doc_para(d, "El manifiesto no trae linaje.");
        return 0;
    }
    return section_key_values(d, lineage, "lineage", false);
}

/* ---- the documents -------------------------------------------------------- */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<style>\n"
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Helvetica Neue\",Arial,sans-serif;max-width:1100px;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.45}\n"
    "h1{font-size:1.7em;margin-bottom:.2em}\n"
    "h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ddd;"
    "padding-bottom:.2em}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.95em}\n"
    "th,td{border:1px solid #ccc;padding:.3em .7em;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#f4f4f4}\n"
    "th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "table.profiles td{max-width:14em}\n"
    "table.profiles td:first-child{white-space:nowrap}\n"
    "code{font-size:.88em;word-break:break-all}\n"
    "figure{margin:1em 0 2em}\n"
    "figcaption{color:#555;font-size:.9em;max-width:760px}\n"
    "svg{display:block;max-width:100%;height:auto}\n"
    "svg text{font-family:system-ui,Arial,sans-serif;font-size:12px;"
    "fill:#222}\n"
    "svg text.axis-title,svg text.legend-title{font-size:13px;"
    "font-weight:600}\n"
    "svg text.band-label{font-size:12px;font-weight:600}\n"
    "svg text.no-data{font-size:15px;fill:#888}\n"
    "</style>\n";

static int write_documents(struct doc *d, const struct report_input *in,
                           const struct report_stats *st)
{
    char created[256];
    /* html_head leaves the <title> out: it names the version */
    fputs(html_head, d->html);
    fputs("<title>Informe de entrenamiento: ", d->html);
    report_put_html(d->html, in->version_id ? in->version_id
                                            : "sin registrar");
    fputs("</title>\n</head>\n<body>\n", d->html);
    section_version(d, in->manifest, in->version_id, created,
                    sizeof created);
    if (section_metrics(d, in->manifest) < 0)
        return -1;
    section_comparison(d, in, st);

    doc_heading(d, 2, "Predicción frente al objetivo");
    report_chart_scatter(d->html, in, st);
    fputs("Gráfica en report.html.\n\n", d->md);

    section_scores(d, st);
    report_chart_histogram(d->html, st);

    /* the chart first: the table below it is the Markdown's version */
    doc_heading(d, 2, "Importancia de las variables");
    report_chart_importance(d->html, in, st);
    section_importance(d, in, st);
    section_explanations(d, in);

    doc_heading(d, 2, "Segmentos en los dos primeros componentes principales");
    report_chart_pca(d->html, in, st);
    section_loadings(d, &st->pca);

    section_profiles(d, in, st);
    if (section_model(d, in->manifest) < 0 ||
        section_lineage(d, in->manifest) < 0)
        return -1;
    fputs("</body>\n</html>\n", d->html);
    return 0;
}

int report_write(const struct report_input *in, const char *dir,
                 struct errbuf *err)
{
    if (!in || !dir)
        return err_set(err, "report: no input or no directory");
    if (in->n > 0 && (!in->target || !in->predicted || !in->score ||
                      !in->segment || !in->features || !in->standardized))
        return err_set(err, "report: %zu held-out rows but a column of them "
                            "is missing",
                       in->n);

    struct report_stats *st = malloc(sizeof *st);
    if (!st)
        return err_set(err, "report: out of memory");
    if (report_stats_compute(in, st, err) < 0) {
        free(st);
        return -1;
    }

    size_t len = strlen(dir) + sizeof "/report.html";
    char *md_path = malloc(len), *html_path = malloc(len);
    if (!md_path || !html_path) {
        free(md_path);
        free(html_path);
        free(st);
        return err_set(err, "report: out of memory");
    }
    snprintf(md_path, len, "%s/report.md", dir);
    snprintf(html_path, len, "%s/report.html", dir);

    int rc = -1;
    struct atomic_file md, html;
    if (atomic_file_open(&md, md_path, err) < 0)
        goto out;
    if (atomic_file_open(&html, html_path, err) < 0) {
        atomic_file_abort(&md);
        goto out;
    }
    struct doc d = {md.fp, html.fp};
    if (write_documents(&d, in, st) < 0) {
        err_set(err, "report: out of memory");
        atomic_file_abort(&md);
        atomic_file_abort(&html);
        goto out;
    }
    /* both are complete before either is put in place */
    if (atomic_file_commit(&md, err) < 0) {
        atomic_file_abort(&html);
        goto out;
    }
    rc = atomic_file_commit(&html, err);
out:
    free(md_path);
    free(html_path);
    free(st);
    return rc;
}
