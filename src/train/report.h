/*
 * report.h — the training report a credit analyst reads: report.md and a
 * self-contained report.html (inline SVG charts, no scripts, no external
 * files) written into a model version's directory.
 *
 * Contents: which version it is (its registry id, or "sin registrar"),
 * the metrics table (target and score points), predicted vs
 * target scatter, the distribution of held-out scores with the score
 * bands, feature importance, the segments on the first two principal
 * components of the standardized features, the segment profiles (mean
 * of each feature per letter, with size and mean score), and the
 * comparison with the live model (metrics side by side on the same rows,
 * the segment match, both score distributions and the score's PSI).
 */
#ifndef INCOMESCORE_REPORT_H
#define INCOMESCORE_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "base/errbuf.h"
#include "score/features.h"
#include "score/rules.h"
#include "score/segments.h"

/* The live model when this one was trained, measured on the same
 * held-out rows as this one, each score against the score its own scale
 * gives the true target (as the pipeline's gate measures both). */
struct report_comparison {
    const char *live_id;          /* its version, "v0003" */
    const char *unavailable;      /* why it could not be measured, or NULL
                                   * (then nothing below is set) */
    double r2, mae_points, score_r2;
    const double *score;          /* n: its score for each held-out row */
    const int *segment;           /* n: its segment (0..3) for each */
    double psi;                   /* of this model's scores against its
                                   * (base/stability.h) */
};

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

    /* The live model at training time; NULL when there was none (a
     * first model: "primer modelo: sin comparación"). */
    const struct report_comparison *live;
};

/* Writes dir/report.md and dir/report.html atomically. Deterministic:
 * the same input gives the same bytes (no clock, no random sampling
 * beyond a fixed-stride subsample for the scatter plots). */
int report_write(const struct report_input *in, const char *dir,
                 struct errbuf *err);

#endif
