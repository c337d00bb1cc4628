/*
 * calibrate.h — the rules' score scale set from a dataset, as a risk
 * team can accept it: the targets are computed from the feature columns
 * with the rules being calibrated; by default the 0.1% and 99.9%
 * quantiles map to 300 and 850 (so one outlier does not move everyone's
 * score), or, as the original system did, the smallest and largest
 * target. What `rules calibrate` and the pipeline use.
 *
 * Refused, the rules left as they were: a dataset with any bad row (a
 * scale that silently left rows out), fewer rows than the minimum (a
 * scale from ten applicants is an accident), or bounds without a spread.
 *
 * The file is rewritten in place, not re-serialized: only the scale's
 * two numbers (and its `calibration` note, when the file has one) change,
 * every other byte stays, so a calibration's diff is two lines.
 */
#ifndef INCOMESCORE_CALIBRATE_H
#define INCOMESCORE_CALIBRATE_H

#include <stddef.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "score/rules.h"

enum calibration_bounds {
    CALIBRATION_QUANTILE, /* the quantile and 1 − quantile targets */
    CALIBRATION_MINMAX,   /* the smallest and largest (the original's) */
};

#define CALIBRATION_DEFAULT_QUANTILE 0.001
#define CALIBRATION_DEFAULT_MIN_ROWS 1000

struct calibration_options {
    enum calibration_bounds bounds;
    double quantile; /* 0 <= q < 0.5 */
    long min_rows;   /* at least 2 */
};

void calibration_defaults(struct calibration_options *o);

/* The percentiles a score distribution is summarized by. */
#define CALIBRATION_PERCENTILES 5
extern const double calibration_percentiles[CALIBRATION_PERCENTILES];

/* A dataset's scores under one scale. */
struct score_spread {
    long band_rows[RULES_MAX_BANDS + 1]; /* per band; the last: no band */
    double percentile[CALIBRATION_PERCENTILES];
    long clamped_low, clamped_high; /* rows at 300 or 850 */
};

struct calibration {
    double target_at_300, target_at_850; /* the new scale */
    double before_300, before_850;       /* the one it replaces */
    long rows;                           /* it was computed from */
    struct score_spread before, after;   /* the dataset under each */
};

/* Reads the dataset CSV at dataset_path (every bad row listed on diag
 * with its line and reason), sets r's scale from its targets as `o` says
 * with the note "from <dataset_path> (<rows> rows, <bounds>) on <today,
 * UTC>", and fills *cal, the scores before and after included. Returns 0,
 * or -1 with the reason ("<path>: 2 bad rows (listed above); fix them
 * first") and r unchanged. */
int rules_calibrate(struct rules *r, const char *dataset_path,
                    const struct calibration_options *o, FILE *diag,
                    struct calibration *cal, struct errbuf *err);

/* The rules file `text` with its scale replaced by r's: only the values
 * of scale.target_at_300, scale.target_at_850 and (when present)
 * scale.calibration change. The result is checked to parse to the same
 * document as r's; *out is malloc'd, NUL-terminated. */
int rules_text_rescaled(const char *text, size_t len, const struct rules *r,
                        char **out, size_t *out_len, struct errbuf *err);

#endif
