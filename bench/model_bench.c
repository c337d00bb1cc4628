/*
 * model_bench.c — trains the model on a dataset and measures it: held-out
 * R², training time, agreement of our forest with XGBoost, and the time
 * to score one row with each. bench/model_predict.sh builds and runs it;
 * it is also the tool the defaults in data/model.json were chosen with.
 *
 *   model_bench [--params FILE] (--data DATASET.csv | --synthetic N)
 *               [--seed S] [--no-predict] [--save-model FILE]
 *               [--model FILE]
 *
 * --data reads the ETL's dataset (the feature columns and `target`);
 * --synthetic draws N applicants in realistic ranges and scores them with
 * the shipped rules, for when no dataset is at hand. Rows are shuffled
 * with the seed and split 72% train, 8% validation (early stopping), 20%
 * test. --model scores with a model saved before by --save-model instead
 * of training. Output is `key: value` lines; timings are for reading, nothing
 * asserts them.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xgboost/c_api.h>

#include "base/csvio.h"
#include "etl/dataset.h"
#include "score/features.h"
#include "base/fileio.h"
#include "base/paths.h"
#include "score/forest.h"
#include "train/model.h"
#include "base/numeric.h"
#include "base/prng.h"
#include "score/refdata.h"
#include "score/rules.h"

#define NF FEATURE_COUNT

struct data {
    size_t n;
    float *x; /* n × NF */
    float *y;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const struct errbuf *err)
{
    fprintf(stderr, "model_bench: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static void reserve(struct data *d, size_t n)
{
    d->x = realloc(d->x, n * NF * sizeof *d->x);
    d->y = realloc(d->y, n * sizeof *d->y);
    if (!d->x || !d->y)
        die("out of memory", NULL);
}

static void read_dataset(struct data *d, const char *path)
{
    struct errbuf err;
    FILE *in = fopen(path, "r");
    if (!in)
        die(path, NULL);
    struct csv_reader *r = csv_reader_new(in);
    struct csv_record rec;
    if (csv_reader_next(r, &rec, &err) != 1)
        die("no header", &err);
    bool required[VARIABLE_COUNT] = {0};
    for (int v = 0; v < NF; v++)
        required[v] = true;
    struct dataset_columns cols;
    if (dataset_map_header(&rec, required, &cols, &err) < 0)
        die(path, &err);
    int target = dataset_find_column(&rec, "target");
    if (target == COLUMN_ABSENT)
        die("no target column", NULL);
    size_t cap = 1 << 16;
    reserve(d, cap);
    int rc;
    while ((rc = csv_reader_next(r, &rec, &err)) != 0) {
        if (rc < 0)
            die(path, &err);
        double values[VARIABLE_COUNT], t;
        if (dataset_parse_row(&cols, &rec, values, &err) < 0)
            die(path, &err);
        if (parse_double(rec.fields[target], &t) < 0)
            die("bad target", NULL);
        if (d->n == cap)
            reserve(d, cap *= 2);
        for (int v = 0; v < NF; v++)
            d->x[d->n * NF + (size_t)v] = (float)values[v];
        d->y[d->n++] = (float)t;
    }
    csv_reader_free(r);
    fclose(in);
}

/* Applicants drawn roughly as the demo documents make them: most with a
 * current job, a tail of long unemployment, retirees, unknown states. */
static void synthesize(struct data *d, size_t n, uint64_t seed)
{
    struct errbuf err;
    struct refdata rd;
    struct rules *rules;
    if (refdata_load(&rd, paths_data_dir(), ITAEE_DEFAULT_YEAR, &err) < 0)
        die("refdata", &err);
    if (rules_load(&rules, paths_rules_file(), &err) < 0)
        die("rules", &err);
    struct prng p;
    prng_seed(&p, seed ^ 0x5eed);
    reserve(d, n);
    for (size_t i = 0; i < n; i++) {
        double v[VARIABLE_COUNT] = {0};
        int edad = prng_range(&p, 18, 80);
        bool employed = prng_uniform(&p) < 0.8;
        double ingreso = round_decimals(prng_lognormal(&p, 9.4, 0.7), 2);
        if (!employed && prng_uniform(&p) < 0.3)
            ingreso = 0;
        v[F_INGRESO] = ingreso;
        v[F_EDAD] = edad;
        v[F_ANTIGUEDAD_LABORAL_MESES] =
            employed ? prng_range(&p, 0, prng_uniform(&p) < 0.5 ? 36 : 300) : 0;
        v[F_TIEMPO_DESEMPLEADO] = employed ? 0 : prng_range(&p, 0, 80);
        v[F_TRABAJOS_ULTIMOS_5] = prng_range(&p, 0, 10);
        v[F_SEMANAS_COTIZADAS] = prng_range(&p, 0, 2600);
        v[F_CRECIMIENTO_INGRESO] =
            employed && prng_uniform(&p) < 0.6
                ? round_decimals(prng_normal(&p) * 80 + 20, 2)
                : 0;
        int state = prng_uniform(&p) < 0.05 ? STATE_UNKNOWN
                                            : prng_range(&p, 0, STATE_COUNT - 1);
        features_of_state(&rd, state, ingreso, &v[F_DECIL_INGRESO_ENIGH],
                          &v[F_LIQUIDEZ_PORCENTUAL], &v[F_COSTO_DE_VIDA],
                          &v[F_CRECIMIENTO_GRAL]);
        v[V_JUBILADO] = !employed && edad >= 65 &&
                        v[F_SEMANAS_COTIZADAS] >= 1500;
        struct rules_result res;
        rules_evaluate(rules, v, &res);
        for (int k = 0; k < NF; k++)
            d->x[i * NF + (size_t)k] = (float)v[k];
        d->y[i] = (float)res.target;
    }
    d->n = n;
    rules_free(rules);
    refdata_free(&rd);
}

static void shuffle(struct data *d, uint64_t seed)
{
    struct prng p;
    prng_seed(&p, seed);
    for (size_t i = d->n; i > 1; i--) {
        size_t j = (size_t)(prng_next(&p) % i);
        float t[NF];
        memcpy(t, &d->x[(i - 1) * NF], sizeof t);
        memcpy(&d->x[(i - 1) * NF], &d->x[j * NF], sizeof t);
        memcpy(&d->x[j * NF], t, sizeof t);
        float ty = d->y[i - 1];
        d->y[i - 1] = d->y[j];
        d->y[j] = ty;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    const char *params_path = NULL, *data_path = NULL, *model_in = NULL,
               *model_out = NULL;
    size_t synthetic = 0;
    uint64_t seed = 1;
    bool predict = true;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--params") && i + 1 < argc)
            params_path = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data_path = argv[++i];
        else if (!strcmp(argv[i], "--synthetic") && i + 1 < argc)
            synthetic = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model_in = argv[++i];
        else if (!strcmp(argv[i], "--save-model") && i + 1 < argc)
            model_out = argv[++i];
        else if (!strcmp(argv[i], "--no-predict"))
            predict = false;
        else {
            fprintf(stderr, "usage: model_bench [--params FILE] (--data CSV "
                            "| --synthetic N) [--seed S] [--no-predict] "
                            "[--save-model FILE] [--model FILE]\n");
            return 2;
        }
    }
    struct errbuf err;
    struct model_params p;
    model_params_defaults(&p);
    if (params_path && model_params_load(&p, params_path, &err) < 0)
        die("params", &err);

    struct data d = {0};
    double t0 = now();
    if (data_path)
        read_dataset(&d, data_path);
    else if (synthetic)
        synthesize(&d, synthetic, seed);
    else
        die("give --data or --synthetic", NULL);
    shuffle(&d, seed);
    double t_read = now() - t0;

    size_t n_test = d.n / 5, n_valid = (d.n - n_test) / 10;
    size_t n_train = d.n - n_test - n_valid;
    const float *x_train = d.x, *y_train = d.y;
    const float *x_valid = d.x + n_train * NF, *y_valid = d.y + n_train;
    const float *x_test = x_valid + n_valid * NF, *y_test = y_valid + n_valid;

    char *json;
    size_t len;
    int kept;
    t0 = now();
    if (model_in) {
        /* a model trained before: measure scoring alone */
        if (!(json = file_read_all(model_in, &len, &err)))
            die("model", &err);
        kept = 0;
    } else if (model_train(x_train, y_train, n_train, x_valid, y_valid,
                           n_valid, NF, &p, &json, &len, &kept, &err) < 0) {
        die("train", &err);
    }
    double t_train = now() - t0;
    if (model_out && atomic_write_file(model_out, json, len, &err) < 0)
        die("save", &err);

    struct forest *f;
    if (forest_load(&f, json, len, NF, &err) < 0)
        die("forest_load", &err);
    float *ref = malloc(n_test * sizeof *ref);
    if (model_predict_xgboost(json, len, x_test, n_test, NF, ref, &err) < 0)
        die("xgboost predict", &err);
    double mean = 0, ss_tot = 0, ss_res = 0, max_diff = 0;
    size_t exact = 0;
    for (size_t i = 0; i < n_test; i++)
        mean += y_test[i];
    mean /= (double)n_test;
    for (size_t i = 0; i < n_test; i++) {
        float ours = forest_predict(f, x_test + i * NF);
        double e = (double)ours - y_test[i];
        ss_res += e * e;
        ss_tot += ((double)y_test[i] - mean) * ((double)y_test[i] - mean);
        double diff = fabs((double)ours - (double)ref[i]);
        if (diff > max_diff)
            max_diff = diff;
        exact += ours == ref[i];
    }
    printf("rows: %zu (train %zu, valid %zu, test %zu)\n", d.n, n_train,
           n_valid, n_test);
    printf("data_seconds: %.2f\n", t_read);
    if (!model_in) {
        printf("train_seconds: %.2f\n", t_train);
        printf("rounds_kept: %d of %d\n", kept, p.rounds);
    }
    printf("trees: %d\n", forest_tree_count(f));
    printf("model_bytes: %zu\n", len);
    printf("test_r2: %.6f\n", 1 - ss_res / ss_tot);
    printf("test_mse: %.3g\n", ss_res / (double)n_test);
    printf("forest_vs_xgboost_max_abs_diff: %.3g (%zu of %zu identical)\n",
           max_diff, exact, n_test);

    if (predict) {
        /* One row at a time, each timed alone: the API scores one
         * applicant per request, with the forest warm but the row new.
         * The machine is shared, so of five passes the quietest counts
         * (the lowest median); the first pass also warms the caches. */
        size_t n_time = n_test < 20000 ? n_test : 20000;
        double *ns = malloc(n_time * sizeof *ns);
        volatile float sink = 0;
        double best = INFINITY;
        for (int pass = 0; pass < 5; pass++) {
            for (size_t i = 0; i < n_time; i++) {
                double a = now();
                sink += forest_predict(f, x_test + i * NF);
                ns[i] = (now() - a) * 1e9;
            }
            double m = median(ns, n_time);
            if (m < best)
                best = m;
        }
        printf("forest_predict_median_ns: %.0f\n", best);
        for (size_t i = 0; i < n_time; i++) {
            double a = now();
            ns[i] = (now() - a) * 1e9;
        }
        printf("timer_overhead_median_ns: %.0f (included above)\n",
               median(ns, n_time));
        double a = now();
        for (int rep = 0; rep < 5; rep++)
            for (size_t i = 0; i < n_test; i++)
                sink += forest_predict(f, x_test + i * NF);
        printf("forest_predict_mean_ns_batch: %.0f\n",
               (now() - a) * 1e9 / (5.0 * (double)n_test));

        /* XGBoost's own single-row path, booster loaded once */
        BoosterHandle b;
        if (XGBoosterCreate(NULL, 0, &b) != 0 ||
            XGBoosterLoadModelFromBuffer(b, json, len) != 0)
            die(XGBGetLastError(), NULL);
        static const char config[] =
            "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
            "\"iteration_end\": 0, \"strict_shape\": false, \"missing\": NaN, "
            "\"cache_id\": 0}";
        size_t n_xgb = n_time < 2000 ? n_time : 2000;
        for (size_t i = 0; i < n_xgb; i++) {
            char values[160];
            const bst_ulong *shape;
            bst_ulong dim;
            const float *out;
            double s = now();
            snprintf(values, sizeof values,
                     "{\"data\": [%zu, true], \"shape\": [1, %d], "
                     "\"strides\": null, \"typestr\": \"<f4\", "
                     "\"version\": 3}",
                     (size_t)(x_test + i * NF), NF);
            if (XGBoosterPredictFromDense(b, values, config, NULL, &shape,
                                          &dim, &out) != 0)
                die(XGBGetLastError(), NULL);
            sink += out[0];
            ns[i] = (now() - s) * 1e9;
        }
        printf("xgboost_single_row_median_ns: %.0f\n", median(ns, n_xgb));
        XGBoosterFree(b);
        free(ns);
        (void)sink;
    }
    forest_free(f);
    free(ref);
    free(json);
    free(d.x);
    free(d.y);
    return 0;
}
