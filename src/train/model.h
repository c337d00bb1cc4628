/*
 * model.h — training the regressor: XGBoost (Debian's libxgboost, C API)
 * learns the target from the eleven features.
 *
 * Training goes through XGBoost's C API and yields the model in XGBoost's
 * JSON format, which XGBoost in Python, R, JVM and Spark load as is.
 * Scoring does not call XGBoost: it walks the trees itself
 * (score/forest.h), so only training and the tests' reference
 * prediction link libxgboost; model.c is the one file of src/ that
 * calls it.
 */
#ifndef INCOMESCORE_MODEL_H
#define INCOMESCORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/* Hyper-parameters; they live in a config file (data/model.json by
 * default), not in code. */
struct model_params {
    char objective[32];        /* "reg:squarederror" */
    char tree_method[16];      /* "hist" */
    int max_depth;
    double eta;
    int rounds;                /* upper bound on boosting rounds */
    int early_stopping_rounds; /* 0: off */
    double subsample;
    double colsample_bynode;
    double min_child_weight;
    double lambda;
    int max_bin;
    int nthread;
    uint64_t seed;
    /* Not XGBoost's: the floors under which training refuses to make a
     * bundle (train.c), so that a degenerate model never reaches a
     * registry. */
    int min_rows;              /* rows in the dataset */
    double min_segment_share;  /* of the training rows, in each segment */
    double min_holdout_r2;     /* the target's R² on the held-out rows */
};

/* Reads parameters from a JSON object file; keys not given keep the
 * defaults; unknown keys and values out of range are refused, naming
 * the key. */
void model_params_defaults(struct model_params *p);
int model_params_load(struct model_params *p, const char *path,
                      struct errbuf *err);
/* The parameters as a JSON object text (for the bundle); caller frees. */
char *model_params_to_json(const struct model_params *p);

/* Trains on n_train rows (row-major floats, n_features a row), with
 * early stopping on the n_valid rows (may be 0: then all rounds run).
 * Returns the model as XGBoost JSON text (*model_json, caller frees) and
 * the number of rounds kept. Same data, parameters and seed → the same
 * bytes. */
int model_train(const float *x_train, const float *y_train, size_t n_train,
                const float *x_valid, const float *y_valid, size_t n_valid,
                int n_features, const struct model_params *p,
                char **model_json, size_t *model_len, int *rounds_kept,
                struct errbuf *err);

/* XGBoost's own prediction for n rows (the reference). */
int model_predict_xgboost(const char *model_json, size_t model_len,
                          const float *x, size_t n, int n_features,
                          float *out, struct errbuf *err);

/* XGBoost's own feature contributions (pred_contribs, exact TreeSHAP) for
 * n rows: n × (n_features + 1) floats, each row's contributions then its
 * bias (the reference for forest_explain). */
int model_contributions_xgboost(const char *model_json, size_t model_len,
                                const float *x, size_t n, int n_features,
                                float *out, struct errbuf *err);

/* Gain-based importance of each feature (n_features doubles, summing to
 * 1, 0 for unused features) from XGBoost. */
int model_feature_importance(const char *model_json, size_t model_len,
                             int n_features, double *importance,
                             struct errbuf *err);

#endif
