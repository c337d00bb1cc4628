/*
 * gate.h — whether a newly trained model may replace the live one.
 *
 * Both models are measured on the same rows: the rows training held out
 * of the new dataset (train_read_rows), which neither model learned
 * from. Accuracy: R² of the target and MAE in score points (each model's
 * score against the score its own scale gives the true target).
 * Stability: the population stability index (PSI) of every feature and
 * of the score between the live model's training data and the new data,
 * and the share of held-out applicants whose segment or band would
 * change if the candidate went live.
 *
 * PSI as base/stability.h computes it (ten bins at the reference's
 * deciles); its usual reading, used for the bands:
 * below 0.10 stable (green), 0.10–0.25 shifting (amber), above 0.25 a
 * different population (red).
 *
 * The decision (gate_decide) is a pure function of the figures and the
 * thresholds, so a test states both and checks the verdict and each
 * reason word for word.
 */
#ifndef INCOMESCORE_GATE_H
#define INCOMESCORE_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errbuf.h"
#include "score/features.h"

/* The thresholds, in the config's "gate" object under these names. */
struct gate_thresholds {
    double min_r2;            /* floor, every candidate (also the first) */
    double max_mae_points;    /* floor, every candidate (also the first) */
    double max_r2_drop;       /* candidate R² ≥ live R² − this */
    double max_mae_increase;  /* candidate MAE ≤ live MAE + this (points) */
    double psi_warn;          /* amber from here */
    double psi_max;           /* red from here: refused */
    double max_changed_band;    /* share of applicants changing band */
    double max_changed_segment; /* ... changing segment letter */
};

void gate_defaults(struct gate_thresholds *t);

/* One model's accuracy on the held-out rows. */
struct gate_fit {
    double r2;          /* target */
    double mae_points;  /* score points */
    double score_r2;
};

#define GATE_PSI_COUNT (FEATURE_COUNT + 1) /* the features, then the score */
#define GATE_PSI_SCORE FEATURE_COUNT

struct gate_figures {
    size_t rows;                 /* held-out rows measured on */
    struct gate_fit candidate;
    bool has_live;
    struct gate_fit live;        /* when has_live */
    bool has_psi;                /* live's training data was at hand */
    size_t ref_rows, new_rows;   /* the PSI's two populations */
    double psi[GATE_PSI_COUNT];  /* when has_psi */
    double changed_segment, changed_band, changed_either; /* shares */
};

/* The name of psi[i]: a feature's, or "score". */
const char *gate_psi_name(int i);

/* "green", "amber" or "red" for a PSI under t. */
const char *gate_psi_band(const struct gate_thresholds *t, double psi);

#define GATE_MAX_REASONS 24
#define GATE_REASON_SIZE 160

struct gate_verdict {
    bool accept;
    int reason_count;
    char reasons[GATE_MAX_REASONS][GATE_REASON_SIZE];
};

/* Decides from the figures: every threshold crossed is one reason, in
 * the order of struct gate_thresholds; accepted when there is none.
 * Without a live model only the floors apply; without PSI (the live
 * model's training data is not kept) no PSI rule applies, and a note
 * says so. An accepted candidate's notes (amber PSI) are reasons too,
 * prefixed "note: ". */
void gate_decide(const struct gate_figures *f, const struct gate_thresholds *t,
                 struct gate_verdict *v);

/* Measures: the candidate bundle (and the live one, when live_dir is not
 * NULL) on the held-out rows of the new dataset; PSI between ref_dataset
 * (the live model's training data; NULL: none) and the new dataset. The
 * datasets are read as training reads them, with the given rules file,
 * seed and test fraction. */
struct gate_inputs {
    const char *candidate_dir;
    const char *live_dir;        /* NULL: first model */
    const char *new_dataset;
    const char *ref_dataset;     /* NULL: no PSI */
    const char *rules_path;      /* NULL: the shipped rules */
    unsigned long long seed;
    double test_fraction;
};

int gate_measure(const struct gate_inputs *in, struct gate_figures *f,
                 struct errbuf *err);

#endif
