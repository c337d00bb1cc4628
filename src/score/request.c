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

enum { R_INGRESO, R_ANTIGUEDAD, R_DESEMPLEO, R_TRABAJOS, R_SEMANAS, R_EDAD,
       R_CRECIMIENTO, R_LUGAR };

static void add_error(struct request_errors *errs, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_error(struct request_errors *errs, const char *field,
                      const char *fmt, ...)
{
    if (errs->count == REQUEST_MAX_ERRORS)
        return;
    struct field_error *e = &errs->errors[errs->count++];
    e->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

/* The eight fields as found, before any rule is applied: the one shape
 * both readers (jansson's tree and the fast text path) produce. */
enum field_kind { FIELD_MISSING, FIELD_NUMBER, FIELD_STRING, FIELD_OTHER };

struct fields {
    enum field_kind kind[REQUEST_FIELD_COUNT];
    double number[REQUEST_FIELD_COUNT];
    char string[REQUEST_FIELD_COUNT][REQUEST_STRING_MAX];
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
        f->kind[i] = !v                 ? FIELD_MISSING
                     : json_is_number(v) ? FIELD_NUMBER
                     : json_is_string(v) ? FIELD_STRING
                                         : FIELD_OTHER;
        if (f->kind[i] == FIELD_NUMBER)
            f->number[i] = json_number_value(v);
        else if (f->kind[i] == FIELD_STRING)
            snprintf(f->string[i], REQUEST_STRING_MAX, "%s",
                     json_string_value(v));
    }
}

/* Field i as a number within its limits; 0, or -1 with the error
 * recorded. */
static int check_number(const struct fields *f, int i, double *out,
                        struct request_errors *errs)
{
    const struct field_limit *l = &request_limits[i];
    if (f->kind[i] == FIELD_MISSING) {
        add_error(errs, l->name, "is missing");
        return -1;
    }
    if (f->kind[i] != FIELD_NUMBER) {
        add_error(errs, l->name, "must be a %s",
                  l->integer ? "whole number" : "number");
        return -1;
    }
    double x = f->number[i];
    if (!isfinite(x)) {
        add_error(errs, l->name, "must be a finite number");
        return -1;
    }
    if (l->integer && x != floor(x)) {
        add_error(errs, l->name, "must be a whole number");
        return -1;
    }
    if (x < l->min || x > l->max) {
        add_error(errs, l->name, "must be between %g and %g", l->min, l->max);
        return -1;
    }
    *out = x;
    return 0;
}

static int check_state(const struct fields *f, const struct refdata *rd,
                       int *out, struct request_errors *errs)
{
    if (f->kind[R_LUGAR] == FIELD_STRING) {
        *out = state_match(rd, f->string[R_LUGAR]);
        if (*out == STATE_UNKNOWN) {
            add_error(errs, request_limits[R_LUGAR].name,
                      "is not a state index 0-31 or a state name");
            return -1;
        }
        return 0;
    }
    double x;
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
     * are themselves valid so each message stands on its own. */
    if (ok[R_INGRESO] && ok[R_CRECIMIENTO] && v[R_INGRESO] == 0 &&
        v[R_CRECIMIENTO] != 0)
        add_error(errs, "crecimiento_ingreso",
                  "must be 0 when ingreso is 0");
    if (ok[R_ANTIGUEDAD] && ok[R_DESEMPLEO] && v[R_ANTIGUEDAD] > 0 &&
        v[R_DESEMPLEO] > 0)
        add_error(errs, "tiempo_desempleado",
                  "must be 0 when antiguedad_laboral_meses is above 0 "
                  "(a current job)");
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
        add_error(errs, "body", "must be a JSON object");
        return -1;
    }
    struct fields f;
    fields_from_json(obj, &f);
    return validate(&f, rd, a, errs);
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
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++)
        f->kind[i] = FIELD_MISSING;
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

int request_parse_text(const char *text, size_t len, const struct refdata *rd,
                       struct applicant *a, struct request_errors *errs,
                       char *json_error, size_t json_error_size)
{
    errs->count = 0;
    struct fields f;
    if (fields_from_text(text, len, &f) == 0)
        return validate(&f, rd, a, errs);
    /* jansson would stop reading at a NUL and accept what came before */
    if (memchr(text, '\0', len)) {
        snprintf(json_error, json_error_size, "not JSON: a NUL byte in the "
                 "text");
        return -2;
    }
    json_error_t jerr;
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj) {
        snprintf(json_error, json_error_size, "not JSON: %s (column %d)",
                 jerr.text, jerr.column);
        return -2;
    }
    int rc = request_parse(obj, rd, a, errs);
    json_decref(obj);
    return rc;
}

json_t *request_errors_json(const struct request_errors *errs)
{
    json_t *detail = json_array();
    for (int i = 0; i < errs->count; i++)
        json_array_append_new(
            detail, json_pack("{s:[s,s], s:s, s:s}", "loc", "body",
                              errs->errors[i].field, "msg",
                              errs->errors[i].message, "type", "value_error"));
    return json_pack("{s:o}", "detail", detail);
}

void request_errors_text(const struct request_errors *errs, char *buf,
                         size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < errs->count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s: %s",
                                 i ? "; " : "", errs->errors[i].field,
                                 errs->errors[i].message);
}

/* Both layouts are made from the same two pieces, the message as a JSON
 * string and the detail list, each dumped by jansson; only the glue
 * between them differs. */
char *request_error_answer(const char *message,
                           const struct request_errors *errs,
                           enum answer_layout layout, size_t *len)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
    json_t *msg = json_string(message);
    char *msg_text = msg ? json_dumps(msg, flags) : NULL;
    json_decref(msg);
    char *detail_text = NULL;
    if (errs) {
        json_t *j = request_errors_json(errs);
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
