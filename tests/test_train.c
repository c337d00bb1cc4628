/*
 * test_train.c — training into a bundle, loading it back, and scoring
 * with it: determinism, the refusal of broken bundles, segment letters,
 * and the scoring core against XGBoost itself.
 */
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry/bundle.h"
#include "base/fileio.h"
#include "base/stability.h"
#include "pipeline/gate.h"
#include "registry/registry.h"
#include "train/train_registry.h"
#include "train/model.h"
#include "score/request.h"
#include "score/scoring.h"
#include "base/prng.h"
#include "train/train.h"

static char *work;          /* a temporary directory for the whole suite */
static char dataset[4096], params[4096], bundle_dir[4096];

/* Training options for `data` with the parameters file `params_path`,
 * the shipped rules and the built-in reference tables. */
static struct train_options options_for(const char *data,
                                        const char *params_path)
{
    struct train_options o;
    train_defaults(&o);
    o.dataset_path = data;
    o.params_path = params_path;
    o.data_dir = INCOMESCORE_DATADIR;
    o.rules_path = test_rules_shipped_path();
    return o;
}

/* demo-data → etl → a small dataset, and fast parameters. */
static int setup(void **state)
{
    (void)state;
    struct errbuf err;
    work = test_mkdtemp();
    if (test_demo_dataset(work, 3000, 3, dataset, sizeof dataset, &err) < 0) {
        print_error("%s\n", err.msg);
        return -1;
    }
    free(test_write_file(work, "params.json",
                         "{\"rounds\": 60, \"early_stopping_rounds\": 10, "
                         "\"max_depth\": 4, \"eta\": 0.3}"));
    snprintf(params, sizeof params, "%s/params.json", work);

    snprintf(bundle_dir, sizeof bundle_dir, "%s/v0001", work);
    mkdir(bundle_dir, 0755);
    struct train_options topt = options_for(dataset, params);
    struct train_summary sum;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    if (train_bundle(&topt, bundle_dir, &sum, &err) < 0) {
        print_error("%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(work);
    free(work);
    unsetenv("SOURCE_DATE_EPOCH");
    return 0;
}

static void train_writes_a_complete_bundle_that_loads(void **s)
{
    (void)s;
    static const char *const files[] = {"bundle.json", "model.json",
                                        "rules.json", "refdata/states.csv",
                                        "refdata/enigh.csv", "refdata/itaee.csv",
                                        "report.md", "report.html"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", bundle_dir, files[i]);
        if (access(path, R_OK) != 0)
            fail_msg("%s is missing", files[i]);
    }
    struct bundle *b;
    struct errbuf err;
    if (bundle_load(&b, bundle_dir, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(b->id, "v0001");
    const struct manifest *m = &b->manifest;
    assert_string_equal(m->created_at, "2023-11-14T22:13:20Z");
    double r2 = m->metrics.target.r2;
    if (!(r2 > 0.95))
        fail_msg("held-out R2 %g", r2);
    assert_int_equal(m->lineage.seed, 42);
    assert_int_equal(strlen(m->lineage.dataset_sha256), 64);
    bundle_free(b);
}

static int files_equal(const char *a, const char *b)
{
    size_t la, lb;
    char *x = file_read_all(a, &la, NULL), *y = file_read_all(b, &lb, NULL);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void same_data_and_seed_give_the_same_bundle_byte_for_byte(void **s)
{
    (void)s;
    char again[4200];
    snprintf(again, sizeof again, "%s/again", work);
    mkdir(again, 0755);
    struct train_options topt = options_for(dataset, params);
    struct train_summary sum;
    struct errbuf err;
    if (train_bundle(&topt, again, &sum, &err) < 0)
        fail_msg("%s", err.msg);
    static const char *const files[] = {"bundle.json", "model.json",
                                        "rules.json", "report.md",
                                        "report.html", "refdata/enigh.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[4300], b[4300];
        snprintf(a, sizeof a, "%s/%s", bundle_dir, files[i]);
        snprintf(b, sizeof b, "%s/%s", again, files[i]);
        if (!files_equal(a, b))
            fail_msg("%s differs between two trainings", files[i]);
    }
    test_rmtree(again);
}

static void segment_letters_follow_mean_target(void **s)
{
    (void)s;
    struct bundle *b;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, bundle_dir, &err), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/bundle.json", bundle_dir);
    json_t *file = json_load_file(path, 0, NULL);
    json_t *segs = json_object_get(file, "segments");
    assert_int_equal(json_array_size(segs), 4);
    double previous = 1e9;
    for (int i = 0; i < 4; i++) {
        json_t *seg = json_array_get(segs, (size_t)i);
        char letter[2] = {(char)('A' + i), '\0'};
        assert_string_equal(json_string_value(json_object_get(seg, "letter")),
                            letter);
        double t = b->manifest.segments[i].mean_target_train;
        assert_true(t <= previous);
        previous = t;
    }
    json_decref(file);
    bundle_free(b);
}

/* Each letter's training rows are counted under that letter. The
 * training rows' standardized features have mean 0 and each centroid is
 * the mean of its own rows, so the centroids weighted by their sizes sum
 * to 0 — only when each size stands beside its own centroid. */
static void segment_sizes_stand_beside_their_own_centroids(void **s)
{
    (void)s;
    struct bundle *b;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, bundle_dir, &err), 0);
    const struct manifest *m = &b->manifest;
    int64_t rows = 0;
    for (int g = 0; g < SEGMENT_COUNT; g++)
        rows += m->segments[g].train_rows;
    assert_int_equal(rows, m->metrics.train_rows);
    for (int f = 0; f < FEATURE_COUNT; f++) {
        double sum = 0;
        for (int g = 0; g < SEGMENT_COUNT; g++)
            sum += (double)m->segments[g].train_rows *
                   m->segments[g].centroid[f];
        if (fabs(sum) > 1e-6 * (double)rows)
            fail_msg("feature %d: sizes × centroids sum to %g, not 0", f,
                     sum);
    }
    bundle_free(b);
}

/* A dataset whose `target` column came from other rules (every value
 * 0.1 higher) trains on the rules' target all the same: the same model,
 * byte for byte, as the fixture's, and every row counted as a mismatch. */
static void the_target_follows_the_rules_not_the_column(void **s)
{
    (void)s;
    size_t len;
    char *text = file_read_all(dataset, &len, NULL);
    assert_non_null(text);
    char stale[4200], dir[4200];
    snprintf(stale, sizeof stale, "%s/stale.csv", work);
    FILE *out = fopen(stale, "w");
    int target_field = -1;
    long rows = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int field = 0;
        for (char *p = line, *start = line;; p++) {
            if (*p != ',' && *p != '\0')
                continue;
            char saved = *p;
            *p = '\0';
            if (target_field < 0 && strcmp(start, "target") == 0)
                target_field = field;
            if (field && fputc(',', out) == EOF)
                fail();
            if (rows && field == target_field)
                fprintf(out, "%.2f", strtod(start, NULL) + 0.1);
            else
                fputs(start, out);
            field++;
            start = p + 1;
            if (saved == '\0')
                break;
        }
        fputc('\n', out);
        rows++;
    }
    fclose(out);
    free(text);
    assert_true(target_field >= 0);

    snprintf(dir, sizeof dir, "%s/stale", work);
    mkdir(dir, 0755);
    struct train_options topt = options_for(stale, params);
    struct train_summary sum;
    struct errbuf err;
    if (train_bundle(&topt, dir, &sum, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(sum.target_mismatches, rows - 1);
    char a[4300], b[4300];
    snprintf(a, sizeof a, "%s/model.json", bundle_dir);
    snprintf(b, sizeof b, "%s/model.json", dir);
    assert_true(files_equal(a, b));
    struct bundle *bundle;
    assert_int_equal(bundle_load(&bundle, dir, &err), 0);
    assert_false(bundle->manifest.lineage.target_from_column);
    assert_int_equal(bundle->manifest.lineage.target_rules_mismatches,
                     rows - 1);
    bundle_free(bundle);
    test_rmtree(dir);
}

/* A retrain on another population (demo seed 4) takes the first model's
 * letters: of the 24 ways to letter its segments, the one chosen puts
 * the matched centroids closest (in the first model's standardized
 * space), and each letter's shift is recorded. */
static void a_retrain_keeps_the_letters_of_the_reference(void **s)
{
    (void)s;
    char data2[4096], dir[4200];
    struct errbuf err;
    char *sub = test_mkdtemp();
    if (test_demo_dataset(sub, 3000, 4, data2, sizeof data2, &err) < 0)
        fail_msg("%s", err.msg);
    snprintf(dir, sizeof dir, "%s/v0002", work);
    mkdir(dir, 0755);
    struct train_options topt = options_for(data2, params);
    topt.letters_from = bundle_dir;
    struct train_summary sum;
    if (train_bundle(&topt, dir, &sum, &err) < 0)
        fail_msg("%s", err.msg);
    struct bundle *ref, *b;
    assert_int_equal(bundle_load(&ref, bundle_dir, &err), 0);
    assert_int_equal(bundle_load(&b, dir, &err), 0);
    const struct manifest *r = &ref->manifest, *m = &b->manifest;
    assert_string_equal(m->letters_reference, "v0001");
    assert_string_equal(r->letters_reference, "");
    /* each new centroid in the reference's standardized space */
    double z[SEGMENT_COUNT][FEATURE_COUNT];
    for (int g = 0; g < SEGMENT_COUNT; g++)
        for (int f = 0; f < FEATURE_COUNT; f++)
            z[g][f] = (m->segments[g].centroid[f] * m->scaler.scale[f] +
                       m->scaler.mean[f] - r->scaler.mean[f]) /
                      r->scaler.scale[f];
    double d2[SEGMENT_COUNT][SEGMENT_COUNT];
    for (int g = 0; g < SEGMENT_COUNT; g++)
        for (int h = 0; h < SEGMENT_COUNT; h++) {
            d2[g][h] = 0;
            for (int f = 0; f < FEATURE_COUNT; f++) {
                double d = z[g][f] - r->segments[h].centroid[f];
                d2[g][h] += d * d;
            }
        }
    double chosen = 0;
    for (int g = 0; g < SEGMENT_COUNT; g++) {
        chosen += d2[g][g];
        assert_float_equal(m->letters_shift[g], sqrt(d2[g][g]), 1e-9);
    }
    /* no other assignment is closer */
    int p[SEGMENT_COUNT] = {0, 1, 2, 3};
    for (int a = 0; a < 4; a++)
        for (int bb = 0; bb < 4; bb++)
            for (int c = 0; c < 4; c++)
                for (int d = 0; d < 4; d++) {
                    if (a == bb || a == c || a == d || bb == c || bb == d ||
                        c == d)
                        continue;
                    p[0] = a, p[1] = bb, p[2] = c, p[3] = d;
                    double total = 0;
                    for (int g = 0; g < SEGMENT_COUNT; g++)
                        total += d2[g][p[g]];
                    assert_true(total >= chosen);
                }
    /* and on populations this alike, each letter's nearest old centroid
     * is its own */
    for (int g = 0; g < SEGMENT_COUNT; g++)
        for (int h = 0; h < SEGMENT_COUNT; h++)
            assert_true(d2[g][g] <= d2[g][h]);
    /* the manifest says so, and reads back */
    char path[4300];
    snprintf(path, sizeof path, "%s/bundle.json", dir);
    json_t *doc = json_load_file(path, 0, NULL);
    json_t *letters = json_object_get(doc, "letters");
    assert_string_equal(json_string_value(json_object_get(letters, "by")),
                        "match");
    assert_string_equal(
        json_string_value(json_object_get(letters, "reference")), "v0001");
    assert_int_equal(json_array_size(json_object_get(letters, "shift")), 4);
    json_decref(doc);
    /* and the report shows it */
    snprintf(path, sizeof path, "%s/report.md", dir);
    size_t len;
    char *report = file_read_all(path, &len, NULL);
    assert_non_null(report);
    assert_non_null(strstr(report, "Letras emparejadas con las de v0001 "));
    free(report);
    bundle_free(ref);
    bundle_free(b);
    test_rmtree(dir);
    test_rmtree(sub);
    free(sub);
}

/* The report says what it is — which version (none: this bundle was
 * written outside a registry), code version, dataset, scale, surveys —
 * in Spanish throughout, and sums up the model's explanations. */
static void the_report_says_what_it_is(void **s)
{
    (void)s;
    char path[4200];
    snprintf(path, sizeof path, "%s/report.md", bundle_dir);
    size_t len;
    char *md = file_read_all(path, &len, NULL);
    assert_non_null(md);
    static const char *const present[] = {
        "# Informe de entrenamiento: sin registrar\n",
        "| versión | sin registrar |",
        "Sin registrar: este modelo se escribió fuera de un registro de "
        "modelos y no tiene identificador",
        "Versión creada: 2023-11-14T22:13:20Z, con incomescore ",
        "| escala del score | objetivo 0.16 → 300, 0.84 → 850 |",
        "| encuestas | ITAEE 2023 (crecimiento estatal, INEGI); ENIGH ",
        "filas — SHA-256 ",
        "## Contribución de cada variable al score",
        "| variable | puntos (media de \\|SHAP\\|) |",
        "| filas del conjunto de datos (dataset_rows) | ",
        "| fracción para la parada temprana (stopping_fraction) | ",
        "| profundidad máxima (max_depth) | ",
    };
    for (size_t i = 0; i < sizeof present / sizeof present[0]; i++)
        if (!strstr(md, present[i]))
            fail_msg("report.md lacks: %s", present[i]);
    /* no key left in the data team's words alone */
    static const char *const absent[] = {"| dataset_rows |",
                                         "| stopping_fraction |",
                                         "| max_depth |", "| objective |"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (strstr(md, absent[i]))
            fail_msg("report.md still has: %s", absent[i]);
    free(md);
}

/* ---- the comparison with the live model ---------------------------------- */

/* What `report.md` of version id in the registry at reg_dir holds. */
static char *registry_report(const char *reg_dir, const char *id)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/versions/%s/report.md", reg_dir, id);
    size_t len;
    char *md = file_read_all(path, &len, NULL);
    assert_non_null(md);
    return md;
}

static void assert_has(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("report.md lacks: %s", want);
}

/* A bundle's scores for the held-out rows of `rows`, computed here from
 * its forest and rules (the oracle for the report's figures). */
static double *scores_of(const struct bundle *b, const struct train_rows *rows)
{
    double *score = malloc(rows->n * sizeof *score);
    assert_non_null(score);
    for (size_t i = 0; i < rows->n; i++) {
        float x[FEATURE_COUNT];
        for (int f = 0; f < FEATURE_COUNT; f++)
            x[f] = (float)rows->x[i * FEATURE_COUNT + f];
        score[i] = rules_score(b->scorer.rules,
                               forest_predict(b->scorer.forest, x));
    }
    return score;
}

/* A registry's first model has nothing to compare with; the second,
 * trained on a population drawn with another seed while the first is
 * live, is compared with it on its own held-out rows: the figures are
 * those the pipeline's gate measures (gate_measure, the oracle) and the
 * PSI of the two models' scores computed here. */
static void the_report_compares_with_the_live_model(void **s)
{
    (void)s;
    char data2[4096];
    struct errbuf err;
    char *sub = test_mkdtemp(), reg_dir[4200];
    if (test_demo_dataset(sub, 3000, 4, data2, sizeof data2, &err) < 0)
        fail_msg("%s", err.msg);
    snprintf(reg_dir, sizeof reg_dir, "%s/registry", sub);
    struct registry *reg;
    assert_int_equal(registry_create(&reg, reg_dir, &err), 0);
    struct train_options o1 = options_for(dataset, params);
    struct train_options o2 = options_for(data2, params);
    struct train_summary sum;
    char id1[REGISTRY_ID_SIZE], id2[REGISTRY_ID_SIZE];
    if (train_into_registry(reg, &o1, &sum, id1, &err) < 0)
        fail_msg("%s", err.msg);
    if (registry_promote(reg, id1, "test", NULL, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    if (train_into_registry(reg, &o2, &sum, id2, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(id1, "v0001");
    assert_string_equal(id2, "v0002");

    char *first = registry_report(reg_dir, id1);
    assert_has(first, "## Comparación con el modelo vivo\n\nPrimer modelo: "
                      "sin comparación");
    assert_null(strstr(first, "modelo vivo (v"));
    free(first);

    /* the oracle: both models on the new data's held-out rows */
    char live_dir[4300], cand_dir[4300];
    snprintf(live_dir, sizeof live_dir, "%s/versions/v0001", reg_dir);
    snprintf(cand_dir, sizeof cand_dir, "%s/versions/v0002", reg_dir);
    struct gate_inputs gi = {.candidate_dir = cand_dir, .live_dir = live_dir,
                             .new_dataset = data2,
                             .rules_path = test_rules_shipped_path(),
                             .seed = o2.seed,
                             .test_fraction = o2.test_fraction};
    struct gate_figures f;
    if (gate_measure(&gi, &f, &err) < 0)
        fail_msg("%s", err.msg);
    struct train_rows rows;
    assert_int_equal(train_read_rows(&o2, 1, &rows, &err), 0);
    struct bundle *live, *cand;
    assert_int_equal(bundle_load(&live, live_dir, &err), 0);
    assert_int_equal(bundle_load(&cand, cand_dir, &err), 0);
    double *ls = scores_of(live, &rows), *cs = scores_of(cand, &rows);
    double psi, live_mean = 0, cand_mean = 0;
    assert_int_equal(population_stability(ls, rows.n, 1, cs, rows.n, 1,
                                          &psi, &err), 0);
    size_t live_bin[11] = {0}, cand_bin[11] = {0};
    for (size_t i = 0; i < rows.n; i++) {
        live_mean += ls[i] / (double)rows.n;
        cand_mean += cs[i] / (double)rows.n;
        int a = (int)((ls[i] - 300) / 50), c = (int)((cs[i] - 300) / 50);
        live_bin[a > 10 ? 10 : a]++;
        cand_bin[c > 10 ? 10 : c]++;
    }

    char *md = registry_report(reg_dir, id2);
    char want[512];
    snprintf(want, sizeof want, "Modelo vivo al entrenar: v0001. Los dos "
             "modelos se miden sobre las mismas %zu filas de prueba", f.rows);
    assert_has(md, want);
    assert_has(md, "| medida | modelo vivo (v0001) | este modelo | "
                   "diferencia |");
    snprintf(want, sizeof want, "| R² del objetivo | %.4f | %.4f | ",
             f.live.r2, f.candidate.r2);
    assert_has(md, want);
    snprintf(want, sizeof want, "| MAE (puntos de score) | %.2f | %.2f | ",
             f.live.mae_points, f.candidate.mae_points);
    assert_has(md, want);
    snprintf(want, sizeof want, "| R² del score | %.4f | %.4f | ",
             f.live.score_r2, f.candidate.score_r2);
    assert_has(md, want);
    snprintf(want, sizeof want, "| score medio | %.2f | %.2f | ", live_mean,
             cand_mean);
    assert_has(md, want);
    /* the segment match: each new letter, the live letter it took, the
     * shift the manifest records */
    for (int g = 0; g < SEGMENT_COUNT; g++) {
        snprintf(want, sizeof want, "| %c | %c | %.3f | ", segment_letter(g),
                 segment_letter(g), cand->manifest.letters_shift[g]);
        assert_has(md, want);
    }
    snprintf(want, sizeof want, "PSI del score (este modelo frente al vivo, "
             "en deciles de los scores del vivo): %.4f — ", psi);
    assert_has(md, want);
    snprintf(want, sizeof want, "| 600 a menos de 650 | %zu | %zu |",
             live_bin[6], cand_bin[6]);
    assert_has(md, want);
    free(md);
    /* the html has the section and its chart */
    char path[4400];
    size_t len;
    snprintf(path, sizeof path, "%s/report.html", cand_dir);
    char *html = file_read_all(path, &len, NULL);
    assert_non_null(html);
    assert_has(html, "<h2>Comparación con el modelo vivo</h2>");
    assert_has(html, "<figure id=\"comparison\">");
    free(html);

    free(ls);
    free(cs);
    bundle_free(live);
    bundle_free(cand);
    train_rows_free(&rows);
    registry_close(reg);
    test_rmtree(sub);
    free(sub);
}

/* ---- the guards: constructed datasets are refused with their cause ---- */

/* A dataset of the fixture's header and its data rows `first`..`last`
 * (1-based), the whole range written `times` times; its path. */
static const char *dataset_of(const char *name, int first, int last,
                              int times)
{
    static char path[4200];
    size_t len;
    char *text = file_read_all(dataset, &len, NULL);
    assert_non_null(text);
    snprintf(path, sizeof path, "%s/%s", work, name);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    char *header_end = strchr(text, '\n');
    fwrite(text, 1, (size_t)(header_end + 1 - text), out);
    char *from = NULL, *to = NULL, *line = header_end + 1;
    for (int i = 1; *line; i++) {
        char *end = strchr(line, '\n');
        if (i == first)
            from = line;
        if (i == last)
            to = end + 1;
        line = end + 1;
    }
    assert_non_null(from);
    assert_non_null(to);
    for (int t = 0; t < times; t++)
        fwrite(from, 1, (size_t)(to - from), out);
    fclose(out);
    free(text);
    return path;
}

/* Trains `data` with the fixture's parameters plus `extra` (JSON members
 * or ""), expecting a refusal; its message. */
static const char *refusal(const char *data, const char *extra)
{
    static struct errbuf err;
    char params_text[512], dir[4200];
    snprintf(params_text, sizeof params_text,
             "{\"rounds\": 60, \"early_stopping_rounds\": 10, "
             "\"max_depth\": 4, \"eta\": 0.3%s%s}", *extra ? ", " : "",
             extra);
    free(test_write_file(work, "guard_params.json", params_text));
    snprintf(dir, sizeof dir, "%s/refused", work);
    test_rmtree(dir);
    mkdir(dir, 0755);
    char pp[4200];
    snprintf(pp, sizeof pp, "%s/guard_params.json", work);
    struct train_options topt = options_for(data, pp);
    struct train_summary sum;
    if (train_bundle(&topt, dir, &sum, &err) == 0)
        fail_msg("%s trained (held-out R2 %g)", data, sum.r2);
    char manifest[4300];
    snprintf(manifest, sizeof manifest, "%s/bundle.json", dir);
    if (access(manifest, F_OK) == 0)
        fail_msg("a refused training wrote %s", manifest);
    test_rmtree(dir);
    return err.msg;
}

static void too_few_rows_are_refused(void **s)
{
    (void)s;
    const char *data = dataset_of("few.csv", 1, 199, 1);
    char want[9000];
    snprintf(want, sizeof want, "%s: 199 rows; at least 200 are needed to "
             "train (min_rows in %s/guard_params.json)", data, work);
    assert_string_equal(refusal(data, ""), want);
}

/* 500 copies of one applicant: the target does not vary (this trained,
 * before, with a held-out R2 of -1e16 and three empty segments). */
static void identical_rows_are_refused(void **s)
{
    (void)s;
    const char *data = dataset_of("same.csv", 7, 7, 500);
    const char *msg = refusal(data, "");
    char want[9000];
    snprintf(want, sizeof want, "%s: the target does not vary (standard "
             "deviation under 1e-6 over 500 rows, mean ", data);
    if (strncmp(msg, want, strlen(want)) != 0 ||
        !strstr(msg, "): there is nothing to learn; are the rows copies of "
                     "one applicant?"))
        fail_msg("%s", msg);
}

/* Three applicants, a hundred copies each: the target varies, but four
 * segments cannot be found. */
static void an_empty_segment_is_refused(void **s)
{
    (void)s;
    const char *data = dataset_of("three.csv", 1, 3, 100);
    const char *msg = refusal(data, "");
    if (!strstr(msg, " is empty: the training rows do not form 4 groups"))
        fail_msg("%s", msg);
}

static void a_tiny_segment_is_refused(void **s)
{
    (void)s;
    const char *msg = refusal(dataset, "\"min_segment_share\": 0.25");
    if (strncmp(msg, "segment ", 8) != 0 || !strstr(msg, " training rows (") ||
        !strstr(msg, "%), under min_segment_share 0.25 in "))
        fail_msg("%s", msg);
}

static void a_held_out_r2_under_the_floor_is_refused(void **s)
{
    (void)s;
    const char *msg = refusal(dataset, "\"min_holdout_r2\": 1");
    if (strncmp(msg, "held-out R2 0.9", 15) != 0 ||
        !strstr(msg, " is under min_holdout_r2 1 in "))
        fail_msg("%s", msg);
}

/* A copy of the bundle with one file changed by `edit`; returns the
 * bundle_load error message. */
static void assert_refused(const char *file, const char *from, const char *to,
                           const char *expected)
{
    char copy[4200], cmd[16384];
    snprintf(copy, sizeof copy, "%s/broken", work);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", copy,
             bundle_dir, copy);
    assert_int_equal(system(cmd), 0);
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", copy, file);
    if (from) {
        size_t len;
        char *text = file_read_all(path, &len, NULL);
        char *at = strstr(text, from);
        if (!at)
            fail_msg("'%s' not in %s", from, file);
        FILE *f = fopen(path, "w");
        fwrite(text, 1, (size_t)(at - text), f);
        fputs(to, f);
        fputs(at + strlen(from), f);
        fclose(f);
        free(text);
    } else {
        unlink(path);
    }
    struct bundle *b;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, copy, &err), -1);
    assert_null(b);
    if (!strstr(err.msg, expected))
        fail_msg("message: %s\nexpected to contain: %s", err.msg, expected);
}

static void a_bundle_missing_a_file_is_refused(void **s)
{
    (void)s;
    assert_refused("model.json", NULL, NULL, "model.json: No such file");
    assert_refused("bundle.json", NULL, NULL, "bundle.json: unable to open");
}

static void a_changed_model_or_rules_is_refused_by_its_hash(void **s)
{
    (void)s;
    assert_refused("model.json", "\"trees\"", "\"trees\" ",
                   "model.json has changed since training");
    assert_refused("rules.json", "\"divisor\": 12", "\"divisor\": 10",
                   "rules.json has changed since training");
    /* a digit before Aguascalientes' first figure: still a valid table */
    assert_refused("refdata/enigh.csv", "\n01,Aguascalientes,",
                   "\n01,Aguascalientes,1",
                   "refdata/enigh.csv has changed since training");
}

static void a_bundle_for_other_features_is_refused(void **s)
{
    (void)s;
    assert_refused("bundle.json", "\"edad\",", "\"age\",",
                   "feature 6 is 'age', expected 'edad'");
    assert_refused("bundle.json", "\"incomescore-bundle/1\"",
                   "\"incomescore-bundle/2\"",
                   "format is not \"incomescore-bundle/1\"");
}

/* The scoring core, from the eight inputs, agrees with XGBoost's own
 * prediction of the same features to 1e-5 on every held-out-like row. */
static void scoring_core_equals_the_xgboost_reference(void **s)
{
    (void)s;
    struct bundle *b;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, bundle_dir, &err), 0);
    char model_path[4200];
    snprintf(model_path, sizeof model_path, "%s/model.json", bundle_dir);
    size_t model_len;
    char *model = file_read_all(model_path, &model_len, NULL);
    enum { N = 500 };
    static float x[N * FEATURE_COUNT], ref[N];
    static double core[N];
    struct prng p;
    prng_seed(&p, 9);
    for (int i = 0; i < N; i++) {
        struct applicant a = {
            .ingreso = prng_range(&p, 0, 90000) + prng_range(&p, 0, 99) / 100.0,
            .antiguedad_laboral_meses = prng_range(&p, 0, 300),
            .trabajos_ultimos_5 = prng_range(&p, 0, 10),
            .semanas_cotizadas = prng_range(&p, 0, 2500),
            .edad = prng_range(&p, 18, 80),
            .crecimiento_ingreso = prng_range(&p, -100, 400),
            .lugar_actual = prng_range(&p, 0, 31),
        };
        a.tiempo_desempleado = a.antiguedad_laboral_meses ? 0 : prng_range(&p, 0, 60);
        double f[FEATURE_COUNT];
        features_from_applicant(&b->scorer.rd, &a, f);
        for (int k = 0; k < FEATURE_COUNT; k++)
            x[i * FEATURE_COUNT + k] = (float)f[k];
        struct score sc;
        score_applicant(&b->scorer, &a, &sc);
        core[i] = sc.predicted_target;
        assert_true(sc.scoring >= 300 && sc.scoring <= 850);
        assert_int_equal(sc.scoring, sc.scoring); /* finite */
    }
    assert_int_equal(model_predict_xgboost(model, model_len, x, N, FEATURE_COUNT,
                                           ref, &err), 0);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double d = core[i] - ref[i];
        if (d < 0)
            d = -d;
        if (d > worst)
            worst = d;
    }
    if (worst > 1e-5)
        fail_msg("scoring core differs from XGBoost by %g", worst);
    free(model);
    bundle_free(b);
}

static void the_response_carries_the_contract_fields_first(void **s)
{
    (void)s;
    struct bundle *b;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, bundle_dir, &err), 0);
    struct score sc = {.scoring = 678.17, .cluster = 'A', .segment = 0,
                       .band = 3, .reason_count = 2,
                       .reasons = {F_INGRESO, F_EDAD}};
    char buf[2048];
    int n = score_format_json(&b->scorer, &sc, buf, sizeof buf);
    assert_string_equal(buf,
        "{\"scoring\": 678.17, \"cluster\": \"A\", \"model_version\": "
        "\"v0001\", \"band\": \"bueno\", \"reasons\": [{\"code\": "
        "\"INGRESO_BAJO\", \"text\": \"Ingreso mensual menor a 70,000 pesos\"}, "
        "{\"code\": \"EDAD\", \"text\": \"Edad fuera del rango de mayor "
        "puntuación (28 a 43 años)\"}]}");
    assert_int_equal(n, (int)strlen(buf));
    char small[16];
    assert_int_equal(score_format_json(&b->scorer, &sc, small, sizeof small),
                     n);
    assert_int_equal(strlen(small), sizeof small - 1);
    json_error_t jerr;
    json_t *j = json_loads(buf, 0, &jerr);
    assert_non_null(j);
    json_decref(j);
    bundle_free(b);
}

static void the_segment_is_the_nearest_centroid(void **s)
{
    (void)s;
    struct bundle *b;
    struct errbuf err;
    assert_int_equal(bundle_load(&b, bundle_dir, &err), 0);
    struct applicant a = {.ingreso = 45000, .antiguedad_laboral_meses = 50,
                          .trabajos_ultimos_5 = 1, .semanas_cotizadas = 1000,
                          .edad = 32, .crecimiento_ingreso = 265.38,
                          .lugar_actual = 18};
    struct score sc;
    score_applicant(&b->scorer, &a, &sc);
    double f[FEATURE_COUNT], z[FEATURE_COUNT];
    features_from_applicant(&b->scorer.rd, &a, f);
    scaler_apply(&b->scorer.scaler, f, z);
    int best = 0;
    double best_d = 1e300;
    for (int k = 0; k < SEGMENT_COUNT; k++) {
        double d = 0;
        for (int j = 0; j < FEATURE_COUNT; j++) {
            double e = z[j] - b->scorer.centroids[k * FEATURE_COUNT + j];
            d += e * e;
        }
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    assert_int_equal(sc.segment, best);
    assert_int_equal(sc.cluster, 'A' + best);
    bundle_free(b);
}

int suite_train(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(train_writes_a_complete_bundle_that_loads),
        cmocka_unit_test(same_data_and_seed_give_the_same_bundle_byte_for_byte),
        cmocka_unit_test(segment_letters_follow_mean_target),
        cmocka_unit_test(segment_sizes_stand_beside_their_own_centroids),
        cmocka_unit_test(the_target_follows_the_rules_not_the_column),
        cmocka_unit_test(the_report_says_what_it_is),
        cmocka_unit_test(the_report_compares_with_the_live_model),
        cmocka_unit_test(a_retrain_keeps_the_letters_of_the_reference),
        cmocka_unit_test(too_few_rows_are_refused),
        cmocka_unit_test(identical_rows_are_refused),
        cmocka_unit_test(an_empty_segment_is_refused),
        cmocka_unit_test(a_tiny_segment_is_refused),
        cmocka_unit_test(a_held_out_r2_under_the_floor_is_refused),
        cmocka_unit_test(a_bundle_missing_a_file_is_refused),
        cmocka_unit_test(a_changed_model_or_rules_is_refused_by_its_hash),
        cmocka_unit_test(a_bundle_for_other_features_is_refused),
        cmocka_unit_test(scoring_core_equals_the_xgboost_reference),
        cmocka_unit_test(the_response_carries_the_contract_fields_first),
        cmocka_unit_test(the_segment_is_the_nearest_centroid),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("train", tests, setup, teardown);
}
