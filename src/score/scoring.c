/*
 * scoring.c — the scoring core (see scoring.h). On the request path of the
 * API: no allocation, no locks, nothing but arithmetic on the scorer.
 */
#include "score/scoring.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numeric.h"
#include "base/text.h"

void score_applicant(const struct scorer *s, const struct applicant *a,
                     struct score *out)
{
    double x[VARIABLE_COUNT];
    features_from_applicant(&s->rd, a, x);

    float xf[FEATURE_COUNT];
    for (int f = 0; f < FEATURE_COUNT; f++)
        xf[f] = (float)x[f];
    out->predicted_target = forest_predict(s->forest, xf);
    out->scoring = rules_score(s->rules, out->predicted_target);

    double z[FEATURE_COUNT];
    scaler_apply(&s->scaler, x, z);
    out->segment = nearest_centroid(s->centroids, SEGMENT_COUNT, FEATURE_COUNT,
                                    z);
    out->cluster = segment_letter(out->segment);
    out->band = rules_band_of(s->rules, out->scoring);

    /* The API does not know whether the applicant is a retiree; the
     * reasons are per-variable gaps, which jubilado does not change. */
    x[V_JUBILADO] = 0;
    struct rules_result res;
    rules_evaluate(s->rules, x, &res);
    out->reason_count = rules_reasons(s->rules, &res, out->reasons,
                                      SCORE_REASONS);
}

/* Appends s as a JSON string at buf + n, as much as fits below size;
 * returns n plus the literal's whole length. Control characters become
 * \u00xx and every other byte is copied as it is (text.h's table). */
static size_t put_string(char *buf, size_t size, size_t n, const char *s)
{
    return n + json_quote(n < size ? buf + n : NULL, n < size ? size - n : 0,
                          s, strlen(s), 0);
}

static size_t put_text(char *buf, size_t size, size_t n, const char *s,
                       size_t len)
{
    if (n < size)
        memcpy(buf + n, s, n + len <= size ? len : size - n);
    return n + len;
}

#define PIECE_MAX 512

struct piece {
    char text[PIECE_MAX];
    size_t len;
};

struct response_pieces {
    /* , "cluster": "A", "model_version": "v0003", "band": */
    struct piece middle[SEGMENT_COUNT];
    /* "bueno" per band; null when the rules have no bands */
    struct piece band[RULES_MAX_BANDS];
    struct piece no_band;
    /* {"code": "INGRESO_BAJO", "text": "..."} per variable */
    struct piece reason[VARIABLE_COUNT];
};

static int piece_string(struct piece *p, const char *before, const char *s,
                        const char *after)
{
    size_t n = put_text(p->text, PIECE_MAX, 0, before, strlen(before));
    n = put_string(p->text, PIECE_MAX, n, s);
    n = put_text(p->text, PIECE_MAX, n, after, strlen(after));
    p->len = n;
    return n < PIECE_MAX ? 0 : -1;
}

static int pieces_build(struct scorer *s, struct errbuf *err)
{
    struct response_pieces *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(err, "out of memory");
    s->pieces = p;
    for (int k = 0; k < SEGMENT_COUNT; k++) {
        char before[64];
        snprintf(before, sizeof before, ", \"cluster\": \"%c\", "
                 "\"model_version\": ", segment_letter(k));
        if (piece_string(&p->middle[k], before, s->version,
                         ", \"band\": ") < 0)
            return err_set(err, "the model's id is too long");
    }
    for (int i = 0; i < rules_band_count(s->rules); i++) {
        double from, to;
        const char *label, *color;
        rules_band(s->rules, i, &from, &to, &label, &color);
        if (piece_string(&p->band[i], "", label, "") < 0)
            return err_set(err, "band %d's label is too long", i + 1);
    }
    memcpy(p->no_band.text, "null", 4);
    p->no_band.len = 4;
    for (int v = 0; v < VARIABLE_COUNT; v++) {
        struct piece code;
        if (piece_string(&code, "{\"code\": ", rules_reason_code(s->rules, v),
                         ", \"text\": ") < 0 ||
            code.len + 2 * strlen(rules_reason_text(s->rules, v)) + 8 >= PIECE_MAX)
            return err_set(err, "the reason of %s is too long",
                           variable_names[v]);
        memcpy(p->reason[v].text, code.text, code.len);
        size_t n = put_string(p->reason[v].text, PIECE_MAX, code.len,
                              rules_reason_text(s->rules, v));
        p->reason[v].text[n++] = '}';
        p->reason[v].len = n;
    }
    return 0;
}

int scorer_build(struct scorer *s, const char *version, struct refdata *rd,
                 struct rules *rules, struct forest *forest,
                 const struct scaler *scaler, const double *centroids,
                 struct errbuf *err)
{
    memset(s, 0, sizeof *s);
    s->rd = *rd;
    memset(rd, 0, sizeof *rd);
    s->rules = rules;
    s->forest = forest;
    s->scaler = *scaler;
    memcpy(s->centroids, centroids, sizeof s->centroids);
    if (strlen(version) >= sizeof s->version)
        return err_set(err, "the model's id is too long");
    memcpy(s->version, version, strlen(version) + 1);
    return pieces_build(s, err);
}

void scorer_free(struct scorer *s)
{
    if (!s)
        return;
    refdata_free(&s->rd);
    rules_free(s->rules);
    forest_free(s->forest);
    free(s->pieces);
    memset(s, 0, sizeof *s);
}

/* A score of 300–850 with 2 decimals as text, without printf's float
 * path (the largest cost of formatting a response otherwise). */
static size_t format_cents(char *out, double value)
{
    long long cents = llround(value * 100.0);
    char tmp[32];
    size_t n = 0;
    bool negative = cents < 0;
    unsigned long long c = negative ? (unsigned long long)-cents
                                    : (unsigned long long)cents;
    tmp[n++] = (char)('0' + c % 10);
    c /= 10;
    tmp[n++] = (char)('0' + c % 10);
    c /= 10;
    tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + c % 10);
        c /= 10;
    } while (c);
    if (negative)
        tmp[n++] = '-';
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

int score_format_json(const struct scorer *s, const struct score *sc,
                      char *buf, size_t size)
{
    const struct response_pieces *p = s->pieces;
    char num[32];
    size_t n = put_text(buf, size, 0, "{\"scoring\": ", 12);
    n = put_text(buf, size, n, num, format_cents(num, sc->scoring));
    const struct piece *mid = &p->middle[sc->segment];
    n = put_text(buf, size, n, mid->text, mid->len);
    const struct piece *band = sc->band >= 0 ? &p->band[sc->band] : &p->no_band;
    n = put_text(buf, size, n, band->text, band->len);
    n = put_text(buf, size, n, ", \"reasons\": [", 14);
    for (int i = 0; i < sc->reason_count; i++) {
        if (i)
            n = put_text(buf, size, n, ", ", 2);
        const struct piece *r = &p->reason[sc->reasons[i]];
        n = put_text(buf, size, n, r->text, r->len);
    }
    n = put_text(buf, size, n, "]}", 2);
    if (size > 0)
        buf[n < size ? n : size - 1] = '\0';
    return (int)n;
}

int explain_features(const struct forest *f, const struct rules *r,
                     const float x[FEATURE_COUNT], struct explanation *out)
{
    double phi[FEATURE_COUNT + 1];
    if (forest_explain(f, x, phi) < 0)
        return -1;
    /* The score is linear in the target before clamping: a point of
     * target is `per` points of score. */
    double lo, hi;
    rules_scale(r, &lo, &hi);
    double per = (SCORE_MAX - SCORE_MIN) / (hi - lo);
    out->base = SCORE_MIN + (phi[FEATURE_COUNT] - lo) * per;
    for (int i = 0; i < FEATURE_COUNT; i++)
        out->points[i] = phi[i] * per;
    return 0;
}

int score_explain(const struct scorer *s, const struct applicant *a,
                  struct explanation *out)
{
    double x[VARIABLE_COUNT];
    features_from_applicant(&s->rd, a, x);
    float xf[FEATURE_COUNT];
    for (int f = 0; f < FEATURE_COUNT; f++)
        xf[f] = (float)x[f];
    return explain_features(s->forest, s->rules, xf, out);
}

int score_format_explained(const struct scorer *s, const struct applicant *a,
                           const struct score *sc, char *buf, size_t size)
{
    size_t n = (size_t)score_format_json(s, sc, buf, size);
    n--; /* the object's closing brace: the explanation goes before it */
    struct explanation e;
    char num[32];
    if (score_explain(s, a, &e) < 0) {
        static const char none[] = ", \"explanation\": null}";
        n = put_text(buf, size, n, none, sizeof none - 1);
    } else {
        static const char head[] = ", \"explanation\": {\"base\": ";
        n = put_text(buf, size, n, head, sizeof head - 1);
        n = put_text(buf, size, n, num, format_cents(num, e.base));
        static const char features[] = ", \"features\": {";
        n = put_text(buf, size, n, features, sizeof features - 1);
        for (int f = 0; f < FEATURE_COUNT; f++) {
            if (f)
                n = put_text(buf, size, n, ", ", 2);
            n = put_string(buf, size, n, variable_names[f]);
            n = put_text(buf, size, n, ": ", 2);
            n = put_text(buf, size, n, num, format_cents(num, e.points[f]));
        }
        n = put_text(buf, size, n, "}}}", 3);
    }
    if (size > 0)
        buf[n < size ? n : size - 1] = '\0';
    return (int)n;
}
