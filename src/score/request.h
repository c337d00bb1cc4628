/*
 * request.h — an API request object (SPEC §7) becomes a validated
 * applicant. The one home of the input rules, so that the API, `predict`
 * and the web form refuse exactly the same things with the same words.
 *
 * Types: ingreso and crecimiento_ingreso numbers; the rest whole numbers
 * (32.0 is accepted as 32; 32.5, "32", true and null are not);
 * lugar_actual is an index 0–31 or, as a welcome extra, a state's name.
 * The original's refusals are kept (negative amounts, edad outside 18–80,
 * lugar_actual above 31, ingreso 0 with growth, seniority together with
 * unemployment) and we add: missing fields, wrong types, non-finite
 * numbers, negative lugar_actual (the original scored it as Zacatecas)
 * and magnitudes no person has (see request_limits).
 */
#ifndef INCOMESCORE_REQUEST_H
#define INCOMESCORE_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "score/features.h"
#include "score/refdata.h"

#define REQUEST_FIELD_COUNT 8
#define REQUEST_MAX_ERRORS 16
#define REQUEST_STRING_MAX 256 /* a state's name as a client may send it */

struct field_error {
    const char *field;     /* the request's field name */
    char message[128];     /* "must be between 18 and 80" */
};

struct request_errors {
    int count;
    struct field_error errors[REQUEST_MAX_ERRORS];
};

/* One input field's name, type and accepted range: what /v1/meta
 * publishes and the web form enforces. */
struct field_limit {
    const char *name;
    bool integer;
    double min, max;
    const char *description;   /* Spanish, for the form */
};

extern const struct field_limit request_limits[REQUEST_FIELD_COUNT];

/* Fills *a from a JSON object; returns 0, or -1 with every bad field in
 * errs (not just the first). A non-object is one error on field "body". */
int request_parse(const json_t *obj, const struct refdata *rd,
                  struct applicant *a, struct request_errors *errs);

/* The same from JSON text: 0 (applicant filled), -1 (errs filled), or -2
 * when the text is not JSON at all (json_error says why). Reads the usual
 * flat request directly and leaves everything else to jansson. */
int request_parse_text(const char *text, size_t len, const struct refdata *rd,
                       struct applicant *a, struct request_errors *errs,
                       char *json_error, size_t json_error_size);

/* The errors as FastAPI answered them, so the original's clients read
 * ours: {"detail": [{"loc": ["body", field], "msg": ..., "type":
 * "value_error"}, ...]}. Caller owns the result. */
json_t *request_errors_json(const struct request_errors *errs);

/* "edad: must be between 18 and 80; ingreso: is missing" into buf. */
void request_errors_text(const struct request_errors *errs, char *buf,
                         size_t size);

/* How request_error_answer lays out its two members. The layouts are the
 * ones clients have always been sent, kept byte for byte: `predict`'s
 * lines are compact; the items of POST /v1/predictions have a space after
 * ':' and ',' at the top level, like the scored answers beside them. The
 * detail list is compact in both. */
enum answer_layout {
    ANSWER_COMPACT, /* {"error":"...","detail":[...]} */
    ANSWER_SPACED,  /* {"error": "...", "detail": [...]} */
};

/* The answer to a request that is not scored among others that are (a
 * line of `predict`, an item of POST /v1/predictions), so that answer N
 * still answers request N:
 *   {"error": message, "detail": [the items of request_errors_json]}
 * message says it all in one line (request_errors_text, or why the text
 * is not JSON); errs is NULL when there are no field errors to list, and
 * then "detail" is left out. Returns the text (caller frees; its length
 * in *len), or NULL when out of memory or message is not UTF-8 (every
 * message request.h makes is). */
char *request_error_answer(const char *message,
                           const struct request_errors *errs,
                           enum answer_layout layout, size_t *len);

#endif
