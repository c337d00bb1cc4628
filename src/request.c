/*
 * request.c — parsing and validating an applicant request (see
 * request.h).
 */
#include "request.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
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

/* Reads field i as a number within its limits; returns 0 or -1 (error
 * recorded). */
static int read_number(const json_t *obj, int i, double *out,
                       struct request_errors *errs)
{
    const struct field_limit *l = &request_limits[i];
    json_t *v = json_object_get(obj, l->name);
    if (!v) {
        add_error(errs, l->name, "is missing");
        return -1;
    }
    if (!json_is_number(v)) {
        add_error(errs, l->name, "must be a %s",
                  l->integer ? "whole number" : "number");
        return -1;
    }
    double x = json_number_value(v);
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

static int read_state(const json_t *obj, const struct refdata *rd, int *out,
                      struct request_errors *errs)
{
    const char *name = request_limits[R_LUGAR].name;
    json_t *v = json_object_get(obj, name);
    if (json_is_string(v)) {
        *out = state_match(rd, json_string_value(v));
        if (*out == STATE_UNKNOWN) {
            add_error(errs, name, "is not a state index 0-31 or a state name");
            return -1;
        }
        return 0;
    }
    double x;
    if (read_number(obj, R_LUGAR, &x, errs) < 0)
        return -1;
    *out = (int)x;
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
    double v[REQUEST_FIELD_COUNT] = {0};
    bool ok[REQUEST_FIELD_COUNT];
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++)
        ok[i] = i == R_LUGAR || read_number(obj, i, &v[i], errs) == 0;
    int state = STATE_UNKNOWN;
    ok[R_LUGAR] = read_state(obj, rd, &state, errs) == 0;

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
