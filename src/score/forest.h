/*
 * forest.h — the model at scoring time: the trees XGBoost grew, walked by
 * our own code, with no XGBoost linked.
 *
 * Why not XGBoost's own predictor: XGBoosterPredictFromDense costs ~20 µs
 * a row here (it parses a JSON config and an array interface per call),
 * so the model's trees are flattened once at load into arrays and walked
 * directly — float features, `x < threshold` goes left, the same float
 * arithmetic XGBoost uses (under 1 µs a row for 200 trees of depth 5).
 * And a scoring client then needs no libxgboost at all: the scoring core
 * (base/, score/, registry/) links without it (`make score-core`).
 *
 * XGBoost stays the reference in the tests (tests/test_model.c): both
 * must agree on every row of held-out sets, with and without missing
 * values, shallow and deep; measured, they agree bit for bit.
 *
 * The input is XGBoost's JSON model format (what train/model.c saves and
 * a bundle's model.json holds): gbtree booster, reg:squarederror, one
 * output, numerical splits.
 */
#ifndef INCOMESCORE_FOREST_H
#define INCOMESCORE_FOREST_H

#include <stddef.h>

#include "base/errbuf.h"

struct forest;

/* Flattens an XGBoost JSON model (gbtree, reg:squarederror) into arrays.
 * Refuses other boosters or objectives, another feature count than
 * n_features, a feature index >= n_features, a malformed tree (a child out
 * of range, a node reached twice, a non-finite value, a categorical
 * split), with the reason and the tree and node it is in. */
int forest_load(struct forest **out, const char *model_json, size_t len,
                int n_features, struct errbuf *err);
void forest_free(struct forest *f);

/* The model's prediction for one row of n_features floats; NaN is a
 * missing value and takes the node's default direction, as in XGBoost.
 * No allocation, thread-safe on a shared forest. */
float forest_predict(const struct forest *f, const float *x);

int forest_tree_count(const struct forest *f);

/* Why the model predicts what it does for one row: each feature's
 * contribution (SHAP values, by the exact TreeSHAP algorithm of Lundberg
 * et al., as XGBoost's pred_contribs computes them) into phi[0 ..
 * n_features-1], and the bias — base_score plus every tree's expected
 * value over its training rows — into phi[n_features]. The contributions
 * and the bias add up to forest_predict's value (to float rounding).
 * Needs the trees' covers (XGBoost's sum_hessian, which every JSON model
 * carries): -1 when the model has none, else 0. Slower than a
 * prediction (measured in bench/explain.sh); thread-safe, allocates
 * only for trees deeper than 30. */
int forest_explain(const struct forest *f, const float *x, double *phi);

#endif
