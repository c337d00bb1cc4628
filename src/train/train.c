/*
 * train.c — dataset → bundle (see train.h). The steps read top to bottom
 * in train_bundle; each helper above it is one step.
 */
#include "train/train.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "registry/bundle.h"
#include "registry/manifest.h"
#include "base/dates.h"
#include "base/csvio.h"
#include "etl/dataset.h"
#include "base/fileio.h"
#include "score/forest.h"
#include "train/model.h"
#include "base/numeric.h"
#include "base/paths.h"
#include "base/prng.h"
#include "score/refdata.h"
#include "train/describe.h"
#include "train/kmeans.h"
#include "train/letters.h"
#include "train/report.h"
#include "score/rules.h"
#include "score/scoring.h"
#include "score/segments.h"
#include "base/sha256.h"
#include "base/stability.h"
#include "base/version.h"

#define MAX_BAD_ROWS_LISTED 5
#define EXPLAINED_ROWS 2000

void train_defaults(struct train_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->itaee_year = ITAEE_DEFAULT_YEAR;
    opt->seed = 42;
    opt->test_fraction = 0.3;
    opt->stopping_fraction = 0.1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the data ------------------------------------------------------------ */

struct data {
    size_t n, cap;
    double *x;          /* n × FEATURE_COUNT */
    double *target;     /* n */
    long mismatches; /* rows whose `target` column the rules contradict */
};

static void data_free(struct data *d)
{
    free(d->x);
    free(d->target);
}

static int data_push(struct data *d)
{
    if (d->n < d->cap)
        return 0;
    size_t cap = d->cap ? d->cap * 2 : 1 << 14;
    double *x = realloc(d->x, cap * FEATURE_COUNT * sizeof *x);
    if (!x)
        return -1;
    d->x = x;
    double *t = realloc(d->target, cap * sizeof *t);
    if (!t)
        return -1;
    d->target = t;
    d->cap = cap;
    return 0;
}

/* Reads every row; the target is always the one the rules being trained
 * with give, so a rules change never trains on stale targets. A
 * dataset's own `target` column (the rules the ETL ran with) is only
 * compared: how many rows it contradicts goes to the lineage and to
 * train's output. */
static int read_dataset(const char *path, const struct rules *rules,
                        struct data *d, struct errbuf *err)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return err_set(err, "%s: %s", path, strerror(errno));
    struct csv_reader *reader = csv_reader_new(in);
    struct csv_record rec;
    struct dataset_columns cols;
    bool required[VARIABLE_COUNT];
    for (int v = 0; v < VARIABLE_COUNT; v++)
        required[v] = v < FEATURE_COUNT;
    int rc = csv_reader_next(reader, &rec, err);
    if (rc <= 0) {
        if (rc == 0)
            err_set(err, "no header line: the file is empty");
        rc = -1;
        goto done;
    }
    if (dataset_map_header(&rec, required, &cols, err) < 0) {
        rc = -1;
        goto done;
    }
    int target_col = dataset_find_column(&rec,
                                         dataset_column_name(DATASET_TARGET));

    long bad = 0;
    char listed[ERRBUF_SIZE] = "";
    size_t used = 0;
    struct errbuf row_err;
    double values[VARIABLE_COUNT];
    struct rules_result res;
    while ((rc = csv_reader_next(reader, &rec, &row_err)) != 0) {
        double t = 0;
        bool ok = rc > 0 &&
                  dataset_parse_row(&cols, &rec, values, &row_err) == 0;
        if (ok && target_col != COLUMN_ABSENT &&
            parse_double(rec.fields[target_col], &t) < 0) {
            err_set(&row_err, "line %ld: column 'target': '%.40s' is not a "
                              "number", rec.line, rec.fields[target_col]);
            ok = false;
        }
        if (!ok) {
            if (bad++ < MAX_BAD_ROWS_LISTED && used < sizeof listed)
                used += (size_t)snprintf(listed + used, sizeof listed - used,
                                         "%s%s", used ? "; " : "",
                                         row_err.msg);
            continue;
        }
        if (data_push(d) < 0) {
            rc = err_set(err, "out of memory at line %ld", rec.line);
            goto done;
        }
        memcpy(&d->x[d->n * FEATURE_COUNT], values,
               FEATURE_COUNT * sizeof *values);
        rules_evaluate(rules, values, &res);
        if (target_col != COLUMN_ABSENT && fabs(t - res.target) > 0.005)
            d->mismatches++;
        d->target[d->n++] = res.target;
    }
    rc = 0;
    if (bad)
        rc = err_set(err, "%ld bad rows, e.g. %s", bad, listed);
done:
    csv_reader_free(reader);
    fclose(in);
    return rc < 0 ? err_prefix(err, "%s", path) : 0;
}

/* ---- the split ----------------------------------------------------------- */

/* How many of n rows are held out: the first of the shuffle. */
static size_t test_rows_of(size_t n, double test_fraction)
{
    return (size_t)llround((double)n * test_fraction);
}

/* A seeded shuffle of 0..n-1 (Fisher–Yates on the project's PRNG). */
static size_t *shuffled_indices(size_t n, uint64_t seed)
{
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    struct prng p;
    prng_seed(&p, seed);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(prng_next(&p) % (uint64_t)(i + 1));
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    return idx;
}

/* Gathers rows idx[from..to) into float matrices for XGBoost. */
static void gather_float(const struct data *d, const size_t *idx, size_t from,
                         size_t to, float *x, float *y)
{
    for (size_t i = from; i < to; i++) {
        const double *row = &d->x[idx[i] * FEATURE_COUNT];
        for (int f = 0; f < FEATURE_COUNT; f++)
            x[(i - from) * FEATURE_COUNT + f] = (float)row[f];
        y[i - from] = (float)d->target[idx[i]];
    }
}

/* ---- metrics ------------------------------------------------------------- */

struct fit {
    double r2, mse, mae;
};

static bool fit_is_finite(struct fit f)
{
    return isfinite(f.r2) && isfinite(f.mse) && isfinite(f.mae);
}

/* ---- the guards ---------------------------------------------------------- */

/* Refuses a dataset with too few rows or a target that does not vary:
 * either trains a model that says nothing. */
static int guard_data(const struct data *d, const struct model_params *p,
                      const char *params_path, struct errbuf *err)
{
    if (d->n < (size_t)p->min_rows)
        return err_set(err, "%zu rows; at least %d are needed to train "
                            "(min_rows in %s)", d->n, p->min_rows,
                       params_path);
    double mean = 0, var = 0;
    for (size_t i = 0; i < d->n; i++)
        mean += d->target[i];
    mean /= (double)d->n;
    for (size_t i = 0; i < d->n; i++)
        var += (d->target[i] - mean) * (d->target[i] - mean);
    double sd = sqrt(var / (double)d->n);
    /* The target lives on the rules' 0–1 scale: 1e-6 is far below one
     * score point. */
    if (!(sd >= 1e-6))
        return err_set(err, "the target does not vary (standard deviation "
                            "under 1e-6 over %zu rows, mean %.6f): there is "
                            "nothing to learn; are the rows copies of one "
                            "applicant?", d->n, mean);
    return 0;
}

/* Refuses an empty segment, or one under min_segment_share of the
 * training rows: its letter would name almost no one, and its centroid
 * would move at random from one training to the next. */
static int guard_segments(const size_t *size, size_t n_train,
                          const struct model_params *p,
                          const char *params_path, struct errbuf *err)
{
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        if (size[s] == 0)
            return err_set(err, "segment %c is empty: the training rows do "
                                "not form %d groups", segment_letter(s),
                           SEGMENT_COUNT);
        if ((double)size[s] < p->min_segment_share * (double)n_train)
            return err_set(err, "segment %c holds %zu of %zu training rows "
                                "(%.2f%%), under min_segment_share %g in "
                                "%s", segment_letter(s), size[s], n_train,
                           100.0 * (double)size[s] / (double)n_train,
                           p->min_segment_share, params_path);
    }
    return 0;
}

/* Refuses metrics that are not numbers, or a held-out R² under the
 * floor: nothing non-finite reaches a manifest. */
static int guard_fit(struct fit target, struct fit score,
                     const struct model_params *p, const char *params_path,
                     struct errbuf *err)
{
    if (!fit_is_finite(target) || !fit_is_finite(score))
        return err_set(err, "the held-out metrics are not finite (target: "
                            "R2 %g, MSE %g, MAE %g; score: R2 %g, MSE %g, "
                            "MAE %g)", target.r2, target.mse, target.mae,
                       score.r2, score.mse, score.mae);
    if (target.r2 < p->min_holdout_r2)
        return err_set(err, "held-out R2 %.4f is under min_holdout_r2 %g in "
                            "%s: the model does not learn the target",
                       target.r2, p->min_holdout_r2, params_path);
    return 0;
}

static struct fit measure(const double *truth, const double *pred, size_t n)
{
    double mean = 0, sse = 0, sst = 0, sae = 0;
    for (size_t i = 0; i < n; i++)
        mean += truth[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double e = pred[i] - truth[i];
        sse += e * e;
        sae += fabs(e);
        sst += (truth[i] - mean) * (truth[i] - mean);
    }
    struct fit f = {sst > 0 ? 1 - sse / sst : 0, sse / (double)n,
                    sae / (double)n};
    return f;
}

/* ---- writing the bundle ------------------------------------------------- */

static int copy_file(const char *from, const char *to, struct errbuf *err)
{
    size_t len;
    char *text = file_read_all(from, &len, err);
    if (!text)
        return -1;
    int rc = atomic_write_file(to, text, len, err);
    free(text);
    return rc;
}

static void created_at(char *buf)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    time_t t = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
    timestamp_format_iso(t, buf);
}

/* ---- the whole run ------------------------------------------------------ */

struct held_out {
    size_t n;
    double *target, *predicted, *score, *features, *z;
    int *segment;
    double *live_score;     /* the live model's, when compared */
    int *live_segment;
};

static void held_out_free(struct held_out *h)
{
    free(h->target);
    free(h->predicted);
    free(h->score);
    free(h->features);
    free(h->z);
    free(h->segment);
    free(h->live_score);
    free(h->live_segment);
}

struct train_report {
    struct held_out h;
    json_t *manifest;        /* as bundle.json holds it */
    struct rules *rules;
    double importance[FEATURE_COUNT];
    double mean_abs_points[FEATURE_COUNT];
    size_t explained;
    bool compared;           /* there was a live model */
    char live_id[MANIFEST_TEXT_SIZE];
    char unavailable[ERRBUF_SIZE];
    struct report_comparison live; /* its pointers into h */
};

void train_report_free(struct train_report *r)
{
    if (!r)
        return;
    held_out_free(&r->h);
    json_decref(r->manifest);
    rules_free(r->rules);
    free(r);
}

int train_report_write(const struct train_report *r, const char *dir,
                       const char *version_id, struct errbuf *err)
{
    struct report_input ri = {
        .manifest = r->manifest, .version_id = version_id,
        .rules = r->rules, .n = r->h.n,
        .target = r->h.target, .predicted = r->h.predicted,
        .score = r->h.score, .segment = r->h.segment,
        .features = r->h.features, .standardized = r->h.z,
        .importance = r->importance,
        .mean_abs_points = r->mean_abs_points, .explained = r->explained,
        .live = r->compared ? &r->live : NULL,
    };
    return report_write(&ri, dir, err);
}

/* The live model (the letters' reference, live_dir) on the same held-out
 * rows: its score and segment for each row and its fit, measured as this
 * model's is (measure(), each score against the score its own scale
 * gives the true target), and the PSI of this model's scores against
 * its. A live bundle that does not load is no comparison: the report
 * says why. -1 only when out of memory. */
static int compare_with_live(const char *live_dir, struct held_out *h,
                             struct train_report *rep, struct errbuf *err)
{
    const char *name = strrchr(live_dir, '/');
    rep->compared = true;
    snprintf(rep->live_id, sizeof rep->live_id, "%s",
             name ? name + 1 : live_dir);
    rep->live.live_id = rep->live_id;
    struct bundle *live = NULL;
    struct errbuf why;
    if (bundle_load(&live, live_dir, &why) < 0) {
        snprintf(rep->unavailable, sizeof rep->unavailable, "%s", why.msg);
        rep->live.unavailable = rep->unavailable;
        return 0;
    }
    size_t n = h->n ? h->n : 1;
    double *pred = malloc(n * sizeof *pred), *truth = malloc(n * sizeof *truth);
    h->live_score = malloc(n * sizeof *h->live_score);
    h->live_segment = malloc(n * sizeof *h->live_segment);
    int rc = 0;
    if (!pred || !truth || !h->live_score || !h->live_segment) {
        rc = err_set(err, "out of memory comparing with %s", rep->live_id);
        goto done;
    }
    const struct scorer *s = &live->scorer;
    for (size_t i = 0; i < h->n; i++) {
        const double *row = &h->features[i * FEATURE_COUNT];
        float x1[FEATURE_COUNT];
        double z[FEATURE_COUNT];
        for (int f = 0; f < FEATURE_COUNT; f++)
            x1[f] = (float)row[f];
        pred[i] = forest_predict(s->forest, x1);
        h->live_score[i] = rules_score(s->rules, pred[i]);
        truth[i] = rules_score(s->rules, h->target[i]);
        scaler_apply(&s->scaler, row, z);
        h->live_segment[i] = nearest_centroid(s->centroids, SEGMENT_COUNT,
                                              FEATURE_COUNT, z);
    }
    struct fit ft = measure(h->target, pred, h->n);
    struct fit fs = measure(truth, h->live_score, h->n);
    rep->live.r2 = ft.r2;
    rep->live.mae_points = fs.mae;
    rep->live.score_r2 = fs.r2;
    rep->live.score = h->live_score;
    rep->live.segment = h->live_segment;
    rc = population_stability(h->live_score, h->n, 1, h->score, h->n, 1,
                              &rep->live.psi, err);
done:
    free(pred);
    free(truth);
    bundle_free(live);
    return rc;
}

int train_bundle(const struct train_options *opt, const char *dir,
                 struct train_summary *sum, struct errbuf *err)
{
    struct train_report *r;
    if (train_bundle_kept(opt, dir, sum, &r, err) < 0)
        return -1;
    int rc = train_report_write(r, dir, opt->version_id, err);
    train_report_free(r);
    return rc;
}

int train_bundle_kept(const struct train_options *opt, const char *dir,
                      struct train_summary *sum, struct train_report **report,
                      struct errbuf *err)
{
    double t0 = now_seconds();
    memset(sum, 0, sizeof *sum);
    *report = NULL;
    const char *rules_path = opt->rules_path ? opt->rules_path
                                             : paths_rules_file();
    const char *data_dir = opt->data_dir ? opt->data_dir : paths_data_dir();
    char path[4096 + 64];
    const char *params_path = opt->params_path ? opt->params_path
                                               : paths_params_file();

    struct rules *rules = NULL;
    struct data d = {0};
    size_t *idx = NULL;
    float *xf = NULL, *yf = NULL;
    double *z = NULL, *centroids = NULL;
    int *labels = NULL;
    char *model_text = NULL;
    struct forest *forest = NULL;
    struct held_out h = {0};
    struct manifest *m = NULL;
    struct model_params params;
    struct refdata rd;
    bool rd_loaded = false;
    int rc = -1;

    model_params_defaults(&params);
    params.seed = opt->seed;
    if (rules_load(&rules, rules_path, err) < 0 ||
        model_params_load(&params, params_path, err) < 0 ||
        refdata_load(&rd, data_dir, opt->itaee_year, err) < 0)
        goto done;
    rd_loaded = true;
    params.seed = opt->seed; /* the command line's seed wins over the file */
    if (read_dataset(opt->dataset_path, rules, &d, err) < 0)
        goto done;
    if (guard_data(&d, &params, params_path, err) < 0) {
        err_prefix(err, "%s", opt->dataset_path);
        goto done;
    }
    double t_read = now_seconds();

    /* split: the first test_fraction of a seeded shuffle is held out */
    size_t n = d.n;
    size_t n_test = test_rows_of(n, opt->test_fraction);
    size_t n_train = n - n_test;
    size_t n_stop = (size_t)llround((double)n_train * opt->stopping_fraction);
    idx = shuffled_indices(n, opt->seed);
    z = malloc(n * FEATURE_COUNT * sizeof *z);
    labels = malloc(n * sizeof *labels);
    centroids = malloc(SEGMENT_COUNT * FEATURE_COUNT * sizeof *centroids);
    xf = malloc(n * FEATURE_COUNT * sizeof *xf);
    yf = malloc(n * sizeof *yf);
    if (!idx || !z || !labels || !centroids || !xf || !yf) {
        err_set(err, "out of memory for %zu rows", n);
        goto done;
    }
    const size_t *train_idx = idx + n_test, *test_idx = idx;

    /* segments, fitted on the training rows only */
    struct scaler scaler;
    for (size_t i = 0; i < n_train; i++)
        memcpy(&z[i * FEATURE_COUNT], &d.x[train_idx[i] * FEATURE_COUNT],
               FEATURE_COUNT * sizeof *z);
    scaler_fit(&scaler, z, n_train);
    for (size_t i = 0; i < n_train; i++)
        scaler_apply(&scaler, &z[i * FEATURE_COUNT], &z[i * FEATURE_COUNT]);
    struct kmeans_options km = kmeans_defaults();
    km.seed = opt->seed;
    if (kmeans_fit(z, n_train, FEATURE_COUNT, &km, centroids, labels, NULL,
                   err) < 0)
        goto done;
    double seg_target[SEGMENT_COUNT] = {0};
    size_t seg_size[SEGMENT_COUNT] = {0};
    for (size_t i = 0; i < n_train; i++) {
        seg_target[labels[i]] += d.target[train_idx[i]];
        seg_size[labels[i]]++;
    }
    for (int s = 0; s < SEGMENT_COUNT; s++)
        seg_target[s] = seg_size[s] ? seg_target[s] / (double)seg_size[s] : 0;
    /* the letters: the reference's, matched, or by mean target */
    char letters_reference[MANIFEST_TEXT_SIZE] = "";
    double letters_shift[SEGMENT_COUNT] = {0};
    if (opt->letters_from) {
        struct manifest *ref = malloc(sizeof *ref);
        snprintf(path, sizeof path, "%s/%s", opt->letters_from,
                 MANIFEST_FILE);
        if (!ref || manifest_read(ref, path, err) < 0) {
            if (ref)
                err_prefix(err, "letters from %s", path);
            else
                err_set(err, "out of memory");
            free(ref);
            goto done;
        }
        int letter_of[SEGMENT_COUNT];
        letters_match(ref, &scaler, centroids, letter_of, letters_shift);
        free(ref);
        letters_apply(letter_of, centroids, seg_target, labels, n_train);
        const char *name = strrchr(opt->letters_from, '/');
        snprintf(letters_reference, sizeof letters_reference, "%s",
                 name ? name + 1 : opt->letters_from);
    } else {
        segments_order_by_target(centroids, SEGMENT_COUNT, FEATURE_COUNT,
                                 seg_target, labels, n_train);
    }
    /* The sizes from the letters' labels: counted before the ordering,
     * they stayed in k-means order while everything else moved. */
    memset(seg_size, 0, sizeof seg_size);
    for (size_t i = 0; i < n_train; i++)
        seg_size[labels[i]]++;
    if (guard_segments(seg_size, n_train, &params, params_path, err) < 0)
        goto done;
    /* each segment described from its own training rows */
    struct segment_profile profiles[SEGMENT_COUNT], population;
    if (profile_segments(d.x, train_idx, labels, n_train, profiles,
                         &population) < 0) {
        err_set(err, "out of memory for the segment profiles");
        goto done;
    }
    double t_segments = now_seconds();

    /* the model: rows [0, n_stop) of the training part stop early, the
     * rest learn */
    gather_float(&d, train_idx, 0, n_train, xf, yf);
    size_t model_len;
    if (model_train(xf + n_stop * FEATURE_COUNT, yf + n_stop, n_train - n_stop,
                    xf, yf, n_stop, FEATURE_COUNT, &params, &model_text,
                    &model_len, &sum->rounds, err) < 0 ||
        forest_load(&forest, model_text, model_len, FEATURE_COUNT, err) < 0)
        goto done;
    double t_model = now_seconds();

    /* the held-out rows */
    h.n = n_test;
    h.target = malloc(n_test * sizeof *h.target);
    h.predicted = malloc(n_test * sizeof *h.predicted);
    h.score = malloc(n_test * sizeof *h.score);
    h.features = malloc(n_test * FEATURE_COUNT * sizeof *h.features);
    h.z = malloc(n_test * FEATURE_COUNT * sizeof *h.z);
    h.segment = malloc(n_test * sizeof *h.segment);
    double *true_score = malloc(n_test * sizeof *true_score);
    if (!h.target || !h.predicted || !h.score || !h.features || !h.z ||
        !h.segment || !true_score) {
        free(true_score);
        err_set(err, "out of memory");
        goto done;
    }
    size_t test_size[SEGMENT_COUNT] = {0};
    double test_score[SEGMENT_COUNT] = {0}, test_target[SEGMENT_COUNT] = {0};
    for (size_t i = 0; i < n_test; i++) {
        const double *row = &d.x[test_idx[i] * FEATURE_COUNT];
        float x1[FEATURE_COUNT];
        for (int f = 0; f < FEATURE_COUNT; f++)
            x1[f] = (float)row[f];
        memcpy(&h.features[i * FEATURE_COUNT], row, FEATURE_COUNT * sizeof *row);
        scaler_apply(&scaler, row, &h.z[i * FEATURE_COUNT]);
        h.target[i] = d.target[test_idx[i]];
        h.predicted[i] = forest_predict(forest, x1);
        h.score[i] = rules_score(rules, h.predicted[i]);
        true_score[i] = rules_score(rules, h.target[i]);
        h.segment[i] = nearest_centroid(centroids, SEGMENT_COUNT, FEATURE_COUNT,
                                        &h.z[i * FEATURE_COUNT]);
        test_size[h.segment[i]]++;
        test_score[h.segment[i]] += h.score[i];
        test_target[h.segment[i]] += h.target[i];
    }
    struct fit ft = measure(h.target, h.predicted, n_test);
    struct fit fs = measure(true_score, h.score, n_test);
    free(true_score);
    if (guard_fit(ft, fs, &params, params_path, err) < 0)
        goto done;

    /* the model's explanations, summed up for the report: the first
     * rows held out (a few thousand say it; TreeSHAP costs ~0.3 ms a
     * row) */
    double mean_abs_points[FEATURE_COUNT] = {0};
    size_t explained = n_test < EXPLAINED_ROWS ? n_test : EXPLAINED_ROWS;
    {
        for (size_t i = 0; i < explained; i++) {
            float x1[FEATURE_COUNT];
            struct explanation e;
            for (int f = 0; f < FEATURE_COUNT; f++)
                x1[f] = (float)h.features[i * FEATURE_COUNT + f];
            if (explain_features(forest, rules, x1, &e) < 0) {
                explained = 0;
                break;
            }
            for (int f = 0; f < FEATURE_COUNT; f++)
                mean_abs_points[f] += fabs(e.points[f]);
        }
        for (int f = 0; f < FEATURE_COUNT; f++)
            mean_abs_points[f] = explained
                                     ? mean_abs_points[f] / (double)explained
                                     : 0;
    }

    double importance[FEATURE_COUNT];
    if (model_feature_importance(model_text, model_len, FEATURE_COUNT,
                                 importance, err) < 0)
        goto done;

    /* the files */
    snprintf(path, sizeof path, "%s/model.json", dir);
    if (atomic_write_file(path, model_text, model_len, err) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/rules.json", dir);
    if (copy_file(rules_path, path, err) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/refdata", dir);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        err_set(err, "%s: %s", path, strerror(errno));
        goto done;
    }
    static const char *const tables[] = {"states.csv", "enigh.csv", "itaee.csv"};
    for (int i = 0; i < 3; i++) {
        char from[4096 + 64];
        snprintf(from, sizeof from, "%s/%s", data_dir, tables[i]);
        snprintf(path, sizeof path, "%s/refdata/%s", dir, tables[i]);
        if (copy_file(from, path, err) < 0)
            goto done;
    }
    /* the manifest: every number above, and the files' hashes */
    m = calloc(1, sizeof *m);
    if (!m) {
        err_set(err, "out of memory");
        goto done;
    }
    for (int f = 0; f < BUNDLE_FILE_COUNT; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, bundle_files[f]);
        if (sha256_file(path, m->file_sha256[f], err) < 0)
            goto done;
    }
    if (sha256_file(rules_path, m->lineage.rules_sha256, err) < 0 ||
        sha256_file(opt->dataset_path, m->lineage.dataset_sha256, err) < 0)
        goto done;
    created_at(m->created_at);
    snprintf(m->code_version, sizeof m->code_version, "%s",
             INCOMESCORE_VERSION);
    m->itaee_year = opt->itaee_year;
    m->scaler = scaler;
    memcpy(m->letters_reference, letters_reference,
           sizeof m->letters_reference);
    memcpy(m->letters_shift, letters_shift, sizeof m->letters_shift);
    for (int s = 0; s < SEGMENT_COUNT; s++) {
        struct manifest_segment *g = &m->segments[s];
        /* the segment's words, from its own rows (describe.h): from now
         * on the bundle is their source for this model */
        describe_segment(s, &profiles[s], &population, g->description,
                         sizeof g->description, g->description_en,
                         sizeof g->description_en);
        g->has_profile = true;
        g->profile = (struct manifest_profile){
            profiles[s].income, profiles[s].tenure, profiles[s].jobs,
            profiles[s].weeks, profiles[s].age, profiles[s].no_job_share,
            profiles[s].retiree_share};
        memcpy(g->centroid, &centroids[s * FEATURE_COUNT],
               sizeof g->centroid);
        g->mean_target_train = seg_target[s];
        g->train_rows = (int64_t)seg_size[s];
        g->test_rows = (int64_t)test_size[s];
        g->mean_score_test =
            test_size[s] ? test_score[s] / (double)test_size[s] : 0.0;
        g->mean_target_test =
            test_size[s] ? test_target[s] / (double)test_size[s] : 0.0;
    }
    m->rounds = sum->rounds;
    char *params_text = model_params_to_json(&params);
    if (params_text && strlen(params_text) < sizeof m->params)
        memcpy(m->params, params_text, strlen(params_text) + 1);
    free(params_text);
    rules_scale(rules, &m->target_at_300, &m->target_at_850);
    m->metrics.target = (struct manifest_fit){ft.r2, ft.mse, ft.mae};
    m->metrics.score = (struct manifest_fit){fs.r2, fs.mse, fs.mae};
    m->metrics.train_rows = (int64_t)n_train;
    m->metrics.test_rows = (int64_t)n_test;
    memcpy(m->importance, importance, sizeof m->importance);
    const char *label = opt->dataset_label ? opt->dataset_label
                                           : opt->dataset_path;
    if (strlen(label) >= sizeof m->lineage.dataset) {
        err_set(err, "the dataset's path is longer than %zu bytes",
                sizeof m->lineage.dataset - 1);
        goto done;
    }
    snprintf(m->lineage.dataset, sizeof m->lineage.dataset, "%s", label);
    m->lineage.dataset_rows = (int64_t)n;
    m->lineage.target_from_column = false; /* always the rules', now */
    m->lineage.target_rules_mismatches = d.mismatches;
    m->lineage.seed = opt->seed;
    m->lineage.test_fraction = opt->test_fraction;
    m->lineage.stopping_fraction = opt->stopping_fraction;
    snprintf(path, sizeof path, "%s/%s", dir, MANIFEST_FILE);
    if (manifest_write(m, path, err) < 0)
        goto done;

    /* what the report needs, kept: it shows the manifest as bundle.json
     * holds it, and is written once the version has its id */
    struct train_report *rep = calloc(1, sizeof *rep);
    if (!rep || !(rep->manifest = manifest_to_json(m))) {
        free(rep);
        err_set(err, "%s: could not be built", MANIFEST_FILE);
        goto done;
    }
    rep->h = h;
    memset(&h, 0, sizeof h);
    rep->rules = rules;
    rules = NULL;
    memcpy(rep->importance, importance, sizeof importance);
    memcpy(rep->mean_abs_points, mean_abs_points, sizeof mean_abs_points);
    rep->explained = explained;
    if (opt->letters_from &&
        compare_with_live(opt->letters_from, &rep->h, rep, err) < 0) {
        train_report_free(rep);
        goto done;
    }
    *report = rep;

    sum->rows = n;
    sum->train_rows = n_train;
    sum->test_rows = n_test;
    sum->r2 = ft.r2;
    sum->mse = ft.mse;
    sum->mae = ft.mae;
    sum->score_r2 = fs.r2;
    sum->score_mse = fs.mse;
    sum->score_mae = fs.mae;
    sum->target_mismatches = d.mismatches;
    sum->seconds_read = t_read - t0;
    sum->seconds_segments = t_segments - t_read;
    sum->seconds_model = t_model - t_segments;
    sum->seconds_total = now_seconds() - t0;
    rc = 0;
done:
    free(m);
    held_out_free(&h);
    forest_free(forest);
    free(model_text);
    free(xf);
    free(yf);
    free(z);
    free(centroids);
    free(labels);
    free(idx);
    data_free(&d);
    if (rd_loaded)
        refdata_free(&rd);
    rules_free(rules);
    return rc;
}

/* ---- the rows, for others ----------------------------------------------- */

void train_rows_free(struct train_rows *rows)
{
    free(rows->x);
    free(rows->target);
    rows->x = rows->target = NULL;
    rows->n = 0;
}

int train_read_rows(const struct train_options *opt, int held_out,
                    struct train_rows *rows, struct errbuf *err)
{
    memset(rows, 0, sizeof *rows);
    const char *rules_path = opt->rules_path ? opt->rules_path
                                             : paths_rules_file();
    struct rules *rules = NULL;
    struct data d = {0};
    if (rules_load(&rules, rules_path, err) < 0)
        return -1;
    int rc = read_dataset(opt->dataset_path, rules, &d, err);
    rules_free(rules);
    if (rc < 0) {
        data_free(&d);
        return -1;
    }
    if (!held_out) {
        rows->n = d.n;
        rows->x = d.x;
        rows->target = d.target;
        return 0;
    }
    size_t n_test = test_rows_of(d.n, opt->test_fraction);
    size_t *idx = shuffled_indices(d.n, opt->seed);
    rows->x = malloc((n_test ? n_test : 1) * FEATURE_COUNT * sizeof *rows->x);
    rows->target = malloc((n_test ? n_test : 1) * sizeof *rows->target);
    if (!idx || !rows->x || !rows->target) {
        free(idx);
        data_free(&d);
        train_rows_free(rows);
        return err_set(err, "out of memory for %zu rows", d.n);
    }
    for (size_t i = 0; i < n_test; i++) {
        memcpy(&rows->x[i * FEATURE_COUNT], &d.x[idx[i] * FEATURE_COUNT],
               FEATURE_COUNT * sizeof *rows->x);
        rows->target[i] = d.target[idx[i]];
    }
    rows->n = n_test;
    free(idx);
    data_free(&d);
    return 0;
}
