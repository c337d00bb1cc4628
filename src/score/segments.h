/*
 * segments.h — the four customer segments A–D (SPEC §5) as scoring sees
 * them: a row's features standardized with the bundle's scaler, then the
 * nearest of the bundle's centroids gives its letter. The letters'
 * descriptions are the original UI's.
 *
 * How the scaler and the centroids are fitted (k-means, the ordering by
 * mean target that makes A the highest) is training's business, in
 * train/kmeans.h: the scoring library does not carry it.
 */
#ifndef INCOMESCORE_SEGMENTS_H
#define INCOMESCORE_SEGMENTS_H

#include <stddef.h>

#include "score/features.h"

#define SEGMENT_COUNT 4

/* z = (x - mean) / scale, scale being the population standard deviation
 * (as scikit-learn's StandardScaler); a constant feature gets scale 1.
 * Fitted by train/kmeans.h's scaler_fit. */
struct scaler {
    double mean[FEATURE_COUNT];
    double scale[FEATURE_COUNT];
};

void scaler_apply(const struct scaler *s, const double *x, double *z);

/* Squared Euclidean distance between two `dims`-vectors. */
static inline double centroid_sqdist(const double *a, const double *b,
                                     int dims)
{
    double s = 0;
    for (int d = 0; d < dims; d++) {
        double t = a[d] - b[d];
        s += t * t;
    }
    return s;
}

/* The index of the nearest of k >= 1 centroids (k × dims, row-major) to
 * z, and its squared distance in *dist. Strict < so that ties go to the
 * lower index. The one rule k-means labels rows by and scoring assigns
 * segments by, so a scored row gets the segment training gave it; inline
 * because k-means calls it for every row in every Lloyd iteration. */
static inline int nearest_centroid_dist(const double *centroids, int k,
                                        int dims, const double *z,
                                        double *dist)
{
    int best = 0;
    double best_d = centroid_sqdist(centroids, z, dims);
    for (int c = 1; c < k; c++) {
        double d = centroid_sqdist(centroids + (size_t)c * dims, z, dims);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    *dist = best_d;
    return best;
}

/* The index of the centroid nearest to z (squared Euclidean distance;
 * ties go to the lower index); -1 when k < 1. */
int nearest_centroid(const double *centroids, int k, int dims,
                     const double *z);

/* 'A' + index. */
char segment_letter(int index);

/* The original UI's description of each segment, by index (A = 0). */
extern const char *const segment_descriptions[SEGMENT_COUNT];

#endif
