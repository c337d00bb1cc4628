/*
 * segments.h — the four customer segments A–D (SPEC §5): features
 * standardized, k-means with k-means++ seeding and several restarts from a
 * fixed seed, letters given by mean target (highest = A), and at scoring
 * time the nearest centroid — so a scored applicant always gets the
 * segment the segmentation itself would give (the original trained a
 * second random forest to guess it).
 */
#ifndef INCOMESCORE_SEGMENTS_H
#define INCOMESCORE_SEGMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "score/features.h"

#define SEGMENT_COUNT 4

/* z = (x - mean) / scale, scale being the population standard deviation
 * (as scikit-learn's StandardScaler); a constant feature gets scale 1. */
struct scaler {
    double mean[FEATURE_COUNT];
    double scale[FEATURE_COUNT];
};

/* Fits on n rows of X (row-major, FEATURE_COUNT doubles a row). */
void scaler_fit(struct scaler *s, const double *x, size_t n);
void scaler_apply(const struct scaler *s, const double *x, double *z);

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

/* The index of the centroid nearest to z (squared Euclidean distance;
 * ties go to the lower index). */
int nearest_centroid(const double *centroids, int k, int dims,
                     const double *z);

/* Reorders k centroids so that index 0 has the highest mean target
 * (letter A), 1 the next (B), ...: `mean_target` holds each cluster's
 * mean target in the centroids' current order and is reordered with
 * them; `labels` (n, may be NULL) are renumbered to match. Ties keep the
 * original order. */
void segments_order_by_target(double *centroids, int k, int dims,
                              double *mean_target, int *labels, size_t n);

/* 'A' + index. */
char segment_letter(int index);

/* The original UI's description of each segment, by index (A = 0). */
extern const char *const segment_descriptions[SEGMENT_COUNT];

#endif
