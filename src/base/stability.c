/*
 * stability.c — the population stability index (see stability.h).
 */
#include "base/stability.h"

#include <math.h>
#include <stdlib.h>

#define PSI_BINS 10
#define PSI_FLOOR 1e-4

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bin_of(const double *edges, int ne, double v)
{
    int b = 0;
    while (b < ne && v >= edges[b])
        b++;
    return b;
}

int population_stability(const double *ref, size_t n, size_t ref_stride,
                         const double *got, size_t m, size_t got_stride,
                         double *psi, struct errbuf *err)
{
    *psi = 0;
    if (n == 0 || m == 0)
        return 0;
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return err_set(err, "out of memory for %zu values", n);
    for (size_t i = 0; i < n; i++)
        sorted[i] = ref[i * ref_stride];
    qsort(sorted, n, sizeof *sorted, cmp_double);
    double edges[PSI_BINS - 1];
    int ne = 0;
    for (int k = 1; k < PSI_BINS; k++) {
        double e = sorted[(size_t)((double)n * k / PSI_BINS)];
        if (ne == 0 || e > edges[ne - 1])
            edges[ne++] = e;
    }
    free(sorted);
    size_t cr[PSI_BINS] = {0}, cg[PSI_BINS] = {0};
    for (size_t i = 0; i < n; i++)
        cr[bin_of(edges, ne, ref[i * ref_stride])]++;
    for (size_t i = 0; i < m; i++)
        cg[bin_of(edges, ne, got[i * got_stride])]++;
    double s = 0;
    for (int b = 0; b <= ne; b++) {
        double e = fmax((double)cr[b] / (double)n, PSI_FLOOR);
        double a = fmax((double)cg[b] / (double)m, PSI_FLOOR);
        s += (a - e) * log(a / e);
    }
    *psi = s;
    return 0;
}
