/*
 * fuzz_request.c — the API request parser, differentially: jansson is the
 * authority on what JSON says, and request_parse_text's fast reader of the
 * usual flat request must agree with request_parse on jansson's reading of
 * the same text. For every input:
 *   - text jansson refuses (request_json NULL) is -2 (json_invalid);
 *   - otherwise both accept or both refuse; on accept the applicants are
 *     equal field by field; on refusal the same errors, in the same order
 *     (field and type), so the client gets the same `detail` either way.
 * Any disagreement aborts, which libFuzzer reports as a crash.
 */
#include <math.h>

#include "fuzz_common.h"
#include "score/request.h"

static void disagree(const char *what, const uint8_t *data, size_t len)
{
    fprintf(stderr, "fuzz_request: fast reader and jansson disagree on %s "
            "for %zu bytes: %.*s\n", what, len, (int)(len > 300 ? 300 : len),
            (const char *)data);
    abort();
}

static int same_number(double x, double y)
{
    return x == y || (isnan(x) && isnan(y));
}

static int same_applicant(const struct applicant *a, const struct applicant *b)
{
    return same_number(a->ingreso, b->ingreso) &&
           a->antiguedad_laboral_meses == b->antiguedad_laboral_meses &&
           a->tiempo_desempleado == b->tiempo_desempleado &&
           a->trabajos_ultimos_5 == b->trabajos_ultimos_5 &&
           a->semanas_cotizadas == b->semanas_cotizadas &&
           a->edad == b->edad &&
           same_number(a->crecimiento_ingreso, b->crecimiento_ingreso) &&
           a->lugar_actual == b->lugar_actual;
}

static int same_text(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static int same_errors(const struct request_errors *x,
                       const struct request_errors *y)
{
    if (x->count != y->count)
        return 0;
    for (int i = 0; i < x->count; i++)
        if (!same_text(x->errors[i].field, y->errors[i].field) ||
            !same_text(x->errors[i].type, y->errors[i].type) ||
            strcmp(x->errors[i].message, y->errors[i].message) != 0)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const struct refdata *rd = fuzz_refdata();
    char *text = fuzz_exact_copy(data, len);

    struct applicant fast = {0}, slow = {0};
    struct request_errors fast_errs, slow_errs;
    char why[256];
    int fast_rc = request_parse_text(text, len, rd, &fast, &fast_errs,
                                     why, sizeof why);
    json_t *body = request_json(text, len);
    if (!body) {
        if (fast_rc != -2)
            disagree("being JSON at all", data, len);
    } else {
        int slow_rc = request_parse(body, rd, &slow, &slow_errs);
        if (fast_rc != slow_rc)
            disagree("accept/refuse", data, len);
        if (fast_rc == 0 && !same_applicant(&fast, &slow))
            disagree("the applicant", data, len);
        if (fast_rc == -1 && !same_errors(&fast_errs, &slow_errs))
            disagree("the errors", data, len);
        /* the answer's body is built from both: it must build */
        if (fast_rc == -1) {
            json_t *detail = request_errors_json(&fast_errs, body);
            if (!detail)
                abort();
            json_decref(detail);
        }
        json_decref(body);
    }
    free(text);
    return 0;
}
