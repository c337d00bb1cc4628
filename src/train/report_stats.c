/*
 * report_stats.c — what the training report computes once from the
 * held-out rows (see report_internal.h's struct report_stats): score
 * quantiles (numpy's linear rule) and mean, rows per score band, the
 * 10-point histogram, the features in order of importance, the first two
 * principal components of the standardized features, and each segment's
 * profile (size and means).
 *
 * The PCA is the one use of LAPACKE in incomescore (dsyev on the 11×11
 * covariance); it lives here, in train/, so the scoring library links
 * without it. Determinism: no randomness, rows taken in order, and each
 * eigenvector's sign fixed by a rule (see pca_fit), so the same input
 * gives the same numbers and the PCA chart never comes out mirrored.
 */
#include "train/report_internal.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

bool report_row_is_finite(const double *row, int dims)
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
        if (!report_row_is_finite(row, D))
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
        if (!report_row_is_finite(row, D))
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

double report_pca_project(const struct pca *p, int c, const double *row)
{
    double s = 0;
    for (int j = 0; j < FEATURE_COUNT; j++)
        s += (row[j] - p->mean[j]) * p->axis[c][j];
    return s;
}

int report_stats_compute(const struct report_input *in,
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
