/*
 * letters.c — the live model's letters given to a new model's segments
 * (see letters.h).
 */
#include "train/letters.h"

#include <math.h>
#include <string.h>

/* The squared distance between new cluster c and reference letter r, in
 * the reference's standardized space. */
static double gap(const struct manifest *ref, const struct scaler *scaler,
                  const double *centroids, int c, int r)
{
    double d2 = 0;
    for (int f = 0; f < FEATURE_COUNT; f++) {
        double raw = centroids[c * FEATURE_COUNT + f] * scaler->scale[f] +
                     scaler->mean[f];
        double z = (raw - ref->scaler.mean[f]) / ref->scaler.scale[f];
        double d = z - ref->segments[r].centroid[f];
        d2 += d * d;
    }
    return d2;
}

/* Every assignment in lexicographic order (a permutation's next, as
 * std::next_permutation); false after the last. */
static int next_assignment(int *p, int n)
{
    int i = n - 2;
    while (i >= 0 && p[i] >= p[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (p[j] <= p[i])
        j--;
    int t = p[i];
    p[i] = p[j];
    p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) {
        t = p[a];
        p[a] = p[b];
        p[b] = t;
    }
    return 1;
}

void letters_match(const struct manifest *reference,
                   const struct scaler *scaler, const double *centroids,
                   int letter_of[SEGMENT_COUNT],
                   double shift[SEGMENT_COUNT])
{
    double cost[SEGMENT_COUNT][SEGMENT_COUNT];
    for (int c = 0; c < SEGMENT_COUNT; c++)
        for (int r = 0; r < SEGMENT_COUNT; r++)
            cost[c][r] = gap(reference, scaler, centroids, c, r);
    int p[SEGMENT_COUNT];
    for (int c = 0; c < SEGMENT_COUNT; c++)
        p[c] = c;
    double best = INFINITY;
    do {
        double total = 0;
        for (int c = 0; c < SEGMENT_COUNT; c++)
            total += cost[c][p[c]];
        if (total < best) {
            best = total;
            memcpy(letter_of, p, sizeof p);
        }
    } while (next_assignment(p, SEGMENT_COUNT));
    for (int c = 0; c < SEGMENT_COUNT; c++)
        shift[letter_of[c]] = sqrt(cost[c][letter_of[c]]);
}

void letters_apply(const int letter_of[SEGMENT_COUNT], double *centroids,
                   double *mean_target, int *labels, size_t n)
{
    double c2[SEGMENT_COUNT * FEATURE_COUNT], t2[SEGMENT_COUNT];
    for (int c = 0; c < SEGMENT_COUNT; c++) {
        memcpy(&c2[letter_of[c] * FEATURE_COUNT], &centroids[c * FEATURE_COUNT],
               FEATURE_COUNT * sizeof *c2);
        t2[letter_of[c]] = mean_target[c];
    }
    memcpy(centroids, c2, sizeof c2);
    memcpy(mean_target, t2, sizeof t2);
    for (size_t i = 0; i < n; i++)
        labels[i] = letter_of[labels[i]];
}
