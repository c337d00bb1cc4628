/*
 * scoring.c — the scoring core (see scoring.h). On the request path of the
 * API: no allocation, no locks, nothing but arithmetic on the bundle.
 */
#include "scoring.h"

#include <stdio.h>
#include <string.h>

#include "numeric.h"

void score_applicant(const struct bundle *b, const struct applicant *a,
                     struct score *out)
{
    double x[VARIABLE_COUNT];
    features_from_applicant(&b->rd, a, x);

    float xf[FEATURE_COUNT];
    for (int f = 0; f < FEATURE_COUNT; f++)
        xf[f] = (float)x[f];
    out->predicted_target = forest_predict(b->forest, xf);
    out->scoring = rules_score(b->rules, out->predicted_target);

    double z[FEATURE_COUNT];
    scaler_apply(&b->scaler, x, z);
    out->segment = nearest_centroid(b->centroids, SEGMENT_COUNT, FEATURE_COUNT,
                                    z);
    out->cluster = segment_letter(out->segment);
    out->band = rules_band_of(b->rules, out->scoring);

    /* The API does not know whether the applicant is a retiree; the
     * reasons are per-variable gaps, which jubilado does not change. */
    x[V_JUBILADO] = 0;
    struct rules_result res;
    rules_evaluate(b->rules, x, &res);
    out->reason_count = rules_reasons(b->rules, &res, out->reasons,
                                      SCORE_REASONS);
}

/* Appends s as a JSON string. */
static size_t put_string(char *buf, size_t size, size_t n, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (n < size)
        buf[n] = '"';
    n++;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[7];
        size_t k = 0;
        if (c == '"' || c == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)c;
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        } else {
            esc[k++] = (char)c;
        }
        for (size_t i = 0; i < k; i++, n++)
            if (n < size)
                buf[n] = esc[i];
    }
    if (n < size)
        buf[n] = '"';
    return n + 1;
}

static size_t put_text(char *buf, size_t size, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (n < size)
        memcpy(buf + n, s, n + len < size ? len : size - n);
    return n + len;
}

int score_format_json(const struct bundle *b, const struct score *s,
                      char *buf, size_t size)
{
    char num[48];
    size_t n = 0;
    snprintf(num, sizeof num, "{\"scoring\": %.2f, \"cluster\": \"%c\", ",
             s->scoring, s->cluster);
    n = put_text(buf, size, n, num);
    n = put_text(buf, size, n, "\"model_version\": ");
    n = put_string(buf, size, n, b->id);
    n = put_text(buf, size, n, ", \"band\": ");
    if (s->band >= 0) {
        double from, to;
        const char *label, *color;
        rules_band(b->rules, s->band, &from, &to, &label, &color);
        n = put_string(buf, size, n, label);
    } else {
        n = put_text(buf, size, n, "null");
    }
    n = put_text(buf, size, n, ", \"reasons\": [");
    for (int i = 0; i < s->reason_count; i++) {
        n = put_text(buf, size, n, i ? ", {\"code\": " : "{\"code\": ");
        n = put_string(buf, size, n, rules_reason_code(b->rules, s->reasons[i]));
        n = put_text(buf, size, n, ", \"text\": ");
        n = put_string(buf, size, n, rules_reason_text(b->rules, s->reasons[i]));
        n = put_text(buf, size, n, "}");
    }
    n = put_text(buf, size, n, "]}");
    if (size > 0)
        buf[n < size ? n : size - 1] = '\0';
    return (int)n;
}
