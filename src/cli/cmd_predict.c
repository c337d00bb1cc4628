/*
 * cmd_predict.c — `incomescore predict`: API request objects in, one JSON
 * per line; one response per line out, in order. A bad line is answered
 * in place with {"error": ..., "detail": [...]}, never skipped, so line N
 * of the output always answers line N of the input.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "registry/live.h"
#include "base/parmap.h"
#include "score/request.h"
#include "score/scoring.h"

static const char predict_help[] =
    "usage: " PROGRAM " predict [--registry DIR | --model BUNDLE] "
    "< requests.jsonl > scores.jsonl\n"
    "\n"
    "Scores API request objects (one JSON object per line, the fields of\n"
    "POST /v1/prediction) with the live model of the registry, or with the\n"
    "bundle directory given by --model. Writes one response per line, in\n"
    "order: {\"scoring\": 678.17, \"cluster\": \"A\", ...}, or for a bad line\n"
    "{\"error\": \"edad: must be between 18 and 80\", \"detail\": [...]}.\n"
    "Exit 0 when every line was scored, 1 when any line was bad.\n";

static const struct option predict_options[] = {
    {"registry", required_argument, NULL, 'r'},
    {"model", required_argument, NULL, 'm'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Lines are read into batches here and answered by worker threads,
 * written back in input order (parmap.h): parsing and scoring are the
 * cost, so both cores do them. */
#define BATCH_LINES 4096
#define BATCH_SLOTS 6
#define ANSWER_MAX 4096

struct batch {
    int count;
    size_t offset[BATCH_LINES], length[BATCH_LINES];
    char *text;
    size_t text_len, text_cap;
    char *out;
    size_t out_len, out_cap;
    int bad;
};

struct run {
    const struct bundle *bundle;
    FILE *in, *out;
    char *line;
    size_t line_cap;
    long lines, bad;
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

static int fill_lines(void *ctx, void *batch, struct errbuf *err)
{
    struct run *r = ctx;
    struct batch *b = batch;
    b->count = 0;
    b->text_len = 0;
    ssize_t n;
    while (b->count < BATCH_LINES &&
           (n = getline(&r->line, &r->line_cap, r->in)) >= 0) {
        while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
            n--;
        if (grow(&b->text, &b->text_cap, b->text_len + (size_t)n + 1) < 0)
            return err_set(err, "out of memory");
        memcpy(b->text + b->text_len, r->line, (size_t)n);
        b->text[b->text_len + (size_t)n] = '\0';
        b->offset[b->count] = b->text_len;
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
                         const struct request_errors *errs)
{
    json_t *j = json_pack("{s:s}", "error", message);
    if (errs) {
        json_t *detail = request_errors_json(errs);
        json_object_set(j, "detail", json_object_get(detail, "detail"));
        json_decref(detail);
    }
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        append(b, text, strlen(text));
    free(text);
    json_decref(j);
    b->bad++;
}

static void answer_lines(void *ctx, void *batch, void *state)
{
    (void)state;
    const struct run *r = ctx;
    const struct scorer *scorer = &r->bundle->scorer;
    struct batch *b = batch;
    b->out_len = 0;
    b->bad = 0;
    for (int i = 0; i < b->count; i++) {
        struct applicant a;
        struct request_errors errs;
        char msg[1024];
        int rc = request_parse_text(b->text + b->offset[i], b->length[i],
                                    &scorer->rd, &a, &errs, msg, sizeof msg);
        if (rc == -2) {
            answer_error(b, msg, NULL);
            continue;
        }
        if (rc < 0) {
            request_errors_text(&errs, msg, sizeof msg);
            answer_error(b, msg, &errs);
            continue;
        }
        struct score s;
        score_applicant(scorer, &a, &s);
        char buf[ANSWER_MAX];
        int n = score_format_json(scorer, &s, buf, sizeof buf);
        append(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
}

static int write_answers(void *ctx, void *batch, struct errbuf *err)
{
    struct run *r = ctx;
    struct batch *b = batch;
    if (fwrite(b->out, 1, b->out_len, r->out) != b->out_len)
        return err_set(err, "writing stdout failed");
    r->lines += b->count;
    r->bad += b->bad;
    return 0;
}

static const struct parmap_ops predict_ops = {
    .fill = fill_lines, .work = answer_lines, .merge = write_answers,
};

int cmd_predict(int argc, char **argv)
{
    const char *cmd = "predict";
    const char *registry_path = NULL, *model_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":", predict_options, NULL)) != -1) {
        switch (c) {
        case 'r': registry_path = optarg; break;
        case 'm': model_path = optarg; break;
        case 'h': fputs(predict_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (registry_path && model_path)
        return usage_error(cmd, "give --registry or --model, not both");

    struct errbuf err;
    struct bundle *b;
    if (live_bundle_load(&b, registry_path, model_path, &err) < 0)
        return fail(cmd, "%s", err.msg);
    static char inbuf[1 << 20], outbuf[1 << 20];
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct run r = {.bundle = b, .in = stdin, .out = stdout};
    struct batch *slots = calloc(BATCH_SLOTS, sizeof *slots);
    void *batches[BATCH_SLOTS];
    for (int i = 0; i < BATCH_SLOTS; i++)
        batches[i] = slots ? &slots[i] : NULL;
    int rc = slots ? parmap_run(&predict_ops, &r, batches, BATCH_SLOTS, 0,
                                  &err)
                   : err_set(&err, "out of memory");
    for (int i = 0; slots && i < BATCH_SLOTS; i++) {
        free(slots[i].text);
        free(slots[i].out);
    }
    free(slots);
    free(r.line);
    bundle_free(b);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    if (fflush(stdout) != 0)
        return fail(cmd, "writing stdout failed");
    long lines = r.lines, bad = r.bad;
    if (bad)
        fprintf(stderr, PROGRAM " predict: %ld lines, %ld bad\n", lines, bad);
    return bad ? EXIT_FAIL : EXIT_OK;
}
