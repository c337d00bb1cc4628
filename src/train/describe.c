/*
 * describe.c — segment descriptions from their profiles (see describe.h).
 */
#include "train/describe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/report_internal.h"

static const char *const titles_en[SEGMENT_COUNT] = {
    "High income and low job turnover",
    "Middle income with job stability",
    "Young, low income and little stability",
    "Currently unemployed, with few prospects of re-entry",
};

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The profile of the rows whose label is `want` (-1: every row). */
static void profile_of(const double *x, const size_t *rows_at,
                       const int *labels, size_t n, int want, double *buf,
                       struct segment_profile *p)
{
    static const int feature[5] = {F_INGRESO, F_ANTIGUEDAD_LABORAL_MESES,
                                   F_TRABAJOS_ULTIMOS_5, F_SEMANAS_COTIZADAS,
                                   F_EDAD};
    double *out[5] = {&p->income, &p->tenure, &p->jobs, &p->weeks, &p->age};
    memset(p, 0, sizeof *p);
    size_t rows = 0, no_job = 0, retired = 0;
    for (size_t i = 0; i < n; i++) {
        if (want >= 0 && labels[i] != want)
            continue;
        const double *r = &x[(rows_at ? rows_at[i] : i) * FEATURE_COUNT];
        bool job = r[F_ANTIGUEDAD_LABORAL_MESES] > 0;
        no_job += !job;
        retired += !job && r[F_EDAD] >= 65 && r[F_SEMANAS_COTIZADAS] >= 1500;
        rows++;
    }
    p->rows = rows;
    if (!rows)
        return;
    p->no_job_share = (double)no_job / (double)rows;
    p->retiree_share = (double)retired / (double)rows;
    for (int k = 0; k < 5; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (want < 0 || labels[i] == want)
                buf[m++] = x[(rows_at ? rows_at[i] : i) * FEATURE_COUNT +
                             feature[k]];
        *out[k] = median(buf, m);
    }
}

int profile_segments(const double *x, const size_t *rows, const int *labels,
                     size_t n,
                     struct segment_profile seg[SEGMENT_COUNT],
                     struct segment_profile *all)
{
    double *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf)
        return -1;
    profile_of(x, rows, labels, n, -1, buf, all);
    for (int s = 0; s < SEGMENT_COUNT; s++)
        profile_of(x, rows, labels, n, s, buf, &seg[s]);
    free(buf);
    return 0;
}

bool original_title_fits(int s, const struct segment_profile *p,
                         const struct segment_profile *all)
{
    double income = all->income > 0 ? p->income / all->income : 0;
    switch (s) {
    case 0:
        return income >= 1.25 && p->jobs <= 2;
    case 1:
        return income > 0.75 && income < 1.25 && p->tenure >= 24 &&
               p->jobs <= 2;
    case 2:
        return p->age <= 30 && income <= 0.75 &&
               (p->tenure < 24 || p->jobs >= 3);
    default:
        return p->no_job_share >= 0.5 && p->retiree_share < 0.5;
    }
}

void describe_segment(int s, const struct segment_profile *p,
                      const struct segment_profile *all, char *es,
                      size_t es_size, char *en, size_t en_size)
{
    char title_es[160], title_en[160];
    if (original_title_fits(s, p, all)) {
        snprintf(title_es, sizeof title_es, "%s", segment_descriptions[s]);
        snprintf(title_en, sizeof title_en, "%s", titles_en[s]);
    } else if (p->retiree_share >= 0.5) {
        snprintf(title_es, sizeof title_es, "Segmento de jubilados");
        snprintf(title_en, sizeof title_en, "Retirees");
    } else if (p->no_job_share >= 0.5) {
        snprintf(title_es, sizeof title_es, "Segmento sin empleo actual");
        snprintf(title_en, sizeof title_en, "Without a current job");
    } else {
        double income = all->income > 0 ? p->income / all->income : 0;
        const char *level_es = income >= 1.25   ? "ingresos altos"
                               : income <= 0.75 ? "ingresos bajos"
                                                : "ingresos medios";
        const char *level_en = income >= 1.25   ? "high income"
                               : income <= 0.75 ? "low income"
                                                : "middle income";
        bool stable = p->tenure >= 24 && p->jobs <= 2;
        bool young = p->age <= 30;
        snprintf(title_es, sizeof title_es, "Segmento de %s%s %s",
                 young ? "jóvenes con " : "", level_es,
                 stable ? "con estabilidad laboral"
                        : "con poca estabilidad laboral");
        snprintf(title_en, sizeof title_en, "%s%s, %s", young ? "Young, " : "",
                 level_en,
                 stable ? "with job stability" : "with little job stability");
        if (!young)
            title_en[0] = (char)(title_en[0] - 'a' + 'A');
    }
    char income[32], weeks[32];
    report_fmt_grouped(income, sizeof income, p->income, 0);
    report_fmt_grouped(weeks, sizeof weeks, p->weeks, 0);
    int no_job = (int)lround(100 * p->no_job_share);
    int retired = (int)lround(100 * p->retiree_share);
    snprintf(es, es_size,
             "%s: ingreso típico $%s al mes, %.0f meses en el empleo actual, "
             "%.0f %s en 5 años, %s semanas cotizadas, %.0f años; %d%% "
             "sin empleo actual, %d%% jubilados.",
             title_es, income, p->tenure, p->jobs,
             lround(p->jobs) == 1 ? "empleo" : "empleos", weeks, p->age,
             no_job, retired);
    snprintf(en, en_size,
             "%s: typical income $%s a month, %.0f months in the current "
             "job, %.0f %s in 5 years, %s weeks of contributions, age %.0f; "
             "%d%% without a current job, %d%% retired.",
             title_en, income, p->tenure, p->jobs,
             lround(p->jobs) == 1 ? "job" : "jobs", weeks, p->age, no_job,
             retired);
}
