/*
 * test_refdata.c — the reference tables: the shipped ones load and carry
 * the figures their files give, and a broken table is refused with its
 * file, line and reason. (What a state's name matches is
 * test_state_match.c's.)
 *
 * No ENIGH or ITAEE figure is written here: the loaded figures are
 * compared with this file's own reading of enigh.csv and itaee.csv, and
 * the broken tables are made by editing a field found by its column name,
 * so a new survey is a change of data/ only.
 */
#include "test.h"

#include "score/refdata.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n;
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            text = realloc(text, cap);
            assert_non_null(text);
        }
    }
    fclose(f);
    text[len] = '\0';
    return text;
}

static char *read_shipped(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", INCOMESCORE_DATADIR, name);
    return read_text(path);
}

static int line_at(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* The row of `text` that starts with `prefix`; there must be exactly one. */
static char *find_row(char *text, const char *prefix)
{
    char *found = NULL;
    for (char *p = text; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp(p, prefix, strlen(prefix)) == 0) {
            assert_null(found);
            found = p;
        }
    }
    assert_non_null(found);
    return found;
}

static size_t row_length(const char *row)
{
    const char *nl = strchr(row, '\n');
    return nl ? (size_t)(nl - row) + 1 : strlen(row);
}

/* A copy of text with `len` bytes at `at` replaced by `insert`. */
static char *splice(const char *text, const char *at, size_t len,
                    const char *insert)
{
    size_t head = (size_t)(at - text), ins = strlen(insert);
    size_t tail = strlen(at + len);
    char *out = malloc(head + ins + tail + 1);
    assert_non_null(out);
    memcpy(out, text, head);
    memcpy(out + head, insert, ins);
    memcpy(out + head + ins, at + len, tail + 1);
    return out;
}

/* Replaces the first `old` inside the row starting with `prefix`; frees
 * text and stores the row's line number in *line. */
static char *edit_row(char *text, const char *prefix, const char *old,
                      const char *new, int *line)
{
    char *row = find_row(text, prefix);
    char *at = strstr(row, old);
    assert_non_null(at);
    assert_true(at + strlen(old) <= row + row_length(row));
    *line = line_at(text, row);
    char *out = splice(text, at, strlen(old), new);
    free(text);
    return out;
}

/* The start of field `col` (0-based) of the line at `row`; its length
 * goes to *len. */
static char *field_in_row(char *row, int col, size_t *len)
{
    size_t end = row_length(row);
    if (end && row[end - 1] == '\n')
        end--;
    char *p = row;
    for (int i = 0; i < col; i++) {
        p = memchr(p, ',', end - (size_t)(p - row));
        assert_non_null(p);
        p++;
    }
    char *comma = memchr(p, ',', end - (size_t)(p - row));
    *len = comma ? (size_t)(comma - p) : end - (size_t)(p - row);
    return p;
}

/* The index of `column` in the header, the first line that is not a
 * comment; it must be there. */
static int column_of(char *text, const char *column)
{
    char *header = text;
    while (*header == '#')
        header = strchr(header, '\n') + 1;
    size_t len;
    for (int col = 0;; col++) {
        char *f = field_in_row(header, col, &len);
        if (len == strlen(column) && memcmp(f, column, len) == 0)
            return col;
    }
}

/* The field under `column` in the row starting with `prefix`; its length
 * goes to *len. */
static char *find_field(char *text, const char *prefix, const char *column,
                        size_t *len)
{
    return field_in_row(find_row(text, prefix), column_of(text, column), len);
}

/* That field's text, copied into a static buffer. */
static const char *field_text(char *text, const char *prefix,
                              const char *column)
{
    static char buf[64];
    size_t len;
    char *f = find_field(text, prefix, column, &len);
    assert_true(len < sizeof buf);
    memcpy(buf, f, len);
    buf[len] = '\0';
    return buf;
}

/* Replaces the field under `column` in the row starting with `prefix` by
 * `new`, or removes it with its comma when new is NULL; frees text and
 * stores the row's line number in *line. */
static char *edit_field(char *text, const char *prefix, const char *column,
                        const char *new, int *line)
{
    size_t len;
    char *at = find_field(text, prefix, column, &len);
    *line = line_at(text, find_row(text, prefix));
    if (!new) {
        assert_int_equal(at[-1], ',');
        at--;
        len++;
        new = "";
    }
    char *out = splice(text, at, len, new);
    free(text);
    return out;
}

static char *remove_row(char *text, const char *prefix, int *line)
{
    char *row = find_row(text, prefix);
    *line = line_at(text, row);
    char *out = splice(text, row, row_length(row), "");
    free(text);
    return out;
}

/* Repeats the row starting with `prefix` on the next line, whose number
 * goes in *line. */
static char *duplicate_row(char *text, const char *prefix, int *line)
{
    char *row = find_row(text, prefix);
    size_t n = row_length(row);
    char *copy = strndup(row, n);
    assert_non_null(copy);
    assert_int_equal(copy[n - 1], '\n');
    *line = line_at(text, row) + 1;
    char *out = splice(text, row + n, 0, copy);
    free(copy);
    free(text);
    return out;
}

/* Writes the shipped tables to a fresh directory, `name` replaced by
 * `text` (left out when text is NULL), loads them and returns what
 * refdata_load returned. Takes ownership of text. */
static int load_tables_with(const char *name, char *text, int year,
                            struct errbuf *err)
{
    static const char *const files[] = {"states.csv", "enigh.csv",
                                        "itaee.csv"};
    char *dir = test_mkdtemp();
    assert_non_null(dir);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        bool this_one = strcmp(files[i], name) == 0;
        if (this_one && !text)
            continue;
        char *body = this_one ? text : read_shipped(files[i]);
        free(test_write_file(dir, files[i], body));
        if (!this_one)
            free(body);
    }
    free(text);
    struct refdata rd;
    memset(&rd, 0xA5, sizeof rd); /* whatever the caller's struct held */
    int rc = refdata_load(&rd, dir, year, err);
    if (rc < 0) {
        /* "On failure rd holds nothing to free" */
        assert_null(rd.keys);
        assert_int_equal(rd.key_count, 0);
    }
    refdata_free(&rd);
    test_rmtree(dir);
    free(dir);
    return rc;
}

static void assert_contains(const char *msg, const char *part)
{
    if (!strstr(msg, part)) {
        print_error("message \"%s\" lacks \"%s\"\n", msg, part);
        fail();
    }
}

/* Refused with a message naming the file, the line (0: none applies) and
 * the reason. */
static void assert_refused(int rc, const struct errbuf *err, const char *file,
                           int line, const char *reason)
{
    assert_int_equal(rc, -1);
    assert_contains(err->msg, file);
    if (line > 0) {
        char at[32];
        snprintf(at, sizeof at, "%s line %d:", file, line);
        assert_contains(err->msg, at);
    }
    assert_contains(err->msg, reason);
}

static int load_shipped(void **state)
{
    struct refdata *rd = malloc(sizeof *rd);
    struct errbuf err = {{0}};
    assert_non_null(rd);
    if (refdata_load(rd, INCOMESCORE_DATADIR, 2023, &err) < 0) {
        print_error("%s\n", err.msg);
        free(rd);
        return -1;
    }
    *state = rd;
    return 0;
}

static int free_shipped(void **state)
{
    refdata_free(*state);
    free(*state);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The shipped tables                                                   */
/* ------------------------------------------------------------------ */

static void test_shipped_tables_load(void **state)
{
    const struct refdata *rd = *state;
    for (int i = 0; i < STATE_COUNT; i++) {
        assert_int_equal(rd->states[i].index, i);
        assert_int_equal(rd->states[i].inegi_code, i + 1);
    }
    assert_string_equal(rd->states[0].name, "Aguascalientes");
    assert_string_equal(rd->states[5].name, "Colima");
    assert_string_equal(rd->states[18].name, "Nuevo León");
    assert_int_equal(rd->states[18].inegi_code, 19);
    assert_string_equal(rd->states[15].abbrev, "MICH");
    assert_int_equal(rd->itaee_year, 2023); /* as load_shipped asked */
}

/* The figure the table's text gives under `column` in the row of INEGI
 * code `code` equals `loaded`: strtod of the literal as the file writes
 * it, so exactly the same double. */
static void assert_figure(char *text, const char *file, int code,
                          const char *column, double loaded)
{
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%02d,", code);
    const char *literal = field_text(text, prefix, column);
    if (strtod(literal, NULL) != loaded)
        fail_msg("%s, row %02d, %s: the file says %s, loaded %.17g", file,
                 code, column, literal, loaded);
}

static void test_every_enigh_figure_is_the_file_s(void **state)
{
    const struct refdata *rd = *state;
    char *text = read_shipped("enigh.csv");
    for (int code = 0; code <= STATE_COUNT; code++) { /* 00: national */
        const struct enigh_figures *e =
            code ? &rd->enigh[state_by_inegi_code(rd, code)]
                 : &rd->enigh_national;
        assert_figure(text, "enigh.csv", code, "liquidez", e->liquidez);
        for (int d = 0; d < ENIGH_DECILES; d++) {
            char column[16];
            snprintf(column, sizeof column, "d%d", d + 1);
            assert_figure(text, "enigh.csv", code, column, e->deciles[d]);
        }
        assert_figure(text, "enigh.csv", code, "gasto_total", e->gasto_total);
    }
    free(text);
}

static void test_every_itaee_figure_is_the_file_s(void **state)
{
    const struct refdata *rd = *state;
    char *text = read_shipped("itaee.csv");
    /* the years: every column after cve_ent and entidad */
    char *header = find_row(text, "cve_ent,");
    size_t len;
    int fields = 1;
    for (const char *p = header; *p && *p != '\n'; p++)
        fields += *p == ',';
    int first = atoi(field_in_row(header, 2, &len));
    int last = atoi(field_in_row(header, fields - 1, &len));
    assert_int_equal(last - first + 1, fields - 2);
    assert_int_equal(rd->itaee_first_year, first);
    assert_int_equal(rd->itaee_last_year, last);
    for (int code = 1; code <= STATE_COUNT; code++) {
        int s = state_by_inegi_code(rd, code);
        for (int year = first; year <= last; year++) {
            char column[16];
            snprintf(column, sizeof column, "%d", year);
            assert_figure(text, "itaee.csv", code, column,
                          rd->itaee[s][year - first]);
        }
    }
    free(text);
}

/* Loaded for each year of the file, every state's ITAEE is that year's
 * column. */
static void test_itaee_year_selects_its_column(void **state)
{
    const struct refdata *shipped = *state;
    char *text = read_shipped("itaee.csv");
    for (int year = shipped->itaee_first_year;
         year <= shipped->itaee_last_year; year++) {
        struct refdata rd;
        struct errbuf err = {{0}};
        assert_int_equal(refdata_load(&rd, INCOMESCORE_DATADIR, year, &err),
                         0);
        char column[16];
        snprintf(column, sizeof column, "%d", year);
        for (int code = 1; code <= STATE_COUNT; code++)
            assert_figure(text, "itaee.csv", code, column,
                          refdata_itaee(&rd, state_by_inegi_code(&rd, code)));
        refdata_free(&rd);
    }
    free(text);
}

/* ------------------------------------------------------------------ */
/* Malformed tables                                                     */
/* ------------------------------------------------------------------ */

static void test_decile_not_increasing_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    /* d4 equal to d3 */
    char *t = read_shipped("enigh.csv");
    char d3[64], reason[160];
    snprintf(d3, sizeof d3, "%s", field_text(t, "01,", "d3"));
    t = edit_field(t, "01,", "d4", d3, &line);
    snprintf(reason, sizeof reason, "d4 %s is not above d3 %s", d3, d3);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line, reason);
}

static void test_non_numeric_value_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_field(read_shipped("enigh.csv"), "06,", "liquidez", "abc",
                         &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line, "liquidez 'abc' is not a number");
}

static void test_infinite_number_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_field(read_shipped("itaee.csv"), "32,", "2023", "1e999",
                         &line);
    assert_refused(load_tables_with("itaee.csv", t, 2023, &err), &err,
                   "itaee.csv", line, "2023 '1e999' is not a number");
}

static void test_nonpositive_figure_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_field(read_shipped("enigh.csv"), "01,", "gasto_total",
                         "0", &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line, "gasto_total 0 is not positive");
}

static void test_missing_state_row_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = remove_row(read_shipped("itaee.csv"), "07,", &line);
    assert_refused(load_tables_with("itaee.csv", t, 2023, &err), &err,
                   "itaee.csv", 0, "state 07 (Chiapas) is missing");
}

static void test_missing_national_row_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = remove_row(read_shipped("enigh.csv"), "00,", &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", 0, "national row (00) is missing");
}

static void test_duplicated_state_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = duplicate_row(read_shipped("enigh.csv"), "06,", &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line, "06 (Colima) appears twice");
}

static void test_code_naming_another_state_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_row(read_shipped("enigh.csv"), "07,", "07,", "08,", &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line,
                   "entidad 'Chiapas' is not state 08 (Chihuahua)");
}

static void test_row_with_too_few_fields_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_field(read_shipped("enigh.csv"), "01,", "gasto_total",
                         NULL, &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line, "expected 14 fields, found 13");
}

static void test_missing_column_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_row(read_shipped("enigh.csv"), "cve_ent,", "gasto_total",
                       "gasto", &line);
    assert_refused(load_tables_with("enigh.csv", t, 2023, &err), &err,
                   "enigh.csv", line, "no column 'gasto_total'");
}

static void test_quoted_field_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_row(read_shipped("states.csv"), "6,", "Chiapas",
                       "\"Chiapas\"", &line);
    assert_refused(load_tables_with("states.csv", t, 2023, &err), &err,
                   "states.csv", line, "quoted");
}

static void test_31_states_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = remove_row(read_shipped("states.csv"), "31,", &line);
    assert_refused(load_tables_with("states.csv", t, 2023, &err), &err,
                   "states.csv", 0, "31 states, expected 32");
}

static void test_duplicated_state_code_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_row(read_shipped("states.csv"), "6,", ",07,", ",06,",
                       &line);
    assert_refused(load_tables_with("states.csv", t, 2023, &err), &err,
                   "states.csv", line, "cve_ent 06 appears twice");
}

static void test_alias_naming_two_states_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_row(read_shipped("states.csv"), "31,", "ZS,", "ZS,JAL.",
                       &line);
    assert_refused(load_tables_with("states.csv", t, 2023, &err), &err,
                   "states.csv", line,
                   "alias 'JAL.' names both Jalisco and Zacatecas");
}

static void test_same_spelling_twice_for_one_state_loads(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    int line;
    char *t = edit_row(read_shipped("states.csv"), "31,", "ZS,",
                       "ZS,zacatecas|ZAC.|Zacatecas", &line);
    assert_int_equal(load_tables_with("states.csv", t, 2023, &err), 0);
}

static void test_windows_line_endings_load(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    char *text = read_shipped("states.csv");
    size_t n = strlen(text), lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    char *crlf = malloc(n + lines + 1), *o = crlf;
    assert_non_null(crlf);
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\n')
            *o++ = '\r';
        *o++ = text[i];
    }
    *o = '\0';
    free(text);
    int rc = load_tables_with("states.csv", crlf, 2023, &err);
    if (rc < 0)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void test_itaee_year_outside_file_is_refused(void **state)
{
    const struct refdata *shipped = *state;
    int first = shipped->itaee_first_year, last = shipped->itaee_last_year;
    struct errbuf err = {{0}};
    struct refdata rd;
    char reason[80];
    int rc = refdata_load(&rd, INCOMESCORE_DATADIR, last + 1, &err);
    snprintf(reason, sizeof reason, "year %d not in the file (%d-%d)",
             last + 1, first, last);
    assert_refused(rc, &err, "itaee.csv", 0, reason);
    assert_null(rd.keys);
    rc = refdata_load(&rd, INCOMESCORE_DATADIR, first - 1, &err);
    snprintf(reason, sizeof reason, "year %d not in the file", first - 1);
    assert_refused(rc, &err, "itaee.csv", 0, reason);
}

/* The first year's column renamed to the year before it. */
static void test_itaee_years_not_consecutive_are_refused(void **state)
{
    const struct refdata *shipped = *state;
    int first = shipped->itaee_first_year;
    struct errbuf err = {{0}};
    int line;
    char column[16], earlier[16], reason[80];
    snprintf(column, sizeof column, "%d", first);
    snprintf(earlier, sizeof earlier, "%d", first - 1);
    char *t = edit_field(read_shipped("itaee.csv"), "cve_ent,", column,
                         earlier, &line);
    snprintf(reason, sizeof reason, "column %d follows %d", first + 1,
             first - 1);
    assert_refused(load_tables_with("itaee.csv", t, 2023, &err), &err,
                   "itaee.csv", line, reason);
}

static void test_missing_file_is_refused(void **state)
{
    (void)state;
    struct errbuf err = {{0}};
    assert_refused(load_tables_with("enigh.csv", NULL, 2023, &err), &err,
                   "enigh.csv", 0, "No such file");
}

int suite_refdata(int *count)
{
#define WITH_TABLES(f) cmocka_unit_test_setup_teardown(f, load_shipped, free_shipped)
    const struct CMUnitTest tests[] = {
        WITH_TABLES(test_shipped_tables_load),
        WITH_TABLES(test_every_enigh_figure_is_the_file_s),
        WITH_TABLES(test_every_itaee_figure_is_the_file_s),
        WITH_TABLES(test_itaee_year_selects_its_column),
        cmocka_unit_test(test_decile_not_increasing_is_refused),
        cmocka_unit_test(test_non_numeric_value_is_refused),
        cmocka_unit_test(test_infinite_number_is_refused),
        cmocka_unit_test(test_nonpositive_figure_is_refused),
        cmocka_unit_test(test_missing_state_row_is_refused),
        cmocka_unit_test(test_missing_national_row_is_refused),
        cmocka_unit_test(test_duplicated_state_is_refused),
        cmocka_unit_test(test_code_naming_another_state_is_refused),
        cmocka_unit_test(test_row_with_too_few_fields_is_refused),
        cmocka_unit_test(test_missing_column_is_refused),
        cmocka_unit_test(test_quoted_field_is_refused),
        cmocka_unit_test(test_31_states_is_refused),
        cmocka_unit_test(test_duplicated_state_code_is_refused),
        cmocka_unit_test(test_alias_naming_two_states_is_refused),
        cmocka_unit_test(test_same_spelling_twice_for_one_state_loads),
        cmocka_unit_test(test_windows_line_endings_load),
        WITH_TABLES(test_itaee_year_outside_file_is_refused),
        WITH_TABLES(test_itaee_years_not_consecutive_are_refused),
        cmocka_unit_test(test_missing_file_is_refused),
    };
#undef WITH_TABLES
    return RUN_SUITE("refdata", tests, count);
}
