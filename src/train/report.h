/*
 * report.h — the training report a credit analyst reads: report.md and a
 * self-contained report.html (inline SVG charts, no scripts, no external
 * files) written into a model version's directory.
 *
 * Contents: which version it is (its registry id, or "sin registrar"),
 * the metrics table (target and score points), predicted vs
 * target scatter, the distribution of held-out scores with the score
 * bands, feature importance, the segments on the first two principal
 * components of the standardized features, and the segment profiles (mean
 * of each feature per letter, with size and mean score).
 */
#ifndef INCOMESCORE_REPORT_H
#define INCOMESCORE_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "base/errbuf.h"
#include "score/features.h"
#include "score/rules.h"
#include "score/segments.h"

struct report_input {
    /* The manifest as bundle.json holds it (registry/manifest.h's
     * manifest_to_json): "metrics", "segments", "lineage", "model" (its
     * "params", "rounds"), "created_at", "features". Its tables are
     * drawn key by key from whatever is there, so a key the manifest
     * gains shows without a change here; a partial or NULL manifest
     * still renders. */
    const json_t *manifest;
    /* The version's id in its registry ("v0007"), which the manifest
     * cannot hold (the registry gives it at commit); NULL: a bundle
     * written outside a registry, said as "sin registrar". */
    const char *version_id;
    const struct rules *rules;   /* for the score bands */

    /* the held-out rows */
    size_t n;
    const double *target;        /* the rules' target */
    const double *predicted;     /* the model's prediction of it */
    const double *score;         /* predicted score, 300–850 */
    const int *segment;          /* 0..3 = A..D */
    const double *features;      /* n × FEATURE_COUNT, raw */
    const double *standardized;  /* n × FEATURE_COUNT, scaler applied */

    const double *importance;    /* FEATURE_COUNT, summing to 1 */

    /* The model's explanations (forest_explain) over the first
     * `explained` held-out rows: each feature's mean absolute
     * contribution in score points; NULL when none were computed. */
    const double *mean_abs_points; /* FEATURE_COUNT */
    size_t explained;
};

/* Writes dir/report.md and dir/report.html atomically. Deterministic:
 * the same input gives the same bytes (no clock, no random sampling
 * beyond a fixed-stride subsample for the scatter plots). */
int report_write(const struct report_input *in, const char *dir,
                 struct errbuf *err);

#endif
