/*
 * text.c — the JSON string writer and the growable buffer (see text.h).
 */
#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < need + 1 || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need + 1;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_sequence(u + i, len - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* The bytes of what json_quote writes past `size` are counted, not
 * stored. */
struct quote_out {
    char *dst;
    size_t size, n;
};

static void out_put(struct quote_out *o, const char *s, size_t k)
{
    for (size_t i = 0; i < k; i++, o->n++)
        if (o->n < o->size)
            o->dst[o->n] = s[i];
}

static char short_escape(unsigned char c)
{
    switch (c) {
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return 0;
    }
}

size_t json_quote(char *dst, size_t size, const char *s, size_t len,
                  unsigned flags)
{
    const char *hex = flags & JSON_QUOTE_UPPER_HEX ? "0123456789ABCDEF"
                                                   : "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    struct quote_out o = {dst, size, 0};
    out_put(&o, "\"", 1);
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        size_t run = i;
        /* the common case: a run of bytes copied as they are */
        while (run < len && u[run] >= 0x20 && u[run] != '"' &&
               u[run] != '\\' &&
               (u[run] < 0x80 || !(flags & JSON_QUOTE_REPLACE_INVALID)))
            run++;
        if (run > i) {
            out_put(&o, s + i, run - i);
            i = run;
            continue;
        }
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            out_put(&o, e, 2);
            i++;
        } else if (c < 0x20) {
            char e = flags & JSON_QUOTE_SHORT_ESCAPES ? short_escape(c) : 0;
            if (e) {
                char esc[2] = {'\\', e};
                out_put(&o, esc, 2);
            } else {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out_put(&o, esc, 6);
            }
            i++;
        } else {
            /* non-ASCII with JSON_QUOTE_REPLACE_INVALID */
            size_t k = utf8_sequence(u + i, len - i);
            if (k == 0) {
                out_put(&o, "\\ufffd", 6);
                i++;
            } else {
                out_put(&o, s + i, k);
                i += k;
            }
        }
    }
    out_put(&o, "\"", 1);
    return o.n;
}

void text_reserve(struct text *t, size_t extra)
{
    if (t->failed || t->len + extra + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + extra + 1)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
        t->failed = true;
        return;
    }
    t->p = p;
    t->cap = cap;
}

void text_put(struct text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    if (t->failed)
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void text_puts(struct text *t, const char *s)
{
    text_put(t, s, strlen(s));
}

void text_printf(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        text_put(t, small, (size_t)n);
        return;
    }
    text_reserve(t, (size_t)n);
    if (t->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void text_json_string(struct text *t, const char *s, size_t len,
                      unsigned flags)
{
    /* Written straight into the room left; a literal that did not fit
     * is written again once there is room for it. */
    text_reserve(t, len + 2);
    if (t->failed)
        return;
    size_t room = t->cap - t->len - 1;
    size_t n = json_quote(t->p + t->len, room, s, len, flags);
    if (n > room) {
        text_reserve(t, n);
        if (t->failed)
            return;
        json_quote(t->p + t->len, n, s, len, flags);
    }
    t->len += n;
    t->p[t->len] = '\0';
}
