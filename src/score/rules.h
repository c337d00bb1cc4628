/*
 * rules.h — the business rules: how a person's variables become points,
 * the training target, and a score on the 300–850 scale.
 *
 * A rules file (JSON, data/rules.json is the shipped default) gives, for
 * each variable it scores, ordered bins — the first bin whose `match` holds
 * gives the points, `default` when none does — plus conditional
 * adjustments that add points when all their conditions hold. A `match` is
 * a number (equality) or an interval in the usual notation, each bound
 * inclusive `[ ]` or exclusive `( )`, `inf` for no bound: "[25000, 35000)",
 * "(-inf, -50)", "(48, inf)".
 *
 *   {"format": "incomescore-rules/1",
 *    "divisor": 12,
 *    "scale": {"target_at_300": 0.05, "target_at_850": 0.85},
 *    "variables": {"edad": {"default": 0,
 *                           "bins": [{"match": "[28, 43]", "points": 0.8}]}},
 *    "adjustments": [{"name": "jubilado_sin_empleo",
 *                     "when": {"jubilado": 1, "antiguedad_laboral_meses": 0},
 *                     "points": 2.0}]}
 *
 * target = round(sum of points / divisor, 2). Points are held as exact
 * millionths, so the sum does not depend on the order it is added in, and
 * the division is rounded on the exact value, ties to even (Python's
 * documented round()). We differ here from the original on purpose: it
 * rounded a float sum, so a tie such as 3.90 / 12 = 0.325 went up or down
 * depending on the last bit of the addition.
 *
 * score = 300 + (target - target_at_300) / (target_at_850 - target_at_300)
 * * 550, clamped to 300..850, 2 decimals. The scale lives in the file so a
 * person's score means the same across retrains (the original rescaled
 * every training set to its own min and max); `rules calibrate` sets it.
 */
#ifndef INCOMESCORE_RULES_H
#define INCOMESCORE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errbuf.h"
#include "score/features.h"

#define RULES_MAX_BINS 64
#define RULES_MAX_ADJUSTMENTS 32
#define RULES_MAX_CONDITIONS 8
#define RULES_MAX_POINTS 1000.0 /* |points| above this is a typo, not a rule */
#define RULES_MAX_BANDS 8
#define SCORE_MIN 300.0
#define SCORE_MAX 850.0

struct rules;

struct rules_result {
    long long points[VARIABLE_COUNT];            /* millionths; 0 if unscored */
    long long adjustments[RULES_MAX_ADJUSTMENTS]; /* millionths; 0 if not met */
    long long sum;                               /* millionths */
    double target;                               /* round(sum / divisor, 2) */
    double score;                                /* target on the scale */
};

/* Millionths of a point as a number of points. */
static inline double rules_points_value(long long millionths)
{
    return (double)millionths / 1e6;
}

/* Millionths of a point as the shortest exact decimal text ("5.65",
 * "-0.1", "0"), as the dataset's rules_points column writes them; returns
 * the length. */
int format_points(char *buf, size_t size, long long millionths);

/* Parses and validates a rules document. A bad one is refused with the
 * variable, bin or adjustment and the reason: "variable 'edad', bin 3:
 * match \"[28, 43\" lacks a closing ']' or ')'". `origin` (a file name)
 * prefixes the message. */
int rules_parse(struct rules **out, const char *text, size_t len,
                const char *origin, struct errbuf *err);

/* rules_parse on a file's contents. */
int rules_load(struct rules **out, const char *path, struct errbuf *err);

void rules_free(struct rules *r);

/* Whether the rules score this variable or name it in an adjustment. */
bool rules_uses(const struct rules *r, int variable);

/* Scores one person. values[] is indexed by enum feature / V_JUBILADO;
 * variables the rules do not use are ignored. */
void rules_evaluate(const struct rules *r, const double values[VARIABLE_COUNT],
                    struct rules_result *res);

/* The 300–850 score of a target on the rules' scale. */
double rules_score(const struct rules *r, double target);

void rules_scale(const struct rules *r, double *target_at_300,
                 double *target_at_850);
int rules_adjustment_count(const struct rules *r);
const char *rules_adjustment_name(const struct rules *r, int i);

/* Explanations. The variables that cost the person the most points —
 * the gap between the most a variable can earn and what it earned —
 * largest first, at most `max`, only those with a gap; returns how many.
 * We explain with the rules rather than the model's SHAP values: the
 * rules are the lender's stated policy the model learns, their points
 * are exact, and reading them costs nanoseconds per applicant. */
int rules_reasons(const struct rules *r, const struct rules_result *res,
                  int *variables, int max);
/* A variable's reason code ("INGRESO_BAJO") and Spanish text. */
const char *rules_reason_code(const struct rules *r, int variable);
const char *rules_reason_text(const struct rules *r, int variable);

/* Score bands, from the file's "bands" (none when it has none). A band
 * runs from its `from` up to the next band's, the last up to 850. */
int rules_band_count(const struct rules *r);
int rules_band_of(const struct rules *r, double score); /* -1: no band */
void rules_band(const struct rules *r, int i, double *from, double *to,
                const char **label, const char **color);

/* Sets the scale (target_at_300 < target_at_850, both finite) and records
 * `note` (e.g. which dataset it came from) beside it in the document. */
int rules_set_scale(struct rules *r, double target_at_300,
                    double target_at_850, const char *note,
                    struct errbuf *err);

/* The note set with the scale (rules_set_scale), or the file's own
 * scale.calibration; NULL when there is none. */
const char *rules_scale_note(const struct rules *r);

/* The document as JSON text, with any new scale; caller frees. */
char *rules_to_text(const struct rules *r);

#endif
