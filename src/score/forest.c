/*
 * forest.c — our evaluator of the trees XGBoost grows (see forest.h):
 * XGBoost's JSON model validated and flattened once at load, then walked
 * without XGBoost on every score.
 *
 * The forest keeps two layouts of the same trees:
 *   - complete: every tree padded to a complete binary tree of the
 *     forest's depth D (a leaf above depth D is copied into every slot
 *     below it, so either branch reaches the same value). A walk is then
 *     D steps of `i = 2i + 1 + (x[f] >= t)` with no data-dependent branch
 *     over 8-byte nodes. Trees go in groups of sixteen walked in lockstep,
 *     node slot by node slot interleaved, so sixteen independent load
 *     chains overlap and one index per tree finds its node.
 *   - compact: the reachable nodes renumbered breadth-first (children
 *     side by side), with each node's default direction. It serves rows
 *     holding a NaN (XGBoost's "missing") and forests too deep for the
 *     complete layout to be worth its memory.
 * Both add the leaves in float, in tree order, starting from base_score,
 * as XGBoost's CPU predictor does, so both agree with XGBoost bit for bit
 * (measured on every held-out row; the tests hold them to 1e-5).
 */
#include "score/forest.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Above this depth a complete tree costs more memory (2^D × 12 bytes a
 * tree) than the branch-free walk saves; such forests walk compactly. */
#define COMPLETE_MAX_DEPTH 10

/* Trees walked in lockstep, their nodes interleaved. A walk is a chain of
 * dependent loads; sixteen chains at once keep the core busy. Measured
 * with 100 and 150 trees of depth 6: 16 lanes ~30% faster than 8 and
 * twice as fast as 4, despite some lane indices living on the stack. */
#define LANES 16

struct split {
    float threshold;
    int32_t feature;
};

/* A compact node: a leaf holds its value in `value`; an internal node its
 * threshold, its feature and where its two children sit (left, left+1). */
struct cnode {
    float value;
    uint16_t feature;
    uint8_t leaf;
    uint8_t default_left;
    uint32_t left;
};

struct forest {
    int n_trees;
    int n_features;
    float base_score;
    int depth;                /* complete layout's depth; -1: not built */
    /* Trees in groups of LANES; within a group, slot j of lane k is at
     * [j × LANES + k], so one index per lane finds its node. */
    int n_groups;
    struct split *splits;     /* n_groups × (2^depth − 1) × LANES */
    float *leaves;            /* n_groups × 2^depth × LANES */
    uint32_t *roots;          /* compact: each tree's root in nodes */
    struct cnode *nodes;
    /* For explanations (forest_explain), beside nodes: each node's cover
     * (the training rows' hessian sum under it: their count, for squared
     * error) and the mean leaf value under it, weighted by cover; NULL
     * when the model carries no covers. */
    float *covers;
    double *means;
    int max_depth;            /* of any tree */
};

/* One XGBoost tree as the JSON gives it, arrays borrowed from the doc. */
struct xtree {
    int n_nodes;
    json_t *left, *right, *feature, *cond, *default_left, *split_type;
    json_t *cover; /* sum_hessian; NULL when absent */
};

static int node_int(json_t *array, int i)
{
    json_t *v = json_array_get(array, (size_t)i);
    return json_is_integer(v) ? (int)json_integer_value(v) : INT32_MIN;
}

/* default_left: 0/1 in XGBoost 1.x, true/false in some later writers. */
static int node_flag(json_t *array, int i)
{
    json_t *v = json_array_get(array, (size_t)i);
    return json_is_boolean(v) ? json_is_true(v) : node_int(array, i);
}

/* XGBoost writes each float in the fewest digits that read back as that
 * float; read as a double, then rounded to float, they give it back (the
 * agreement tests would catch a double-rounding exception). */
static double node_real(json_t *array, int i)
{
    json_t *v = json_array_get(array, (size_t)i);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *tree_array(json_t *tree, const char *key, int n_nodes,
                          bool required, struct errbuf *err)
{
    json_t *a = json_object_get(tree, key);
    if (!a && !required)
        return NULL;
    if (!json_is_array(a) || json_array_size(a) != (size_t)n_nodes) {
        err_set(err, "\"%s\" is not an array of %d nodes", key, n_nodes);
        return NULL;
    }
    return a;
}

static int parse_count(json_t *v, const char *what, long *out,
                       struct errbuf *err)
{
    /* XGBoost writes its model parameters as strings ("7", "5E-1"). */
    char *end;
    const char *s = json_string_value(v);
    if (!s)
        return err_set(err, "no %s", what);
    *out = strtol(s, &end, 10);
    if (end == s || *end)
        return err_set(err, "%s '%s' is not a whole number", what, s);
    return 0;
}

static int xtree_parse(struct xtree *t, json_t *tree, struct errbuf *err)
{
    long n;
    if (!json_is_object(tree))
        return err_set(err, "not an object");
    if (parse_count(json_object_get(json_object_get(tree, "tree_param"),
                                    "num_nodes"),
                    "tree_param.num_nodes", &n, err) < 0)
        return -1;
    if (n < 1 || n > INT32_MAX / 2)
        return err_set(err, "%ld nodes", n);
    t->n_nodes = (int)n;
    if (!(t->left = tree_array(tree, "left_children", t->n_nodes, true, err)) ||
        !(t->right = tree_array(tree, "right_children", t->n_nodes, true,
                                err)) ||
        !(t->feature = tree_array(tree, "split_indices", t->n_nodes, true,
                                  err)) ||
        !(t->cond = tree_array(tree, "split_conditions", t->n_nodes, true,
                               err)) ||
        !(t->default_left = tree_array(tree, "default_left", t->n_nodes, true,
                                       err)))
        return -1;
    t->split_type = tree_array(tree, "split_type", t->n_nodes, false, err);
    if (!t->split_type && json_object_get(tree, "split_type"))
        return -1;
    t->cover = tree_array(tree, "sum_hessian", t->n_nodes, false, err);
    if (!t->cover && json_object_get(tree, "sum_hessian"))
        return -1;
    return 0;
}

/* Checks the nodes reachable from the root and measures the tree: a node
 * reached twice (a cycle or a shared child) is refused, which also bounds
 * every walk. `order` receives the reachable nodes breadth-first, `level`
 * each node's depth. */
static int xtree_check(const struct xtree *t, int n_features, int *order,
                       int *level, int *n_reached, int *depth,
                       struct errbuf *err)
{
    int n = t->n_nodes;
    for (int i = 0; i < n; i++)
        level[i] = -1;
    int head = 0, tail = 0;
    order[tail++] = 0;
    level[0] = 0;
    *depth = 0;
    while (head < tail) {
        int i = order[head++];
        int l = node_int(t->left, i), r = node_int(t->right, i);
        double value = node_real(t->cond, i);
        if (!isfinite(value) || !isfinite((float)value))
            return err_set(err, "node %d: split condition or leaf value is "
                           "not a finite float", i);
        if (l == -1 && r == -1) {
            if (level[i] > *depth)
                *depth = level[i];
            continue;
        }
        if (l < 0 || l >= n || r < 0 || r >= n)
            return err_set(err, "node %d: child %d is out of range "
                           "(0..%d)", i, (l < 0 || l >= n) ? l : r, n - 1);
        int f = node_int(t->feature, i);
        if (f < 0 || f >= n_features)
            return err_set(err, "node %d: feature index %d is not below "
                           "%d features", i, f, n_features);
        if (t->split_type && node_int(t->split_type, i) != 0)
            return err_set(err, "node %d: a categorical split is not "
                           "supported", i);
        int dl = node_flag(t->default_left, i);
        if (dl != 0 && dl != 1)
            return err_set(err, "node %d: default_left is not 0 or 1", i);
        if (l == r || level[l] >= 0 || level[r] >= 0)
            return err_set(err, "node %d: child %d is reached twice "
                           "(a cycle or a shared node)", i,
                           (l == r || level[l] >= 0) ? l : r);
        level[l] = level[r] = level[i] + 1;
        order[tail++] = l;
        order[tail++] = r;
    }
    *n_reached = tail;
    return 0;
}

/* Writes XGBoost node `i` into the complete layout at heap slot `slot`
 * (level `lvl`) of one lane; a leaf above the bottom fills its whole
 * subtree. Slot j of the lane is splits[j × LANES] or, at the bottom,
 * leaves[(j − internal) × LANES]. */
static void fill_complete(const struct xtree *t, int i, uint32_t slot,
                          int lvl, int depth, struct split *splits,
                          float *leaves)
{
    uint32_t internal = (1u << depth) - 1;
    if (lvl == depth) {
        leaves[(size_t)(slot - internal) * LANES] =
            (float)node_real(t->cond, i);
        return;
    }
    struct split *s = &splits[(size_t)slot * LANES];
    if (node_int(t->left, i) == -1) {
        /* Either way leads to the same leaf: the split's values do not
         * matter, only that they are harmless. */
        *s = (struct split){0.0f, 0};
        fill_complete(t, i, 2 * slot + 1, lvl + 1, depth, splits, leaves);
        fill_complete(t, i, 2 * slot + 2, lvl + 1, depth, splits, leaves);
        return;
    }
    *s = (struct split){(float)node_real(t->cond, i), node_int(t->feature, i)};
    fill_complete(t, node_int(t->left, i), 2 * slot + 1, lvl + 1, depth,
                  splits, leaves);
    fill_complete(t, node_int(t->right, i), 2 * slot + 2, lvl + 1, depth,
                  splits, leaves);
}

/* Appends the tree's reachable nodes to f->nodes at `base`, in the
 * breadth-first `order`, so siblings sit side by side. */
static void fill_compact(const struct xtree *t, const int *order,
                         int n_reached, int *renumber, struct cnode *nodes,
                         float *covers, uint32_t base)
{
    for (int k = 0; k < n_reached; k++)
        renumber[order[k]] = k;
    for (int k = 0; k < n_reached; k++) {
        int i = order[k];
        struct cnode *c = &nodes[base + (uint32_t)k];
        int l = node_int(t->left, i);
        if (covers)
            covers[base + (uint32_t)k] = (float)node_real(t->cover, i);
        c->value = (float)node_real(t->cond, i);
        if (l == -1) {
            *c = (struct cnode){c->value, 0, 1, 0, 0};
            continue;
        }
        c->feature = (uint16_t)node_int(t->feature, i);
        c->leaf = 0;
        c->default_left = (uint8_t)node_flag(t->default_left, i);
        /* Breadth-first order puts a node's children next to each other,
         * left first. */
        c->left = base + (uint32_t)renumber[l];
    }
}

/* Each node's mean leaf value weighted by cover, as XGBoost's
 * FillNodeMeanValues: children come after their parent in the compact
 * (breadth-first) order, so one backward pass over the tree's n nodes
 * from `root` fills them. */
static int node_means(struct forest *f, uint32_t root, uint32_t n)
{
    for (uint32_t k = n; k-- > 0;) {
        uint32_t i = root + k;
        const struct cnode *c = &f->nodes[i];
        if (!(f->covers[i] > 0) || !isfinite(f->covers[i]))
            return -1;
        if (c->leaf) {
            f->means[i] = c->value;
            continue;
        }
        uint32_t l = c->left, r = c->left + 1;
        f->means[i] = (f->means[l] * f->covers[l] +
                       f->means[r] * f->covers[r]) / f->covers[i];
    }
    return 0;
}

static const char *json_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* A learner_model_param entry, which XGBoost writes as a string ("11",
 * "5E-1"); absent is allowed and leaves *out alone. */
static int model_param_count(json_t *mp, const char *key, long *out,
                             struct errbuf *err)
{
    json_t *v = json_object_get(mp, key);
    return v ? parse_count(v, key, out, err) : 0;
}

/* Checks the learner — objective, booster, one output, the feature count —
 * and finds its base score and trees. */
static int check_learner(json_t *learner, int n_features, float *base_score,
                         json_t **trees, struct errbuf *err)
{
    if (!json_is_object(learner))
        return err_set(err, "no \"learner\" object: not an XGBoost JSON "
                       "model");
    const char *objective = json_str(json_object_get(learner, "objective"),
                                     "name");
    if (!objective || strcmp(objective, "reg:squarederror") != 0)
        return err_set(err, "objective '%s' is not supported (only "
                       "reg:squarederror)", objective ? objective : "");
    json_t *gb = json_object_get(learner, "gradient_booster");
    const char *booster = json_str(gb, "name");
    if (!booster || strcmp(booster, "gbtree") != 0)
        return err_set(err, "booster '%s' is not supported (only gbtree)",
                       booster ? booster : "");

    json_t *mp = json_object_get(learner, "learner_model_param");
    const char *bs = json_str(mp, "base_score");
    if (!bs)
        return err_set(err, "no learner_model_param.base_score");
    /* strtof straight from XGBoost's text gives the float XGBoost holds.
     * Later XGBoost versions write one value in brackets ("[5E-1]"). */
    char text[64], *end;
    size_t n = strlen(bs);
    if (n >= 2 && bs[0] == '[' && bs[n - 1] == ']' && n - 2 < sizeof text)
        snprintf(text, sizeof text, "%.*s", (int)(n - 2), bs + 1);
    else
        snprintf(text, sizeof text, "%s", bs);
    *base_score = strtof(text, &end);
    if (end == text || *end || !isfinite(*base_score))
        return err_set(err, "base_score '%s' is not a finite number", bs);
    long classes = 0, targets = 1, features = n_features;
    if (model_param_count(mp, "num_class", &classes, err) < 0 ||
        model_param_count(mp, "num_target", &targets, err) < 0 ||
        model_param_count(mp, "num_feature", &features, err) < 0)
        return -1;
    if (classes > 1 || targets > 1)
        return err_set(err, "%ld classes, %ld targets: only single-output "
                       "regression is supported", classes, targets);
    /* Columns are matched by position: a model of another width was
     * trained on another feature list. */
    if (features != n_features)
        return err_set(err, "the model has %ld features, expected %d",
                       features, n_features);

    json_t *model = json_object_get(gb, "model");
    *trees = json_object_get(model, "trees");
    if (!json_is_array(*trees))
        return err_set(err, "no gradient_booster.model.trees array");
    if (json_array_size(*trees) > INT32_MAX / 2)
        return err_set(err, "%zu trees", json_array_size(*trees));
    json_t *info = json_object_get(model, "tree_info");
    if (info) {
        size_t i;
        json_t *g;
        if (!json_is_array(info) ||
            json_array_size(info) != json_array_size(*trees))
            return err_set(err, "tree_info does not list every tree");
        json_array_foreach(info, i, g)
            if (!json_is_integer(g) || json_integer_value(g) != 0)
                return err_set(err, "tree %zu is not for output 0: only "
                               "single-output regression is supported", i);
    }
    return 0;
}

int forest_load(struct forest **out, const char *model_json, size_t len,
                int n_features, struct errbuf *err)
{
    *out = NULL;
    if (n_features < 1 || n_features > UINT16_MAX)
        return err_set(err, "%d features: 1..%d are supported", n_features,
                       UINT16_MAX);
    json_error_t jerr;
    json_t *doc = json_loadb(model_json, len, 0, &jerr);
    if (!doc)
        return err_set(err, "model is not JSON: line %d: %s", jerr.line,
                       jerr.text);
    struct forest *f = calloc(1, sizeof *f);
    struct xtree *xt = NULL;
    int *order = NULL, *level = NULL, *renumber = NULL;
    if (!f)
        goto oom;
    json_t *trees = NULL;
    if (check_learner(json_object_get(doc, "learner"), n_features,
                      &f->base_score, &trees, err) < 0)
        goto fail;
    f->n_features = n_features;
    f->n_trees = (int)json_array_size(trees);
    xt = calloc((size_t)f->n_trees + 1, sizeof *xt);
    f->roots = calloc((size_t)f->n_trees + 1, sizeof *f->roots);
    if (!xt || !f->roots)
        goto oom;

    /* First pass: parse and check every tree, measure both layouts. */
    size_t total_nodes = 0;
    int depth = 0, max_nodes = 0;
    for (int t = 0; t < f->n_trees; t++) {
        if (xtree_parse(&xt[t], json_array_get(trees, (size_t)t), err) < 0) {
            err_prefix(err, "tree %d", t);
            goto fail;
        }
        if (xt[t].n_nodes > max_nodes)
            max_nodes = xt[t].n_nodes;
    }
    order = malloc((size_t)max_nodes * sizeof *order);
    level = malloc((size_t)max_nodes * sizeof *level);
    renumber = malloc((size_t)max_nodes * sizeof *renumber);
    if (!order || !level || !renumber)
        goto oom;
    for (int t = 0; t < f->n_trees; t++) {
        int reached, d;
        if (xtree_check(&xt[t], n_features, order, level, &reached, &d,
                        err) < 0) {
            err_prefix(err, "tree %d", t);
            goto fail;
        }
        if (total_nodes + (size_t)reached > UINT32_MAX) {
            err_set(err, "more than %u nodes", UINT32_MAX);
            goto fail;
        }
        f->roots[t] = (uint32_t)total_nodes;
        total_nodes += (size_t)reached;
        if (d > depth)
            depth = d;
    }

    /* Second pass: lay the trees out. */
    f->max_depth = depth;
    f->nodes = malloc((total_nodes + 1) * sizeof *f->nodes);
    if (!f->nodes)
        goto oom;
    bool covered = true;
    for (int t = 0; t < f->n_trees; t++)
        covered = covered && xt[t].cover;
    if (covered) {
        f->covers = malloc((total_nodes + 1) * sizeof *f->covers);
        f->means = malloc((total_nodes + 1) * sizeof *f->means);
        if (!f->covers || !f->means)
            goto oom;
    }
    for (int t = 0; t < f->n_trees; t++) {
        int reached, d;
        xtree_check(&xt[t], n_features, order, level, &reached, &d, err);
        fill_compact(&xt[t], order, reached, renumber, f->nodes, f->covers,
                     f->roots[t]);
        /* A cover that is not a positive number leaves the model without
         * explanations; its scores do not depend on covers. */
        if (f->covers && node_means(f, f->roots[t], (uint32_t)reached) < 0) {
            free(f->covers);
            free(f->means);
            f->covers = NULL;
            f->means = NULL;
        }
    }
    f->depth = -1;
    if (depth <= COMPLETE_MAX_DEPTH) {
        size_t internal = ((size_t)1 << depth) - 1;
        f->depth = depth;
        f->n_groups = (f->n_trees + LANES - 1) / LANES;
        size_t groups = (size_t)f->n_groups;
        /* calloc: lanes past the last tree hold harmless zero splits and
         * leaves that are walked but never added. */
        f->splits = calloc(groups * internal * LANES + 1, sizeof *f->splits);
        f->leaves = calloc((groups << depth) * LANES + 1, sizeof *f->leaves);
        if (!f->splits || !f->leaves)
            goto oom;
        for (int t = 0; t < f->n_trees; t++) {
            size_t g = (size_t)t / LANES, lane = (size_t)t % LANES;
            fill_complete(&xt[t], 0, 0, 0, depth,
                          f->splits + g * internal * LANES + lane,
                          f->leaves + (g << depth) * LANES + lane);
        }
    }
    free(renumber);
    free(level);
    free(order);
    free(xt);
    json_decref(doc);
    *out = f;
    return 0;

oom:
    err_set(err, "out of memory");
fail:
    free(renumber);
    free(level);
    free(order);
    free(xt);
    forest_free(f);
    json_decref(doc);
    return -1;
}

void forest_free(struct forest *f)
{
    if (!f)
        return;
    free(f->splits);
    free(f->leaves);
    free(f->roots);
    free(f->nodes);
    free(f->covers);
    free(f->means);
    free(f);
}

int forest_tree_count(const struct forest *f)
{
    return f ? f->n_trees : 0;
}

/* Any row, NaN included: NaN takes the node's default direction, as in
 * XGBoost (`x < t` is false for NaN, so it is tested first). */
static float predict_compact(const struct forest *f, const float *x)
{
    float sum = f->base_score;
    for (int t = 0; t < f->n_trees; t++) {
        const struct cnode *n = &f->nodes[f->roots[t]];
        while (!n->leaf) {
            float v = x[n->feature];
            bool right = isnan(v) ? !n->default_left : !(v < n->value);
            n = &f->nodes[n->left + right];
        }
        sum += n->value;
    }
    return sum;
}

float forest_predict(const struct forest *f, const float *x)
{
    if (f->depth < 0)
        return predict_compact(f, x);
    for (int i = 0; i < f->n_features; i++)
        if (isnan(x[i]))
            return predict_compact(f, x);

    const int depth = f->depth;
    const uint32_t internal = (1u << depth) - 1;
    const struct split *s = f->splits;
    const float *leaf = f->leaves;
    /* XGBoost starts each row's sum at base_score and adds the trees in
     * order, in float; the same order gives the same bits. */
    float sum = f->base_score;
    for (int g = 0, left = f->n_trees; g < f->n_groups; g++, left -= LANES) {
        uint32_t i[LANES] = {0};
        for (int d = 0; d < depth; d++) {
            /* `>=` sends a row right exactly when XGBoost's `x < t` is
             * false: the same thing for the NaN-free rows that come here. */
#pragma GCC unroll 16
            for (int k = 0; k < LANES; k++) {
                const struct split *n = &s[i[k] * LANES + (uint32_t)k];
                i[k] = 2 * i[k] + 1 + (x[n->feature] >= n->threshold);
            }
        }
        int m = left < LANES ? left : LANES;
        for (int k = 0; k < m; k++)
            sum += leaf[(i[k] - internal) * LANES + (uint32_t)k];
        s += (size_t)internal * LANES;
        leaf += (size_t)(internal + 1) * LANES;
    }
    return sum;
}

/* ---- explanations: TreeSHAP ---------------------------------------------
 *
 * Lundberg, Erion and Lee, "Consistent Individualized Feature Attribution
 * for Tree Ensembles" (2018), Algorithm 2, as XGBoost implements it
 * (RegTree::CalculateContributions, without its conditioning): one walk
 * of each tree carries the path of features met so far with the share
 * of all orderings in which each is "present"; at a leaf, each feature
 * on the path receives its Shapley weight times the leaf value. The
 * path arrays of a walk live in one block of (D+2)(D+3)/2 elements. */

struct path_element {
    int feature;          /* -1: the root's placeholder */
    double zero_fraction; /* share of the cover that goes this way */
    double one_fraction;  /* 1 when x goes this way, else 0 */
    double weight;        /* the permutation weight */
};

static void path_extend(struct path_element *path, int depth, double zero,
                        double one, int feature)
{
    path[depth] = (struct path_element){feature, zero, one,
                                        depth == 0 ? 1.0 : 0.0};
    for (int i = depth - 1; i >= 0; i--) {
        path[i + 1].weight += one * path[i].weight * (i + 1) /
                              (double)(depth + 1);
        path[i].weight = zero * path[i].weight * (depth - i) /
                         (double)(depth + 1);
    }
}

static void path_unwind(struct path_element *path, int depth, int index)
{
    double one = path[index].one_fraction, zero = path[index].zero_fraction;
    double next = path[depth].weight;
    for (int i = depth - 1; i >= 0; i--) {
        if (one != 0) {
            double held = path[i].weight;
            path[i].weight = next * (depth + 1) / ((i + 1) * one);
            next = held - path[i].weight * zero * (depth - i) /
                              (double)(depth + 1);
        } else {
            path[i].weight = path[i].weight * (depth + 1) /
                             (zero * (depth - i));
        }
    }
    for (int i = index; i < depth; i++) {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/* The total weight of the path with element `index` taken out. */
static double path_unwound_sum(const struct path_element *path, int depth,
                               int index)
{
    double one = path[index].one_fraction, zero = path[index].zero_fraction;
    double next = path[depth].weight, total = 0;
    for (int i = depth - 1; i >= 0; i--) {
        if (one != 0) {
            double w = next * (depth + 1) / ((i + 1) * one);
            total += w;
            next = path[i].weight -
                   w * zero * ((depth - i) / (double)(depth + 1));
        } else if (zero != 0) {
            total += (path[i].weight / zero) /
                     ((depth - i) / (double)(depth + 1));
        }
    }
    return total;
}

static void tree_shap(const struct forest *f, const float *x, double *phi,
                      uint32_t node, int depth,
                      struct path_element *parent_path, double zero,
                      double one, int feature)
{
    struct path_element *path = parent_path + depth + 1;
    memcpy(path, parent_path, (size_t)(depth + 1) * sizeof *path);
    path_extend(path, depth, zero, one, feature);
    const struct cnode *n = &f->nodes[node];
    if (n->leaf) {
        for (int i = 1; i <= depth; i++) {
            double w = path_unwound_sum(path, depth, i);
            phi[path[i].feature] += w * (path[i].one_fraction -
                                         path[i].zero_fraction) * n->value;
        }
        return;
    }
    float v = x[n->feature];
    bool right = isnan(v) ? !n->default_left : !(v < n->value);
    uint32_t hot = n->left + right, cold = n->left + !right;
    double cover = f->covers[node];
    double hot_zero = f->covers[hot] / cover, cold_zero = f->covers[cold] / cover;
    double incoming_zero = 1, incoming_one = 1;
    /* A feature met again on the path: undo its first meeting, and the
     * new one carries both. */
    int k = 0;
    while (k <= depth && path[k].feature != (int)n->feature)
        k++;
    if (k <= depth) {
        incoming_zero = path[k].zero_fraction;
        incoming_one = path[k].one_fraction;
        path_unwind(path, depth, k);
        depth--;
    }
    tree_shap(f, x, phi, hot, depth + 1, path, hot_zero * incoming_zero,
              incoming_one, n->feature);
    tree_shap(f, x, phi, cold, depth + 1, path, cold_zero * incoming_zero, 0,
              n->feature);
}

#define EXPLAIN_STACK_DEPTH 30

int forest_explain(const struct forest *f, const float *x, double *phi)
{
    if (!f->covers)
        return -1;
    for (int i = 0; i <= f->n_features; i++)
        phi[i] = 0;
    int d = f->max_depth + 2;
    size_t need = (size_t)d * (size_t)(d + 1) / 2;
    struct path_element stack[(EXPLAIN_STACK_DEPTH + 2) *
                              (EXPLAIN_STACK_DEPTH + 3) / 2];
    struct path_element *path =
        need <= sizeof stack / sizeof stack[0] ? stack
                                               : malloc(need * sizeof *path);
    if (!path)
        return -1;
    double bias = f->base_score;
    for (int t = 0; t < f->n_trees; t++) {
        bias += f->means[f->roots[t]];
        tree_shap(f, x, phi, f->roots[t], 0, path, 1, 1, -1);
    }
    phi[f->n_features] = bias;
    if (path != stack)
        free(path);
    return 0;
}
