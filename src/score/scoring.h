/*
 * scoring.h — the scoring core: one call from an applicant's eight inputs
 * to a score, a segment, a band and the reasons, with a loaded bundle.
 * The API, `predict` and the tests all score through here.
 *
 *   features (features.c) → model (forest_predict) → score on the rules'
 *   scale, clamped 300–850, 2 decimals → nearest centroid (segment) →
 *   band → reasons (rules.c: the variables costing the most points)
 */
#ifndef INCOMESCORE_SCORING_H
#define INCOMESCORE_SCORING_H

#include <jansson.h>
#include <stddef.h>

#include "registry/bundle.h"
#include "score/features.h"

#define SCORE_REASONS 3

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
void score_applicant(const struct bundle *b, const struct applicant *a,
                     struct score *out);

/* Writes the response object into buf, the contract's two fields first:
 * {"scoring": 678.17, "cluster": "A", "model_version": "v0003",
 *  "band": "bueno", "reasons": [{"code": ..., "text": ...}, ...]}.
 * Returns its length (without NUL), or the length it would need when buf
 * is too small, as snprintf. */
int score_format_json(const struct bundle *b, const struct score *s,
                      char *buf, size_t size);

/* The response's fixed parts (cluster, version, band, reasons) are
 * escaped once when a bundle loads, so formatting a response is copying;
 * bundle_load calls this. */
int response_pieces_build(struct bundle *b, struct errbuf *err);
void response_pieces_free(struct response_pieces *p);

#endif
