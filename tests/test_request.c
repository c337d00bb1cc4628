/*
 * test_request.c — every input rule of SPEC §7, as the API, `predict` and
 * the form will apply them.
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "score/request.h"


#define GOOD                                                                 \
    "\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "                 \
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "                 \
    "\"semanasCotizadas\": 1000, \"edad\": 32, "                             \
    "\"crecimiento_ingreso\": 265.38, \"lugar_actual\": 18"

/* The request with one field's value replaced ("edad", "17"), or
 * removed (value NULL); parsed; the 422's detail list, as compact JSON,
 * into out. */
static int parse_with(const char *field, const char *value, char *out,
                      size_t size, struct applicant *a)
{
    json_error_t jerr;
    json_t *obj = json_loads("{" GOOD "}", 0, &jerr);
    if (field) {
        if (value) {
            json_t *v = json_loads(value, JSON_DECODE_ANY, &jerr);
            if (!v)
                fail_msg("bad test value %s", value);
            json_object_set_new(obj, field, v);
        } else {
            json_object_del(obj, field);
        }
    }
    struct request_errors errs;
    struct applicant tmp;
    int rc = request_parse(obj, test_refdata(), a ? a : &tmp, &errs);
    json_t *j = request_errors_json(&errs, obj);
    char *dump = json_dumps(json_object_get(j, "detail"),
                            JSON_COMPACT | JSON_PRESERVE_ORDER);
    snprintf(out, size, "%s", dump);
    free(dump);
    json_decref(j);
    json_decref(obj);
    return rc;
}

/* One error on `field`, whose value is `value` (NULL: missing): the type,
 * msg and ctx FastAPI + pydantic 2 give (checked against pydantic 2.13). */
static void expect_error_on(const char *field, const char *value,
                            const char *loc_field, const char *type,
                            const char *msg, const char *ctx)
{
    char text[4096], want[4096];
    json_error_t jerr;
    json_t *obj = json_loads("{" GOOD "}", 0, &jerr);
    if (value)
        json_object_set_new(obj, field,
                            json_loads(value, JSON_DECODE_ANY, &jerr));
    else
        json_object_del(obj, field);
    /* the input: the value at loc, or the whole body for "missing" */
    char *input = json_dumps(value ? json_object_get(obj, loc_field) : obj,
                             JSON_COMPACT | JSON_ENCODE_ANY |
                                 JSON_PRESERVE_ORDER);
    json_decref(obj);
    snprintf(want, sizeof want,
             "[{\"type\":\"%s\",\"loc\":[\"body\",\"%s\"],\"msg\":\"%s\","
             "\"input\":%s%s%s}]",
             type, loc_field, msg, input, ctx ? ",\"ctx\":" : "",
             ctx ? ctx : "");
    free(input);
    if (parse_with(field, value, text, sizeof text, NULL) != -1)
        fail_msg("%s = %s accepted", field, value ? value : "(missing)");
    if (strcmp(text, want) != 0)
        fail_msg("%s = %s:\n got  %s\n want %s", field,
                 value ? value : "(missing)", text, want);
}

static void expect_error(const char *field, const char *value,
                         const char *type, const char *msg, const char *ctx)
{
    expect_error_on(field, value, field, type, msg, ctx);
}

#define GE(n) "Input should be greater than or equal to " #n
#define LE(n) "Input should be less than or equal to " #n

/* Accepted, with the applicant's fields read back. */
static struct applicant expect_accepted(const char *field, const char *value)
{
    char text[4096];
    struct applicant a;
    if (parse_with(field, value, text, sizeof text, &a) != 0)
        fail_msg("%s = %s refused: %s", field, value, text);
    return a;
}

static void the_original_example_is_accepted(void **state)
{
    (void)state;
    char text[256];
    struct applicant a;
    assert_int_equal(parse_with(NULL, NULL, text, sizeof text, &a), 0);
    assert_true(a.ingreso == 45000);
    assert_int_equal(a.antiguedad_laboral_meses, 50);
    assert_int_equal(a.edad, 32);
    assert_true(a.crecimiento_ingreso == 265.38);
    assert_int_equal(a.lugar_actual, 18);
}

static void the_originals_second_example_is_accepted(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *obj = json_loads(
        "{\"ingreso\": 1000, \"antiguedad_laboral_meses\": 0, "
        "\"tiempo_desempleado\": 13, \"trabajos_ultimos_5\": 2, "
        "\"semanasCotizadas\": 198, \"edad\": 29, \"crecimiento_ingreso\": 0, "
        "\"lugar_actual\": 5}", 0, &jerr);
    struct applicant a;
    struct request_errors errs;
    assert_int_equal(request_parse(obj, test_refdata(), &a, &errs), 0);
    assert_int_equal(a.lugar_actual, 5);
    json_decref(obj);
}

static void negative_amounts_are_refused(void **state)
{
    (void)state;
    expect_error("ingreso", "-1", "greater_than_equal", GE(0),
                 "{\"ge\":0.0}");
    expect_error("antiguedad_laboral_meses", "-1", "greater_than_equal",
                 GE(0), "{\"ge\":0}");
    expect_error("tiempo_desempleado", "-1", "greater_than_equal", GE(0),
                 "{\"ge\":0}");
    expect_error("trabajos_ultimos_5", "-1", "greater_than_equal", GE(0),
                 "{\"ge\":0}");
    expect_error("semanasCotizadas", "-1", "greater_than_equal", GE(0),
                 "{\"ge\":0}");
}

static void edad_must_be_18_to_80(void **state)
{
    (void)state;
    expect_error("edad", "17", "greater_than_equal", GE(18), "{\"ge\":18}");
    expect_error("edad", "81", "less_than_equal", LE(80), "{\"le\":80}");
    assert_int_equal(expect_accepted("edad", "18").edad, 18);
    assert_int_equal(expect_accepted("edad", "80").edad, 80);
}

static void lugar_actual_is_0_to_31_or_a_state_name(void **state)
{
    (void)state;
    expect_error("lugar_actual", "32", "less_than_equal", LE(31),
                 "{\"le\":31}");
    expect_error("lugar_actual", "-1", "greater_than_equal", GE(0),
                 "{\"ge\":0}");
    assert_int_equal(expect_accepted("lugar_actual", "0").lugar_actual, 0);
    assert_int_equal(expect_accepted("lugar_actual", "31").lugar_actual, 31);
    assert_int_equal(
        expect_accepted("lugar_actual", "\"Nuevo León\"").lugar_actual, 18);
    assert_int_equal(
        expect_accepted("lugar_actual", "\"DISTRITO FEDERAL\"").lugar_actual,
        8);
    /* a numeric string is a number first, as pydantic reads it */
    assert_int_equal(expect_accepted("lugar_actual", "\" 5 \"").lugar_actual,
                     5);
    /* neither a name nor a number: what the original's int refused */
    expect_error("lugar_actual", "\"Atlantida\"", "int_parsing",
                 "Input should be a valid integer, unable to parse string "
                 "as an integer", NULL);
}

static void income_zero_with_growth_is_refused(void **state)
{
    (void)state;
    expect_error_on("ingreso", "0", "crecimiento_ingreso", "value_error",
                    "Value error, must be 0 when ingreso is 0", NULL);
    json_error_t jerr;
    json_t *obj = json_loads("{" GOOD "}", 0, &jerr);
    json_object_set_new(obj, "ingreso", json_integer(0));
    json_object_set_new(obj, "crecimiento_ingreso", json_integer(0));
    struct applicant a;
    struct request_errors errs;
    assert_int_equal(request_parse(obj, test_refdata(), &a, &errs), 0);
    json_decref(obj);
}

static void seniority_with_unemployment_is_refused(void **state)
{
    (void)state;
    expect_error("tiempo_desempleado", "3", "value_error",
                 "Value error, must be 0 when antiguedad_laboral_meses is "
                 "above 0 (a current job)", NULL);
}

#define INT_PARSING                                                          \
    "Input should be a valid integer, unable to parse string as an integer"
#define FLOAT_PARSING                                                        \
    "Input should be a valid number, unable to parse string as a number"

/* pydantic 2's types and words, its input echoed; "missing" echoes the
 * whole body. */
static void missing_and_mistyped_fields_are_named_as_pydantic_does(
    void **state)
{
    (void)state;
    expect_error("edad", NULL, "missing", "Field required", NULL);
    expect_error("edad", "\"32.5\"", "int_parsing", INT_PARSING, NULL);
    expect_error("edad", "\"3e1\"", "int_parsing", INT_PARSING, NULL);
    expect_error("edad", "\"32.\"", "int_parsing", INT_PARSING, NULL);
    expect_error("edad", "\"1__0\"", "int_parsing", INT_PARSING, NULL);
    expect_error("edad", "\"0x20\"", "int_parsing", INT_PARSING, NULL);
    expect_error("edad", "\"\"", "int_parsing", INT_PARSING, NULL);
    expect_error("edad", "32.5", "int_from_float",
                 "Input should be a valid integer, got a number with a "
                 "fractional part", NULL);
    expect_error("edad", "1e19", "int_parsing_size",
                 "Unable to parse input string as an integer, exceeded "
                 "maximum size", NULL);
    expect_error("edad", "null", "int_type", "Input should be a valid integer",
                 NULL);
    expect_error("edad", "[32]", "int_type", "Input should be a valid integer",
                 NULL);
    expect_error("edad", "{}", "int_type", "Input should be a valid integer",
                 NULL);
    expect_error("ingreso", "\"45k\"", "float_parsing", FLOAT_PARSING, NULL);
    expect_error("ingreso", "\"0x10\"", "float_parsing", FLOAT_PARSING, NULL);
    expect_error("ingreso", "null", "float_type", "Input should be a valid "
                 "number", NULL);
    expect_error("ingreso", "1e300", "less_than_equal", LE(10000000),
                 "{\"le\":10000000.0}");
    expect_error("crecimiento_ingreso", "-101", "greater_than_equal",
                 GE(-100), "{\"ge\":-100.0}");
    /* pydantic scores inf and nan; the original's formulas cannot */
    expect_error("ingreso", "\"inf\"", "finite_number",
                 "Input should be a finite number", NULL);
    expect_error("crecimiento_ingreso", "\"NaN\"", "finite_number",
                 "Input should be a finite number", NULL);
}

/* What pydantic's lax mode accepts, we accept (checked against 2.13). */
static void lax_coercions_are_accepted_as_pydantic_does(void **state)
{
    (void)state;
    assert_int_equal(expect_accepted("edad", "32.0").edad, 32);
    assert_int_equal(expect_accepted("edad", "\"32\"").edad, 32);
    assert_int_equal(expect_accepted("edad", "\" 32\\n\"").edad, 32);
    assert_int_equal(expect_accepted("edad", "\"+32\"").edad, 32);
    assert_int_equal(expect_accepted("edad", "\"32.000\"").edad, 32);
    assert_int_equal(expect_accepted("edad", "\"0040\"").edad, 40);
    assert_int_equal(expect_accepted("semanasCotizadas", "\"1_000\"")
                         .semanas_cotizadas, 1000);
    assert_int_equal(expect_accepted("trabajos_ultimos_5", "true")
                         .trabajos_ultimos_5, 1);
    assert_int_equal(expect_accepted("trabajos_ultimos_5", "false")
                         .trabajos_ultimos_5, 0);
    assert_true(expect_accepted("ingreso", "\"45000.5\"").ingreso == 45000.5);
    assert_true(expect_accepted("ingreso", "\" 4.5e4 \"").ingreso == 45000);
    assert_true(expect_accepted("ingreso", "\"5.\"").ingreso == 5);
    assert_true(expect_accepted("crecimiento_ingreso", "\".5\"")
                    .crecimiento_ingreso == 0.5);
    assert_true(expect_accepted("crecimiento_ingreso", "true")
                    .crecimiento_ingreso == 1);
}

static void every_bad_field_is_reported_at_once(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *obj = json_loads("{\"ingreso\": -5, \"edad\": 12, \"lugar_actual\": "
                             "40, \"semanasCotizadas\": \"x\"}", 0, &jerr);
    struct applicant a;
    struct request_errors errs;
    assert_int_equal(request_parse(obj, test_refdata(), &a, &errs), -1);
    char text[1024];
    request_errors_text(&errs, text, sizeof text);
    assert_string_equal(text,
                        "ingreso: " GE(0) "; "
                        "antiguedad_laboral_meses: Field required; "
                        "tiempo_desempleado: Field required; "
                        "trabajos_ultimos_5: Field required; "
                        "semanasCotizadas: " INT_PARSING "; "
                        "edad: " GE(18) "; "
                        "crecimiento_ingreso: Field required; "
                        "lugar_actual: " LE(31));
    json_t *j = request_errors_json(&errs, obj);
    char *dump = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(strstr(
        dump, "{\"detail\":[{\"type\":\"greater_than_equal\",\"loc\":[\"body\","
              "\"ingreso\"],\"msg\":\"" GE(0) "\",\"input\":-5,\"ctx\":{\"ge\":"
              "0.0}},{\"type\":\"missing\",\"loc\":[\"body\",\"antiguedad_"
              "laboral_meses\"],\"msg\":\"Field required\",\"input\":{\"ingreso"
              "\":-5,\"edad\":12,\"lugar_actual\":40,\"semanasCotizadas\":\"x\""
              "}},"));
    free(dump);
    json_decref(j);
    json_decref(obj);
}

static void a_non_object_is_one_model_attributes_type_error(void **state)
{
    (void)state;
    json_t *arr = json_array();
    struct applicant a;
    struct request_errors errs;
    assert_int_equal(request_parse(arr, test_refdata(), &a, &errs), -1);
    json_t *j = request_errors_json(&errs, arr);
    char *dump = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(dump, "{\"detail\":[{\"type\":\"model_attributes_type\","
                              "\"loc\":[\"body\"],\"msg\":\"Input should be a "
                              "valid dictionary or object to extract fields "
                              "from\",\"input\":[]}]}");
    free(dump);
    json_decref(j);
    json_decref(arr);
}

/* The fast text path must answer exactly as jansson's tree does. */
static void the_fast_path_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{" GOOD "}",
        "  {" GOOD "}  ",
        "{\"ingreso\": 45000.5, \"antiguedad_laboral_meses\": 0, "
        "\"tiempo_desempleado\": 3, \"trabajos_ultimos_5\": 0, "
        "\"semanasCotizadas\": 0, \"edad\": 80, \"crecimiento_ingreso\": "
        "-1.5e1, \"lugar_actual\": \"CDMX\"}",
        "{\"extra\": 1, " GOOD "}",
        "{\"extra\": \"x\", \"other\": [1], " GOOD "}",
        "{" GOOD ", \"edad\": 40}",
        "{\"edad\": 1e999}",
        "{\"edad\": 123456789012345678901234567890}",
        "{\"edad\": 32.0, \"ingreso\": -0}",
        "{\"lugar_actual\": \"Nuevo Le\\u00f3n\"}",
        "{\"lugar_actual\": \"Nuevo Le\xc3\xb3n\"}",
        "{\"edad\": tru}",
        "{\"edad\": 01}",
        "{\"edad\": 1.}",
        "{}",
        "[]",
        "{\"edad\": 32,}",
        "{\"edad\" 32}",
        "",
        "{\"edad\": \"\xff\"}",
        "{\"edad\": \"32\", \"ingreso\": \" 45000.5 \"}",
        "{\"edad\": \"3_2\", \"ingreso\": \"inf\", \"semanasCotizadas\": 1e19}",
        "{\"edad\": true, \"ingreso\": null}",
        "\xef\xbb\xbf{" GOOD "}",
        /* one BOM is skipped, as Python does; a second is text (found by
         * fuzz/fuzz_request.c: it used to be skipped twice) */
        "\xef\xbb\xbf\xef\xbb\xbf{" GOOD "}",
        "5",
        "\"x\"",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *t = texts[i];
        struct applicant fast = {0}, slow = {0};
        struct request_errors fe, se;
        char fmsg[256] = "", smsg[256] = "", jmsg[256];
        int frc = request_parse_text(t, strlen(t), test_refdata(), &fast, &fe,
                                     jmsg, sizeof jmsg);
        json_t *obj = request_json(t, strlen(t));
        int src = obj ? request_parse(obj, test_refdata(), &slow, &se) : -2;
        if (frc != src)
            fail_msg("text %zu: fast %d, jansson %d", i, frc, src);
        if (frc == 0 && memcmp(&fast, &slow, sizeof fast) != 0)
            fail_msg("text %zu: different applicants", i);
        if (frc == -1) {
            json_t *fj = request_errors_json(&fe, obj);
            json_t *sj = request_errors_json(&se, obj);
            char *fd = json_dumps(fj, JSON_COMPACT | JSON_PRESERVE_ORDER);
            char *sd = json_dumps(sj, JSON_COMPACT | JSON_PRESERVE_ORDER);
            snprintf(fmsg, sizeof fmsg, "%s", fd);
            snprintf(smsg, sizeof smsg, "%s", sd);
            free(fd);
            free(sd);
            json_decref(fj);
            json_decref(sj);
            if (strcmp(fmsg, smsg) != 0)
                fail_msg("text %zu:\n fast    %s\n jansson %s", i, fmsg, smsg);
        }
        json_decref(obj);
    }
}

/* Text Python's json.loads refuses: its reason and character offset, as
 * FastAPI's json_invalid carries them (each checked against Python 3.11). */
static void malformed_json_is_json_invalid_in_pythons_words(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        const char *reason;
        long position;
    } cases[] = {
        {"", 0, "Expecting value", 0},
        {" ", 0, "Expecting value", 1},
        {"{", 0, "Expecting property name enclosed in double quotes", 1},
        {"{\"a\":1,}", 0, "Expecting property name enclosed in double quotes",
         7},
        {"{\"a\" 1}", 0, "Expecting ':' delimiter", 5},
        {"{\"a\":1 \"b\"}", 0, "Expecting ',' delimiter", 7},
        {"{\"a\":1}x", 0, "Extra data", 7},
        {"[1,]", 0, "Expecting value", 3},
        {"{\"a\":\"x", 0, "Unterminated string starting at", 5},
        {"{\"a\":\"\tx\"}", 0, "Invalid control character at", 6},
        {"{\"a\":\"\\q\"}", 0, "Invalid \\escape", 6},
        {"{\"a\":\"\\u12\"}", 0, "Invalid \\uXXXX escape", 7},
        {"{a:1}", 0, "Expecting property name enclosed in double quotes", 1},
        {"-", 0, "Expecting value", 0},
        {"01", 0, "Extra data", 1},
        {"{\"a\":1.}", 0, "Expecting ',' delimiter", 6},
        {"{\"a\":tru}", 0, "Expecting value", 5},
        /* characters, not bytes: ñ is two bytes and one character */
        {"{\"lugar_actual\": \"\xc3\xb1\", \"x\": tru}", 0, "Expecting value",
         27},
        /* FastAPI's own example: {"name": "Test", "price": None} */
        {"{\"name\": \"Test\", \"price\": None}", 0, "Expecting value", 26},
        /* jansson stops at a NUL; Python reads it as a character */
        {"{\"edad\": 32\0, \"x\": 1}", 21, "Expecting ',' delimiter", 11},
        {"{\"a\": \"b\0\"}", 11, "Invalid control character at", 8},
        /* Python takes these, we do not (README lists it) */
        {"{\"edad\": NaN}", 0, "invalid token near 'NaN'", 12},
        {"{\"edad\": 1, \"edad\": 2}", 0, "duplicate object key near '\"edad\"'",
         18},
        /* json.loads skips one BOM (utf-8-sig), not two */
        {"\xef\xbb\xbf\xef\xbb\xbf{}", 0, "Expecting value", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        struct applicant a;
        struct request_errors errs;
        char msg[256], want[512];
        if (request_parse_text(cases[i].text, len, test_refdata(), &a, &errs,
                               msg, sizeof msg) != -2)
            fail_msg("case %zu: not refused as JSON", i);
        json_t *j = request_errors_json(&errs, NULL);
        char *dump = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_t *reason = json_string(cases[i].reason);
        char *r = json_dumps(reason, JSON_ENCODE_ANY);
        snprintf(want, sizeof want,
                 "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\","
                 "%ld],\"msg\":\"JSON decode error\",\"input\":{},\"ctx\":{"
                 "\"error\":%s}}]}", cases[i].position, r);
        if (strcmp(dump, want) != 0)
            fail_msg("case %zu:\n got  %s\n want %s", i, dump, want);
        snprintf(want, sizeof want, "not JSON: %s at character %ld",
                 cases[i].reason, cases[i].position);
        if (strcmp(msg, want) != 0)
            fail_msg("case %zu:\n got  %s\n want %s", i, msg, want);
        free(r);
        json_decref(reason);
        free(dump);
        json_decref(j);
    }
}

#define TWO_DETAIL                                                           \
    "[{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"edad\"],\"msg\":"   \
    "\"" GE(18) "\",\"input\":17,\"ctx\":{\"ge\":18}},{\"type\":\"value_error\"," \
    "\"loc\":[\"body\",\"tiempo_desempleado\"],\"msg\":\"Value error, must be " \
    "0 when antiguedad_laboral_meses is above 0 (a current job)\",\"input\":" \
    "3}]"

#define TWO_TEXT                                                             \
    "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "                 \
    "\"tiempo_desempleado\": 3, \"trabajos_ultimos_5\": 1, "                  \
    "\"semanasCotizadas\": 1000, \"edad\": 17, "                              \
    "\"crecimiento_ingreso\": 265.38, \"lugar_actual\": 18}"

/* README's bad line: an age out of range, and unemployment beside a
 * current job. */
static struct request_errors two_errors(void)
{
    static const char text[] = TWO_TEXT;
    struct applicant a;
    struct request_errors errs;
    char msg[256];
    assert_int_equal(request_parse_text(text, sizeof text - 1, test_refdata(),
                                        &a, &errs, msg, sizeof msg), -1);
    assert_int_equal(errs.count, 2);
    return errs;
}

static void assert_error_answer(const char *message,
                                const struct request_errors *errs,
                                enum answer_layout layout, const char *want)
{
    size_t len = 0;
    json_t *body = json_loads(TWO_TEXT, 0, NULL);
    char *text = request_error_answer(message, errs, body, layout, &len);
    json_decref(body);
    assert_non_null(text);
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(text);
}

/* README's `predict` example: a bad line, answered in place. */
static void a_bad_line_is_answered_compact_with_its_detail(void **state)
{
    (void)state;
    struct request_errors errs = two_errors();
    char msg[512];
    request_errors_text(&errs, msg, sizeof msg);
    assert_error_answer(msg, &errs, ANSWER_COMPACT,
                        "{\"error\":\"edad: " GE(18) "; tiempo_desempleado: "
                        "Value error, must be 0 when antiguedad_laboral_meses "
                        "is above 0 (a current job)\",\"detail\":" TWO_DETAIL
                        "}");
}

/* A batch item: the spacing of the scored answers beside it, the same
 * detail. */
static void a_bad_batch_item_is_answered_spaced_with_the_same_detail(
    void **state)
{
    (void)state;
    struct request_errors errs = two_errors();
    assert_error_answer("edad: bad", &errs, ANSWER_SPACED,
                        "{\"error\": \"edad: bad\", \"detail\": "
                        TWO_DETAIL "}");
}

/* Text that is not JSON has no fields to list. */
static void an_answer_without_field_errors_has_no_detail(void **state)
{
    (void)state;
    assert_error_answer("not JSON: '[' or '{' expected near 'not' (column 3)",
                        NULL, ANSWER_COMPACT,
                        "{\"error\":\"not JSON: '[' or '{' expected near "
                        "'not' (column 3)\"}");
    assert_error_answer("x", NULL, ANSWER_SPACED, "{\"error\": \"x\"}");
}

static void the_message_is_escaped_as_a_json_string(void **state)
{
    (void)state;
    assert_error_answer("near '\"\\' \u00f1", NULL, ANSWER_COMPACT,
                        "{\"error\":\"near '\\\"\\\\' \u00f1\"}");
}

int suite_request(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_original_example_is_accepted),
        cmocka_unit_test(the_originals_second_example_is_accepted),
        cmocka_unit_test(negative_amounts_are_refused),
        cmocka_unit_test(edad_must_be_18_to_80),
        cmocka_unit_test(lugar_actual_is_0_to_31_or_a_state_name),
        cmocka_unit_test(income_zero_with_growth_is_refused),
        cmocka_unit_test(seniority_with_unemployment_is_refused),
        cmocka_unit_test(missing_and_mistyped_fields_are_named_as_pydantic_does),
        cmocka_unit_test(lax_coercions_are_accepted_as_pydantic_does),
        cmocka_unit_test(every_bad_field_is_reported_at_once),
        cmocka_unit_test(a_non_object_is_one_model_attributes_type_error),
        cmocka_unit_test(the_fast_path_agrees_with_jansson),
        cmocka_unit_test(malformed_json_is_json_invalid_in_pythons_words),
        cmocka_unit_test(a_bad_line_is_answered_compact_with_its_detail),
        cmocka_unit_test(
            a_bad_batch_item_is_answered_spaced_with_the_same_detail),
        cmocka_unit_test(an_answer_without_field_errors_has_no_detail),
        cmocka_unit_test(the_message_is_escaped_as_a_json_string),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
