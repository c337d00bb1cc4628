/*
 * request.c — parsing and validating an applicant request (see
 * request.h).
 */
#include "score/request.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The bounds no real applicant crosses: 70 years of work, a monthly
 * income of ten million pesos, growth over 100,000%. */
const struct field_limit request_limits[REQUEST_FIELD_COUNT] = {
    {"ingreso", false, 0, 10000000, "Ingreso mensual (pesos)"},
    {"antiguedad_laboral_meses", true, 0, 840,
     "Antigüedad en el empleo actual (meses)"},
    {"tiempo_desempleado", true, 0, 840, "Tiempo sin empleo (meses)"},
    {"trabajos_ultimos_5", true, 0, 100,
     "Empleadores distintos en los últimos 5 años"},
    {"semanasCotizadas", true, 0, 3640, "Semanas cotizadas al IMSS"},
    {"edad", true, 18, 80, "Edad (años)"},
    {"crecimiento_ingreso", false, -100, 100000,
     "Crecimiento del ingreso en los últimos 3 años (%)"},
    {"lugar_actual", true, 0, STATE_COUNT - 1, "Estado de residencia"},
};

/* The words of the checks the web form repeats as the user types, in
 * one place: the answers use them and /v1/meta publishes them
 * (request_checks_json), so the page cannot word a check differently. */
#define MSG_MISSING "Field required"
#define MSG_INT_TYPE "Input should be a valid integer"
#define MSG_FLOAT_TYPE "Input should be a valid number"
#define MSG_INT_PARSING \
    "Input should be a valid integer, unable to parse string as an integer"
#define MSG_FLOAT_PARSING \
    "Input should be a valid number, unable to parse string as a number"
#define MSG_FINITE "Input should be a finite number"
#define MSG_FRACTION \
    "Input should be a valid integer, got a number with a fractional part"
#define MSG_GROWTH_WITHOUT_INCOME "Value error, must be 0 when ingreso is 0"
#define MSG_UNEMPLOYED_WITH_JOB                                            \
    "Value error, must be 0 when antiguedad_laboral_meses is above 0 (a " \
    "current job)"

/* "Input should be greater than or equal to 18" for l's lower bound
 * (low) or its upper one. */
static void bound_message(const struct field_limit *l, bool low, char *buf,
                          size_t size)
{
    snprintf(buf, size, "Input should be %s than or equal to %.15g",
             low ? "greater" : "less", low ? l->min : l->max);
}

json_t *request_checks_json(void)
{
    json_t *fields = json_object();
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        const struct field_limit *l = &request_limits[i];
        char ge[80], le[80];
        bound_message(l, true, ge, sizeof ge);
        bound_message(l, false, le, sizeof le);
        json_t *m = json_pack(
            "{s:s, s:s, s:s, s:s, s:s}", "missing", MSG_MISSING, "parsing",
            l->integer ? MSG_INT_PARSING : MSG_FLOAT_PARSING,
            "finite_number", MSG_FINITE, "greater_than_equal", ge,
            "less_than_equal", le);
        if (l->integer)
            json_object_set_new(m, "int_from_float", json_string(MSG_FRACTION));
        json_object_set_new(fields, l->name, m);
    }
    json_t *rules = json_pack(
        "[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}]",
        "rule", "growth_without_income", "field", "crecimiento_ingreso",
        "when", "ingreso = 0 and crecimiento_ingreso != 0", "msg",
        MSG_GROWTH_WITHOUT_INCOME,
        "rule", "unemployed_with_job", "field", "tiempo_desempleado",
        "when", "antiguedad_laboral_meses > 0 and tiempo_desempleado > 0",
        "msg", MSG_UNEMPLOYED_WITH_JOB);
    return json_pack("{s:o, s:o}", "fields", fields, "rules", rules);
}

enum { R_INGRESO, R_ANTIGUEDAD, R_DESEMPLEO, R_TRABAJOS, R_SEMANAS, R_EDAD,
       R_CRECIMIENTO, R_LUGAR };

static struct field_error *add_error(struct request_errors *errs,
                                     const char *field, const char *type,
                                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The new error (NULL when the list is full, which 8 fields and 2 rules
 * never reach), so a caller can add its ctx. */
static struct field_error *add_error(struct request_errors *errs,
                                     const char *field, const char *type,
                                     const char *fmt, ...)
{
    if (errs->count == REQUEST_MAX_ERRORS)
        return NULL;
    struct field_error *e = &errs->errors[errs->count++];
    e->field = field;
    e->type = type;
    e->bound = NULL;
    e->bound_value = 0;
    e->position = -1;
    e->reason[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return e;
}

/* The eight fields as found, before any rule is applied: the one shape
 * both readers (jansson's tree and the fast text path) produce. */
enum field_kind { FIELD_MISSING, FIELD_NUMBER, FIELD_STRING, FIELD_OTHER };

struct fields {
    enum field_kind kind[REQUEST_FIELD_COUNT];
    double number[REQUEST_FIELD_COUNT];
    char string[REQUEST_FIELD_COUNT][REQUEST_STRING_MAX];
    bool string_cut[REQUEST_FIELD_COUNT]; /* longer than string[] holds */
    bool real[REQUEST_FIELD_COUNT];       /* a number written with . or e */
};

static int field_index(const char *name, size_t len)
{
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++)
        if (strlen(request_limits[i].name) == len &&
            memcmp(request_limits[i].name, name, len) == 0)
            return i;
    return -1;
}

static void fields_from_json(const json_t *obj, struct fields *f)
{
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        json_t *v = json_object_get(obj, request_limits[i].name);
        /* pydantic's lax int and float take true and false as 1 and 0 */
        f->kind[i] = !v                   ? FIELD_MISSING
                     : json_is_number(v)  ? FIELD_NUMBER
                     : json_is_boolean(v) ? FIELD_NUMBER
                     : json_is_string(v)  ? FIELD_STRING
                                          : FIELD_OTHER;
        f->string_cut[i] = false;
        f->real[i] = json_is_real(v);
        if (json_is_number(v))
            f->number[i] = json_number_value(v);
        else if (json_is_boolean(v))
            f->number[i] = json_is_true(v) ? 1 : 0;
        else if (f->kind[i] == FIELD_STRING) {
            f->string_cut[i] = json_string_length(v) >= REQUEST_STRING_MAX;
            snprintf(f->string[i], REQUEST_STRING_MAX, "%s",
                     json_string_value(v));
        }
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* pydantic 2's lax reading of a string as a number (checked against
 * pydantic 2.13): surrounding whitespace ignored, '_' allowed between
 * two digits; an integer is [+-]digits, optionally followed by '.' and
 * zeros ("32.0", not "32." nor "3e1"); a number is what Rust's f64 parse
 * takes ("5.", ".5", "1e3", "inf", "nan"; no hex). true when s is one. */
static bool lax_number(const char *s, bool integer, double *out)
{
    char buf[REQUEST_STRING_MAX];
    size_t n = 0;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    const char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
        end--;
    for (const char *p = s; p < end; p++) {
        if (*p == '_') {
            if (p == s || p + 1 == end || !is_digit(p[-1]) || !is_digit(p[1]))
                return false;
            continue;
        }
        buf[n++] = *p;
    }
    buf[n] = '\0';
    const char *p = buf;
    if (*p == '+' || *p == '-')
        p++;
    if (!integer && (strcasecmp(p, "inf") == 0 ||
                     strcasecmp(p, "infinity") == 0 ||
                     strcasecmp(p, "nan") == 0)) {
        *out = strtod(buf, NULL);
        return true;
    }
    size_t digits = 0, fraction = 0;
    while (is_digit(*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (is_digit(*p) && (!integer || *p == '0')) {
            p++;
            fraction++;
        }
        if (integer && fraction == 0)
            return false;
    }
    if (digits + fraction == 0)
        return false;
    if (!integer && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return false;
        while (is_digit(*p))
            p++;
    }
    if (*p != '\0')
        return false;
    *out = strtod(buf, NULL);
    return true;
}

/* Field i as a number within its limits; 0, or -1 with the error
 * recorded. */
static int check_number(const struct fields *f, int i, double *out,
                        struct request_errors *errs)
{
    const struct field_limit *l = &request_limits[i];
    double x = f->number[i];
    switch (f->kind[i]) {
    case FIELD_MISSING:
        add_error(errs, l->name, "missing", "%s", MSG_MISSING);
        return -1;
    case FIELD_OTHER:
        if (l->integer)
            add_error(errs, l->name, "int_type", "%s", MSG_INT_TYPE);
        else
            add_error(errs, l->name, "float_type", "%s", MSG_FLOAT_TYPE);
        return -1;
    case FIELD_STRING:
        if (f->string_cut[i] || !lax_number(f->string[i], l->integer, &x)) {
            if (l->integer)
                add_error(errs, l->name, "int_parsing", "%s",
                          MSG_INT_PARSING);
            else
                add_error(errs, l->name, "float_parsing", "%s",
                          MSG_FLOAT_PARSING);
            return -1;
        }
        break;
    case FIELD_NUMBER:
        break;
    }
    if (!isfinite(x)) {
        add_error(errs, l->name, "finite_number", "%s", MSG_FINITE);
        return -1;
    }
    if (l->integer && x != floor(x)) {
        add_error(errs, l->name, "int_from_float", "%s", MSG_FRACTION);
        return -1;
    }
    /* pydantic turns a float into a 64-bit integer, or refuses it */
    if (l->integer && f->kind[i] == FIELD_NUMBER && f->real[i] &&
        fabs(x) >= 0x1p63) {
        add_error(errs, l->name, "int_parsing_size",
                  "Unable to parse input string as an integer, exceeded "
                  "maximum size");
        return -1;
    }
    if (x < l->min || x > l->max) {
        bool low = x < l->min;
        char msg[80];
        bound_message(l, low, msg, sizeof msg);
        struct field_error *e =
            add_error(errs, l->name,
                      low ? "greater_than_equal" : "less_than_equal", "%s",
                      msg);
        if (e) {
            e->bound = low ? "ge" : "le";
            e->bound_value = low ? l->min : l->max;
        }
        return -1;
    }
    *out = x;
    return 0;
}

/* A state's name is our extra; a string that is neither a name nor a
 * number is what the original's int field refused. */
static int check_state(const struct fields *f, const struct refdata *rd,
                       int *out, struct request_errors *errs)
{
    double x;
    if (f->kind[R_LUGAR] == FIELD_STRING && !f->string_cut[R_LUGAR] &&
        !lax_number(f->string[R_LUGAR], true, &x)) {
        *out = state_match(rd, f->string[R_LUGAR]);
        if (*out != STATE_UNKNOWN)
            return 0;
    }
    if (check_number(f, R_LUGAR, &x, errs) < 0)
        return -1;
    *out = (int)x;
    return 0;
}

static int validate(const struct fields *f, const struct refdata *rd,
                    struct applicant *a, struct request_errors *errs)
{
    double v[REQUEST_FIELD_COUNT] = {0};
    bool ok[REQUEST_FIELD_COUNT];
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++)
        ok[i] = i == R_LUGAR || check_number(f, i, &v[i], errs) == 0;
    int state = STATE_UNKNOWN;
    ok[R_LUGAR] = check_state(f, rd, &state, errs) == 0;

    /* The original's cross-field rules, checked only when both fields
     * are themselves valid so each message stands on its own; worded as
     * pydantic words a validator's ValueError. */
    if (ok[R_INGRESO] && ok[R_CRECIMIENTO] && v[R_INGRESO] == 0 &&
        v[R_CRECIMIENTO] != 0)
        add_error(errs, "crecimiento_ingreso", "value_error", "%s",
                  MSG_GROWTH_WITHOUT_INCOME);
    if (ok[R_ANTIGUEDAD] && ok[R_DESEMPLEO] && v[R_ANTIGUEDAD] > 0 &&
        v[R_DESEMPLEO] > 0)
        add_error(errs, "tiempo_desempleado", "value_error", "%s",
                  MSG_UNEMPLOYED_WITH_JOB);
    if (errs->count)
        return -1;

    a->ingreso = v[R_INGRESO];
    a->antiguedad_laboral_meses = (int)v[R_ANTIGUEDAD];
    a->tiempo_desempleado = (int)v[R_DESEMPLEO];
    a->trabajos_ultimos_5 = (int)v[R_TRABAJOS];
    a->semanas_cotizadas = (int)v[R_SEMANAS];
    a->edad = (int)v[R_EDAD];
    a->crecimiento_ingreso = v[R_CRECIMIENTO];
    a->lugar_actual = state;
    return 0;
}

int request_parse(const json_t *obj, const struct refdata *rd,
                  struct applicant *a, struct request_errors *errs)
{
    errs->count = 0;
    if (!json_is_object(obj)) {
        add_error(errs, NULL, "model_attributes_type",
                  "Input should be a valid dictionary or object to extract "
                  "fields from");
        return -1;
    }
    struct fields f;
    fields_from_json(obj, &f);
    return validate(&f, rd, a, errs);
}

void request_no_body(struct request_errors *errs)
{
    errs->count = 0;
    add_error(errs, NULL, "missing", "Field required");
}

void request_not_a_list(struct request_errors *errs)
{
    errs->count = 0;
    add_error(errs, NULL, "list_type", "Input should be a valid list");
}

/* ---- the fast path ------------------------------------------------------ */
/*
 * jansson builds a tree of allocated nodes for every request: ~2 µs of the
 * ~4 µs a request cost in `predict`. A request is almost always a flat
 * object of plain numbers and short ASCII strings, so we read that shape
 * directly and hand anything else — escapes, non-ASCII, nesting, literals,
 * duplicate keys, huge integers, malformed text — to jansson, which stays
 * the authority on JSON. The tests check both paths agree.
 */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* A JSON number token per RFC 8259; returns its end or NULL. */
static const char *scan_number(const char *p, const char *end, bool *is_int,
                               int *digits)
{
    const char *start = p;
    *is_int = true;
    *digits = 0;
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0') {
        p++;
        (*digits)++;
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
            (*digits)++;
        }
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        *is_int = false;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *is_int = false;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    return p > start ? p : NULL;
}

/* 0: f is filled; -1: not the simple shape, use jansson. */
static int fields_from_text(const char *text, size_t len, struct fields *f)
{
    const char *p = text, *end = text + len;
    bool seen_other_key = false;
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        f->kind[i] = FIELD_MISSING;
        f->string_cut[i] = false;
        f->real[i] = false;
    }
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{')
        return -1;
    p = skip_ws(p, end);
    if (p < end && *p == '}')
        return skip_ws(p + 1, end) == end ? 0 : -1;
    for (;;) {
        if (p >= end || *p++ != '"')
            return -1;
        const char *key = p;
        while (p < end && *p != '"') {
            if (*p == '\\' || (unsigned char)*p < 0x20 ||
                (unsigned char)*p >= 0x80)
                return -1;
            p++;
        }
        if (p >= end)
            return -1;
        int fi = field_index(key, (size_t)(p - key));
        p = skip_ws(p + 1, end);
        if (p >= end || *p++ != ':')
            return -1;
        p = skip_ws(p, end);
        if (fi >= 0 && f->kind[fi] != FIELD_MISSING)
            return -1; /* a duplicate key: jansson refuses it */
        if (fi < 0) {
            if (seen_other_key)
                return -1; /* unknown keys could repeat; let jansson judge */
            seen_other_key = true;
        }
        if (p < end && *p == '"') {
            const char *s = ++p;
            while (p < end && *p != '"') {
                if (*p == '\\' || (unsigned char)*p < 0x20 ||
                    (unsigned char)*p >= 0x80)
                    return -1;
                p++;
            }
            if (p >= end || p - s >= REQUEST_STRING_MAX)
                return -1;
            if (fi >= 0) {
                f->kind[fi] = FIELD_STRING;
                memcpy(f->string[fi], s, (size_t)(p - s));
                f->string[fi][p - s] = '\0';
            }
            p++;
        } else {
            bool is_int;
            int digits;
            const char *q = scan_number(p, end, &is_int, &digits);
            if (!q || (is_int && digits > 15) || q - p >= 64)
                return -1; /* jansson decides on big integers */
            char num[64];
            memcpy(num, p, (size_t)(q - p));
            num[q - p] = '\0';
            double x = strtod(num, NULL);
            if (!isfinite(x))
                return -1;
            if (fi >= 0) {
                f->kind[fi] = FIELD_NUMBER;
                f->number[fi] = x;
                f->real[fi] = !is_int;
            }
            p = q;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            return skip_ws(p + 1, end) == end ? 0 : -1;
        return -1;
    }
}

/* Python skips a UTF-8 byte order mark before JSON (json.loads of bytes
 * decodes them as utf-8-sig); so do we, for jansson would refuse it. */
static void skip_bom(const char **text, size_t *len)
{
    if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
        *text += 3;
        *len -= 3;
    }
}

json_t *request_json(const char *text, size_t len)
{
    skip_bom(&text, &len);
    /* jansson would stop reading at a NUL and accept what came before */
    if (memchr(text, '\0', len))
        return NULL;
    json_error_t jerr;
    const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    json_t *j = json_loadb(text, len, flags, &jerr);
    /* Python reads any integer; as a number it meets the range checks */
    if (!j && json_error_code(&jerr) == json_error_numeric_overflow)
        j = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, &jerr);
    return j;
}

/* ---- why Python's json refuses a text ---------------------------------- */
/*
 * FastAPI reports malformed JSON in the words and at the character
 * offset of CPython's json scanner (_json.c), e.g. {"type":
 * "json_invalid", "loc": ["body", 26], "msg": "JSON decode error",
 * "input": {}, "ctx": {"error": "Expecting value"}} (FastAPI's
 * routing.py and its test_json_body_decode_error; the messages and
 * offsets below were checked against Python 3.11's json.loads). This
 * scanner walks the text as that one does, only to find where and why it
 * stops; jansson still reads the JSON.
 */
struct pyscan {
    const char *s;
    size_t len;
    size_t at;          /* where it stopped (bytes) */
    const char *reason; /* NULL: Python accepts the text */
};

/* Deeper than Python's recursion limit lets its scanner go. */
#define PYSCAN_DEPTH_MAX 900

static size_t py_ws(const struct pyscan *sc, size_t i)
{
    while (i < sc->len && (sc->s[i] == ' ' || sc->s[i] == '\t' ||
                           sc->s[i] == '\n' || sc->s[i] == '\r'))
        i++;
    return i;
}

static int py_fail(struct pyscan *sc, size_t at, const char *reason)
{
    sc->at = at;
    sc->reason = reason;
    return -1;
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The string whose opening quote is at q; its end in *i. */
static int py_string(struct pyscan *sc, size_t q, size_t *i)
{
    size_t p = q + 1;
    for (;;) {
        if (p >= sc->len)
            return py_fail(sc, q, "Unterminated string starting at");
        unsigned char c = (unsigned char)sc->s[p];
        if (c == '"')
            break;
        if (c < 0x20)
            return py_fail(sc, p, "Invalid control character at");
        if (c == '\\') {
            if (p + 1 >= sc->len)
                return py_fail(sc, q, "Unterminated string starting at");
            char e = sc->s[p + 1];
            if (e == 'u') {
                for (size_t k = 2; k < 6; k++)
                    if (p + k >= sc->len || !is_hex(sc->s[p + k]))
                        return py_fail(sc, p + 1, "Invalid \\uXXXX escape");
                p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return py_fail(sc, p, "Invalid \\escape");
            p += 2;
            continue;
        }
        p++;
    }
    *i = p + 1;
    return 0;
}

static bool py_word(const struct pyscan *sc, size_t i, const char *w)
{
    size_t n = strlen(w);
    return sc->len - i >= n && memcmp(sc->s + i, w, n) == 0;
}

static int py_value(struct pyscan *sc, size_t i, size_t *end, int depth)
{
    if (i >= sc->len)
        return py_fail(sc, i, "Expecting value");
    char c = sc->s[i];
    if (c == '"')
        return py_string(sc, i, end);
    if ((c == '{' || c == '[') && depth >= PYSCAN_DEPTH_MAX)
        return py_fail(sc, i, "too deeply nested");
    if (c == '{') {
        i = py_ws(sc, i + 1);
        if (i < sc->len && sc->s[i] == '}') {
            *end = i + 1;
            return 0;
        }
        for (;;) {
            if (i >= sc->len || sc->s[i] != '"')
                return py_fail(sc, i, "Expecting property name enclosed in "
                                      "double quotes");
            if (py_string(sc, i, &i) < 0)
                return -1;
            i = py_ws(sc, i);
            if (i >= sc->len || sc->s[i] != ':')
                return py_fail(sc, i, "Expecting ':' delimiter");
            if (py_value(sc, py_ws(sc, i + 1), &i, depth + 1) < 0)
                return -1;
            i = py_ws(sc, i);
            if (i < sc->len && sc->s[i] == '}') {
                *end = i + 1;
                return 0;
            }
            if (i >= sc->len || sc->s[i] != ',')
                return py_fail(sc, i, "Expecting ',' delimiter");
            i = py_ws(sc, i + 1);
        }
    }
    if (c == '[') {
        i = py_ws(sc, i + 1);
        if (i < sc->len && sc->s[i] == ']') {
            *end = i + 1;
            return 0;
        }
        for (;;) {
            if (py_value(sc, i, &i, depth + 1) < 0)
                return -1;
            i = py_ws(sc, i);
            if (i < sc->len && sc->s[i] == ']') {
                *end = i + 1;
                return 0;
            }
            if (i >= sc->len || sc->s[i] != ',')
                return py_fail(sc, i, "Expecting ',' delimiter");
            i = py_ws(sc, i + 1);
        }
    }
    static const char *const words[] = {"null", "true", "false", "NaN",
                                        "Infinity", "-Infinity"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (py_word(sc, i, words[k])) {
            *end = i + strlen(words[k]);
            return 0;
        }
    /* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, each optional part
     * taken only when whole: "1." is the number 1 followed by '.' */
    size_t p = i;
    if (p < sc->len && sc->s[p] == '-')
        p++;
    if (p < sc->len && sc->s[p] == '0')
        p++;
    else if (p < sc->len && sc->s[p] >= '1' && sc->s[p] <= '9')
        while (p < sc->len && is_digit(sc->s[p]))
            p++;
    else
        return py_fail(sc, i, "Expecting value");
    if (p + 1 < sc->len && sc->s[p] == '.' && is_digit(sc->s[p + 1])) {
        p += 2;
        while (p < sc->len && is_digit(sc->s[p]))
            p++;
    }
    if (p < sc->len && (sc->s[p] == 'e' || sc->s[p] == 'E')) {
        size_t q = p + 1;
        if (q < sc->len && (sc->s[q] == '+' || sc->s[q] == '-'))
            q++;
        if (q < sc->len && is_digit(sc->s[q])) {
            while (q < sc->len && is_digit(sc->s[q]))
                q++;
            p = q;
        }
    }
    *end = p;
    return 0;
}

/* The offset of the first byte that is not UTF-8, or len. */
static size_t utf8_invalid_at(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2
                 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 && c <= 0xf4
                 ? 4 : 0;
        if (n == 0 || len - i < n)
            return i;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
        if ((n == 3 && c == 0xe0 && s[i + 1] < 0xa0) ||
            (n == 3 && c == 0xed && s[i + 1] >= 0xa0) ||
            (n == 4 && c == 0xf0 && s[i + 1] < 0x90) ||
            (n == 4 && c == 0xf4 && s[i + 1] >= 0x90))
            return i;
        i += n;
    }
    return len;
}

/* Python counts characters, not bytes. */
static long char_offset(const char *text, size_t bytes)
{
    long n = 0;
    for (size_t i = 0; i < bytes; i++)
        n += ((unsigned char)text[i] & 0xc0) != 0x80;
    return n;
}

void request_json_error(const char *text, size_t len,
                        struct request_errors *errs)
{
    skip_bom(&text, &len);
    errs->count = 0;
    struct field_error *e = add_error(errs, NULL, "json_invalid",
                                      "JSON decode error");
    struct pyscan sc = {.s = text, .len = utf8_invalid_at(text, len)};
    size_t end = 0;
    if (sc.len < len) {
        /* FastAPI answers 400 "There was an error parsing the body"
         * here; one shape for every unreadable body is kinder */
        sc.at = sc.len;
        sc.reason = "invalid UTF-8";
    } else if (py_value(&sc, py_ws(&sc, 0), &end, 0) == 0) {
        end = py_ws(&sc, end);
        if (end != len) {
            sc.at = end;
            sc.reason = "Extra data";
        }
    }
    if (!sc.reason) {
        /* Python takes it, jansson does not (see request.h) */
        json_error_t jerr;
        json_t *j = json_loadb(text, len,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (j) { /* only a numeric overflow, which request_json reads */
            json_decref(j);
            snprintf(jerr.text, sizeof jerr.text, "a number out of range");
            jerr.position = 0;
        }
        sc.at = (size_t)jerr.position <= len ? (size_t)jerr.position : len;
        snprintf(e->reason, sizeof e->reason, "%s", jerr.text);
    } else {
        snprintf(e->reason, sizeof e->reason, "%s", sc.reason);
    }
    e->position = char_offset(text, sc.at);
}

int request_parse_text(const char *text, size_t len, const struct refdata *rd,
                       struct applicant *a, struct request_errors *errs,
                       char *json_error, size_t json_error_size)
{
    errs->count = 0;
    /* The BOM is skipped for the fast reader only: request_json and
     * request_json_error skip it themselves, and skipping it here too
     * would take a second BOM, which Python refuses, as the first. */
    const char *body = text;
    size_t body_len = len;
    skip_bom(&body, &body_len);
    struct fields f;
    if (fields_from_text(body, body_len, &f) == 0)
        return validate(&f, rd, a, errs);
    json_t *obj = request_json(text, len);
    if (!obj) {
        request_json_error(text, len, errs);
        snprintf(json_error, json_error_size,
                 "not JSON: %s at character %ld", errs->errors[0].reason,
                 errs->errors[0].position);
        return -2;
    }
    int rc = request_parse(obj, rd, a, errs);
    json_decref(obj);
    return rc;
}

json_t *request_errors_json(const struct request_errors *errs,
                            const json_t *body)
{
    json_t *detail = json_array();
    for (int i = 0; i < errs->count; i++) {
        const struct field_error *e = &errs->errors[i];
        json_t *loc = json_pack("[s]", "body");
        json_t *input, *ctx = NULL;
        if (e->position >= 0) {
            json_array_append_new(loc, json_integer(e->position));
            input = json_object();
            ctx = json_pack("{s:s}", "error", e->reason);
        } else {
            const json_t *v = NULL;
            if (e->field) {
                json_array_append_new(loc, json_string(e->field));
                v = json_object_get(body, e->field);
            }
            input = json_deep_copy(v ? v : body);
            if (!input)
                input = json_null();
        }
        if (e->bound) {
            double b = e->bound_value;
            ctx = json_object();
            /* the bound has its field's type, as pydantic's ctx has */
            const struct field_limit *l = NULL;
            for (int k = 0; k < REQUEST_FIELD_COUNT; k++)
                if (strcmp(request_limits[k].name, e->field) == 0)
                    l = &request_limits[k];
            json_object_set_new(ctx, e->bound,
                                l && l->integer ? json_integer((json_int_t)b)
                                                : json_real(b));
        }
        json_t *item = json_pack("{s:s, s:o, s:s, s:o}", "type", e->type,
                                 "loc", loc, "msg", e->message, "input",
                                 input);
        if (ctx)
            json_object_set_new(item, "ctx", ctx);
        json_array_append_new(detail, item);
    }
    return json_pack("{s:o}", "detail", detail);
}

void request_errors_text(const struct request_errors *errs, char *buf,
                         size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < errs->count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s: %s",
                                 i ? "; " : "",
                                 errs->errors[i].field ? errs->errors[i].field
                                                       : "body",
                                 errs->errors[i].message);
}

/* Both layouts are made from the same two pieces, the message as a JSON
 * string and the detail list, each dumped by jansson; only the glue
 * between them differs. */
char *request_error_answer(const char *message,
                           const struct request_errors *errs,
                           const json_t *body, enum answer_layout layout,
                           size_t *len)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
    json_t *msg = json_string(message);
    char *msg_text = msg ? json_dumps(msg, flags) : NULL;
    json_decref(msg);
    char *detail_text = NULL;
    if (errs) {
        json_t *j = request_errors_json(errs, body);
        detail_text = json_dumps(json_object_get(j, "detail"), flags);
        json_decref(j);
    }
    const char *colon = layout == ANSWER_SPACED ? ": " : ":";
    const char *comma = layout == ANSWER_SPACED ? ", " : ",";
    char *text = NULL;
    if (msg_text && (!errs || detail_text)) {
        size_t size = strlen(msg_text) +
                      (detail_text ? strlen(detail_text) : 0) + 32;
        text = malloc(size);
        if (text && detail_text)
            *len = (size_t)snprintf(text, size,
                                    "{\"error\"%s%s%s\"detail\"%s%s}", colon,
                                    msg_text, comma, colon, detail_text);
        else if (text)
            *len = (size_t)snprintf(text, size, "{\"error\"%s%s}", colon,
                                    msg_text);
    }
    free(msg_text);
    free(detail_text);
    return text;
}
