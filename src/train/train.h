/*
 * train.h — a dataset becomes a model bundle (SPEC §5–§6): a seeded
 * 70/30 split, segments by k-means on the standardized training rows,
 * XGBoost on the training rows (early stopping on a tenth of them), and
 * the held-out 30% measured in target and score points.
 *
 * Reproducible: the same dataset, rules, parameters and seed give the
 * same bundle byte for byte. The one clock in a bundle, created_at,
 * follows SOURCE_DATE_EPOCH when it is set (the reproducible-builds
 * convention); durations are printed, never stored.
 */
#ifndef INCOMESCORE_TRAIN_H
#define INCOMESCORE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

struct train_options {
    const char *dataset_path;
    const char *dataset_label; /* what lineage.dataset records; NULL: the
                                * path (the pipeline names its kept data
                                * version, data/<sha256>.csv.zst) */
    const char *rules_path;     /* NULL: the shipped rules */
    const char *params_path;    /* NULL: data/model.json */
    const char *data_dir;       /* reference tables; NULL: the default */
    int itaee_year;
    uint64_t seed;
    double test_fraction;       /* 0.3 */
    double stopping_fraction;   /* of the training rows; 0.1 */
    const char *letters_from;   /* a bundle directory (named by its
                                 * version id) whose segment letters the
                                 * new segments take (letters.h); NULL:
                                 * lettered by mean target. It is the
                                 * live model at training time (what
                                 * train_registry passes), so the report
                                 * also compares the new model with it */
    const char *version_id;     /* the id the report names (pipeline
                                 * retrain: the version trained again);
                                 * NULL: a bundle outside any registry,
                                 * the report says "sin registrar" */
};

struct train_summary {
    size_t rows, train_rows, test_rows;
    int rounds;
    double r2, mse, mae;                   /* target, held out */
    double score_r2, score_mse, score_mae; /* score points, held out */
    long target_mismatches;    /* rows whose dataset `target` column the
                                * rules contradict (trained on the
                                * rules' target all the same) */
    double seconds_read, seconds_segments, seconds_model, seconds_total;
};

void train_defaults(struct train_options *opt);

/* Trains and writes a complete bundle into `dir` (an empty directory,
 * e.g. a registry staging directory). A dataset with any bad row is
 * refused, listing the first ones. */
int train_bundle(const struct train_options *opt, const char *dir,
                 struct train_summary *sum, struct errbuf *err);

/* What the training report is drawn from (the held-out rows, the
 * manifest, the live model's figures), kept by train_bundle_kept for a
 * caller that writes the report later: train_registry, once the registry
 * has given the version its id (registry_commit_naming). */
struct train_report;

/* train_bundle, but the report is not written: *report keeps what it
 * needs (caller frees with train_report_free). */
int train_bundle_kept(const struct train_options *opt, const char *dir,
                      struct train_summary *sum, struct train_report **report,
                      struct errbuf *err);

/* Writes dir/report.md and dir/report.html naming version_id (NULL:
 * "sin registrar"). Deterministic, as report_write. */
int train_report_write(const struct train_report *r, const char *dir,
                       const char *version_id, struct errbuf *err);
void train_report_free(struct train_report *r);

/* A dataset's rows as training reads them (features and target, the
 * target the rules give), so that others
 * measure a model on exactly what training measured it on. */
struct train_rows {
    size_t n;
    double *x;          /* n × FEATURE_COUNT */
    double *target;     /* n */
};
void train_rows_free(struct train_rows *rows);

/* Every row of opt's dataset (all), or only the rows train_bundle holds
 * out of it with opt's seed and test_fraction (held_out), in that order.
 * Refused as train_bundle refuses the dataset. */
int train_read_rows(const struct train_options *opt, int held_out,
                    struct train_rows *rows, struct errbuf *err);

#endif
