/*
 * report_svg.c — the training report's four charts as inline SVG (see
 * report_internal.h): predicted against target, the distribution of
 * held-out scores over the score bands, feature importance, and the
 * segments on the first two principal components; and the few SVG
 * primitives they are drawn with (nice axes, ticks, text, figures).
 *
 * Hand-written SVG, no scripts, no fonts or images fetched: the page
 * must open anywhere, offline, as one file. Every coordinate is printed
 * with one decimal and every label through report_format.c, and the
 * scatter plots draw every stride-th row (report_stats.c's stride), so
 * the same input draws the same bytes.
 */
#include "train/report_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One colour per segment, used by the PCA chart and the profile table
 * alike; a categorical palette so that no letter reads as "good" or
 * "bad" the way the score bands' red-to-green does. */
const char *const report_segment_colors[SEGMENT_COUNT] = {
    "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1",
};

/* ---- SVG primitives ------------------------------------------------------- */

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
    report_put_html(f, title);
    fputs("</title>\n", f);
}

static void svg_text(FILE *f, double x, double y, const char *anchor,
                     const char *extra, const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y,
            anchor, extra);
    report_put_html(f, text);
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
        report_fmt_grouped(label, sizeof label, v, a->decimals);
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
    report_put_html(f, caption);
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

/* ---- the four charts ----------------------------------------------------- */

/* What the caption of a chart that drew every stride-th held-out row
 * quotes: the rows drawn and the rows held out, as fmt_count spells them. */
struct sample_counts {
    char drawn[NUM_SIZE], held_out[NUM_SIZE];
};

static struct sample_counts sample_counts(size_t drawn, size_t held_out)
{
    struct sample_counts c;
    report_fmt_count(c.drawn, sizeof c.drawn, drawn);
    report_fmt_count(c.held_out, sizeof c.held_out, held_out);
    return c;
}

/* (1) Predicted against target, the same scale on both axes so that the
 * y = x line is the diagonal and any bias shows as a tilt or an offset. */
void report_chart_scatter(FILE *f, const struct report_input *in,
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
void report_chart_histogram(FILE *f, const struct report_stats *st)
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
        report_put_html(f, st->band_color[b] ? st->band_color[b] : "#cccccc");
        fputs("\" fill-opacity=\"0.3\"/>\n", f);
        /* the label sits above the plot, in the band's own span */
        fputs("<rect", f);
        fprintf(f, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\"",
                x1, fr.y0 - 8, x2 - x1);
        fputs(" fill=\"", f);
        report_put_html(f, st->band_color[b] ? st->band_color[b] : "#cccccc");
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
void report_chart_importance(FILE *f, const struct report_input *in,
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
        report_fmt_grouped(label, sizeof label, v, fr.ax.decimals);
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
void report_chart_pca(FILE *f, const struct report_input *in,
                      const struct report_stats *st)
{
    const struct pca *p = &st->pca;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    if (p->ok)
        for (size_t i = 0; i < in->n; i += st->stride) {
            const double *row = in->standardized + i * FEATURE_COUNT;
            if (!report_row_is_finite(row, FEATURE_COUNT))
                continue;
            for (int c = 0; c < 2; c++) {
                double v = report_pca_project(p, c, row);
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
                    segment_letter(s), report_segment_colors[s]);
            for (size_t i = 0; i < in->n; i += st->stride) {
                const double *row = in->standardized + i * FEATURE_COUNT;
                if (in->segment[i] != s || !report_row_is_finite(row, FEATURE_COUNT))
                    continue;
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>\n",
                        fx(&fr, report_pca_project(p, 0, row)),
                        fy(&fr, report_pca_project(p, 1, row)));
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
        report_fmt_count(count, sizeof count, st->segment[s].size);
        snprintf(text, sizeof text, "%c (%s filas)", segment_letter(s), count);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"/>\n",
                lx + 6, y - 4, report_segment_colors[s]);
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

/* (5) The live model's and this model's held-out scores side by side, in
 * COMPARE_BINS bars of COMPARE_WIDTH points: grey the live, blue this. */
void report_chart_compare(FILE *f, const size_t *live, const size_t *cand,
                          const char *live_id)
{
    size_t top = 0;
    for (int b = 0; b < COMPARE_BINS; b++) {
        top = live[b] > top ? live[b] : top;
        top = cand[b] > top ? cand[b] : top;
    }
    struct frame fr = {.x0 = 80, .y0 = 40, .w = 760, .h = 300};
    fr.ax = axis_fixed(HIST_LO, HIST_HI, COMPARE_WIDTH);
    fr.ay = axis_nice(0, top ? (double)top : 1, 5);
    figure_begin(f, "comparison");
    svg_begin(f, 860, 400, "Scores de prueba: modelo vivo y este modelo");
    svg_axes(f, &fr, false, true, "score (300–850)", "filas de prueba");
    static const char *const fill[2] = {"#9a9a9a", "#1f4e79"};
    for (int m = 0; m < 2; m++) {
        const size_t *count = m ? cand : live;
        fprintf(f, "<g fill=\"%s\">\n", fill[m]);
        for (int b = 0; b < COMPARE_BINS; b++) {
            if (!count[b])
                continue;
            double x1 = fx(&fr, HIST_LO + b * COMPARE_WIDTH);
            double x2 = fx(&fr, HIST_LO + (b + 1) * COMPARE_WIDTH);
            double half = (x2 - x1 - 4) / 2;
            double y = fy(&fr, (double)count[b]);
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\"/>\n",
                    x1 + 2 + m * half, y, half, fr.y0 + fr.h - y);
        }
        fputs("</g>\n", f);
    }
    /* the legend, above the plot */
    char label[NUM_SIZE + 32];
    snprintf(label, sizeof label, "modelo vivo (%s)", live_id);
    fprintf(f, "<rect x=\"%.1f\" y=\"12\" width=\"12\" height=\"12\" "
               "fill=\"%s\"/>\n", fr.x0, fill[0]);
    svg_text(f, fr.x0 + 18, 22, "start", "", label);
    fprintf(f, "<rect x=\"%.1f\" y=\"12\" width=\"12\" height=\"12\" "
               "fill=\"%s\"/>\n", fr.x0 + 260, fill[1]);
    svg_text(f, fr.x0 + 278, 22, "start", "", "este modelo");
    fputs("</svg>\n", f);
    figure_end(f, "Los scores que cada modelo da a las mismas filas de "
                  "prueba, en barras de 50 puntos; la tabla de abajo da "
                  "los mismos conteos.");
}
