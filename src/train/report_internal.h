/*
 * report_internal.h — what the four files of the training report share;
 * not for use outside src/train/report*.c (the report's contract is
 * report.h), except its spelling and escaping part (report_format.c),
 * which the pipeline's run report uses too, so that both reports write
 * numbers and escape text alike.
 *
 * The report is cut by concept, in the order the data goes through it:
 *
 *   report_stats.c   everything computed once from the held-out rows
 *                    (quantiles, bands, histogram, importance order, the
 *                    PCA via LAPACKE, the segment profiles)
 *   report_format.c  how a number, a manifest key or value is spelled,
 *                    and text escaped into Markdown or HTML
 *   report_svg.c     the SVG primitives and the four charts
 *   report.c         the sections and the two documents, md and html
 *
 * The stats are computed before anything is written, and both documents
 * and every chart read the same struct report_stats, so no two of them
 * can disagree on a number.
 */
#ifndef INCOMESCORE_REPORT_INTERNAL_H
#define INCOMESCORE_REPORT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "score/features.h"
#include "score/rules.h"
#include "score/segments.h"
#include "train/report.h"

#define MAX_POINTS 2000        /* per scatter chart: keeps the HTML ~200 kB */
#define HIST_LO SCORE_MIN
#define HIST_HI SCORE_MAX
#define HIST_WIDTH 10.0        /* score points per histogram bar */
#define HIST_BINS 55           /* (850 - 300) / 10 */
#define NUM_SIZE 64            /* any one formatted number or label */
#define COMPARE_WIDTH 50.0     /* score points per bar, live vs this model */
#define COMPARE_BINS 11        /* (850 - 300) / 50 */

/* ---- what is computed once (report_stats.c) ------------------------------ */

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

/* Fills *st from the held-out rows of *in (whose columns report_write
 * has checked). -1 with err set only when out of memory. */
int report_stats_compute(const struct report_input *in,
                         struct report_stats *st, struct errbuf *err);

/* Whether every one of the `dims` values of row is finite: rows that are
 * not are left out of the PCA, its fit and its chart alike. */
bool report_row_is_finite(const double *row, int dims);

/* A standardized row's coordinate on component c (0 = CP1, 1 = CP2). */
double report_pca_project(const struct pca *p, int c, const double *row);

/* ---- spelling and escaping (report_format.c) ---------------------------- */

/* `v` with `decimals` places and a comma every three integer digits
 * ("12,345.67"), as Mexican usage writes amounts; "—" when not finite.
 * Every number the report prints is written by this or fmt_value. */
void report_fmt_grouped(char *buf, size_t size, double v, int decimals);
void report_fmt_count(char *buf, size_t size, size_t v);

/* 12.3 % of a whole; "—" for an empty whole. */
void report_fmt_share(char *buf, size_t size, size_t part, size_t whole);

/* A manifest value as text, formatted by what its key says it is (R² to
 * 4 decimals, squared errors in scientific notation, counts grouped...).
 * Caller frees; NULL when out of memory. */
char *report_fmt_value(const char *key, const json_t *v);

/* The Spanish label of a manifest key we know, or NULL. */
const char *report_key_label(const char *key);

/* "filas de prueba (test_rows)": the analyst's word and the data team's. */
void report_fmt_key(char *buf, size_t size, const char *key);

/* Whether a key's value is set in code font: hashes and file names. */
bool report_key_is_code(const char *key);

/* Text into HTML or SVG, element content or attribute value. */
void report_put_html(FILE *f, const char *s);

/* Text into a Markdown table cell or paragraph. */
void report_put_md(FILE *f, const char *s);

/* ---- the charts (report_svg.c) ------------------------------------------ */

/* One colour per segment, for the PCA chart and the profile table alike. */
extern const char *const report_segment_colors[SEGMENT_COUNT];

/* Each writes one <figure> (an inline SVG and its caption) to f. */
void report_chart_scatter(FILE *f, const struct report_input *in,
                          const struct report_stats *st);
void report_chart_histogram(FILE *f, const struct report_stats *st);
void report_chart_importance(FILE *f, const struct report_input *in,
                             const struct report_stats *st);
void report_chart_pca(FILE *f, const struct report_input *in,
                      const struct report_stats *st);
/* The live model's and this model's scores in COMPARE_BINS bins each. */
void report_chart_compare(FILE *f, const size_t *live, const size_t *cand,
                          const char *live_id);

#endif
