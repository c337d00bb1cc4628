/*
 * text.h — building text: the one JSON string writer, the UTF-8 check it
 * rests on, and a growable buffer to write into.
 *
 * Every JSON string literal incomescore writes by hand goes through
 * json_quote: the API's answers and log lines (http/), the scoring core's
 * prepared response pieces (score/scoring.c), the audit log's stdout lines
 * (http/audit.c) and the synthetic documents (demo/demo_data.c). Each of
 * those once had its own escaper, and each wrote a few characters its own
 * way; their outputs are tested byte for byte, so those ways are kept as
 * flags rather than made one, and a caller names the flags it needs:
 *
 *                     control chars                hex    not UTF-8
 *   http: answers,    \u00xx                       lower  \ufffd per byte
 *     log lines
 *   score/scoring     \u00xx                       lower  copied as is
 *   demo_data         \b \f \n \r \t, else \u00xx  lower  copied as is
 *   http/audit:       \b \f \n \r \t, else \u00XX  UPPER  see below
 *     stdout lines
 *
 * The audit's stdout lines were printed through jansson, whose rendering
 * this is; a string that is not UTF-8 has each byte above 0x7f made '?'
 * by audit.c before it is written (utf8_valid tells it which).
 *
 * In every style '"' and '\\' are escaped and nothing else is: '/', DEL
 * (0x7f) and non-ASCII (U+2028 included) are copied as they are, since a
 * JSON reader takes them raw.
 *
 * json_quote writes into a caller's buffer and returns the length it
 * needed, snprintf-style but without a terminator, so the scoring core
 * can build its pieces in fixed buffers with no allocation. struct text
 * grows with the malloc family for the places (log lines, error bodies,
 * /metrics, a batch's answer) whose length is not known in advance.
 */
#ifndef INCOMESCORE_TEXT_H
#define INCOMESCORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* json_quote's flags (see the table above). */
enum {
    /* \b \f \n \r \t as two characters; without it, as \u00XX */
    JSON_QUOTE_SHORT_ESCAPES = 1u << 0,
    /* \u001F rather than \u001f */
    JSON_QUOTE_UPPER_HEX = 1u << 1,
    /* each byte that does not start a valid UTF-8 sequence (utf8_valid's
     * rules) becomes \ufffd, so the output is valid JSON whatever the
     * input; without it, every byte from 0x20 up is copied as it is */
    JSON_QUOTE_REPLACE_INVALID = 1u << 2,
};

/* Room that always fits json_quote's output for len input bytes: the
 * quotes and six bytes (\u00XX or \ufffd) for each input byte. */
#define JSON_QUOTE_MAX(len) (6 * (size_t)(len) + 2)

/* Writes s (len bytes; NUL bytes are characters like any other) as a
 * JSON string literal, quotes included, into dst: the first `size` bytes
 * of it, no terminator added. Returns the literal's whole length, so a
 * result above size means the literal was cut there. dst may be NULL
 * when size is 0, to ask for the length. */
size_t json_quote(char *dst, size_t size, const char *s, size_t len,
                  unsigned flags);

/* Whether s (len bytes) is valid UTF-8: no overlong forms, no UTF-16
 * surrogates (U+D800–U+DFFF), nothing above U+10FFFF. These are
 * jansson's rules too (a test holds the two together), so a string that
 * passes is one jansson accepts. */
bool utf8_valid(const char *s, size_t len);

/* A growing, NUL-terminated byte buffer; start with {0}, free p. An
 * allocation failure sets `failed`, after which appends do nothing, so
 * a caller checks once at the end. */
struct text {
    char *p;
    size_t len, cap;
    bool failed;
};

/* Makes room for `extra` more bytes (and the terminator) at once. */
void text_reserve(struct text *t, size_t extra);
void text_put(struct text *t, const char *s, size_t n);
void text_puts(struct text *t, const char *s);
void text_printf(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s (len bytes) as a JSON string literal: json_quote with flags. */
void text_json_string(struct text *t, const char *s, size_t len,
                      unsigned flags);

#endif
