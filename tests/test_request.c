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

/* The request text with one field's value replaced ("edad", "17"), or
 * removed (value NULL); parsed; errors rendered as text into out. */
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
    request_errors_text(&errs, out, size);
    json_decref(obj);
    return rc;
}

static void expect_error(const char *field, const char *value,
                         const char *message)
{
    char text[1024];
    if (parse_with(field, value, text, sizeof text, NULL) != -1)
        fail_msg("%s = %s accepted", field, value ? value : "(missing)");
    if (strcmp(text, message) != 0)
        fail_msg("%s = %s:\n got  %s\n want %s", field,
                 value ? value : "(missing)", text, message);
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
    expect_error("ingreso", "-1", "ingreso: must be between 0 and 1e+07");
    expect_error("antiguedad_laboral_meses", "-1",
                 "antiguedad_laboral_meses: must be between 0 and 840");
    expect_error("tiempo_desempleado", "-1",
                 "tiempo_desempleado: must be between 0 and 840");
    expect_error("trabajos_ultimos_5", "-1",
                 "trabajos_ultimos_5: must be between 0 and 100");
    expect_error("semanasCotizadas", "-1",
                 "semanasCotizadas: must be between 0 and 3640");
}

static void edad_must_be_18_to_80(void **state)
{
    (void)state;
    char text[256];
    expect_error("edad", "17", "edad: must be between 18 and 80");
    expect_error("edad", "81", "edad: must be between 18 and 80");
    assert_int_equal(parse_with("edad", "18", text, sizeof text, NULL), 0);
    assert_int_equal(parse_with("edad", "80", text, sizeof text, NULL), 0);
}

static void lugar_actual_is_0_to_31_or_a_state_name(void **state)
{
    (void)state;
    char text[256];
    struct applicant a;
    expect_error("lugar_actual", "32", "lugar_actual: must be between 0 and 31");
    expect_error("lugar_actual", "-1", "lugar_actual: must be between 0 and 31");
    assert_int_equal(parse_with("lugar_actual", "0", text, sizeof text, &a), 0);
    assert_int_equal(a.lugar_actual, 0);
    assert_int_equal(parse_with("lugar_actual", "31", text, sizeof text, &a), 0);
    assert_int_equal(a.lugar_actual, 31);
    assert_int_equal(parse_with("lugar_actual", "\"Nuevo León\"", text,
                                sizeof text, &a), 0);
    assert_int_equal(a.lugar_actual, 18);
    assert_int_equal(parse_with("lugar_actual", "\"DISTRITO FEDERAL\"", text,
                                sizeof text, &a), 0);
    assert_int_equal(a.lugar_actual, 8);
    expect_error("lugar_actual", "\"Atlantida\"",
                 "lugar_actual: is not a state index 0-31 or a state name");
}

static void income_zero_with_growth_is_refused(void **state)
{
    (void)state;
    expect_error("ingreso", "0",
                 "crecimiento_ingreso: must be 0 when ingreso is 0");
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
    expect_error("tiempo_desempleado", "3",
                 "tiempo_desempleado: must be 0 when antiguedad_laboral_meses "
                 "is above 0 (a current job)");
}

static void missing_and_mistyped_fields_are_named(void **state)
{
    (void)state;
    expect_error("edad", NULL, "edad: is missing");
    expect_error("edad", "\"32\"", "edad: must be a whole number");
    expect_error("edad", "32.5", "edad: must be a whole number");
    expect_error("edad", "true", "edad: must be a whole number");
    expect_error("edad", "null", "edad: must be a whole number");
    expect_error("ingreso", "\"45000\"", "ingreso: must be a number");
    expect_error("ingreso", "1e300", "ingreso: must be between 0 and 1e+07");
    expect_error("crecimiento_ingreso", "-101",
                 "crecimiento_ingreso: must be between -100 and 100000");
    char text[256];
    struct applicant a;
    assert_int_equal(parse_with("edad", "32.0", text, sizeof text, &a), 0);
    assert_int_equal(a.edad, 32);
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
                        "ingreso: must be between 0 and 1e+07; "
                        "antiguedad_laboral_meses: is missing; "
                        "tiempo_desempleado: is missing; "
                        "trabajos_ultimos_5: is missing; "
                        "semanasCotizadas: must be a whole number; "
                        "edad: must be between 18 and 80; "
                        "crecimiento_ingreso: is missing; "
                        "lugar_actual: must be between 0 and 31");
    json_t *j = request_errors_json(&errs);
    char *dump = json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(dump, "{\"detail\":[{\"loc\":[\"body\","
                                 "\"ingreso\"],\"msg\":\"must be between 0 "
                                 "and 1e+07\",\"type\":\"value_error\"},"));
    free(dump);
    json_decref(j);
    json_decref(obj);
}

static void a_non_object_is_one_body_error(void **state)
{
    (void)state;
    json_t *arr = json_array();
    struct applicant a;
    struct request_errors errs;
    assert_int_equal(request_parse(arr, test_refdata(), &a, &errs), -1);
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.errors[0].field, "body");
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
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *t = texts[i];
        struct applicant fast = {0}, slow = {0};
        struct request_errors fe, se;
        char fmsg[256] = "", smsg[256] = "", jmsg[256];
        int frc = request_parse_text(t, strlen(t), test_refdata(), &fast, &fe,
                                     jmsg, sizeof jmsg);
        json_error_t jerr;
        json_t *obj = json_loadb(t, strlen(t), JSON_REJECT_DUPLICATES, &jerr);
        int src = obj ? request_parse(obj, test_refdata(), &slow, &se) : -2;
        json_decref(obj);
        if (frc != src)
            fail_msg("text %zu: fast %d, jansson %d", i, frc, src);
        if (frc == 0 && memcmp(&fast, &slow, sizeof fast) != 0)
            fail_msg("text %zu: different applicants", i);
        if (frc == -1) {
            request_errors_text(&fe, fmsg, sizeof fmsg);
            request_errors_text(&se, smsg, sizeof smsg);
            if (strcmp(fmsg, smsg) != 0)
                fail_msg("text %zu:\n fast    %s\n jansson %s", i, fmsg, smsg);
        }
    }
}

static void a_nul_byte_is_not_json(void **state)
{
    (void)state;
    static const char text[] = "{\"edad\": 32\0, \"x\": 1}";
    struct applicant a;
    struct request_errors errs;
    char msg[256];
    assert_int_equal(request_parse_text(text, sizeof text - 1, test_refdata(),
                                        &a, &errs, msg, sizeof msg), -2);
    assert_string_equal(msg, "not JSON: a NUL byte in the text");
}

/* README's bad line: an age out of range, and unemployment beside a
 * current job. */
static struct request_errors two_errors(void)
{
    static const char text[] =
        "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "
        "\"tiempo_desempleado\": 3, \"trabajos_ultimos_5\": 1, "
        "\"semanasCotizadas\": 1000, \"edad\": 17, "
        "\"crecimiento_ingreso\": 265.38, \"lugar_actual\": 18}";
    struct applicant a;
    struct request_errors errs;
    char msg[256];
    assert_int_equal(request_parse_text(text, sizeof text - 1, test_refdata(),
                                        &a, &errs, msg, sizeof msg), -1);
    assert_int_equal(errs.count, 2);
    return errs;
}

#define TWO_DETAIL                                                           \
    "[{\"loc\":[\"body\",\"edad\"],\"msg\":\"must be between 18 and 80\","    \
    "\"type\":\"value_error\"},{\"loc\":[\"body\",\"tiempo_desempleado\"],"  \
    "\"msg\":\"must be 0 when antiguedad_laboral_meses is above 0 (a "         \
    "current job)\",\"type\":\"value_error\"}]"

static void assert_error_answer(const char *message,
                                const struct request_errors *errs,
                                enum answer_layout layout, const char *want)
{
    size_t len = 0;
    char *text = request_error_answer(message, errs, layout, &len);
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
                        "{\"error\":\"edad: must be between 18 and 80; "
                        "tiempo_desempleado: must be 0 when "
                        "antiguedad_laboral_meses is above 0 (a current "
                        "job)\",\"detail\":" TWO_DETAIL "}");
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
        cmocka_unit_test(missing_and_mistyped_fields_are_named),
        cmocka_unit_test(every_bad_field_is_reported_at_once),
        cmocka_unit_test(a_non_object_is_one_body_error),
        cmocka_unit_test(the_fast_path_agrees_with_jansson),
        cmocka_unit_test(a_nul_byte_is_not_json),
        cmocka_unit_test(a_bad_line_is_answered_compact_with_its_detail),
        cmocka_unit_test(
            a_bad_batch_item_is_answered_spaced_with_the_same_detail),
        cmocka_unit_test(an_answer_without_field_errors_has_no_detail),
        cmocka_unit_test(the_message_is_escaped_as_a_json_string),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
