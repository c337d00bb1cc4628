/*
 * stability.h — the population stability index (PSI): how far one
 * distribution of a number has moved from another. One implementation
 * for its two readers: the pipeline's gate (each feature and the score
 * between the live model's training data and the new data) and the
 * training report (the new model's scores against the live model's on
 * the same held-out rows).
 *
 * PSI = Σ (new% − ref%) · ln(new% / ref%) over ten bins cut at the
 * reference's deciles (ties merged, so a value with three levels has
 * three bins), each share floored at 0.0001 so an empty bin is a large
 * term, not an infinite one. The usual reading: below 0.10 stable,
 * 0.10–0.25 shifting, above 0.25 a different population.
 */
#ifndef INCOMESCORE_STABILITY_H
#define INCOMESCORE_STABILITY_H

#include <stddef.h>

#include "base/errbuf.h"

/* PSI of `got` (m values, every got_stride-th double) against `ref` (n
 * values, every ref_stride-th). -1 with err only when out of memory; an
 * empty side gives 0. */
int population_stability(const double *ref, size_t n, size_t ref_stride,
                         const double *got, size_t m, size_t got_stride,
                         double *psi, struct errbuf *err);

#endif
