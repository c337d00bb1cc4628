/*
 * report.c — the training report (see report.h): report.md, the text
 * version, and report.html, the same tables plus four inline SVG charts.
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

#include <lapacke.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"

#define MAX_POINTS 2000        /* per scatter chart: keeps the HTML ~200 kB */
#define HIST_LO SCORE_MIN
#define HIST_HI SCORE_MAX
#define HIST_WIDTH 10.0        /* score points per histogram bar */
#define HIST_BINS 55           /* (850 - 300) / 10 */
#define NUM_SIZE 64            /* any one formatted number or label */

/* One colour per segment, used by the PCA chart and the profile table
 * alike; a categorical palette so that no letter reads as "good" or
 * "bad" the way the score bands' red-to-green does. */
static const char *const segment_colors[SEGMENT_COUNT] = {
    "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1",
};

/* ---- what is computed once ---------------------------------------------- */

struct pca {
    bool ok;
    double mean[FEATURE_COUNT];
    double axis[2][FEATURE_COUNT];   /* unit eigenvectors, CP1 and CP2 */
    double variance_share[2];        /* eigenvalue / total variance */
};

struct profile {
    size_t size;
    double score, target;            /* means */
    double feature[FEATURE_COUNT];   /* means of the raw features */
};

struct report_stats {
    size_t n;
    size_t stride;                   /* every stride-th row is plotted */
    size_t scored;                   /* rows with a finite score */
    double quantile[7];              /* min, p5, p25, p50, p75, p95, max */
    double score_mean;
    int bands;
    double band_from[RULES_MAX_BANDS], band_to[RULES_MAX_BANDS];
    const char *band_label[RULES_MAX_BANDS], *band_color[RULES_MAX_BANDS];
    size_t band_rows[RULES_MAX_BANDS];
    size_t hist[HIST_BINS];
    int importance_order[FEATURE_COUNT];
    struct pca pca;
    struct profile segment[SEGMENT_COUNT];
    size_t unsegmented;              /* rows whose segment is not 0..3 */
};

/* ---- number formatting -------------------------------------------------- */

/* `v` with `decimals` places and a comma every three integer digits
 * ("12,345.67"), as Mexican usage writes amounts; "—" when not finite. */
static void fmt_grouped(char *buf, size_t size, double v, int decimals)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "—");
        return;
    }
    char plain[NUM_SIZE];
    snprintf(plain, sizeof plain, "%.*f", decimals, v);
    const char *p = plain;
    size_t o = 0;
    if (*p == '-') {
        /* "-0.00" would suggest a sign that rounding erased */
        if (strspn(p + 1, "0.") != strlen(p + 1) && o + 1 < size)
            buf[o++] = '-';
        p++;
    }
    size_t int_len = strcspn(p, ".");
    for (size_t i = 0; p[i] && o + 1 < size; i++) {
        if (i < int_len && i > 0 && (int_len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = p[i];
    }
    buf[o] = '\0';
}

static void fmt_count(char *buf, size_t size, size_t v)
{
    fmt_grouped(buf, size, (double)v, 0);
}

/* 12.3 % of a whole; "—" for an empty whole. */
static void fmt_share(char *buf, size_t size, size_t part, size_t whole)
{
    if (whole == 0)
        snprintf(buf, size, "—");
    else
        snprintf(buf, size, "%.1f %%", 100.0 * (double)part / (double)whole);
}

static bool key_has(const char *key, const char *part)
{
    return strstr(key, part) != NULL;
}

/* Integers that count rows read best grouped; seeds, years, ids do not. */
static bool key_is_count(const char *key)
{
    return !(key_has(key, "seed") || key_has(key, "year") ||
             key_has(key, "id") || key_has(key, "version") ||
             key_has(key, "created"));
}

/* A manifest value as text, formatted by what its key says it is: R² to 4
 * decimals, squared errors in scientific notation, absolute errors to 4
 * decimals, counts grouped. Objects and arrays deeper than the table can
 * show are given as compact JSON rather than dropped. Caller frees. */
static char *fmt_value(const char *key, const json_t *v)
{
    char buf[NUM_SIZE];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strdup(json_string_value(v));
    case JSON_INTEGER: {
        long long i = json_integer_value(v);
        if (key_is_count(key))
            fmt_grouped(buf, sizeof buf, (double)i, 0);
        else
            snprintf(buf, sizeof buf, "%lld", i);
        return strdup(buf);
    }
    case JSON_REAL: {
        double d = json_real_value(v);
        if (!isfinite(d))
            snprintf(buf, sizeof buf, "—");
        else if (strcmp(key, "r2") == 0 || strcmp(key, "R2") == 0)
            snprintf(buf, sizeof buf, "%.4f", d);
        else if (key_has(key, "mse"))
            snprintf(buf, sizeof buf, "%.3e", d);
        else if (key_has(key, "mae") || key_has(key, "rmse"))
            snprintf(buf, sizeof buf, "%.4f", d);
        else if (d == floor(d) && fabs(d) < 1e15 && key_is_count(key))
            fmt_grouped(buf, sizeof buf, d, 0);
        else
            snprintf(buf, sizeof buf, "%.6g", d);
        return strdup(buf);
    }
    case JSON_TRUE:
        return strdup("sí");
    case JSON_FALSE:
        return strdup("no");
    case JSON_NULL:
        return strdup("—");
    default:
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    }
}

/* Spanish labels for the keys we know; unknown keys show as themselves. */
struct key_label {
    const char *key, *label;
};

static const struct key_label key_labels[] = {
    {"r2", "R²"},
    {"mse", "MSE"},
    {"rmse", "RMSE"},
    {"mae", "MAE"},
    {"target", "objetivo"},
    {"score", "score 300–850"},
    {"test_rows", "filas de prueba"},
    {"train_rows", "filas de entrenamiento"},
    {"valid_rows", "filas de validación"},
    {"rows", "filas"},
    {"rounds", "rondas de boosting"},
    {"dataset", "conjunto de datos"},
    {"dataset_sha256", "SHA-256 del conjunto de datos"},
    {"rules_sha256", "SHA-256 de las reglas"},
    {"refdata_sha256", "SHA-256 de las tablas de referencia"},
    {"seed", "semilla"},
    {"file", "archivo"},
    {"sha256", "SHA-256"},
    {"split", "partición"},
    {"test_fraction", "fracción de prueba"},
    {"as_of", "fecha de corte"},
    {"created_at", "creado"},
    {"code_version", "versión del código"},
    {"format", "formato"},
    {"itaee_year", "año ITAEE"},
};

static const char *key_label(const char *key)
{
    for (size_t i = 0; i < sizeof key_labels / sizeof key_labels[0]; i++)
        if (strcmp(key_labels[i].key, key) == 0)
            return key_labels[i].label;
    return NULL;
}

/* "filas de prueba (test_rows)": the analyst's word and the data team's. */
static void fmt_key(char *buf, size_t size, const char *key)
{
    const char *label = key_label(key);
    if (label && !strstr(label, key) && strlen(key) > 3)
        snprintf(buf, size, "%s (%s)", label, key);
    else if (label)
        snprintf(buf, size, "%s", label);
    else
        snprintf(buf, size, "%s", key);
}

/* ---- escaping ------------------------------------------------------------ */

/* Text into HTML or SVG, element content or attribute value. */
static void put_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Text into a Markdown table cell: a '|' would end the cell, a newline
 * the row. */
static void put_md(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r' || *s == '\t')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

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
    put_md(d->md, text);
    fputs("\n\n", d->md);
    fprintf(d->html, "<h%d>", level);
    put_html(d->html, text);
    fprintf(d->html, "</h%d>\n", level);
}

static void doc_para(struct doc *d, const char *text)
{
    put_md(d->md, text);
    fputs("\n\n", d->md);
    fputs("<p>", d->html);
    put_html(d->html, text);
    fputs("</p>\n", d->html);
}

static void doc_table_begin(struct doc *d, const char *html_class,
                            const struct column *cols, int ncols)
{
    fputs("|", d->md);
    for (int c = 0; c < ncols; c++) {
        fputc(' ', d->md);
        put_md(d->md, cols[c].head);
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
            put_html(d->html, cols[c].color);
            fputs("\"", d->html);
        }
        fputc('>', d->html);
        put_html(d->html, cols[c].head);
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
        put_md(d->md, cells[c]);
        if (code && cells[c][0])
            fputc('`', d->md);
        fputs(" |", d->md);

        fputs(cols[c].numeric ? "<td class=\"num\">" : "<td>", d->html);
        if (code)
            fputs("<code>", d->html);
        put_html(d->html, cells[c]);
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

/* ---- statistics ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's default (linear) quantile of sorted v[0..m-1]. */
static double quantile_sorted(const double *v, size_t m, double q)
{
    double pos = q * (double)(m - 1);
    size_t i = (size_t)floor(pos);
    if (i + 1 >= m)
        return v[m - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

static bool row_is_finite(const double *row, int dims)
{
    for (int j = 0; j < dims; j++)
        if (!isfinite(row[j]))
            return false;
    return true;
}

/* The first two principal components of the standardized rows: the
 * eigenvectors of their 11×11 covariance with the two largest
 * eigenvalues. An eigenvector's sign is arbitrary (LAPACK may return
 * either), so each is turned to make its largest-magnitude loading
 * positive: the chart then does not mirror between runs or machines. */
static void pca_fit(const double *z, size_t n, struct pca *p)
{
    enum { D = FEATURE_COUNT };
    memset(p, 0, sizeof *p);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const double *row = z + i * D;
        if (!row_is_finite(row, D))
            continue;
        for (int j = 0; j < D; j++)
            p->mean[j] += row[j];
        used++;
    }
    if (used < 3)
        return;
    for (int j = 0; j < D; j++)
        p->mean[j] /= (double)used;

    double cov[D * D] = {0};
    for (size_t i = 0; i < n; i++) {
        const double *row = z + i * D;
        if (!row_is_finite(row, D))
            continue;
        double c[D];
        for (int j = 0; j < D; j++)
            c[j] = row[j] - p->mean[j];
        for (int a = 0; a < D; a++)
            for (int b = a; b < D; b++)
                cov[a * D + b] += c[a] * c[b];
    }
    for (int a = 0; a < D; a++)
        for (int b = a; b < D; b++) {
            cov[a * D + b] /= (double)(used - 1);
            cov[b * D + a] = cov[a * D + b];
        }

    double eigenvalue[D];
    if (LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', D, cov, D, eigenvalue) != 0)
        return;
    double total = 0;
    for (int j = 0; j < D; j++)
        total += eigenvalue[j] > 0 ? eigenvalue[j] : 0;
    if (!(total > 0))
        return;
    /* eigenvalues come ascending; eigenvector k is column k */
    for (int c = 0; c < 2; c++) {
        int k = D - 1 - c;
        int big = 0;
        for (int j = 0; j < D; j++) {
            p->axis[c][j] = cov[j * D + k];
            if (fabs(p->axis[c][j]) > fabs(p->axis[c][big]) + 1e-12)
                big = j;
        }
        if (p->axis[c][big] < 0)
            for (int j = 0; j < D; j++)
                p->axis[c][j] = -p->axis[c][j];
        p->variance_share[c] = (eigenvalue[k] > 0 ? eigenvalue[k] : 0) / total;
    }
    p->ok = true;
}

static double pca_project(const struct pca *p, int c, const double *row)
{
    double s = 0;
    for (int j = 0; j < FEATURE_COUNT; j++)
        s += (row[j] - p->mean[j]) * p->axis[c][j];
    return s;
}

static int stats_compute(const struct report_input *in,
                         struct report_stats *st, struct errbuf *err)
{
    memset(st, 0, sizeof *st);
    size_t n = in->n;
    st->n = n;
    st->stride = n > MAX_POINTS ? (n + MAX_POINTS - 1) / MAX_POINTS : 1;

    double *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return err_set(err, "report: out of memory");
    size_t m = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double s = in->score[i];
        if (!isfinite(s))
            continue;
        sorted[m++] = s;
        sum += s;
        int bin = (int)floor((s - HIST_LO) / HIST_WIDTH);
        bin = bin < 0 ? 0 : bin >= HIST_BINS ? HIST_BINS - 1 : bin;
        st->hist[bin]++;
    }
    st->scored = m;
    st->score_mean = m ? sum / (double)m : NAN;
    qsort(sorted, m, sizeof *sorted, cmp_double);
    static const double qs[7] = {0, .05, .25, .5, .75, .95, 1};
    for (int q = 0; q < 7; q++)
        st->quantile[q] = m ? quantile_sorted(sorted, m, qs[q]) : NAN;
    free(sorted);

    if (in->rules) {
        st->bands = rules_band_count(in->rules);
        if (st->bands > RULES_MAX_BANDS)
            st->bands = RULES_MAX_BANDS;
        for (int b = 0; b < st->bands; b++)
            rules_band(in->rules, b, &st->band_from[b], &st->band_to[b],
                       &st->band_label[b], &st->band_color[b]);
        for (size_t i = 0; i < n; i++) {
            int b = isfinite(in->score[i]) ? rules_band_of(in->rules,
                                                           in->score[i])
                                           : -1;
            if (b >= 0 && b < st->bands)
                st->band_rows[b]++;
        }
    }

    /* importance, largest first; ties keep the feature order */
    for (int j = 0; j < FEATURE_COUNT; j++)
        st->importance_order[j] = j;
    if (in->importance)
        for (int a = 1; a < FEATURE_COUNT; a++)
            for (int b = a; b > 0; b--) {
                double x = in->importance[st->importance_order[b - 1]];
                double y = in->importance[st->importance_order[b]];
                x = isfinite(x) ? x : 0;
                y = isfinite(y) ? y : 0;
                if (y <= x)
                    break;
                int t = st->importance_order[b];
                st->importance_order[b] = st->importance_order[b - 1];
                st->importance_order[b - 1] = t;
            }

    pca_fit(in->standardized, n, &st->pca);

    for (size_t i = 0; i < n; i++) {
        int s = in->segment[i];
        if (s < 0 || s >= SEGMENT_COUNT) {
            st->unsegmented++;
            continue;
        }
        struct profile *p = &st->segment[s];
        p->size++;
        p->score += in->score[i];
        p->target += in->target[i];
        for (int j = 0; j < FEATURE_COUNT; j++)
            p->feature[j] += in->features[i * FEATURE_COUNT + j];
    }
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        struct profile *p = &st->segment[s];
        double k = p->size ? (double)p->size : NAN;
        p->score /= k;
        p->target /= k;
        for (int j = 0; j < FEATURE_COUNT; j++)
            p->feature[j] /= k;
    }
    return 0;
}

/* ---- SVG ------------------------------------------------------------------ */

/* A linear axis with "nice" ticks: a step of 1, 2 or 5 × 10^k giving
 * about `ticks` intervals, the range widened to whole steps. */
struct axis {
    double lo, hi, step;
    int decimals;                /* for the tick labels */
};

static struct axis axis_nice(double lo, double hi, int ticks)
{
    struct axis a;
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
    }
    double raw = (hi - lo) / ticks;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    a.step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    int d = -(int)floor(log10(a.step) + 1e-9);
    a.decimals = d > 0 ? d : 0;
    return a;
}

static struct axis axis_fixed(double lo, double hi, double step)
{
    struct axis a = {lo, hi, step, 0};
    int d = -(int)floor(log10(step) + 1e-9);
    a.decimals = d > 0 ? d : 0;
    return a;
}

/* The plot area inside an SVG and its two axes. */
struct frame {
    double x0, y0, w, h;
    struct axis ax, ay;
};

static double fx(const struct frame *f, double v)
{
    return f->x0 + (v - f->ax.lo) / (f->ax.hi - f->ax.lo) * f->w;
}

static double fy(const struct frame *f, double v)
{
    return f->y0 + f->h - (v - f->ay.lo) / (f->ay.hi - f->ay.lo) * f->h;
}

static void svg_begin(FILE *f, int width, int height, const char *title)
{
    fprintf(f,
            "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            "role=\"img\"><title>",
            width, height, width, height);
    put_html(f, title);
    fputs("</title>\n", f);
}

static void svg_text(FILE *f, double x, double y, const char *anchor,
                     const char *extra, const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y,
            anchor, extra);
    put_html(f, text);
    fputs("</text>\n", f);
}

#define GRID_STROKE "#e3e3e3"
#define AXIS_STROKE "#444"

static void svg_line(FILE *f, double x1, double y1, double x2, double y2,
                     const char *stroke)
{
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"%s\"/>\n",
            x1, y1, x2, y2, stroke);
}

/* Whole steps from lo to hi; the tolerance keeps the last tick when the
 * division lands a hair short of an integer. */
static int axis_steps(const struct axis *a)
{
    return (int)floor((a->hi - a->lo) / a->step + 1e-6);
}

/* One axis's ticks, at every step from lo to hi: the grid line across
 * the plot when asked for, a 5-px mark outside the plot and the label
 * beyond the mark. The x axis runs under the plot and the y axis down its
 * left side; that geometry is all they differ in. */
static void svg_ticks(FILE *f, const struct frame *fr, bool x_axis, bool grid)
{
    const struct axis *a = x_axis ? &fr->ax : &fr->ay;
    double left = fr->x0, right = fr->x0 + fr->w;
    double top = fr->y0, bottom = fr->y0 + fr->h;
    char label[NUM_SIZE];
    for (int k = 0; k <= axis_steps(a); k++) {
        double v = a->lo + k * a->step;
        fmt_grouped(label, sizeof label, v, a->decimals);
        if (x_axis) {
            double x = fx(fr, v);
            if (grid)
                svg_line(f, x, top, x, bottom, GRID_STROKE);
            svg_line(f, x, bottom, x, bottom + 5, AXIS_STROKE);
            svg_text(f, x, bottom + 18, "middle", "", label);
        } else {
            double y = fy(fr, v);
            if (grid)
                svg_line(f, left, y, right, y, GRID_STROKE);
            svg_line(f, left - 5, y, left, y, AXIS_STROKE);
            svg_text(f, left - 8, y + 4, "end", "", label);
        }
    }
}

/* Grid, ticks, tick labels and the axis titles. */
static void svg_axes(FILE *f, const struct frame *fr, bool xgrid, bool ygrid,
                     const char *xtitle, const char *ytitle)
{
    fputs("<g class=\"axes\">\n", f);
    svg_ticks(f, fr, true, xgrid);
    svg_ticks(f, fr, false, ygrid);
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"none\" stroke=\"%s\"/>\n",
            fr->x0, fr->y0, fr->w, fr->h, AXIS_STROKE);
    svg_text(f, fr->x0 + fr->w / 2, fr->y0 + fr->h + 40, "middle",
             " class=\"axis-title\"", xtitle);
    char rot[96];
    double ty = fr->y0 + fr->h / 2, tx = fr->x0 - 58;
    snprintf(rot, sizeof rot, " class=\"axis-title\" transform=\"rotate(-90 %.1f %.1f)\"",
             tx, ty);
    svg_text(f, tx, ty, "middle", rot, ytitle);
    fputs("</g>\n", f);
}

static void svg_no_data(FILE *f, const struct frame *fr, const char *why)
{
    svg_text(f, fr->x0 + fr->w / 2, fr->y0 + fr->h / 2, "middle",
             " class=\"no-data\"", why);
}

static void figure_begin(FILE *f, const char *id)
{
    fprintf(f, "<figure id=\"%s\">\n", id);
}

static void figure_end(FILE *f, const char *caption)
{
    fputs("<figcaption>", f);
    put_html(f, caption);
    fputs("</figcaption>\n</figure>\n", f);
}

static void figure_end_fmt(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void figure_end_fmt(FILE *f, const char *fmt, ...)
{
    char caption[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(caption, sizeof caption, fmt, ap);
    va_end(ap);
    figure_end(f, caption);
}

/* What the caption of a chart that drew every stride-th held-out row
 * quotes: the rows drawn and the rows held out, as fmt_count spells them. */
struct sample_counts {
    char drawn[NUM_SIZE], held_out[NUM_SIZE];
};

static struct sample_counts sample_counts(size_t drawn, size_t held_out)
{
    struct sample_counts c;
    fmt_count(c.drawn, sizeof c.drawn, drawn);
    fmt_count(c.held_out, sizeof c.held_out, held_out);
    return c;
}

/* (1) Predicted against target, the same scale on both axes so that the
 * y = x line is the diagonal and any bias shows as a tilt or an offset. */
static void chart_scatter(FILE *f, const struct report_input *in,
                          const struct report_stats *st)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < in->n; i++) {
        double t = in->target[i], p = in->predicted[i];
        if (!isfinite(t) || !isfinite(p))
            continue;
        lo = fmin(lo, fmin(t, p));
        hi = fmax(hi, fmax(t, p));
    }
    struct frame fr = {.x0 = 80, .y0 = 20, .w = 440, .h = 440};
    fr.ax = fr.ay = axis_nice(lo, hi, 6);
    figure_begin(f, "scatter");
    svg_begin(f, 560, 520, "Predicción del modelo frente al objetivo");
    svg_axes(f, &fr, true, true, "objetivo (reglas)", "predicción del modelo");
    size_t shown = 0;
    if (lo <= hi) {
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#c0392b\" stroke-width=\"1.5\" "
                "stroke-dasharray=\"6 4\"/>\n",
                fx(&fr, fr.ax.lo), fy(&fr, fr.ay.lo), fx(&fr, fr.ax.hi),
                fy(&fr, fr.ay.hi));
        fputs("<g fill=\"#2c5f8a\" fill-opacity=\"0.35\">\n", f);
        for (size_t i = 0; i < in->n; i += st->stride) {
            double t = in->target[i], p = in->predicted[i];
            if (!isfinite(t) || !isfinite(p))
                continue;
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>\n",
                    fx(&fr, t), fy(&fr, p));
            shown++;
        }
        fputs("</g>\n", f);
        svg_text(f, fr.x0 + 12, fr.y0 + 18, "start",
                 " fill=\"#c0392b\"", "línea discontinua: predicción = objetivo");
    } else {
        svg_no_data(f, &fr, "sin filas de prueba");
    }
    fputs("</svg>\n", f);
    struct sample_counts n = sample_counts(shown, in->n);
    figure_end_fmt(f,
                   "Predicción vs objetivo en el conjunto de prueba: %s de %s "
                   "filas (una de cada %zu). Los puntos sobre la diagonal son "
                   "predicciones exactas.",
                   n.drawn, n.held_out, st->stride);
}

/* (2) Held-out scores in 10-point bars over the bands' coloured ranges. */
static void chart_histogram(FILE *f, const struct report_stats *st)
{
    size_t top = 0;
    for (int b = 0; b < HIST_BINS; b++)
        top = st->hist[b] > top ? st->hist[b] : top;
    struct frame fr = {.x0 = 80, .y0 = 40, .w = 760, .h = 340};
    fr.ax = axis_fixed(HIST_LO, HIST_HI, 50);
    fr.ay = axis_nice(0, top ? (double)top : 1, 5);
    figure_begin(f, "histogram");
    svg_begin(f, 860, 440, "Distribución de los scores de prueba");
    for (int b = 0; b < st->bands; b++) {
        double x1 = fx(&fr, fmax(st->band_from[b], HIST_LO));
        double x2 = fx(&fr, fmin(st->band_to[b], HIST_HI));
        if (!(x2 > x1))
            continue;
        fputs("<rect", f);
        fprintf(f, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"",
                x1, fr.y0, x2 - x1, fr.h);
        fputs(" fill=\"", f);
        put_html(f, st->band_color[b] ? st->band_color[b] : "#cccccc");
        fputs("\" fill-opacity=\"0.3\"/>\n", f);
        /* the label sits above the plot, in the band's own span */
        fputs("<rect", f);
        fprintf(f, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\"",
                x1, fr.y0 - 8, x2 - x1);
        fputs(" fill=\"", f);
        put_html(f, st->band_color[b] ? st->band_color[b] : "#cccccc");
        fputs("\"/>\n", f);
        svg_text(f, (x1 + x2) / 2, fr.y0 - 14, "middle",
                 " class=\"band-label\"",
                 st->band_label[b] ? st->band_label[b] : "");
    }
    svg_axes(f, &fr, false, true, "score (300–850)", "filas de prueba");
    if (st->scored) {
        fputs("<g fill=\"#34495e\" fill-opacity=\"0.85\">\n", f);
        for (int b = 0; b < HIST_BINS; b++) {
            if (!st->hist[b])
                continue;
            double x1 = fx(&fr, HIST_LO + b * HIST_WIDTH);
            double x2 = fx(&fr, HIST_LO + (b + 1) * HIST_WIDTH);
            double y = fy(&fr, (double)st->hist[b]);
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\"/>\n",
                    x1 + 0.5, y, x2 - x1 - 1, fr.y0 + fr.h - y);
        }
        fputs("</g>\n", f);
    } else {
        svg_no_data(f, &fr, "sin scores de prueba");
    }
    fputs("</svg>\n", f);
    figure_end(f, "Scores predichos del conjunto de prueba en barras de 10 "
                  "puntos; el fondo de color marca las bandas de score de "
                  "las reglas.");
}

/* (3) Importance as horizontal bars, largest first, labelled in %. */
static void chart_importance(FILE *f, const struct report_input *in,
                             const struct report_stats *st)
{
    double top = 0;
    if (in->importance)
        for (int j = 0; j < FEATURE_COUNT; j++)
            if (isfinite(in->importance[j]))
                top = fmax(top, in->importance[j] * 100);
    const double row_h = 28;
    struct frame fr = {.x0 = 200, .y0 = 20, .w = 560, .h = row_h * FEATURE_COUNT};
    fr.ax = axis_nice(0, top > 0 ? top : 1, 5);
    fr.ay = axis_fixed(0, FEATURE_COUNT, FEATURE_COUNT);
    int height = (int)(fr.y0 + fr.h + 60);
    figure_begin(f, "importance");
    svg_begin(f, 860, height, "Importancia de las variables");
    /* x axis only: the categories are labelled bar by bar */
    char label[NUM_SIZE];
    for (int k = 0; k <= axis_steps(&fr.ax); k++) {
        double v = fr.ax.lo + k * fr.ax.step;
        double x = fx(&fr, v);
        svg_line(f, x, fr.y0, x, fr.y0 + fr.h + 5, GRID_STROKE);
        fmt_grouped(label, sizeof label, v, fr.ax.decimals);
        strncat(label, " %", sizeof label - strlen(label) - 1);
        svg_text(f, x, fr.y0 + fr.h + 18, "middle", "", label);
    }
    svg_text(f, fr.x0 + fr.w / 2, fr.y0 + fr.h + 40, "middle",
             " class=\"axis-title\"",
             "importancia (ganancia, % del total)");
    if (in->importance) {
        for (int r = 0; r < FEATURE_COUNT; r++) {
            int j = st->importance_order[r];
            double v = isfinite(in->importance[j]) ? in->importance[j] * 100
                                                   : 0;
            double y = fr.y0 + r * row_h;
            double w = fx(&fr, v) - fr.x0;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" fill=\"#2c7fb8\"/>\n",
                    fr.x0, y + 4, w, row_h - 8);
            svg_text(f, fr.x0 - 8, y + row_h / 2 + 4, "end", "",
                     variable_names[j]);
            snprintf(label, sizeof label, "%.1f %%", v);
            svg_text(f, fr.x0 + w + 6, y + row_h / 2 + 4, "start", "", label);
        }
    } else {
        svg_no_data(f, &fr, "sin importancias en la entrada");
    }
    svg_line(f, fr.x0, fr.y0, fr.x0, fr.y0 + fr.h, AXIS_STROKE);
    fputs("</svg>\n", f);
    figure_end(f, "Importancia de cada variable en el modelo (ganancia de "
                  "XGBoost, normalizada a 100 %), de mayor a menor.");
}

/* (4) The rows on the first two principal components, coloured by
 * segment, with the legend to the right of the plot so it hides no
 * point. */
static void chart_pca(FILE *f, const struct report_input *in,
                      const struct report_stats *st)
{
    const struct pca *p = &st->pca;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    if (p->ok)
        for (size_t i = 0; i < in->n; i += st->stride) {
            const double *row = in->standardized + i * FEATURE_COUNT;
            if (!row_is_finite(row, FEATURE_COUNT))
                continue;
            for (int c = 0; c < 2; c++) {
                double v = pca_project(p, c, row);
                lo[c] = fmin(lo[c], v);
                hi[c] = fmax(hi[c], v);
            }
        }
    struct frame fr = {.x0 = 80, .y0 = 20, .w = 600, .h = 440};
    fr.ax = axis_nice(lo[0], hi[0], 6);
    fr.ay = axis_nice(lo[1], hi[1], 6);
    char xt[NUM_SIZE], yt[NUM_SIZE];
    snprintf(xt, sizeof xt, "CP1 (%.1f %% de la varianza)",
             100 * p->variance_share[0]);
    snprintf(yt, sizeof yt, "CP2 (%.1f %% de la varianza)",
             100 * p->variance_share[1]);
    figure_begin(f, "pca");
    svg_begin(f, 860, 520, "Segmentos en los dos primeros componentes principales");
    svg_axes(f, &fr, true, true, p->ok ? xt : "CP1", p->ok ? yt : "CP2");
    size_t shown = 0;
    if (p->ok) {
        /* one group per letter; the count is small enough that drawing D
         * over A hides nothing a reader needs */
        for (int s = 0; s < SEGMENT_COUNT; s++) {
            fprintf(f, "<g class=\"seg-%c\" fill=\"%s\" fill-opacity=\"0.5\">\n",
                    segment_letter(s), segment_colors[s]);
            for (size_t i = 0; i < in->n; i += st->stride) {
                const double *row = in->standardized + i * FEATURE_COUNT;
                if (in->segment[i] != s || !row_is_finite(row, FEATURE_COUNT))
                    continue;
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>\n",
                        fx(&fr, pca_project(p, 0, row)),
                        fy(&fr, pca_project(p, 1, row)));
                shown++;
            }
            fputs("</g>\n", f);
        }
    } else {
        svg_no_data(f, &fr, "sin filas suficientes para los componentes");
    }
    double lx = fr.x0 + fr.w + 24;
    svg_text(f, lx, fr.y0 + 12, "start", " class=\"legend-title\"",
             "segmento");
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        double y = fr.y0 + 36 + s * 24;
        char text[2 * NUM_SIZE], count[NUM_SIZE];
        fmt_count(count, sizeof count, st->segment[s].size);
        snprintf(text, sizeof text, "%c (%s filas)", segment_letter(s), count);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"/>\n",
                lx + 6, y - 4, segment_colors[s]);
        svg_text(f, lx + 18, y, "start", "", text);
    }
    fputs("</svg>\n", f);
    struct sample_counts n = sample_counts(shown, in->n);
    figure_end_fmt(f,
                   "Componentes principales de las variables estandarizadas "
                   "(%s de %s filas de prueba, una de cada %zu), coloreadas "
                   "por segmento. Las cargas de cada componente están en la "
                   "tabla siguiente.",
                   n.drawn, n.held_out, st->stride);
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
        fmt_key(label, sizeof label, key);
        char *text = fmt_value(key, v);
        if (!text)
            return -1;
        const char *cells[2] = {label, text};
        bool code = key_has(key, "sha") || key_has(key, "hash") ||
                    key_has(key, "file") || key_has(key, "path");
        doc_table_row(d, cols, 2, cells, code ? 2u : 0u);
        free(text);
    }
    if (any)
        doc_table_end(d);
    return 0;
}

static void section_version(struct doc *d, const json_t *manifest,
                            char *created, size_t size)
{
    const json_t *c = object_get(manifest, "created_at");
    created[0] = '\0';
    if (c) {
        char *text = fmt_value("created_at", c);
        if (text) {
            snprintf(created, size, "%s", text);
            free(text);
        }
    }
    fputs("# Informe de entrenamiento\n\n", d->md);
    fputs("<h1>Informe de entrenamiento</h1>\n", d->html);
    char line[512];
    snprintf(line, sizeof line, "Versión creada: %s.",
             created[0] ? created : "fecha desconocida");
    doc_para(d, line);
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
            const char *l = key_label(ik);
            snprintf(labels[k], NUM_SIZE, "%s", l ? l : ik);
            cols[k].head = labels[k];
            cols[k].numeric = true;
        }
        doc_table_begin(d, "metrics", cols, (int)ncols);
        json_object_foreach((json_t *)metrics, key, v) {
            if (!json_is_object(v))
                continue;
            char label[2 * NUM_SIZE + 8];
            fmt_key(label, sizeof label, key);
            cells[0] = label;
            for (size_t k = 1; k < ncols; k++) {
                const char *ik =
                    json_string_value(json_array_get(inner, k - 1));
                const json_t *iv = json_object_get(v, ik);
                owned[k] = iv ? fmt_value(ik, iv) : strdup("—");
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
    fmt_count(text[0], NUM_SIZE, st->scored);
    fmt_grouped(text[1], NUM_SIZE, st->score_mean, 2);
    for (int q = 0; q < 7; q++)
        fmt_grouped(text[2 + q], NUM_SIZE, st->quantile[q], 2);
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
        fmt_count(count, sizeof count, st->band_rows[b]);
        fmt_share(share, sizeof share, st->band_rows[b], st->scored);
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
        fmt_grouped(a, sizeof a, p->axis[0][j], 3);
        fmt_grouped(b, sizeof b, p->axis[1][j], 3);
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
            fmt_grouped(v, sizeof v, p->axis[c][top[k]], 3);
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
        cols[s + 1] = (struct column){heads[s], true, segment_colors[s]};
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
                fmt_count(t, NUM_SIZE, p->size);
                break;
            case 1:
                cells[0] = "participación";
                fmt_share(t, NUM_SIZE, p->size, st->n);
                break;
            case 2:
                cells[0] = "score medio";
                fmt_grouped(t, NUM_SIZE, p->score, 2);
                break;
            case 3:
                cells[0] = "objetivo medio";
                fmt_grouped(t, NUM_SIZE, p->target, 4);
                break;
            default:
                snprintf(text[0], NUM_SIZE, "media de %s",
                         variable_names[row - 4]);
                cells[0] = text[0];
                fmt_grouped(t, NUM_SIZE, p->feature[row - 4], 2);
            }
            cells[s + 1] = t;
        }
        doc_table_row(d, cols, SEGMENT_COUNT + 1, cells, 0);
    }
    doc_table_end(d);
    if (st->unsegmented) {
        char count[NUM_SIZE], line[160];
        fmt_count(count, sizeof count, st->unsegmented);
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
    "<title>Informe de entrenamiento</title>\n<style>\n"
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
    "</style>\n</head>\n<body>\n";

static int write_documents(struct doc *d, const struct report_input *in,
                           const struct report_stats *st)
{
    char created[256];
    fputs(html_head, d->html);
    section_version(d, in->manifest, created, sizeof created);
    if (section_metrics(d, in->manifest) < 0)
        return -1;

    doc_heading(d, 2, "Predicción frente al objetivo");
    chart_scatter(d->html, in, st);
    fputs("Gráfica en report.html.\n\n", d->md);

    section_scores(d, st);
    chart_histogram(d->html, st);

    /* the chart first: the table below it is the Markdown's version */
    doc_heading(d, 2, "Importancia de las variables");
    chart_importance(d->html, in, st);
    section_importance(d, in, st);

    doc_heading(d, 2, "Segmentos en los dos primeros componentes principales");
    chart_pca(d->html, in, st);
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
    if (stats_compute(in, st, err) < 0) {
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
