/*
 * describe.h — each segment described from its own training rows.
 *
 * The original system named its four segments with fixed texts, one per
 * letter; on the demo data "B ... estabilidad laboral" averaged 18 months
 * in the job and "D ... desocupado" were mostly retirees, so a fixed text
 * can contradict the data it names. A segment's profile here is the
 * median income, tenure, jobs in five years, weeks of contributions and
 * age of its training rows, and the shares without a current job and of
 * retirees (the rules' test: 65 or older, 1,500 weeks or more, no current
 * job). Its description is a title and that profile, in Spanish and in
 * English. The title is the original's for its letter only when the
 * profile agrees with it (against the whole population's medians):
 *   A  "altos ingresos y baja rotación laboral": income ≥ 1.25 × the
 *      median, at most 2 jobs in five years;
 *   B  "ingresos medios con estabilidad laboral": income within 0.75–1.25
 *      × the median, 24 months or more in the job, at most 2 jobs;
 *   C  "jóvenes con bajos ingresos y poca estabilidad": age 30 or less,
 *      income ≤ 0.75 × the median, under 24 months in the job or 3 jobs
 *      or more;
 *   D  "actualmente desocupado y pocas posibilidades de reinserción": at
 *      least half without a current job, fewer than half retirees.
 * Otherwise the title is made from the profile: retirees or without a
 * current job when at least half are, else the income level (high, middle,
 * low at 1.25 / 0.75 × the median), job stability (24 months and at most
 * 2 jobs) and youth (age 30 or less).
 */
#ifndef INCOMESCORE_DESCRIBE_H
#define INCOMESCORE_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>

#include "score/segments.h"

struct segment_profile {
    double income, tenure, jobs, weeks, age; /* medians */
    double no_job_share, retiree_share;      /* 0..1 */
    size_t rows;
};

/* Profiles of each segment and of all rows together (*all): row i is
 * x[rows[i]] (rows NULL: x[i]; FEATURE_COUNT raw features a row), its
 * segment labels[i], for i < n. -1 when out of memory. */
int profile_segments(const double *x, const size_t *rows, const int *labels,
                     size_t n,
                     struct segment_profile seg[SEGMENT_COUNT],
                     struct segment_profile *all);

/* Whether letter s's original title fits profile p (the tests above). */
bool original_title_fits(int s, const struct segment_profile *p,
                         const struct segment_profile *all);

/* The Spanish and English descriptions of letter s with profile p. */
void describe_segment(int s, const struct segment_profile *p,
                      const struct segment_profile *all, char *es,
                      size_t es_size, char *en, size_t en_size);

#endif
