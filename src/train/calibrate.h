/*
 * calibrate.h — the rules' score scale set from a dataset: its smallest
 * target maps to 300, its largest to 850, the targets computed from the
 * feature columns with the rules being calibrated. What `rules calibrate`
 * checks and sets before it writes, as a library call, so that the coming
 * `pipeline` command and the tests calibrate the same way.
 *
 * A scale from a dataset with bad rows would silently leave them out, so
 * any bad row refuses the calibration; so do fewer than 2 good rows and
 * rows that all share one target (a scale needs a spread). A refusal
 * leaves the rules as they were.
 */
#ifndef INCOMESCORE_CALIBRATE_H
#define INCOMESCORE_CALIBRATE_H

#include <stdio.h>

#include "base/errbuf.h"
#include "score/rules.h"

struct calibration {
    double target_at_300;   /* the dataset's smallest target */
    double target_at_850;   /* its largest */
    long rows;              /* the rows it was computed from */
};

/* Reads the dataset CSV at dataset_path (rules_target_range: every bad
 * row is listed on diag with its line and reason) and sets r's scale to
 * its target range, with the note "from <dataset_path> (<rows> rows,
 * targets <lo>..<hi>) on <today, UTC>". Returns 0 with the scale in *cal,
 * or -1 with the reason ("<path>: 2 bad rows (listed above); fix them
 * first") and r unchanged. Writing the rules out is the caller's
 * (rules_to_text). */
int rules_calibrate(struct rules *r, const char *dataset_path, FILE *diag,
                    struct calibration *cal, struct errbuf *err);

#endif
