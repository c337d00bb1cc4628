/*
 * kmeans.h — fitting the four customer segments (SPEC §5) at training
 * time: the scaler's fit, k-means with k-means++ seeding and several
 * restarts from a fixed seed, and the ordering by mean target that gives
 * the letters (highest = A).
 *
 * What scoring needs of the segments (the scaler's type and its apply,
 * the nearest-centroid rule, the letters and their texts) is in
 * score/segments.h, so the scoring library carries none of this: no
 * threads, no PRNG, no restarts. The labels k-means leaves are exactly
 * score/segments.h's nearest_centroid of each row, so a scored applicant
 * always gets the segment the segmentation itself would give (the
 * original trained a second random forest to guess it).
 */
#ifndef INCOMESCORE_KMEANS_H
#define INCOMESCORE_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "score/segments.h"

/* Fits *s on n rows of X (row-major, FEATURE_COUNT doubles a row): the
 * mean and the population standard deviation of each column (as
 * scikit-learn's StandardScaler); a constant column gets scale 1, and no
 * rows give the identity. */
void scaler_fit(struct scaler *s, const double *x, size_t n);

struct kmeans_options {
    int k;              /* clusters; SEGMENT_COUNT for the segments */
    int restarts;       /* independent k-means++ starts; the lowest inertia wins */
    int max_iterations; /* Lloyd iterations per start */
    double tolerance;   /* stop when no centroid moves more than this */
    uint64_t seed;
};

/* Default options: k 4, 8 restarts, 100 iterations, 1e-6, seed 42. */
struct kmeans_options kmeans_defaults(void);

/* Clusters n standardized rows z (row-major, `dims` doubles a row) into
 * opt->k centroids (k × dims, row-major). labels (n ints) and inertia may
 * be NULL. Deterministic for a given seed, data and thread count.
 * Refuses n < k, k < 1, dims < 1 with a message. */
int kmeans_fit(const double *z, size_t n, int dims,
               const struct kmeans_options *opt, double *centroids,
               int *labels, double *inertia, struct errbuf *err);

/* Reorders k centroids so that index 0 has the highest mean target
 * (letter A), 1 the next (B), ...: `mean_target` holds each cluster's
 * mean target in the centroids' current order and is reordered with
 * them; `labels` (n, may be NULL) are renumbered to match. Ties keep the
 * original order. */
void segments_order_by_target(double *centroids, int k, int dims,
                              double *mean_target, int *labels, size_t n);

#endif
