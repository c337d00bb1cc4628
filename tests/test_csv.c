/*
 * test_csv.c — the CSV reader on the shapes real exports take, and
 * `rules apply` / calibration on good and bad rows.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csvio.h"
#include "score/rules.h"
#include "train/rules_csv.h"

/* Reads all of `text`; returns a printable transcript, one line per
 * record ("3: a|b|c") or error ("error: line 3: ..."). Caller frees. */
static char *transcript(const char *text)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    struct csv_reader *r = csv_reader_new(in);
    struct csv_record rec;
    struct errbuf err;
    int rc;
    while ((rc = csv_reader_next(r, &rec, &err)) != 0) {
        if (rc < 0) {
            fprintf(o, "error: %s\n", err.msg);
            continue;
        }
        fprintf(o, "%ld:", rec.line);
        for (int i = 0; i < rec.field_count; i++)
            fprintf(o, "%s%s", i ? "|" : "", rec.fields[i]);
        fputc('\n', o);
    }
    csv_reader_free(r);
    fclose(in);
    fclose(o);
    return out;
}

#define ASSERT_TRANSCRIPT(text, expected)                                    \
    do {                                                                     \
        char *t_ = transcript(text);                                         \
        assert_string_equal(t_, expected);                                   \
        free(t_);                                                            \
    } while (0)

static void reads_plain_rows_with_their_line_numbers(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
}

static void reads_crlf_and_a_last_line_without_newline(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("a,b\r\n1,2\r\n3,4", "1:a|b\n2:1|2\n3:3|4\n");
}

static void reads_quoted_fields_commas_and_doubled_quotes(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("name,n\n\"Pérez, Juan\",1\n\"say \"\"hi\"\"\",2\n",
                      "1:name|n\n2:Pérez, Juan|1\n3:say \"hi\"|2\n");
}

static void a_quoted_line_break_keeps_the_start_line(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("a,b\n\"two\nlines\",1\nx,2\n",
                      "1:a|b\n2:two\nlines|1\n4:x|2\n");
}

static void skips_blank_lines_and_a_bom(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("\xEF\xBB\xBF" "a,b\n\n1,2\n\n\n3,4\n",
                      "1:a|b\n3:1|2\n6:3|4\n");
}

static void bad_quoting_is_reported_and_reading_goes_on(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("a,b\n1,2\n\"x\"y,3\n4,5\n",
                      "1:a|b\n2:1|2\nerror: line 3: malformed quoting (a quote "
                      "inside an unquoted field, or text after a closing "
                      "quote)\n4:4|5\n");
}

static void an_unclosed_quote_at_the_end_is_reported(void **state)
{
    (void)state;
    ASSERT_TRANSCRIPT("a,b\n1,2\n\"open,3\n",
                      "1:a|b\n2:1|2\nerror: line 3: a quoted field is never "
                      "closed\n");
}

static void writer_quotes_only_when_needed(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&out, &len);
    const char *fields[] = {"plain", "a,b", "say \"hi\"", " pad", "two\nlines",
                            ""};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i)
            fputc(',', o);
        csv_write_field(o, fields[i], strlen(fields[i]));
    }
    fclose(o);
    assert_string_equal(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\" pad\","
                             "\"two\nlines\",");
    free(out);
}

/* ---- rules apply -------------------------------------------------------- */

struct apply_run {
    char *out, *diag;
    struct rows_count count;
    int rc;
    struct errbuf err;
};

static void apply(const char *csv, struct apply_run *run)
{
    const struct rules *r = test_rules_shipped();
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    size_t a, b;
    FILE *out = open_memstream(&run->out, &a);
    FILE *diag = open_memstream(&run->diag, &b);
    run->rc = rules_apply_csv(r, in, out, diag, &run->count, &run->err);
    fclose(in);
    fclose(out);
    fclose(diag);
}

static void apply_done(struct apply_run *run)
{
    free(run->out);
    free(run->diag);
}

#define HEADER                                                               \
    "ingreso,antiguedad_laboral_meses,tiempo_desempleado,trabajos_ultimos_5,"\
    "semanasCotizadas,edad,crecimiento_ingreso,decil_ingreso_ENIGH,"         \
    "liquidez_porcentual,costo_de_vida,crecimiento_gral"

static void apply_adds_points_and_target_to_each_row(void **state)
{
    (void)state;
    struct apply_run run;
    apply(HEADER "\n"
          "45000,50,0,1,1000,32,265.38,8,155.86,280.3,2.07\n"
          "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5\n",
          &run);
    assert_int_equal(run.rc, 0);
    /* row 2: ingreso .1, antig 0, u 0, trabajos .8, semanas .6, edad .8,
     * crec .5, decil 0, liquidez .2, costo .2, gral .6 = 3.8 -> 0.32 */
    assert_string_equal(run.out,
                        HEADER ",rules_points,target\n"
                        "45000,50,0,1,1000,32,265.38,8,155.86,280.3,2.07,9.6,0.80\n"
                        "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5,3.8,0.32\n");
    assert_string_equal(run.diag, "");
    assert_int_equal(run.count.good, 2);
    assert_int_equal(run.count.bad, 0);
    apply_done(&run);
}

static void apply_reads_columns_in_any_order_with_jubilado(void **state)
{
    (void)state;
    struct apply_run run;
    apply("estado,jubilado,edad,ingreso,antiguedad_laboral_meses,"
          "tiempo_desempleado,trabajos_ultimos_5,semanasCotizadas,"
          "crecimiento_ingreso,decil_ingreso_ENIGH,liquidez_porcentual,"
          "costo_de_vida,crecimiento_gral\r\n"
          "\"Nuevo León\",1,70,20000,0,24,1,1600,0,7,10,20,2.07\r\n",
          &run);
    assert_int_equal(run.rc, 0);
    /* edad .3, ingreso .6, antig 0, u 0, trabajos 1, semanas 1, crec .5,
     * decil .6, liquidez .6, costo .6, gral .7, jubilado +2 = 7.9 -> 0.66 */
    assert_string_equal(run.out,
                        "estado,jubilado,edad,ingreso,antiguedad_laboral_meses,"
                        "tiempo_desempleado,trabajos_ultimos_5,semanasCotizadas,"
                        "crecimiento_ingreso,decil_ingreso_ENIGH,"
                        "liquidez_porcentual,costo_de_vida,crecimiento_gral,"
                        "rules_points,target\n"
                        "Nuevo León,1,70,20000,0,24,1,1600,0,7,10,20,2.07,7.9,"
                        "0.66\n");
    apply_done(&run);
}

static void apply_reports_bad_rows_by_line_and_keeps_the_rest(void **state)
{
    (void)state;
    struct apply_run run;
    apply(HEADER "\n"
          "45000,50,0,1,1000,32,265.38,8,155.86,280.3,2.07\n"
          "45000,50,0,1,1000,abc,265.38,8,155.86,280.3,2.07\n"
          "45000,50,0,1,1000,32,265.38,8,155.86,280.3\n"
          "\"45000\"x,50,0,1,1000,32,265.38,8,155.86,280.3,2.07\n"
          "45000,50,0,1,1000,32,nan,8,155.86,280.3,2.07\n"
          "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5\n",
          &run);
    assert_int_equal(run.rc, 0);
    assert_string_equal(run.out,
                        HEADER ",rules_points,target\n"
                        "45000,50,0,1,1000,32,265.38,8,155.86,280.3,2.07,9.6,0.80\n"
                        "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5,3.8,0.32\n");
    assert_string_equal(run.diag,
                        "line 3: column 'edad': 'abc' is not a number\n"
                        "line 4: 10 fields, the header has 11\n"
                        "line 5: malformed quoting (a quote inside an unquoted "
                        "field, or text after a closing quote)\n"
                        "line 6: column 'crecimiento_ingreso': 'nan' is not a "
                        "number\n");
    assert_int_equal(run.count.good, 2);
    assert_int_equal(run.count.bad, 4);
    apply_done(&run);
}

static void apply_twice_changes_nothing(void **state)
{
    (void)state;
    struct apply_run first, second;
    apply(HEADER "\n1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5\n", &first);
    apply(first.out, &second);
    assert_string_equal(first.out, second.out);
    apply_done(&first);
    apply_done(&second);
}

static void apply_refuses_input_missing_a_column(void **state)
{
    (void)state;
    struct apply_run run;
    apply("ingreso,edad\n1,2\n", &run);
    assert_int_equal(run.rc, -1);
    assert_string_equal(run.err.msg,
                        "line 1: missing columns: antiguedad_laboral_meses, "
                        "tiempo_desempleado, trabajos_ultimos_5, "
                        "semanasCotizadas, crecimiento_ingreso, "
                        "decil_ingreso_ENIGH, liquidez_porcentual, "
                        "costo_de_vida, crecimiento_gral");
    apply_done(&run);
    apply("", &run);
    assert_int_equal(run.rc, -1);
    assert_string_equal(run.err.msg, "no header line: the input is empty");
    apply_done(&run);
}

static void target_range_is_min_and_max_of_the_rows(void **state)
{
    (void)state;
    const char *csv = HEADER "\n"
                      "45000,50,0,1,1000,32,265.38,8,155.86,280.3,2.07\n"
                      "1000,0,13,2,198,29,0,0,-93.5,-92.1,1.5\n"
                      "bad\n";
    const struct rules *r = test_rules_shipped();
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    char *diag = NULL;
    size_t dlen;
    FILE *d = open_memstream(&diag, &dlen);
    double lo, hi;
    struct rows_count n;
    struct errbuf err;
    assert_int_equal(rules_target_range(r, in, d, &lo, &hi, &n, &err), 0);
    fclose(in);
    fclose(d);
    assert_true(lo == 0.32);
    assert_true(hi == 0.8);
    assert_int_equal(n.good, 2);
    assert_int_equal(n.bad, 1);
    assert_string_equal(diag, "line 4: 1 fields, the header has 11\n");
    free(diag);
}

int suite_csv(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_plain_rows_with_their_line_numbers),
        cmocka_unit_test(reads_crlf_and_a_last_line_without_newline),
        cmocka_unit_test(reads_quoted_fields_commas_and_doubled_quotes),
        cmocka_unit_test(a_quoted_line_break_keeps_the_start_line),
        cmocka_unit_test(skips_blank_lines_and_a_bom),
        cmocka_unit_test(bad_quoting_is_reported_and_reading_goes_on),
        cmocka_unit_test(an_unclosed_quote_at_the_end_is_reported),
        cmocka_unit_test(writer_quotes_only_when_needed),
        cmocka_unit_test(apply_adds_points_and_target_to_each_row),
        cmocka_unit_test(apply_reads_columns_in_any_order_with_jubilado),
        cmocka_unit_test(apply_reports_bad_rows_by_line_and_keeps_the_rest),
        cmocka_unit_test(apply_twice_changes_nothing),
        cmocka_unit_test(apply_refuses_input_missing_a_column),
        cmocka_unit_test(target_range_is_min_and_max_of_the_rows),
    };
    return RUN_SUITE("csv", tests, count);
}
