/*
 * csvio.c — a line-aware pull reader on top of libcsv, and a minimal-quoting
 * writer (see csvio.h).
 *
 * libcsv pushes fields and record ends through callbacks. We feed it one
 * physical line at a time so that we know which line a record starts on,
 * and queue the records it completes; csv_reader_next pops them.
 */
#include "base/csvio.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

struct pending {
    char *buf;          /* fields back to back, each NUL-terminated */
    size_t len, cap;
    size_t *offsets;    /* start of each field in buf */
    size_t *lengths;
    int count, cap_fields;
    long line;
};

struct csv_reader {
    FILE *in;
    struct csv_parser parser;
    char *line;
    size_t line_cap;
    long line_no;
    bool at_record_start;   /* the previous line ended a record */
    bool eof;
    bool oom;
    struct pending cur;     /* the record being filled */
    struct pending *queue;  /* completed records, consumed from head */
    int queued, head, queue_cap;
    struct pending served;  /* the record last handed out */
    const char **field_ptrs;
    int field_ptrs_cap;
};

static bool pending_add_field(struct pending *p, const char *s, size_t n)
{
    if (p->count == p->cap_fields) {
        int cap = p->cap_fields ? p->cap_fields * 2 : 16;
        size_t *o = realloc(p->offsets, cap * sizeof *o);
        if (!o)
            return false;
        p->offsets = o;
        size_t *l = realloc(p->lengths, cap * sizeof *l);
        if (!l)
            return false;
        p->lengths = l;
        p->cap_fields = cap;
    }
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 256;
        while (cap < p->len + n + 1)
            cap *= 2;
        char *b = realloc(p->buf, cap);
        if (!b)
            return false;
        p->buf = b;
        p->cap = cap;
    }
    if (n)
        memcpy(p->buf + p->len, s, n);
    p->buf[p->len + n] = '\0';
    p->offsets[p->count] = p->len;
    p->lengths[p->count] = n;
    p->len += n + 1;
    p->count++;
    return true;
}

static void pending_clear(struct pending *p)
{
    p->len = 0;
    p->count = 0;
}

static void pending_free(struct pending *p)
{
    free(p->buf);
    free(p->offsets);
    free(p->lengths);
}

static void on_field(void *s, size_t n, void *data)
{
    struct csv_reader *r = data;
    if (!pending_add_field(&r->cur, s ? s : "", s ? n : 0))
        r->oom = true;
}

static void on_record_end(int c, void *data)
{
    (void)c;
    struct csv_reader *r = data;
    r->at_record_start = true;
    if (r->queued == r->queue_cap) {
        int cap = r->queue_cap ? r->queue_cap * 2 : 4;
        struct pending *q = realloc(r->queue, cap * sizeof *q);
        if (!q) {
            r->oom = true;
            return;
        }
        memset(q + r->queue_cap, 0, (cap - r->queue_cap) * sizeof *q);
        r->queue = q;
        r->queue_cap = cap;
    }
    /* Swap buffers rather than copy: the queue slot's old allocation
     * becomes the next record's. */
    struct pending spare = r->queue[r->queued];
    r->queue[r->queued++] = r->cur;
    r->cur = spare;
    pending_clear(&r->cur);
}

struct csv_reader *csv_reader_new(FILE *in)
{
    struct csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (csv_init(&r->parser, CSV_OPTIONS) != 0) {
        free(r);
        return NULL;
    }
    r->in = in;
    r->at_record_start = true;
    return r;
}

void csv_reader_free(struct csv_reader *r)
{
    if (!r)
        return;
    csv_free(&r->parser);
    free(r->line);
    pending_free(&r->cur);
    pending_free(&r->served);
    for (int i = 0; i < r->queue_cap; i++)
        pending_free(&r->queue[i]);
    free(r->queue);
    free(r->field_ptrs);
    free(r);
}

/* After a parse error the parser's state is unknown: start afresh. */
static void reset_parser(struct csv_reader *r)
{
    csv_free(&r->parser);
    csv_init(&r->parser, CSV_OPTIONS);
    pending_clear(&r->cur);
    r->at_record_start = true;
}

static int serve(struct csv_reader *r, struct csv_record *rec,
                 struct errbuf *err)
{
    struct pending tmp = r->served;
    r->served = r->queue[r->head];
    r->queue[r->head] = tmp;
    pending_clear(&r->queue[r->head]);
    if (++r->head == r->queued)
        r->head = r->queued = 0;

    struct pending *p = &r->served;
    if (p->count > r->field_ptrs_cap) {
        const char **fp = realloc(r->field_ptrs, p->count * sizeof *fp);
        if (!fp)
            return err_set(err, "line %ld: out of memory", p->line);
        r->field_ptrs = fp;
        r->field_ptrs_cap = p->count;
    }
    for (int i = 0; i < p->count; i++)
        r->field_ptrs[i] = p->buf + p->offsets[i];
    rec->line = p->line;
    rec->field_count = p->count;
    rec->fields = r->field_ptrs;
    rec->lengths = p->lengths;
    return 1;
}

int csv_reader_next(struct csv_reader *r, struct csv_record *rec,
                    struct errbuf *err)
{
    while (r->head == r->queued) {
        if (r->eof)
            return 0;
        ssize_t n = getline(&r->line, &r->line_cap, r->in);
        if (n < 0) {
            r->eof = true;
            long start = r->cur.line;
            if (csv_fini(&r->parser, on_field, on_record_end, r) != 0) {
                reset_parser(r);
                return err_set(err, "line %ld: a quoted field is never closed",
                               start);
            }
            continue;
        }
        r->line_no++;
        const char *s = r->line;
        if (r->line_no == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
        }
        if (r->at_record_start) {
            /* libcsv skips an empty line without a callback; skip it here
             * too, or the next record would be dated to it. */
            if (strspn(s, "\r\n") == (size_t)n)
                continue;
            r->cur.line = r->line_no;
            r->at_record_start = false;
        }
        long start = r->cur.line;
        if (csv_parse(&r->parser, s, (size_t)n, on_field, on_record_end, r) !=
            (size_t)n) {
            int e = csv_error(&r->parser);
            reset_parser(r);
            if (e == CSV_EPARSE)
                return err_set(err, "line %ld: malformed quoting (a quote "
                                    "inside an unquoted field, or text after "
                                    "a closing quote)",
                               start);
            return err_set(err, "line %ld: %s", start, csv_strerror(e));
        }
        if (r->oom) {
            r->oom = false;
            reset_parser(r);
            return err_set(err, "line %ld: out of memory", start);
        }
    }
    return serve(r, rec, err);
}

void csv_write_field(FILE *out, const char *s, size_t len)
{
    bool quote = len > 0 && (s[0] == ' ' || s[0] == '\t' ||
                             s[len - 1] == ' ' || s[len - 1] == '\t');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', out);
        putc(s[i], out);
    }
    putc('"', out);
}

void csv_write_fields(FILE *out, const struct csv_record *rec)
{
    for (int i = 0; i < rec->field_count; i++) {
        if (i)
            putc(',', out);
        csv_write_field(out, rec->fields[i], rec->lengths[i]);
    }
}
