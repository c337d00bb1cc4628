/*
 * rules_csv.h — the business rules run over a whole features CSV: what
 * `rules apply` and `rules calibrate` do, as library calls so that tests
 * (and later the pipeline) use them without the command line.
 *
 * Bad rows never stop a run: each is reported on `diag` with its line and
 * reason ("line 7: column 'edad': 'abc' is not a number"), counted, and
 * left out of the output, which keeps every good row in order.
 */
#ifndef INCOMESCORE_RULES_CSV_H
#define INCOMESCORE_RULES_CSV_H

#include <stdio.h>

#include "base/errbuf.h"
#include "score/rules.h"

struct rows_count {
    long good;
    long bad;
};

/* Copies the CSV from `in` to `out` with two more columns, rules_points
 * (the sum of points) and target. Columns already called rules_points or
 * target are overwritten in place, so applying twice changes nothing.
 * Returns -1 (err set) only when nothing sensible can be written: no
 * header, or a column the rules need is missing. */
int rules_apply_csv(const struct rules *r, FILE *in, FILE *out, FILE *diag,
                    struct rows_count *count, struct errbuf *err);

/* Every target the rules give the good rows of `in`, in row order, in a
 * malloc'd array (*targets, count->good of them; NULL when none); each
 * bad row is listed on diag with its line and reason and counted. */
int rules_targets(const struct rules *r, FILE *in, FILE *diag,
                  double **targets, struct rows_count *count,
                  struct errbuf *err);

/* The smallest and largest target the rules give the rows of `in`. */
int rules_target_range(const struct rules *r, FILE *in, FILE *diag,
                       double *min_target, double *max_target,
                       struct rows_count *count, struct errbuf *err);

#endif
