/*
 * stream.c — scoring a stream of request lines (see stream.h): batches of
 * lines filled here, answered by parmap's workers, written in order.
 */
#include "score/stream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/parmap.h"
#include "score/request.h"
#include "score/scoring.h"

/* At most BATCH_SLOTS batches of BATCH_LINES lines are in memory at
 * once (parmap reuses them round-robin), whatever the input's length. */
#define BATCH_LINES 4096
#define BATCH_SLOTS 6
#define ANSWER_MAX 4096
/* A request is some hundred bytes; a line past this is not one (a binary
 * file, a missing line end) and is answered in place without being held */
#define LINE_MAX_BYTES (1u << 20)

struct batch {
    int count;
    size_t offset[BATCH_LINES], length[BATCH_LINES];
    long number[BATCH_LINES]; /* the input line each answers (from 1) */
    bool too_long[BATCH_LINES];
    char *text;
    size_t text_len, text_cap;
    char *out;
    size_t out_len, out_cap;
    int bad;
};

struct run {
    const struct scorer *scorer;
    const struct stream_options *opt;
    char *line;
    size_t line_cap;
    long line_no;
    char in_buf[1 << 16];
    size_t in_pos, in_end;
    struct stream_counts counts;
};

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1 << 16;
    while (c < need)
        c *= 2;
    char *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

/* The next line into r->line without its end, at most LINE_MAX_BYTES of
 * it kept: *too_long says the rest was read and dropped. Returns the
 * length kept, -1 at the end of the input, -2 out of memory. The input
 * is read in blocks and split with memchr (getline would hold a line of
 * any length; a byte at a time cost 30% of predict's time). */
static long read_line(struct run *r, bool *too_long)
{
    size_t n = 0;
    bool any = false;
    *too_long = false;
    for (;;) {
        if (r->in_pos == r->in_end) {
            r->in_pos = 0;
            r->in_end = fread(r->in_buf, 1, sizeof r->in_buf, r->opt->in);
            if (r->in_end == 0)
                break;
        }
        any = true;
        const char *from = r->in_buf + r->in_pos;
        size_t avail = r->in_end - r->in_pos;
        const char *nl = memchr(from, '\n', avail);
        size_t take = nl ? (size_t)(nl - from) : avail;
        r->in_pos += take + (nl ? 1 : 0);
        size_t keep = take;
        if (n + keep > LINE_MAX_BYTES) {
            *too_long = true;
            keep = n < LINE_MAX_BYTES ? LINE_MAX_BYTES - n : 0;
        }
        if (grow(&r->line, &r->line_cap, n + keep + 1) < 0)
            return -2;
        memcpy(r->line + n, from, keep);
        n += keep;
        if (nl)
            break;
    }
    if (!any)
        return -1;
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    if (grow(&r->line, &r->line_cap, n + 1) < 0)
        return -2;
    r->line[n] = '\0';
    return (long)n;
}

static int fill_lines(void *ctx, void *batch, struct errbuf *err)
{
    struct run *r = ctx;
    struct batch *b = batch;
    b->count = 0;
    b->text_len = 0;
    long n;
    bool too_long;
    while (b->count < BATCH_LINES && (n = read_line(r, &too_long)) != -1) {
        if (n < 0)
            return err_set(err, "out of memory");
        r->line_no++;
        /* a blank line is not a request: skipped and counted, as etl
         * does, so that a trailing empty line is not an error */
        if (!too_long && strspn(r->line, " \t") == (size_t)n) {
            r->counts.blank++;
            continue;
        }
        if (too_long)
            n = 0;
        if (grow(&b->text, &b->text_cap, b->text_len + (size_t)n + 1) < 0)
            return err_set(err, "out of memory");
        memcpy(b->text + b->text_len, r->line, (size_t)n);
        b->text[b->text_len + (size_t)n] = '\0';
        b->offset[b->count] = b->text_len;
        b->number[b->count] = r->line_no;
        b->too_long[b->count] = too_long;
        b->length[b->count++] = (size_t)n;
        b->text_len += (size_t)n + 1;
    }
    return b->count;
}

static void append(struct batch *b, const char *s, size_t n)
{
    if (grow(&b->out, &b->out_cap, b->out_len + n + 1) == 0) {
        memcpy(b->out + b->out_len, s, n);
        b->out_len += n;
        b->out[b->out_len++] = '\n';
    }
}

static void answer_error(struct batch *b, const char *message,
                         const struct request_errors *errs,
                         const json_t *line)
{
    size_t len;
    char *text = request_error_answer(message, errs, line, ANSWER_COMPACT,
                                      &len);
    if (text)
        append(b, text, len);
    free(text);
    b->bad++;
}

static void answer_lines(void *ctx, void *batch, void *state)
{
    (void)state;
    const struct run *r = ctx;
    const struct scorer *scorer = r->scorer;
    struct batch *b = batch;
    b->out_len = 0;
    b->bad = 0;
    for (int i = 0; i < b->count; i++) {
        struct applicant a;
        struct request_errors errs;
        char msg[1024];
        if (b->too_long[i]) {
            snprintf(msg, sizeof msg, "line %ld: longer than %u bytes, the "
                     "most a request line may be", b->number[i],
                     LINE_MAX_BYTES);
            answer_error(b, msg, NULL, NULL);
            continue;
        }
        char why[900];
        int rc = request_parse_text(b->text + b->offset[i], b->length[i],
                                    &scorer->rd, &a, &errs, why, sizeof why);
        if (rc == -2) {
            /* where: the input line; why: the parser's reason and place,
             * and the detail as the API's 422 gives it */
            snprintf(msg, sizeof msg, "line %ld: %s", b->number[i], why);
            answer_error(b, msg, &errs, NULL);
            continue;
        }
        if (rc < 0) {
            /* read again, on this path only, for the errors' "input" */
            json_t *line = request_json(b->text + b->offset[i], b->length[i]);
            request_errors_text(&errs, msg, sizeof msg);
            answer_error(b, msg, &errs, line);
            json_decref(line);
            continue;
        }
        struct score s;
        score_applicant(scorer, &a, &s);
        char buf[ANSWER_MAX];
        int n = r->opt->explain
                    ? score_format_explained(scorer, &a, &s, buf, sizeof buf)
                    : score_format_json(scorer, &s, buf, sizeof buf);
        append(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
}

static int write_answers(void *ctx, void *batch, struct errbuf *err)
{
    struct run *r = ctx;
    struct batch *b = batch;
    if (fwrite(b->out, 1, b->out_len, r->opt->out) != b->out_len)
        return err_set(err, "writing %s failed",
                       r->opt->out_name ? r->opt->out_name : "the answers");
    r->counts.lines += b->count;
    r->counts.bad += b->bad;
    return 0;
}

static const struct parmap_ops stream_ops = {
    .fill = fill_lines, .work = answer_lines, .merge = write_answers,
};

int score_stream(const struct scorer *sc, const struct stream_options *opt,
                 struct stream_counts *counts, struct errbuf *err)
{
    struct run r = {.scorer = sc, .opt = opt};
    struct batch *slots = calloc(BATCH_SLOTS, sizeof *slots);
    void *batches[BATCH_SLOTS];
    for (int i = 0; i < BATCH_SLOTS; i++)
        batches[i] = slots ? &slots[i] : NULL;
    int rc = slots ? parmap_run(&stream_ops, &r, batches, BATCH_SLOTS,
                                opt->workers, err)
                   : err_set(err, "out of memory");
    for (int i = 0; slots && i < BATCH_SLOTS; i++) {
        free(slots[i].text);
        free(slots[i].out);
    }
    free(slots);
    free(r.line);
    *counts = r.counts;
    return rc;
}
