/*
 * test_text.c — the one JSON string writer in each of its callers'
 * styles (text.h's table), its UTF-8 check held to jansson's, its
 * snprintf-style length when the buffer is short, and the growable
 * buffer it also writes into.
 */
#include "test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

/* The styles of text.h's table. */
#define HTTP_STYLE JSON_QUOTE_REPLACE_INVALID
#define SCORING_STYLE 0u
#define DEMO_STYLE JSON_QUOTE_SHORT_ESCAPES
#define AUDIT_STYLE (JSON_QUOTE_SHORT_ESCAPES | JSON_QUOTE_UPPER_HEX)

/* s (len bytes) quoted with flags, as a NUL-terminated string in out. */
static size_t quote(char *out, size_t size, const char *s, size_t len,
                    unsigned flags)
{
    size_t n = json_quote(out, size - 1, s, len, flags);
    assert_true(n < size);
    out[n] = '\0';
    return n;
}

/* ------------------------------------------------------------- escaping */

static void quotes_and_backslashes_are_escaped_in_every_style(void **state)
{
    (void)state;
    static const unsigned styles[] = {HTTP_STYLE, SCORING_STYLE, DEMO_STYLE,
                                      AUDIT_STYLE};
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
        char out[64];
        quote(out, sizeof out, "a\"b\\c", 5, styles[i]);
        assert_string_equal(out, "\"a\\\"b\\\\c\"");
    }
}

static void control_chars_are_u00xx_in_http_and_scoring_style(void **state)
{
    (void)state;
    const char in[] = "\x01\n\t\x1f";
    char out[64];
    quote(out, sizeof out, in, sizeof in - 1, HTTP_STYLE);
    assert_string_equal(out, "\"\\u0001\\u000a\\u0009\\u001f\"");
    quote(out, sizeof out, in, sizeof in - 1, SCORING_STYLE);
    assert_string_equal(out, "\"\\u0001\\u000a\\u0009\\u001f\"");
}

static void control_chars_have_short_forms_in_demo_and_audit_style(void **state)
{
    (void)state;
    const char in[] = "\b\f\n\r\t\x01\x1f";
    char out[64];
    quote(out, sizeof out, in, sizeof in - 1, DEMO_STYLE);
    assert_string_equal(out, "\"\\b\\f\\n\\r\\t\\u0001\\u001f\"");
    quote(out, sizeof out, in, sizeof in - 1, AUDIT_STYLE);
    assert_string_equal(out, "\"\\b\\f\\n\\r\\t\\u0001\\u001F\"");
}

static void a_nul_byte_is_a_character(void **state)
{
    (void)state;
    char out[64];
    quote(out, sizeof out, "a\0b", 3, HTTP_STYLE);
    assert_string_equal(out, "\"a\\u0000b\"");
}

static void slash_del_and_utf8_are_copied_in_every_style(void **state)
{
    (void)state;
    /* U+2028 is valid JSON raw, though not valid JavaScript */
    const char in[] = "a/b\x7f Ñ € \xe2\x80\xa8 😀";
    static const unsigned styles[] = {HTTP_STYLE, SCORING_STYLE, DEMO_STYLE,
                                      AUDIT_STYLE};
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
        char out[64], want[64];
        quote(out, sizeof out, in, sizeof in - 1, styles[i]);
        snprintf(want, sizeof want, "\"%s\"", in);
        assert_string_equal(out, want);
    }
}

static void invalid_utf8_becomes_ufffd_per_byte_in_http_style(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"\xff", "\"\\ufffd\""},
        {"a\x80z", "\"a\\ufffdz\""},
        {"\xc0\x80", "\"\\ufffd\\ufffd\""},         /* overlong NUL */
        {"\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* overlong */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* > 10FFFF */
        {"\xc3", "\"\\ufffd\""},                    /* cut short at the end */
        {"\xe2\x82z", "\"\\ufffd\\ufffdz\""},       /* cut short inside */
        {"\xc3\xb1\xff\xc3\xb1", "\"ñ\\ufffdñ\""}, /* valid around it stays */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        quote(out, sizeof out, cases[i].in, strlen(cases[i].in), HTTP_STYLE);
        assert_string_equal(out, cases[i].out);
    }
}

static void invalid_utf8_is_copied_as_is_without_replace(void **state)
{
    (void)state;
    const char in[] = "a\xff\xc0\x80z";
    static const unsigned styles[] = {SCORING_STYLE, DEMO_STYLE, AUDIT_STYLE};
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
        char out[64];
        quote(out, sizeof out, in, sizeof in - 1, styles[i]);
        assert_string_equal(out, "\"a\xff\xc0\x80z\"");
    }
}

/* The stdout audit sink printed its strings through jansson; with the
 * audit style the writer must print the same bytes, for every ASCII
 * character and for text with non-ASCII in it. */
static void audit_style_is_what_jansson_prints(void **state)
{
    (void)state;
    char in[200];
    size_t len = 0;
    for (int c = 0; c < 128; c++)
        in[len++] = (char)c;
    const char utf8[] = "MUÑOZ € 😀 \xe2\x80\xa8";
    memcpy(in + len, utf8, sizeof utf8 - 1);
    len += sizeof utf8 - 1;
    for (size_t cut = 0; cut < 128; cut += 7) { /* starts within ASCII */
        size_t n = len - cut;
        json_t *j = json_stringn(in + cut, n);
        assert_non_null(j);
        char *want = json_dumps(j, JSON_ENCODE_ANY);
        json_decref(j);
        char out[JSON_QUOTE_MAX(200) + 1];
        quote(out, sizeof out, in + cut, n, AUDIT_STYLE);
        assert_string_equal(out, want);
        free(want);
    }
}

/* ------------------------------------------------- the demo's documents */

static void json_string_escapes_quotes_backslashes_and_control_chars(void **state)
{
    (void)state;
    char out[256];
    const char in[] = "A\"B\\C\n\t\x01\x1f\x7f";
    size_t n = json_quote(out, sizeof out, in, sizeof in - 1, DEMO_STYLE);
    out[n] = '\0';
    assert_string_equal(out, "\"A\\\"B\\\\C\\n\\t\\u0001\\u001f\x7f\"");
}

static void json_string_passes_utf8_through_and_round_trips(void **state)
{
    (void)state;
    char in[160], out[1024];
    size_t len = 0;
    for (int c = 1; c < 128; c++)
        in[len++] = (char)c;
    const char utf8[] = "MUÑOZ IBAÑEZ GÜERO € 😀";
    memcpy(in + len, utf8, sizeof utf8 - 1);
    len += sizeof utf8 - 1;
    size_t n = json_quote(out, sizeof out, in, len, DEMO_STYLE);
    assert_non_null(memmem(out, n, utf8, sizeof utf8 - 1));
    json_error_t jerr;
    json_t *j = json_loadb(out, n, JSON_DECODE_ANY, &jerr);
    assert_non_null(j);
    assert_true(json_is_string(j));
    assert_int_equal(json_string_length(j), len);
    assert_memory_equal(json_string_value(j), in, len);
    json_decref(j);
}

/* ------------------------------------------------------ a short buffer */

static void a_short_buffer_gets_the_start_and_the_whole_length(void **state)
{
    (void)state;
    const char in[] = "ab\n\xff";
    char whole[64];
    size_t n = quote(whole, sizeof whole, in, sizeof in - 1, HTTP_STYLE);
    assert_string_equal(whole, "\"ab\\u000a\\ufffd\"");
    for (size_t size = 0; size <= n; size++) {
        char out[64];
        memset(out, '#', sizeof out);
        assert_int_equal(json_quote(out, size, in, sizeof in - 1, HTTP_STYLE),
                         n);
        assert_memory_equal(out, whole, size);
        assert_int_equal(out[size], '#'); /* nothing past size */
    }
    assert_int_equal(json_quote(NULL, 0, in, sizeof in - 1, HTTP_STYLE), n);
}

static void the_room_of_json_quote_max_always_fits(void **state)
{
    (void)state;
    const char worst[] = "\x01\xff\x02\xfe";
    char out[JSON_QUOTE_MAX(4)];
    assert_int_equal(json_quote(out, sizeof out, worst, 4, HTTP_STYLE),
                     sizeof out);
    assert_true(json_quote(out, sizeof out, worst, 4, SCORING_STYLE) <=
                sizeof out);
}

/* ------------------------------------------------------------ UTF-8 */

static bool jansson_accepts(const unsigned char *s, size_t n)
{
    json_t *j = json_stringn((const char *)s, n);
    json_decref(j);
    return j != NULL;
}

/* utf8_valid and jansson agree on every one- and two-byte string, and on
 * three- and four-byte strings for every lead byte of a longer sequence
 * with continuation bytes at and beyond each boundary. */
static void utf8_valid_agrees_with_jansson(void **state)
{
    (void)state;
    unsigned char s[4];
    for (int a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        assert_int_equal(utf8_valid((char *)s, 1), jansson_accepts(s, 1));
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            assert_int_equal(utf8_valid((char *)s, 2), jansson_accepts(s, 2));
        }
    }
    static const unsigned char tails[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
                                          0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    for (int a = 0xe0; a <= 0xff; a++)
        for (int b = 0; b < 256; b++)
            for (size_t c = 0; c < sizeof tails; c++)
                for (size_t d = 0; d < sizeof tails; d++) {
                    s[0] = (unsigned char)a;
                    s[1] = (unsigned char)b;
                    s[2] = tails[c];
                    s[3] = tails[d];
                    if (d == 0)
                        assert_int_equal(utf8_valid((char *)s, 3),
                                         jansson_accepts(s, 3));
                    assert_int_equal(utf8_valid((char *)s, 4),
                                     jansson_accepts(s, 4));
                }
}

/* ------------------------------------------------------------ struct text */

static void text_grows_and_stays_terminated(void **state)
{
    (void)state;
    struct text t = {0};
    for (int i = 0; i < 1000; i++)
        text_printf(&t, "%04d,", i);
    assert_false(t.failed);
    assert_int_equal(t.len, 5000);
    assert_int_equal(strlen(t.p), 5000);
    assert_memory_equal(t.p + 4995, "0999,", 5);
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    text_printf(&t, "<%s>", big); /* longer than text_printf's first try */
    assert_int_equal(t.len, 5000 + 601);
    assert_int_equal(t.p[t.len - 1], '>');
    free(t.p);
}

static void text_json_string_appends_what_json_quote_writes(void **state)
{
    (void)state;
    /* long enough to outgrow the first allocation while quoting */
    char in[3000];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = "a\n\"\xff"[i % 4];
    struct text t = {0};
    text_puts(&t, "x=");
    text_json_string(&t, in, sizeof in, HTTP_STYLE);
    assert_false(t.failed);
    size_t n = json_quote(NULL, 0, in, sizeof in, HTTP_STYLE);
    char *want = malloc(n);
    json_quote(want, n, in, sizeof in, HTTP_STYLE);
    assert_int_equal(t.len, 2 + n);
    assert_memory_equal(t.p + 2, want, n);
    assert_int_equal(t.p[t.len], '\0');
    free(want);
    free(t.p);
}

int suite_text(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quotes_and_backslashes_are_escaped_in_every_style),
        cmocka_unit_test(control_chars_are_u00xx_in_http_and_scoring_style),
        cmocka_unit_test(control_chars_have_short_forms_in_demo_and_audit_style),
        cmocka_unit_test(a_nul_byte_is_a_character),
        cmocka_unit_test(slash_del_and_utf8_are_copied_in_every_style),
        cmocka_unit_test(invalid_utf8_becomes_ufffd_per_byte_in_http_style),
        cmocka_unit_test(invalid_utf8_is_copied_as_is_without_replace),
        cmocka_unit_test(audit_style_is_what_jansson_prints),
        cmocka_unit_test(json_string_escapes_quotes_backslashes_and_control_chars),
        cmocka_unit_test(json_string_passes_utf8_through_and_round_trips),
        cmocka_unit_test(a_short_buffer_gets_the_start_and_the_whole_length),
        cmocka_unit_test(the_room_of_json_quote_max_always_fits),
        cmocka_unit_test(utf8_valid_agrees_with_jansson),
        cmocka_unit_test(text_grows_and_stays_terminated),
        cmocka_unit_test(text_json_string_appends_what_json_quote_writes),
    };
    return RUN_SUITE("text", tests, count);
}
