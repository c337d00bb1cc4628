/*
 * request.h — an API request object (SPEC §7) becomes a validated
 * applicant. The one home of the input rules, so that the API, `predict`
 * and the web form refuse exactly the same things with the same words.
 *
 * Refusals speak FastAPI + pydantic 2 (the original's framework, current
 * versions: its clients iterate over `detail`), checked against pydantic
 * 2.13 and FastAPI's routing.py:
 *   - what pydantic's lax mode accepts is accepted: numeric strings with
 *     surrounding whitespace and '_' between digits ("32", " 45000.5 ",
 *     "1_000"; "32.0" for an integer), whole floats for integers (32.0),
 *     and booleans as 1 and 0 (pydantic takes true for an int);
 *   - what it refuses carries its very type and msg: "missing" ("Field
 *     required", input: the whole body), "int_parsing", "int_from_float",
 *     "int_parsing_size" (a float beyond 64 bits for an integer),
 *     "float_parsing", "int_type" and "float_type" (null, lists,
 *     objects), "model_attributes_type" for a body that is not an object
 *     (loc ["body"]; "list_type" for the batch, which is a list; see
 *     request_no_body for an empty body or another Content-Type), and
 *     "json_invalid" for text Python's json module
 *     refuses (loc ["body", character offset], input {}, ctx {"error":
 *     Python's words, "Expecting value"...; see request_json_error);
 *   - the original's own checks (it answered 200 {"Error": ...}) are ours
 *     and use pydantic's names for the same ideas: "greater_than_equal"
 *     / "less_than_equal" with ctx {"ge"|"le": bound} for ranges (edad
 *     18–80, negatives, lugar_actual 0–31, and magnitudes no person has:
 *     see request_limits), "finite_number" for inf/nan (pydantic would
 *     score them), and "value_error" ("Value error, ...") for the two
 *     cross-field rules (ingreso 0 with growth; seniority together with
 *     unemployment).
 * lugar_actual is an index 0–31 or, as a welcome extra, a state's name; a
 * string that is neither is pydantic's int_parsing.
 * tests/pydantic_diff.py holds us to pydantic 2 where it is installed.
 * Where we still differ from FastAPI is listed in README ("Errors as
 * FastAPI answers them").
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

/* One item of FastAPI's `detail` list, all but its "input", which is
 * taken from the body when the list is made (request_errors_json). */
struct field_error {
    const char *field;    /* loc ["body", field]; NULL: the body itself */
    const char *type;     /* "missing", "int_parsing", ... (see above) */
    char message[160];    /* msg: "Input should be a valid integer" */
    const char *bound;    /* ctx's key, "ge" or "le"; NULL: none */
    double bound_value;
    long position;        /* json_invalid: loc ["body", position]; else -1 */
    char reason[JSON_ERROR_TEXT_LENGTH]; /* json_invalid: ctx {"error"} */
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

/* The words of every check a form can make before sending, exactly as
 * the answers word them (the "msg" of a detail item), for /v1/meta:
 *   {"fields": {"<name>": {"missing", "parsing", "finite_number",
 *                          "greater_than_equal", "less_than_equal"
 *                          (with the bound, "... equal to 18"),
 *                          "int_from_float" (integers only)}, ...},
 *    "rules": [{"rule", "field" (where the error is reported), "when"
 *               (the condition, in words), "msg"}, ...]}
 * Caller owns the result. */
json_t *request_checks_json(void);

/* Fills *a from a parsed body; returns 0, or -1 with every bad field in
 * errs (not just the first). A non-object is one model_attributes_type
 * error on the body. */
int request_parse(const json_t *obj, const struct refdata *rd,
                  struct applicant *a, struct request_errors *errs);

/* The same from JSON text: 0 (applicant filled), -1 (errs filled), or -2
 * when the text is not JSON at all: errs then holds the one json_invalid
 * error and json_error says it in a line ("not JSON: Expecting value at
 * character 9"). Reads the usual flat request directly and leaves
 * everything else to jansson; a UTF-8 byte order mark is skipped, as
 * Python does. */
int request_parse_text(const char *text, size_t len, const struct refdata *rd,
                       struct applicant *a, struct request_errors *errs,
                       char *json_error, size_t json_error_size);

/* A body FastAPI does not read as JSON, validated as it is: none at all
 * is "missing" (loc ["body"], input null); one sent with another
 * Content-Type is a string, which request_parse refuses as
 * model_attributes_type. */
void request_no_body(struct request_errors *errs);

/* POST /v1/predictions' body is a list: anything else is pydantic's
 * "list_type" (input: the body). */
void request_not_a_list(struct request_errors *errs);

/* The body as jansson reads it for the rules and for the errors' "input"
 * (request_parse_text's reading: a BOM skipped, duplicate keys refused,
 * integers beyond 64 bits read as numbers). NULL when it is not JSON. */
json_t *request_json(const char *text, size_t len);

/* Why Python's json.loads refuses text, in its words and at its
 * character offset, as FastAPI reports it; fills errs with the one
 * json_invalid error. Text Python accepts and jansson does not (NaN,
 * Infinity, duplicate keys, a number beyond double range) is given
 * jansson's reason: a difference README lists. */
void request_json_error(const char *text, size_t len,
                        struct request_errors *errs);

/* The errors as FastAPI answers them, so the original's clients read
 * ours: {"detail": [{"type", "loc", "msg", "input"[, "ctx"]}, ...]}.
 * body is the request as parsed (the source of each "input": the field's
 * value, or the whole body for "missing" and body errors); NULL gives
 * null (json_invalid's input is always {}). Caller owns the result. */
json_t *request_errors_json(const struct request_errors *errs,
                            const json_t *body);

/* "edad: Input should be less than or equal to 80; ingreso: Field
 * required" into buf. */
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
 * is not JSON); errs is NULL when there are no errors to list, and then
 * "detail" is left out; body as for request_errors_json. Returns the text
 * (caller frees; its length in *len), or NULL when out of memory or
 * message is not UTF-8 (every message request.h makes is). */
char *request_error_answer(const char *message,
                           const struct request_errors *errs,
                           const json_t *body, enum answer_layout layout,
                           size_t *len);

#endif
