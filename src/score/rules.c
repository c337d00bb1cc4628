/*
 * rules.c — parsing, validating and evaluating a rules file (see rules.h).
 *
 * Parsing resolves every name to a variable index and every match to an
 * interval once, so evaluating a row is a few comparisons per variable with
 * no lookups and no allocation: `rules apply` runs it a million times.
 */
#include "score/rules.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/numeric.h"

#define RULES_FORMAT "incomescore-rules/1"
#define MILLION 1000000LL

struct interval {
    double lo, hi;         /* -INFINITY / INFINITY for no bound */
    bool lo_open, hi_open;
};

struct rule_bin {
    struct interval match;
    long long points;
};

struct rule_variable {
    bool scored;
    long long default_points;
    long long max_points;  /* the most any bin or the default gives */
    int bin_count;
    struct rule_bin bins[RULES_MAX_BINS];
    char reason_code[32];
    char reason_text[160];
};

struct rule_band {
    double from;
    char label[32];
    char color[16];
};

struct rule_condition {
    int variable;
    struct interval match;
};

struct rule_adjustment {
    char name[64];
    int condition_count;
    struct rule_condition conditions[RULES_MAX_CONDITIONS];
    long long points;
};

struct rules {
    struct rule_variable vars[VARIABLE_COUNT];
    bool named[VARIABLE_COUNT]; /* scored or in an adjustment's condition */
    int adjustment_count;
    struct rule_adjustment adjustments[RULES_MAX_ADJUSTMENTS];
    long long divisor;
    double target_at_300, target_at_850;
    int band_count;
    struct rule_band bands[RULES_MAX_BANDS];
    json_t *doc; /* kept so calibrate can rewrite the file it came from */
};

static bool interval_holds(const struct interval *m, double x)
{
    if (m->lo_open ? !(x > m->lo) : !(x >= m->lo))
        return false;
    return m->hi_open ? x < m->hi : x <= m->hi;
}

/* ---- parsing ---------------------------------------------------------- */

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Reads one bound: a decimal number, or inf / +inf / -inf. */
static const char *parse_bound(const char *s, double *out)
{
    s = skip_blanks(s);
    const char *p = s;
    int sign = 1;
    if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (strncmp(p, "inf", 3) == 0) {
        *out = sign * INFINITY;
        return p + 3;
    }
    char buf[64];
    size_t n = strcspn(s, ",])");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof buf)
        return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (parse_double(buf, out) < 0)
        return NULL;
    return s + n;
}

static int parse_interval(const char *text, struct interval *m,
                          struct errbuf *err)
{
    const char *s = skip_blanks(text);
    if (*s != '[' && *s != '(')
        return err_set(err, "match \"%s\" must start with '[' or '('", text);
    m->lo_open = *s == '(';
    s = parse_bound(s + 1, &m->lo);
    if (!s)
        return err_set(err, "match \"%s\": lower bound is not a number", text);
    s = skip_blanks(s);
    if (*s != ',')
        return err_set(err, "match \"%s\" lacks the ',' between its bounds",
                       text);
    s = parse_bound(s + 1, &m->hi);
    if (!s)
        return err_set(err, "match \"%s\": upper bound is not a number", text);
    s = skip_blanks(s);
    if (*s != ']' && *s != ')')
        return err_set(err, "match \"%s\" lacks a closing ']' or ')'", text);
    m->hi_open = *s == ')';
    if (*skip_blanks(s + 1))
        return err_set(err, "match \"%s\" has text after its closing bracket",
                       text);
    if (m->lo == INFINITY || m->hi == -INFINITY)
        return err_set(err, "match \"%s\": bounds are the wrong way round",
                       text);
    if ((isinf(m->lo) && !m->lo_open) || (isinf(m->hi) && !m->hi_open))
        return err_set(err, "match \"%s\": an infinite bound must be open",
                       text);
    if (m->lo > m->hi)
        return err_set(err, "match \"%s\": lower bound above upper bound",
                       text);
    if (m->lo == m->hi && (m->lo_open || m->hi_open))
        return err_set(err, "match \"%s\" can never hold", text);
    return 0;
}

/* A match is a number (equality) or an interval string. */
static int parse_match(json_t *j, struct interval *m, struct errbuf *err)
{
    if (json_is_number(j)) {
        double v = json_number_value(j);
        if (!isfinite(v))
            return err_set(err, "match is not a finite number");
        m->lo = m->hi = v;
        m->lo_open = m->hi_open = false;
        return 0;
    }
    if (json_is_string(j))
        return parse_interval(json_string_value(j), m, err);
    return err_set(err, "match must be a number or an interval string "
                        "such as \"[25000, 35000)\"");
}

static int parse_points(json_t *j, const char *what, long long *out,
                        struct errbuf *err)
{
    if (!json_is_number(j))
        return err_set(err, "%s must be a number", what);
    double p = json_number_value(j);
    if (!isfinite(p) || fabs(p) > RULES_MAX_POINTS)
        return err_set(err, "%s %g is outside -%g..%g", what, p,
                       RULES_MAX_POINTS, RULES_MAX_POINTS);
    double micro = p * (double)MILLION;
    long long rounded = llround(micro);
    if (fabs(micro - (double)rounded) > 1e-3)
        return err_set(err, "%s %.17g has more than 6 decimals", what, p);
    *out = rounded;
    return 0;
}

/* Refuses any key of `obj` not in the NULL-terminated `allowed` list, so a
 * misspelt "pionts" is an error rather than a silently ignored field. */
static int only_keys(json_t *obj, const char *const *allowed,
                     struct errbuf *err)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(key, *a) == 0;
        if (!ok)
            return err_set(err, "unknown key '%s'", key);
    }
    return 0;
}

/* Why a variable costs points, in words an analyst or applicant reads:
 * {"code": "INGRESO_BAJO", "text": "Ingreso mensual bajo"}. Without one,
 * the variable's name stands in. */
static int parse_reason(struct rule_variable *rv, const char *name,
                        json_t *reason, struct errbuf *err)
{
    static const char *const keys[] = {"code", "text", NULL};
    snprintf(rv->reason_code, sizeof rv->reason_code, "%s", name);
    snprintf(rv->reason_text, sizeof rv->reason_text, "%s", name);
    if (!reason)
        return 0;
    json_t *code = json_object_get(reason, "code");
    json_t *text = json_object_get(reason, "text");
    if (!json_is_object(reason) || only_keys(reason, keys, err) < 0 ||
        !json_is_string(code) || !json_is_string(text))
        return err_set(err, "\"reason\" must be {\"code\": text, \"text\": "
                            "text}");
    if (json_string_length(code) >= sizeof rv->reason_code ||
        json_string_length(text) >= sizeof rv->reason_text)
        return err_set(err, "reason code (max %zu) or text (max %zu bytes) "
                            "is too long",
                       sizeof rv->reason_code - 1, sizeof rv->reason_text - 1);
    snprintf(rv->reason_code, sizeof rv->reason_code, "%s",
             json_string_value(code));
    snprintf(rv->reason_text, sizeof rv->reason_text, "%s",
             json_string_value(text));
    return 0;
}

static int parse_variable(struct rules *r, int v, json_t *spec,
                          struct errbuf *err)
{
    static const char *const keys[] = {"default", "bins", "description",
                                       "reason", NULL};
    struct rule_variable *rv = &r->vars[v];
    if (!json_is_object(spec))
        return err_set(err, "must be an object with \"bins\"");
    if (only_keys(spec, keys, err) < 0)
        return -1;
    json_t *def = json_object_get(spec, "default");
    rv->default_points = 0;
    if (def && parse_points(def, "default", &rv->default_points, err) < 0)
        return -1;
    json_t *bins = json_object_get(spec, "bins");
    if (!json_is_array(bins) || json_array_size(bins) == 0)
        return err_set(err, "\"bins\" must be a non-empty array");
    if (json_array_size(bins) > RULES_MAX_BINS)
        return err_set(err, "%zu bins, at most %d", json_array_size(bins),
                       RULES_MAX_BINS);
    static const char *const bin_keys[] = {"match", "points", NULL};
    size_t i;
    json_t *bin;
    json_array_foreach(bins, i, bin) {
        struct rule_bin *b = &rv->bins[i];
        if (!json_is_object(bin))
            return err_set(err, "bin %zu must be an object", i + 1);
        json_t *match = json_object_get(bin, "match");
        json_t *points = json_object_get(bin, "points");
        if (only_keys(bin, bin_keys, err) < 0 ||
            (!match && err_set(err, "no \"match\"")) ||
            (!points && err_set(err, "no \"points\"")) ||
            parse_match(match, &b->match, err) < 0 ||
            parse_points(points, "points", &b->points, err) < 0)
            return err_prefix(err, "bin %zu", i + 1);
    }
    rv->bin_count = (int)json_array_size(bins);
    rv->max_points = rv->default_points;
    for (int b = 0; b < rv->bin_count; b++)
        if (rv->bins[b].points > rv->max_points)
            rv->max_points = rv->bins[b].points;
    rv->scored = true;
    r->named[v] = true;
    return parse_reason(rv, variable_names[v], json_object_get(spec, "reason"),
                        err);
}

static int parse_adjustment(struct rules *r, size_t i, json_t *spec,
                            struct errbuf *err)
{
    static const char *const keys[] = {"name", "when", "points",
                                       "description", NULL};
    struct rule_adjustment *a = &r->adjustments[i];
    if (!json_is_object(spec))
        return err_set(err, "must be an object");
    if (only_keys(spec, keys, err) < 0)
        return -1;
    json_t *name = json_object_get(spec, "name");
    if (!json_is_string(name) || !*json_string_value(name))
        return err_set(err, "needs a \"name\"");
    snprintf(a->name, sizeof a->name, "%s", json_string_value(name));
    json_t *when = json_object_get(spec, "when");
    if (!json_is_object(when) || json_object_size(when) == 0)
        return err_set(err, "\"when\" must be a non-empty object of "
                            "variable: match");
    if (json_object_size(when) > RULES_MAX_CONDITIONS)
        return err_set(err, "more than %d conditions", RULES_MAX_CONDITIONS);
    const char *var;
    json_t *match;
    json_object_foreach(when, var, match) {
        struct rule_condition *c = &a->conditions[a->condition_count];
        c->variable = variable_by_name(var);
        if (c->variable < 0)
            return err_set(err, "condition on unknown variable '%s'", var);
        if (parse_match(match, &c->match, err) < 0)
            return err_prefix(err, "condition on '%s'", var);
        r->named[c->variable] = true;
        a->condition_count++;
    }
    json_t *points = json_object_get(spec, "points");
    if (!points)
        return err_set(err, "no \"points\"");
    return parse_points(points, "points", &a->points, err);
}

static int parse_scale(struct rules *r, json_t *scale, struct errbuf *err)
{
    static const char *const keys[] = {"target_at_300", "target_at_850",
                                       "calibration", NULL};
    if (!json_is_object(scale))
        return err_set(err, "\"scale\" must be an object with target_at_300 "
                            "and target_at_850");
    if (only_keys(scale, keys, err) < 0)
        return err_prefix(err, "scale");
    json_t *lo = json_object_get(scale, "target_at_300");
    json_t *hi = json_object_get(scale, "target_at_850");
    if (!json_is_number(lo) || !json_is_number(hi))
        return err_set(err, "scale: target_at_300 and target_at_850 must "
                            "be numbers");
    r->target_at_300 = json_number_value(lo);
    r->target_at_850 = json_number_value(hi);
    if (!(r->target_at_300 < r->target_at_850))
        return err_set(err, "scale: target_at_300 (%g) must be below "
                            "target_at_850 (%g)",
                       r->target_at_300, r->target_at_850);
    return 0;
}

/* Score bands: [{"from": 300, "label": "...", "color": "#rrggbb"}, ...],
 * the first from 300, each starting above the one before, below 850. */
static int parse_bands(struct rules *r, json_t *bands, struct errbuf *err)
{
    static const char *const keys[] = {"from", "label", "color", NULL};
    if (!bands)
        return 0;
    if (!json_is_array(bands) || json_array_size(bands) == 0 ||
        json_array_size(bands) > RULES_MAX_BANDS)
        return err_set(err, "\"bands\" must be an array of 1 to %d bands",
                       RULES_MAX_BANDS);
    size_t i;
    json_t *b;
    json_array_foreach(bands, i, b) {
        struct rule_band *band = &r->bands[i];
        json_t *from = json_object_get(b, "from");
        json_t *label = json_object_get(b, "label");
        json_t *color = json_object_get(b, "color");
        if (!json_is_object(b) || only_keys(b, keys, err) < 0 ||
            !json_is_number(from) || !json_is_string(label) ||
            (color && !json_is_string(color)))
            return err_set(err, "band %zu must be {\"from\": number, "
                                "\"label\": text, \"color\": text}", i + 1);
        band->from = json_number_value(from);
        snprintf(band->label, sizeof band->label, "%s",
                 json_string_value(label));
        snprintf(band->color, sizeof band->color, "%s",
                 color ? json_string_value(color) : "");
        if (i == 0 && band->from != SCORE_MIN)
            return err_set(err, "band 1 must start at %g", SCORE_MIN);
        if (i > 0 && !(band->from > r->bands[i - 1].from))
            return err_set(err, "band %zu must start above band %zu", i + 1, i);
        if (!(band->from < SCORE_MAX))
            return err_set(err, "band %zu must start below %g", i + 1,
                           SCORE_MAX);
    }
    r->band_count = (int)json_array_size(bands);
    return 0;
}

static int parse_document(struct rules *r, json_t *doc, struct errbuf *err)
{
    static const char *const keys[] = {"format", "description", "source",
                                       "divisor", "scale", "bands",
                                       "variables", "adjustments", NULL};
    if (!json_is_object(doc))
        return err_set(err, "the document must be a JSON object");
    if (only_keys(doc, keys, err) < 0)
        return -1;
    json_t *format = json_object_get(doc, "format");
    if (!json_is_string(format) ||
        strcmp(json_string_value(format), RULES_FORMAT) != 0)
        return err_set(err, "\"format\" must be \"%s\"", RULES_FORMAT);

    json_t *divisor = json_object_get(doc, "divisor");
    if (!json_is_integer(divisor) || json_integer_value(divisor) <= 0 ||
        json_integer_value(divisor) > 1000000)
        return err_set(err, "\"divisor\" must be a whole number from 1 to "
                            "1000000");
    r->divisor = json_integer_value(divisor);

    if (parse_scale(r, json_object_get(doc, "scale"), err) < 0 ||
        parse_bands(r, json_object_get(doc, "bands"), err) < 0)
        return -1;

    json_t *vars = json_object_get(doc, "variables");
    if (!json_is_object(vars) || json_object_size(vars) == 0)
        return err_set(err, "\"variables\" must be a non-empty object");
    const char *name;
    json_t *spec;
    json_object_foreach(vars, name, spec) {
        int v = variable_by_name(name);
        if (v < 0)
            return err_set(err, "unknown variable '%s'", name);
        if (parse_variable(r, v, spec, err) < 0)
            return err_prefix(err, "variable '%s'", name);
    }

    json_t *adjustments = json_object_get(doc, "adjustments");
    if (adjustments) {
        if (!json_is_array(adjustments))
            return err_set(err, "\"adjustments\" must be an array");
        if (json_array_size(adjustments) > RULES_MAX_ADJUSTMENTS)
            return err_set(err, "%zu adjustments, at most %d",
                           json_array_size(adjustments),
                           RULES_MAX_ADJUSTMENTS);
        size_t i;
        json_array_foreach(adjustments, i, spec) {
            if (parse_adjustment(r, i, spec, err) < 0)
                return err_prefix(err, "adjustment %zu", i + 1);
            r->adjustment_count++;
        }
    }
    return 0;
}

int rules_parse(struct rules **out, const char *text, size_t len,
                const char *origin, struct errbuf *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return err_set(err, "%s line %d: %s", origin, jerr.line, jerr.text);
    struct rules *r = calloc(1, sizeof *r);
    if (!r) {
        json_decref(doc);
        return err_set(err, "%s: out of memory", origin);
    }
    r->doc = doc;
    if (parse_document(r, doc, err) < 0) {
        rules_free(r);
        return err_prefix(err, "%s", origin);
    }
    *out = r;
    return 0;
}

int rules_load(struct rules **out, const char *path, struct errbuf *err)
{
    size_t len;
    char *text = file_read_limited(path, FILE_CAP_RULES, &len, err);
    *out = NULL;
    if (!text)
        return -1;
    int rc = rules_parse(out, text, len, path, err);
    free(text);
    return rc;
}

void rules_free(struct rules *r)
{
    if (!r)
        return;
    json_decref(r->doc);
    free(r);
}

bool rules_uses(const struct rules *r, int variable)
{
    return variable >= 0 && variable < VARIABLE_COUNT && r->named[variable];
}

/* ---- evaluation --------------------------------------------------------- */

int format_points(char *buf, size_t size, long long millionths)
{
    unsigned long long m = millionths < 0 ? -(unsigned long long)millionths
                                          : (unsigned long long)millionths;
    int n = snprintf(buf, size, "%s%llu.%06llu", millionths < 0 ? "-" : "",
                     m / MILLION, m % MILLION);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    return n;
}

/* sum / (divisor * 10^4) rounded to a whole number of hundredths, ties to
 * even, computed exactly on integers. */
static long long target_hundredths(long long sum, long long divisor)
{
    long long d = divisor * (MILLION / 100);
    long long q = sum / d, rem = sum % d;
    if (rem < 0) { /* C truncates toward zero; we want the floor */
        q -= 1;
        rem += d;
    }
    if (2 * rem > d || (2 * rem == d && (q & 1)))
        q += 1;
    return q;
}

void rules_evaluate(const struct rules *r, const double values[VARIABLE_COUNT],
                    struct rules_result *res)
{
    long long sum = 0;
    for (int v = 0; v < VARIABLE_COUNT; v++) {
        const struct rule_variable *rv = &r->vars[v];
        long long p = 0;
        if (rv->scored) {
            p = rv->default_points;
            for (int b = 0; b < rv->bin_count; b++)
                if (interval_holds(&rv->bins[b].match, values[v])) {
                    p = rv->bins[b].points;
                    break;
                }
        }
        res->points[v] = p;
        sum += p;
    }
    for (int i = 0; i < r->adjustment_count; i++) {
        const struct rule_adjustment *a = &r->adjustments[i];
        bool met = true;
        for (int c = 0; c < a->condition_count && met; c++)
            met = interval_holds(&a->conditions[c].match,
                                 values[a->conditions[c].variable]);
        res->adjustments[i] = met ? a->points : 0;
        sum += res->adjustments[i];
    }
    res->sum = sum;
    res->target = (double)target_hundredths(sum, r->divisor) / 100.0;
    res->score = rules_score(r, res->target);
}

double rules_score(const struct rules *r, double target)
{
    double s = SCORE_MIN + (target - r->target_at_300) /
                               (r->target_at_850 - r->target_at_300) *
                               (SCORE_MAX - SCORE_MIN);
    if (!(s >= SCORE_MIN)) /* also catches NaN */
        s = SCORE_MIN;
    if (s > SCORE_MAX)
        s = SCORE_MAX;
    return round_decimals(s, 2);
}

void rules_scale(const struct rules *r, double *target_at_300,
                 double *target_at_850)
{
    *target_at_300 = r->target_at_300;
    *target_at_850 = r->target_at_850;
}

int rules_adjustment_count(const struct rules *r)
{
    return r->adjustment_count;
}

const char *rules_adjustment_name(const struct rules *r, int i)
{
    return i >= 0 && i < r->adjustment_count ? r->adjustments[i].name : NULL;
}

/* ---- explanations ------------------------------------------------------- */

int rules_reasons(const struct rules *r, const struct rules_result *res,
                  int *variables, int max)
{
    int order[VARIABLE_COUNT];
    long long gap[VARIABLE_COUNT];
    int n = 0;
    for (int v = 0; v < VARIABLE_COUNT; v++) {
        if (!r->vars[v].scored || r->vars[v].max_points <= res->points[v])
            continue;
        /* insertion sort, largest gap first; equal gaps keep the feature
         * order so the answer is stable */
        long long g = r->vars[v].max_points - res->points[v];
        int at = n++;
        while (at > 0 && gap[at - 1] < g) {
            order[at] = order[at - 1];
            gap[at] = gap[at - 1];
            at--;
        }
        order[at] = v;
        gap[at] = g;
    }
    if (n > max)
        n = max;
    memcpy(variables, order, (size_t)n * sizeof *variables);
    return n;
}

const char *rules_reason_code(const struct rules *r, int variable)
{
    return r->vars[variable].reason_code;
}

const char *rules_reason_text(const struct rules *r, int variable)
{
    return r->vars[variable].reason_text;
}

int rules_band_count(const struct rules *r)
{
    return r->band_count;
}

int rules_band_of(const struct rules *r, double score)
{
    int b = -1;
    for (int i = 0; i < r->band_count && score >= r->bands[i].from; i++)
        b = i;
    return b;
}

void rules_band(const struct rules *r, int i, double *from, double *to,
                const char **label, const char **color)
{
    *from = r->bands[i].from;
    *to = i + 1 < r->band_count ? r->bands[i + 1].from : SCORE_MAX;
    *label = r->bands[i].label;
    *color = r->bands[i].color;
}

/* ---- calibration -------------------------------------------------------- */

int rules_set_scale(struct rules *r, double target_at_300,
                    double target_at_850, const char *note,
                    struct errbuf *err)
{
    if (!isfinite(target_at_300) || !isfinite(target_at_850) ||
        !(target_at_300 < target_at_850))
        return err_set(err, "scale: target_at_300 (%g) must be below "
                            "target_at_850 (%g)",
                       target_at_300, target_at_850);
    json_t *scale = json_pack("{s:f, s:f}", "target_at_300", target_at_300,
                              "target_at_850", target_at_850);
    if (!scale)
        return err_set(err, "scale: out of memory");
    if (note)
        json_object_set_new(scale, "calibration", json_string(note));
    json_object_set_new(r->doc, "scale", scale);
    r->target_at_300 = target_at_300;
    r->target_at_850 = target_at_850;
    return 0;
}

const char *rules_scale_note(const struct rules *r)
{
    return json_string_value(json_object_get(
        json_object_get(r->doc, "scale"), "calibration"));
}

char *rules_to_text(const struct rules *r)
{
    /* 15 significant digits print every value a valid file can hold (at
     * most 6 decimals) without binary noise such as 0.80000000000000004. */
    char *text = json_dumps(r->doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(15));
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        return NULL;
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    return withnl;
}
