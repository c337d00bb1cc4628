/*
 * calibrate.c — the score scale from a dataset's targets, and the rules
 * file rewritten in place with it (see calibrate.h).
 */
#include "train/calibrate.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/numeric.h"
#include "base/text.h"
#include "train/rules_csv.h"

const double calibration_percentiles[CALIBRATION_PERCENTILES] = {
    0.01, 0.10, 0.50, 0.90, 0.99,
};

void calibration_defaults(struct calibration_options *o)
{
    o->bounds = CALIBRATION_QUANTILE;
    o->quantile = CALIBRATION_DEFAULT_QUANTILE;
    o->min_rows = CALIBRATION_DEFAULT_MIN_ROWS;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank q-quantile of n sorted values: always one of them
 * (targets have two decimals; a scale bound between two would only
 * print worse). */
static double quantile_of(const double *sorted, size_t n, double q)
{
    size_t i = (size_t)floor(q * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* The sorted targets' scores under r's scale. Scores are monotone in
 * the target, so the percentiles of the scores are the scores of the
 * targets' percentiles. */
static void spread_of(const struct rules *r, const double *sorted, size_t n,
                      struct score_spread *s)
{
    memset(s, 0, sizeof *s);
    int bands = rules_band_count(r);
    for (size_t i = 0; i < n; i++) {
        double score = rules_score(r, sorted[i]);
        int b = rules_band_of(r, score);
        s->band_rows[b >= 0 && b < bands ? b : bands]++;
        s->clamped_low += score <= 300.0;
        s->clamped_high += score >= 850.0;
    }
    for (int p = 0; p < CALIBRATION_PERCENTILES; p++)
        s->percentile[p] = rules_score(
            r, quantile_of(sorted, n, calibration_percentiles[p]));
}

int rules_calibrate(struct rules *r, const char *dataset_path,
                    const struct calibration_options *o, FILE *diag,
                    struct calibration *cal, struct errbuf *err)
{
    if (o->min_rows < 2 || !(o->quantile >= 0 && o->quantile < 0.5))
        return err_set(err, "calibration: at least 2 rows and a quantile "
                            "in [0, 0.5) are needed");
    FILE *in = fopen(dataset_path, "r");
    if (!in)
        return err_set(err, "%s: cannot open", dataset_path);
    struct rows_count n;
    double *t;
    int rc = rules_targets(r, in, diag, &t, &n, err);
    fclose(in);
    if (rc < 0)
        return -1;
    if (n.bad)
        rc = err_set(err, "%s: %ld bad rows (listed above); fix them "
                          "first", dataset_path, n.bad);
    else if (n.good < o->min_rows)
        rc = err_set(err, "%s: %ld rows; at least %ld are needed for a "
                          "scale (--min-rows)", dataset_path, n.good,
                     o->min_rows);
    if (rc < 0) {
        free(t);
        return -1;
    }
    size_t count = (size_t)n.good;
    qsort(t, count, sizeof *t, by_value);
    double q = o->bounds == CALIBRATION_MINMAX ? 0 : o->quantile;
    double lo = quantile_of(t, count, q), hi = quantile_of(t, count, 1 - q);
    if (!(lo < hi)) {
        bool one_target = t[0] == t[count - 1];
        free(t);
        if (one_target)
            return err_set(err, "%s: every row has target %.2f; a scale "
                                "needs a spread", dataset_path, lo);
        return err_set(err, "%s: the %g and %g quantiles are both %.2f; a "
                            "scale needs a spread (a smaller --quantile, or "
                            "--bounds minmax)", dataset_path, q, 1 - q, lo);
    }
    char note[512], day[32], bounds[96];
    time_t now = time(NULL);
    strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
    if (o->bounds == CALIBRATION_MINMAX)
        snprintf(bounds, sizeof bounds, "targets %.2f..%.2f", lo, hi);
    else
        snprintf(bounds, sizeof bounds, "%g and %g quantiles %.2f..%.2f", q,
                 1 - q, lo, hi);
    snprintf(note, sizeof note, "from %s (%ld rows, %s) on %s", dataset_path,
             n.good, bounds, day);

    memset(cal, 0, sizeof *cal);
    rules_scale(r, &cal->before_300, &cal->before_850);
    spread_of(r, t, count, &cal->before);
    if (rules_set_scale(r, lo, hi, note, err) < 0) {
        free(t);
        return -1;
    }
    spread_of(r, t, count, &cal->after);
    cal->target_at_300 = lo;
    cal->target_at_850 = hi;
    cal->rows = n.good;
    free(t);
    return 0;
}

/* ---- the file rewritten in place ----------------------------------------- */

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Just past the JSON value that starts at p, or NULL. */
static const char *value_end(const char *p, const char *end)
{
    if (p >= end)
        return NULL;
    if (*p == '"') {
        for (p++; p < end; p++) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                return p + 1;
        }
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < end) {
            if (*p == '"') {
                p = value_end(p, end);
                if (!p)
                    return NULL;
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
            p++;
        }
        return NULL;
    }
    while (p < end && !strchr(",}] \t\r\n", *p))
        p++;
    return p;
}

/* The value of member `key` of the object starting at obj: [*from,
 * *to). -1 when the object has no such member (or is not one). */
static int member_value(const char *obj, const char *end, const char *key,
                        const char **from, const char **to)
{
    if (obj >= end || *obj != '{')
        return -1;
    size_t klen = strlen(key);
    const char *p = skip_space(obj + 1, end);
    while (p < end && *p == '"') {
        const char *name_end = value_end(p, end);
        if (!name_end)
            return -1;
        bool match = (size_t)(name_end - p - 2) == klen &&
                     memcmp(p + 1, key, klen) == 0;
        p = skip_space(name_end, end);
        if (p >= end || *p != ':')
            return -1;
        p = skip_space(p + 1, end);
        const char *v_end = value_end(p, end);
        if (!v_end)
            return -1;
        if (match) {
            *from = p;
            *to = v_end;
            return 0;
        }
        p = skip_space(v_end, end);
        if (p < end && *p == ',')
            p = skip_space(p + 1, end);
    }
    return -1;
}

struct edit {
    const char *from, *to;
    char text[1024];
};

static int by_position(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

/* Whether `edited` parses to `original` with r's scale set in it. */
static bool same_document(const char *original, size_t len,
                          const char *edited, size_t edited_len,
                          const struct rules *r)
{
    json_t *want = json_loadb(original, len, 0, NULL);
    json_t *got = json_loadb(edited, edited_len, 0, NULL);
    json_t *scale = json_object_get(want, "scale");
    double lo, hi;
    rules_scale(r, &lo, &hi);
    bool same = false;
    if (got && json_is_object(scale)) {
        json_object_set_new(scale, "target_at_300", json_real(lo));
        json_object_set_new(scale, "target_at_850", json_real(hi));
        if (json_object_get(scale, "calibration") && rules_scale_note(r))
            json_object_set_new(scale, "calibration",
                                json_string(rules_scale_note(r)));
        same = json_equal(want, got);
    }
    json_decref(want);
    json_decref(got);
    return same;
}

int rules_text_rescaled(const char *text, size_t len, const struct rules *r,
                        char **out, size_t *out_len, struct errbuf *err)
{
    const char *end = text + len;
    const char *top = skip_space(text, end);
    const char *scale, *scale_end;
    struct edit e[3];
    int edits = 0;
    double lo, hi;
    rules_scale(r, &lo, &hi);
    if (member_value(top, end, "scale", &scale, &scale_end) < 0 ||
        member_value(scale, scale_end, "target_at_300", &e[0].from,
                     &e[0].to) < 0 ||
        member_value(scale, scale_end, "target_at_850", &e[1].from,
                     &e[1].to) < 0)
        return err_set(err, "the rules file's scale cannot be found to be "
                            "rewritten in place");
    format_double(e[0].text, sizeof e[0].text, lo);
    format_double(e[1].text, sizeof e[1].text, hi);
    edits = 2;
    const char *note = rules_scale_note(r);
    if (note && member_value(scale, scale_end, "calibration", &e[2].from,
                             &e[2].to) == 0) {
        size_t need = json_quote(e[2].text, sizeof e[2].text, note,
                                 strlen(note), JSON_QUOTE_SHORT_ESCAPES);
        if (need >= sizeof e[2].text)
            return err_set(err, "the calibration note is too long");
        e[2].text[need] = '\0';
        edits = 3;
    }
    qsort(e, (size_t)edits, sizeof e[0], by_position);
    struct text t = {0};
    const char *at = text;
    for (int i = 0; i < edits; i++) {
        text_put(&t, at, (size_t)(e[i].from - at));
        text_puts(&t, e[i].text);
        at = e[i].to;
    }
    text_put(&t, at, (size_t)(end - at));
    if (t.failed) {
        free(t.p);
        return err_set(err, "out of memory");
    }
    if (!same_document(text, len, t.p, t.len, r)) {
        free(t.p);
        return err_set(err, "the rules file's scale could not be rewritten "
                            "in place (its text and its document differ)");
    }
    *out = t.p;
    *out_len = t.len;
    return 0;
}
