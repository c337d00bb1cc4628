/*
 * scoring.h — the scoring core: one call from an applicant's eight inputs
 * to a score, a segment, a band and the reasons. The API, `predict` and
 * the tests all score through here.
 *
 *   features (features.c) → model (forest_predict) → score on the rules'
 *   scale, clamped 300–850, 2 decimals → nearest centroid (segment) →
 *   band → reasons (rules.c: the variables costing the most points)
 *
 * What scoring reads is one struct scorer, built once from parts each
 * loaded and checked by its own module (the tables, the rules, the
 * forest, the scaler and centroids). bundle_load builds the one of a
 * bundle directory; a test or an embedding program may build one from
 * parts of its own. Once built it is read-only, so any number of threads
 * score with it at once. This module knows nothing of bundles or of
 * where the parts came from: the dependency runs bundle → scoring only.
 */
#ifndef INCOMESCORE_SCORING_H
#define INCOMESCORE_SCORING_H

#include <stddef.h>

#include "base/errbuf.h"
#include "score/features.h"
#include "score/forest.h"
#include "score/refdata.h"
#include "score/rules.h"
#include "score/segments.h"

#define SCORE_REASONS 3
#define SCORER_VERSION_SIZE 64

struct response_pieces;

struct scorer {
    char version[SCORER_VERSION_SIZE]; /* what responses name: "v0003" */
    struct refdata rd;
    struct rules *rules;
    struct forest *forest;
    struct scaler scaler;
    double centroids[SEGMENT_COUNT * FEATURE_COUNT]; /* standardized, A..D */
    /* The response's fixed parts (cluster and version, band labels,
     * reasons), JSON-escaped once when the scorer is built, so that
     * formatting a response is copying. */
    struct response_pieces *pieces;
};

/* Builds *s from loaded parts: version (the model version responses
 * name), the tables *rd (moved: *rd is left empty), rules and forest
 * (taken), a copy of the scaler and of the SEGMENT_COUNT × FEATURE_COUNT
 * centroids. Whatever it returns, s then owns rd's tables, rules and
 * forest, and scorer_free(s) releases them; on -1 (a version, band label
 * or reason too long for a response piece, or no memory) err says which. */
int scorer_build(struct scorer *s, const char *version, struct refdata *rd,
                 struct rules *rules, struct forest *forest,
                 const struct scaler *scaler, const double *centroids,
                 struct errbuf *err);

/* Releases what s owns (not s itself); safe on a zeroed scorer. */
void scorer_free(struct scorer *s);

struct score {
    double scoring;             /* 300–850, 2 decimals */
    double predicted_target;    /* the model's raw output */
    int segment;                /* 0..3 */
    char cluster;               /* 'A'..'D' */
    int band;                   /* index into the rules' bands, -1: none */
    int reason_count;
    int reasons[SCORE_REASONS]; /* variable indices, largest gap first */
};

/* Scores a validated applicant (request_parse). No allocation. */
void score_applicant(const struct scorer *s, const struct applicant *a,
                     struct score *out);

/* Writes the response object into buf, the contract's two fields first:
 * {"scoring": 678.17, "cluster": "A", "model_version": "v0003",
 *  "band": "bueno", "reasons": [{"code": ..., "text": ...}, ...]}.
 * Returns its length (without NUL), or the length it would need when buf
 * is too small, as snprintf. No allocation. */
int score_format_json(const struct scorer *s, const struct score *sc,
                      char *buf, size_t size);

/* The model's own reasons for one applicant, beside the rules' (reasons):
 * each feature's contribution to the score in points — the model's SHAP
 * values (forest_explain) on the rules' scale — and the base they start
 * from (the model's average applicant). base + the contributions is the
 * score before it is clamped to 300–850 and rounded. */
struct explanation {
    double base;
    double points[FEATURE_COUNT]; /* in features.h's order */
};

/* The explanation of one row of model features (what score_explain
 * computes from an applicant; training sums them up for its report); -1
 * when the model cannot explain. No allocation. */
int explain_features(const struct forest *f, const struct rules *r,
                     const float x[FEATURE_COUNT], struct explanation *out);

/* Explains one validated applicant; -1 when the model cannot (a model
 * without the trees' covers). No allocation. */
int score_explain(const struct scorer *s, const struct applicant *a,
                  struct explanation *out);

/* score_format_json's object with one more member, last:
 * "explanation": {"base": 564.2, "features": {"ingreso": 31.07, ...}}
 * (points, 2 decimals, every feature in order), or "explanation": null
 * when the model cannot explain. The same length contract. */
int score_format_explained(const struct scorer *s, const struct applicant *a,
                           const struct score *sc, char *buf, size_t size);

#endif
