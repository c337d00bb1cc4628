/*
 * run_notify.c — a pipeline run's notification (see run_notify.h).
 */
#include "pipeline/run_notify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/text.h"

static const char *text_of(const json_t *doc, const char *key,
                           const char *otherwise)
{
    const char *v = json_string_value(json_object_get(doc, key));
    return v && *v ? v : otherwise;
}

/* "incomescore pipeline 20261129T…: promoted v0004" and the lines that
 * say what happened, from run.json. */
static void describe(const json_t *run, struct text *subject,
                     struct text *body)
{
    const char *status = text_of(run, "status", "unknown");
    const char *decision = text_of(run, "decision", "none");
    const char *candidate = text_of(run, "candidate", "");
    text_printf(subject, "incomescore pipeline %s: %s",
                text_of(run, "run", "?"),
                strcmp(status, "failed") == 0 ? "FAILED" : decision);
    if (*candidate)
        text_printf(subject, " %s", candidate);

    text_printf(body, "Run %s (%s), source %s as of %s.\n",
                text_of(run, "run", "?"), status, text_of(run, "source", "?"),
                text_of(run, "as_of", "?"));
    text_printf(body, "Decision: %s%s%s.\n", decision, *candidate ? " " : "",
                candidate);
    const json_t *reasons = json_object_get(run, "reasons");
    size_t i;
    const json_t *r;
    json_array_foreach(reasons, i, r)
        if (json_is_string(r))
            text_printf(body, "  - %s\n", json_string_value(r));
    text_printf(body, "Live model: %s before, %s after.\n",
                text_of(run, "live_before", "none"),
                text_of(run, "live_after", "none"));
    const char *error = text_of(run, "error", NULL);
    if (error)
        text_printf(body, "Error: %s\n", error);
    text_puts(body, "The run report is attached (report.html, report.md).\n");
}

/* run.json with "notify": [{target, ok, status, message}, ...] added. */
static int record(const char *path, json_t *run,
                  const struct notify_outcome *out, int n, struct errbuf *err)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s, s:b, s:I, s:s}", "target", out[i].target,
                            "ok", out[i].ok, "status",
                            (json_int_t)out[i].status, "message",
                            out[i].message));
    json_object_set_new(run, "notify", list);
    char *text = json_dumps(run, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return err_set(err, "%s: out of memory", path);
    size_t len = strlen(text);
    text[len] = '\n'; /* the terminator's byte becomes the line end */
    int rc = atomic_write_file(path, text, len + 1, err);
    free(text);
    return rc;
}

int run_notify(const struct notify_settings *s, const char *run_dir,
               struct notify_outcome out[NOTIFY_TARGETS_MAX], int *n,
               struct errbuf *err)
{
    *n = 0;
    char path[4200], html[4200], md[4200];
    snprintf(path, sizeof path, "%s/run.json", run_dir);
    snprintf(html, sizeof html, "%s/report.html", run_dir);
    snprintf(md, sizeof md, "%s/report.md", run_dir);
    size_t len;
    char *summary = file_read_all(path, &len, err);
    if (!summary)
        return -1;
    json_error_t jerr;
    json_t *run = json_loadb(summary, len, 0, &jerr);
    if (!json_is_object(run)) {
        json_decref(run);
        free(summary);
        return err_set(err, "%s: not a run summary: %s", path, jerr.text);
    }
    struct text subject = {0}, body = {0};
    describe(run, &subject, &body);
    struct notify_message msg = {.subject = subject.p, .body = body.p,
                                 .summary_json = summary};
    if (access(html, R_OK) == 0)
        msg.attach[msg.attach_count++] = html;
    if (access(md, R_OK) == 0)
        msg.attach[msg.attach_count++] = md;
    int rc = -1;
    if (subject.failed || body.failed)
        err_set(err, "out of memory");
    else
        rc = notify_send(s, &msg, out, n, err);
    struct errbuf record_err;
    if (*n > 0 && record(path, run, out, *n, &record_err) < 0 && rc == 0)
        rc = err_set(err, "%s", record_err.msg);
    free(subject.p);
    free(body.p);
    json_decref(run);
    free(summary);
    return rc;
}
