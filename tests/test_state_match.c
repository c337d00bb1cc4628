/*
 * test_state_match.c — a state, as IMSS or a client writes it, becomes a
 * state (score/refdata.h: state_match, state_by_inegi_code).
 *
 * Every spelling of every state a document can carry must name that
 * state. The spellings are derived by this file's own reading of
 * data/states.csv (Latin-1 range only, no utf8proc), so the matcher is
 * checked against an independent idea of "the same name". The tables
 * themselves, and their refusal when broken, are test_refdata.c's.
 */
#include "test.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "score/refdata.h"

static void expect_state(const struct refdata *rd, const char *text, int want)
{
    int got = state_match(rd, text);
    if (got != want) {
        print_error("state_match(\"%s\") = %d, expected %d\n",
                    text ? text : "(null)", got, want);
        fail();
    }
}

static void test_curp_code_is_kept_per_state(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    assert_string_equal(rd->states[15].curp, "MN"); /* Michoacán */
    assert_string_equal(rd->states[8].curp, "DF");  /* Ciudad de México */
    for (int i = 0; i < STATE_COUNT; i++)
        assert_int_equal(state_match(rd, rd->states[i].curp), i);
}

static void test_inegi_code_names_state(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    for (int i = 0; i < STATE_COUNT; i++)
        assert_int_equal(state_by_inegi_code(rd, i + 1), i);
    assert_int_equal(state_by_inegi_code(rd, 19), 18);
    assert_int_equal(state_by_inegi_code(rd, 0), STATE_UNKNOWN);
    assert_int_equal(state_by_inegi_code(rd, 33), STATE_UNKNOWN);
    assert_int_equal(state_by_inegi_code(rd, -1), STATE_UNKNOWN);
}

/* ------------------------------------------------------------------ */
/* Matching                                                             */
/* ------------------------------------------------------------------ */

/* This file's own Latin-1 view of a UTF-8 name: every state name lies in
 * that range. */
static void to_latin1(const char *utf8, unsigned char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p; p++) {
        assert_true(o + 1 < size);
        if (*p < 0x80) {
            out[o++] = *p;
        } else {
            assert_true(*p == 0xC2 || *p == 0xC3);
            assert_true((p[1] & 0xC0) == 0x80);
            out[o++] = (unsigned char)(((*p & 0x1F) << 6) | (p[1] & 0x3F));
            p++;
        }
    }
    out[o] = '\0';
}

static void latin1_to_utf8_text(const unsigned char *latin1, char *out,
                                size_t size)
{
    size_t o = 0;
    for (; *latin1; latin1++) {
        assert_true(o + 2 < size);
        if (*latin1 < 0x80) {
            out[o++] = (char)*latin1;
        } else {
            out[o++] = (char)(0xC0 | (*latin1 >> 6));
            out[o++] = (char)(0x80 | (*latin1 & 0x3F));
        }
    }
    out[o] = '\0';
}

static bool is_latin1_upper(unsigned c)
{
    return c >= 0xC0 && c <= 0xDE && c != 0xD7;
}

static bool is_latin1_lower(unsigned c)
{
    return c >= 0xE0 && c <= 0xFE && c != 0xF7;
}

/* "MICHOACÁN DE OCAMPO" as Latin-1 bytes */
static void latin1_upper(const char *name, char *out, size_t size)
{
    unsigned char *s = (unsigned char *)out;
    to_latin1(name, s, size);
    for (; *s; s++)
        *s = is_latin1_lower(*s) ? (unsigned char)(*s - 0x20)
                                 : (unsigned char)toupper(*s);
}

/* "michoacán de ocampo", UTF-8 */
static void utf8_lower(const char *name, char *out, size_t size)
{
    unsigned char latin1[128];
    to_latin1(name, latin1, sizeof latin1);
    for (unsigned char *s = latin1; *s; s++)
        *s = is_latin1_upper(*s) ? (unsigned char)(*s + 0x20)
                                 : (unsigned char)tolower(*s);
    latin1_to_utf8_text(latin1, out, size);
}

/* "MICHOACAN DE OCAMPO" */
static void ascii_upper(const char *name, char *out, size_t size)
{
    /* ASCII base letter of Latin-1 0xC0..0xFF */
    static const char base[] = "AAAAAAACEEEEIIII" "DNOOOOO*OUUUUYPS"
                               "AAAAAAACEEEEIIII" "DNOOOOO/OUUUUYPY";
    unsigned char *s = (unsigned char *)out;
    to_latin1(name, s, size);
    for (; *s; s++)
        *s = *s >= 0xC0 ? (unsigned char)base[*s - 0xC0]
                        : (unsigned char)toupper(*s);
}

/* "  ¡Michoacán -- de -- Ocampo!?  " */
static void with_punctuation(const char *name, char *out, size_t size)
{
    size_t o = 0;
    o += (size_t)snprintf(out, size, "  \xC2\xA1");
    for (const char *p = name; *p; p++) {
        assert_true(o + 8 < size);
        if (*p == ' ')
            o += (size_t)snprintf(out + o, size - o, " -- ");
        else
            out[o++] = *p;
    }
    snprintf(out + o, size - o, "!?  ");
}

struct shipped_state {
    int index;
    char fields[6][256]; /* indice,cve_ent,nombre,abrev,curp,alias */
};

/* This file's own reading of data/states.csv: comments, then a header,
 * then rows of six plain fields. */
static int read_states_csv(struct shipped_state *out, int max)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/states.csv", INCOMESCORE_DATADIR);
    char *text = file_read_all(path, NULL, NULL);
    assert_non_null(text);
    int count = 0;
    bool header = true;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        if (header) {
            assert_string_equal(line, "indice,cve_ent,nombre,abrev,curp,alias");
            header = false;
            continue;
        }
        assert_true(count < max);
        struct shipped_state *s = &out[count++];
        memset(s, 0, sizeof *s);
        char *p = line;
        for (int f = 0; f < 6; f++) {
            size_t n = strcspn(p, ",");
            assert_true(n < sizeof s->fields[f]);
            memcpy(s->fields[f], p, n);
            p += n;
            if (f < 5) {
                assert_int_equal(*p, ',');
                p++;
            }
        }
        assert_int_equal(*p, '\0');
        s->index = atoi(s->fields[0]);
    }
    free(text);
    return count;
}

static void test_every_state_matches_every_spelling(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    struct shipped_state states[STATE_COUNT + 1];
    assert_int_equal(read_states_csv(states, STATE_COUNT + 1), STATE_COUNT);
    int checked = 0;
    for (int i = 0; i < STATE_COUNT; i++) {
        const struct shipped_state *s = &states[i];
        const char *name = s->fields[2];
        char buf[512];

        expect_state(rd, name, s->index);
        ascii_upper(name, buf, sizeof buf);
        expect_state(rd, buf, s->index);
        utf8_lower(name, buf, sizeof buf);
        expect_state(rd, buf, s->index);
        latin1_upper(name, buf, sizeof buf);
        expect_state(rd, buf, s->index);
        with_punctuation(name, buf, sizeof buf);
        expect_state(rd, buf, s->index);
        expect_state(rd, s->fields[3], s->index); /* abbreviation */
        expect_state(rd, s->fields[4], s->index); /* CURP code */
        snprintf(buf, sizeof buf, "%d", s->index);
        expect_state(rd, buf, s->index);
        checked += 8;

        char aliases[256];
        snprintf(aliases, sizeof aliases, "%s", s->fields[5]);
        for (char *a = strtok(aliases, "|"); a; a = strtok(NULL, "|")) {
            expect_state(rd, a, s->index);
            with_punctuation(a, buf, sizeof buf);
            expect_state(rd, buf, s->index);
            checked += 2;
        }
    }
    assert_true(checked > 8 * STATE_COUNT); /* the aliases were read */
}

static void test_spec_aliases_match(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    expect_state(rd, "DISTRITO FEDERAL", 8);
    expect_state(rd, "ESTADO DE MEXICO", 14);
    expect_state(rd, "MEXICO", 14);
    expect_state(rd, "COAHUILA", 4);
    expect_state(rd, "MICHOACAN", 15);
    expect_state(rd, "VERACRUZ", 29);
    expect_state(rd, "CDMX", 8);
    expect_state(rd, "Edo. de México", 14);
    expect_state(rd, "QUERETARO", 21);
    expect_state(rd, "Michoacán de Ocampo", 15);
    expect_state(rd, "NL", 18);
    expect_state(rd, "Q. Roo", 22);
    expect_state(rd, "M\xC9XICO", 14);
    expect_state(rd, "NUEVO LE\xD3N", 18);
}

static void test_full_width_text_matches(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    expect_state(rd, "\xEF\xBC\xA3\xEF\xBC\xA4\xEF\xBC\xAD\xEF\xBC\xB8", 8); /* ＣＤＭＸ */
}

static void test_bare_number_is_index(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    expect_state(rd, "18", 18);
    expect_state(rd, " 18 ", 18);
    expect_state(rd, "05", 5);
    expect_state(rd, "0", 0);
    expect_state(rd, "31", 31);
}

static void test_unknown_texts_match_no_state(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    expect_state(rd, NULL, STATE_UNKNOWN);
    expect_state(rd, "", STATE_UNKNOWN);
    expect_state(rd, "   ", STATE_UNKNOWN);
    expect_state(rd, "ATLANTIS", STATE_UNKNOWN);
    expect_state(rd, "32", STATE_UNKNOWN);
    expect_state(rd, "-1", STATE_UNKNOWN);
    expect_state(rd, "99999999999999999999", STATE_UNKNOWN);
    expect_state(rd, "EXTRANJERO", STATE_UNKNOWN);
    expect_state(rd, "..!!", STATE_UNKNOWN);
    expect_state(rd, "\xFF\xFE", STATE_UNKNOWN);
    assert_true(refdata_itaee(rd, STATE_UNKNOWN) == 0.0);
    assert_true(refdata_itaee(rd, STATE_COUNT) == 0.0);
}

static void test_overlong_text_matches_no_state(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    char text[512];
    memset(text, ' ', sizeof text);
    memcpy(text + 300, "Jalisco", 7);
    text[307] = '\0';
    expect_state(rd, text, STATE_UNKNOWN);
    expect_state(rd, text + 100, 13); /* 207 bytes: short enough */
}

int suite_state_match(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inegi_code_names_state),
        cmocka_unit_test(test_curp_code_is_kept_per_state),
        cmocka_unit_test(test_every_state_matches_every_spelling),
        cmocka_unit_test(test_spec_aliases_match),
        cmocka_unit_test(test_full_width_text_matches),
        cmocka_unit_test(test_bare_number_is_index),
        cmocka_unit_test(test_unknown_texts_match_no_state),
        cmocka_unit_test(test_overlong_text_matches_no_state),
    };
    return RUN_SUITE("state_match", tests, count);
}
