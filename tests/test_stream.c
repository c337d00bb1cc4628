/*
 * test_stream.c — scoring a stream of request lines (stream.h) with the
 * shared bundle: one answer a line, in order, a bad line answered in
 * place, the same bytes whatever the number of workers.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/bundle.h"
#include "score/request.h"
#include "score/scoring.h"
#include "score/stream.h"

#define GOOD                                                                 \
    "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "                \
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "                 \
    "\"semanasCotizadas\": 1000, \"edad\": 32, "                             \
    "\"crecimiento_ingreso\": 265.38, \"lugar_actual\": 18}"
#define OTHER                                                                \
    "{\"ingreso\": 12000, \"antiguedad_laboral_meses\": 6, "                 \
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 4, "                 \
    "\"semanasCotizadas\": 150, \"edad\": 24, "                              \
    "\"crecimiento_ingreso\": 10, \"lugar_actual\": \"Jalisco\"}"
#define TOO_YOUNG                                                            \
    "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "                \
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "                 \
    "\"semanasCotizadas\": 1000, \"edad\": 17, "                             \
    "\"crecimiento_ingreso\": 265.38, \"lugar_actual\": 18}"

static int setup(void **state)
{
    const struct test_bundle *shared = test_bundle();
    struct bundle *b = NULL;
    struct errbuf err;
    if (!shared || bundle_load(&b, shared->version_dir, &err) < 0) {
        if (shared)
            print_error("stream: %s\n", err.msg);
        return -1;
    }
    *state = b;
    return 0;
}

static int teardown(void **state)
{
    bundle_free(*state);
    return 0;
}

/* What the stream must answer to one line: the scoring core's response,
 * or request_error_answer's compact error. */
static char *expected_answer(const struct bundle *b, const char *line)
{
    struct applicant a;
    struct request_errors errs;
    char msg[1024];
    int rc = request_parse_text(line, strlen(line), &b->scorer.rd, &a, &errs, msg,
                                sizeof msg);
    size_t len;
    if (rc == -2)
        return request_error_answer(msg, &errs, NULL, ANSWER_COMPACT, &len);
    if (rc < 0) {
        json_t *body = request_json(line, strlen(line));
        request_errors_text(&errs, msg, sizeof msg);
        char *text = request_error_answer(msg, &errs, body, ANSWER_COMPACT,
                                          &len);
        json_decref(body);
        return text;
    }
    struct score s;
    score_applicant(&b->scorer, &a, &s);
    char buf[4096];
    score_format_json(&b->scorer, &s, buf, sizeof buf);
    return strdup(buf);
}

/* Runs the stream over `input` with `workers`; the output as a string
 * (caller frees). */
static char *run_stream(const struct bundle *b, const char *input,
                        size_t input_len, int workers,
                        struct stream_counts *n)
{
    /* fmemopen wants at least a byte */
    FILE *in = input_len ? fmemopen((void *)input, input_len, "r")
                         : fopen("/dev/null", "r");
    char *output = NULL;
    size_t output_len = 0;
    FILE *out = open_memstream(&output, &output_len);
    assert_non_null(in);
    assert_non_null(out);
    struct stream_options opt = {.in = in, .out = out, .workers = workers};
    struct errbuf err;
    if (score_stream(&b->scorer, &opt, n, &err) < 0)
        fail_msg("%s", err.msg);
    fclose(in);
    fclose(out);
    return output;
}

/* The lines of `text` (without their ends) into lines[], at most max. */
static int split_lines(char *text, char **lines, int max)
{
    int n = 0;
    for (char *p = text; *p && n < max;) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl); /* every answer ends its line */
        *nl = '\0';
        lines[n++] = p;
        p = nl + 1;
    }
    return n;
}

static void a_bad_line_is_answered_in_place(void **state)
{
    const struct bundle *b = *state;
    static const char *const lines[] = {
        GOOD, TOO_YOUNG, OTHER, GOOD,
    };
    const int count = (int)(sizeof lines / sizeof lines[0]);
    char input[4096] = "";
    for (int i = 0; i < count; i++) {
        strcat(input, lines[i]);
        strcat(input, "\n");
    }
    struct stream_counts n;
    char *output = run_stream(b, input, strlen(input), 1, &n);
    assert_int_equal(n.lines, count);
    assert_int_equal(n.bad, 1);
    assert_int_equal(n.blank, 0);
    char *answers[16];
    assert_int_equal(split_lines(output, answers, 16), count);
    for (int i = 0; i < count; i++) {
        char *want = expected_answer(b, lines[i]);
        assert_string_equal(answers[i], want);
        free(want);
    }
    assert_non_null(strstr(answers[1], "\"edad: Input should be greater than "
                                       "or equal to 18\""));
    free(output);
}

/* A line that is not JSON says where (the input line, blank lines
 * counted) and why (Python's reason and the character, as the API's
 * json_invalid detail that follows). */
static void a_line_that_is_not_json_says_where_and_why(void **state)
{
    const struct bundle *b = *state;
    static const char input[] = GOOD "\n\n{\"edad\": }\nnot json\n";
    struct stream_counts n;
    char *output = run_stream(b, input, sizeof input - 1, 1, &n);
    assert_int_equal(n.lines, 3);
    assert_int_equal(n.bad, 2);
    char *answers[8];
    assert_int_equal(split_lines(output, answers, 8), 3);
    assert_string_equal(answers[1], "{\"error\":\"line 3: not JSON: "
                        "Expecting value at character 9\",\"detail\":["
                        "{\"type\":\"json_invalid\",\"loc\":[\"body\",9],"
                        "\"msg\":\"JSON decode error\",\"input\":{},"
                        "\"ctx\":{\"error\":\"Expecting value\"}}]}");
    assert_string_equal(answers[2], "{\"error\":\"line 4: not JSON: "
                        "Expecting value at character 0\",\"detail\":["
                        "{\"type\":\"json_invalid\",\"loc\":[\"body\",0],"
                        "\"msg\":\"JSON decode error\",\"input\":{},"
                        "\"ctx\":{\"error\":\"Expecting value\"}}]}");
    free(output);
}

/* Blank lines (empty, spaces, tabs) are not requests: no answer, counted
 * apart, as etl skips them. */
static void blank_lines_are_skipped_and_counted(void **state)
{
    const struct bundle *b = *state;
    static const char input[] = "\n" GOOD "\n  \t\n\r\n" OTHER "\n\n";
    struct stream_counts n;
    char *output = run_stream(b, input, sizeof input - 1, 1, &n);
    assert_int_equal(n.lines, 2);
    assert_int_equal(n.bad, 0);
    assert_int_equal(n.blank, 4);
    char *answers[8];
    assert_int_equal(split_lines(output, answers, 8), 2);
    char *good = expected_answer(b, GOOD), *other = expected_answer(b, OTHER);
    assert_string_equal(answers[0], good);
    assert_string_equal(answers[1], other);
    free(good);
    free(other);
    free(output);
}

/* A line past 1 MiB is read to its end, answered in place, and the next
 * line is read as it is. */
static void an_overlong_line_is_answered_in_place(void **state)
{
    const struct bundle *b = *state;
    size_t big = (3u << 20), len = 0;
    char *input = malloc(big + 1024);
    assert_non_null(input);
    len += (size_t)sprintf(input, "%s\n", GOOD);
    memset(input + len, ' ', big);
    len += big;
    len += (size_t)sprintf(input + len, "x\n%s\n", OTHER);
    struct stream_counts n;
    char *output = run_stream(b, input, len, 1, &n);
    assert_int_equal(n.lines, 3);
    assert_int_equal(n.bad, 1);
    char *answers[8];
    assert_int_equal(split_lines(output, answers, 8), 3);
    assert_string_equal(answers[1], "{\"error\":\"line 2: longer than "
                        "1048576 bytes, the most a request line may be\"}");
    char *other = expected_answer(b, OTHER);
    assert_string_equal(answers[2], other);
    free(other);
    free(output);
    free(input);
}

/* "\r\n" ends and a last line without an end are lines like any other. */
static void crlf_and_an_unterminated_last_line_are_lines(void **state)
{
    const struct bundle *b = *state;
    static const char input[] = GOOD "\r\n" OTHER;
    struct stream_counts n;
    char *output = run_stream(b, input, sizeof input - 1, 1, &n);
    assert_int_equal(n.lines, 2);
    assert_int_equal(n.bad, 0);
    char *answers[4];
    assert_int_equal(split_lines(output, answers, 4), 2);
    char *good = expected_answer(b, GOOD), *other = expected_answer(b, OTHER);
    assert_string_equal(answers[0], good);
    assert_string_equal(answers[1], other);
    free(good);
    free(other);
    free(output);
}

static void an_empty_input_gives_no_answers(void **state)
{
    struct stream_counts n = {-1, -1, -1};
    char *output = run_stream(*state, "", 0, 1, &n);
    assert_int_equal(n.lines, 0);
    assert_int_equal(n.bad, 0);
    assert_string_equal(output, "");
    free(output);
}

/* Enough lines to fill several batches, so that workers finish out of
 * order: the output is the one-worker output byte for byte. */
static void the_answers_do_not_depend_on_the_workers(void **state)
{
    const struct bundle *b = *state;
    const int count = 20000;
    size_t cap = (size_t)count * 256, len = 0;
    char *input = malloc(cap);
    assert_non_null(input);
    for (int i = 0; i < count; i++) {
        const char *line = i % 7 == 3 ? TOO_YOUNG : i % 2 ? OTHER : GOOD;
        len += (size_t)snprintf(input + len, cap - len, "%s\n", line);
    }
    struct stream_counts one, two, four;
    char *a = run_stream(b, input, len, 1, &one);
    char *c = run_stream(b, input, len, 2, &two);
    char *d = run_stream(b, input, len, 4, &four);
    assert_int_equal(one.lines, count);
    assert_int_equal(two.lines, count);
    assert_int_equal(four.lines, count);
    assert_int_equal(one.bad, two.bad);
    assert_int_equal(one.bad, four.bad);
    assert_string_equal(a, c);
    assert_string_equal(a, d);
    free(a);
    free(c);
    free(d);
    free(input);
}

/* A full disk stops the run with the output's name. */
static void an_output_that_cannot_be_written_is_an_error(void **state)
{
    FILE *in = fmemopen((void *)GOOD "\n", sizeof GOOD, "r");
    FILE *out = fopen("/dev/full", "w");
    if (!out)
        skip();
    setvbuf(out, NULL, _IONBF, 0);
    struct stream_options opt = {.in = in, .out = out, .out_name = "answers",
                                 .workers = 1};
    struct stream_counts n;
    struct errbuf err;
    assert_int_equal(score_stream(&((const struct bundle *)*state)->scorer, &opt, &n, &err), -1);
    assert_string_equal(err.msg, "writing answers failed");
    assert_int_equal(n.lines, 0);
    fclose(in);
    fclose(out);
}

int suite_stream(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bad_line_is_answered_in_place),
        cmocka_unit_test(a_line_that_is_not_json_says_where_and_why),
        cmocka_unit_test(blank_lines_are_skipped_and_counted),
        cmocka_unit_test(an_overlong_line_is_answered_in_place),
        cmocka_unit_test(crlf_and_an_unterminated_last_line_are_lines),
        cmocka_unit_test(an_empty_input_gives_no_answers),
        cmocka_unit_test(the_answers_do_not_depend_on_the_workers),
        cmocka_unit_test(an_output_that_cannot_be_written_is_an_error),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("stream", tests, setup, teardown);
}
