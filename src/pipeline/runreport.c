/*
 * runreport.c — a run's figures in run.json, the run report drawn from
 * run.json (report.md and a self-contained report.html with inline SVG,
 * as the training report: no scripts, no external files), the list of
 * past runs, and the gate's verdicts read back (see pipeline_internal.h).
 *
 * Numbers and text are spelled and escaped by the training report's
 * helpers (train/report_internal.h), so both reports write "12,345" and
 * escape alike.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/dates.h"
#include "base/fileio.h"
#include "pipeline/pipeline_internal.h"
#include "train/report_internal.h"

/* ---- the figures as JSON ------------------------------------------------------ */

static json_t *fit_json(const struct gate_fit *f)
{
    return json_pack("{s:f, s:f, s:f}", "r2", f->r2, "mae_points",
                     f->mae_points, "score_r2", f->score_r2);
}

static int fit_from(const json_t *j, struct gate_fit *f)
{
    return json_unpack((json_t *)j, "{s:F, s:F, s:F}", "r2", &f->r2,
                       "mae_points", &f->mae_points, "score_r2",
                       &f->score_r2);
}

json_t *runfig_to_json(const struct gate_figures *f)
{
    json_t *psi = json_null();
    if (f->has_psi) {
        psi = json_object();
        for (int i = 0; i < GATE_PSI_COUNT; i++)
            json_object_set_new(psi, gate_psi_name(i), json_real(f->psi[i]));
    }
    return json_pack("{s:I, s:o, s:o, s:o, s:I, s:I, s:f, s:f, s:f}", "rows",
                     (json_int_t)f->rows, "candidate", fit_json(&f->candidate),
                     "live", f->has_live ? fit_json(&f->live) : json_null(),
                     "psi", psi, "ref_rows", (json_int_t)f->ref_rows,
                     "new_rows", (json_int_t)f->new_rows, "changed_segment",
                     f->changed_segment, "changed_band", f->changed_band,
                     "changed_either", f->changed_either);
}

int runfig_from_json(const json_t *j, struct gate_figures *f)
{
    memset(f, 0, sizeof *f);
    json_int_t rows, ref, nw;
    json_t *cand, *live, *psi;
    if (!j || json_unpack((json_t *)j, "{s:I, s:o, s:o, s:o, s:I, s:I, s:F, "
                                       "s:F, s:F}", "rows", &rows,
                          "candidate", &cand, "live", &live, "psi", &psi,
                          "ref_rows", &ref, "new_rows", &nw,
                          "changed_segment", &f->changed_segment,
                          "changed_band", &f->changed_band, "changed_either",
                          &f->changed_either) < 0 ||
        fit_from(cand, &f->candidate) < 0)
        return -1;
    f->rows = (size_t)rows;
    f->ref_rows = (size_t)ref;
    f->new_rows = (size_t)nw;
    if (json_is_object(live)) {
        if (fit_from(live, &f->live) < 0)
            return -1;
        f->has_live = true;
    }
    if (json_is_object(psi)) {
        for (int i = 0; i < GATE_PSI_COUNT; i++) {
            json_t *v = json_object_get(psi, gate_psi_name(i));
            if (!json_is_number(v))
                return -1;
            f->psi[i] = json_number_value(v);
        }
        f->has_psi = true;
    }
    return 0;
}

void run_finish_doc(struct run *run, const char *status, const char *error,
                    double seconds)
{
    json_t *d = run->doc;
    char when[TIMESTAMP_ISO_SIZE];
    timestamp_format_iso(time(NULL), when);
    json_object_set_new(d, "finished", json_string(when));
    json_object_set_new(d, "seconds", json_real(seconds));
    json_object_set_new(d, "status", json_string(status));
    json_object_set_new(d, "error", error ? json_string(error) : json_null());
    json_object_set_new(d, "decision",
                        json_string(pipeline_decision_name(run->decision)));
    json_t *reasons = json_array();
    for (int i = 0; i < run->verdict.reason_count; i++)
        json_array_append_new(reasons, json_string(run->verdict.reasons[i]));
    json_object_set_new(d, "reasons", reasons);
    json_object_set_new(d, "candidate", *run->candidate
                                            ? json_string(run->candidate)
                                            : json_null());
    json_object_set_new(d, "live_after", *run->live_after
                                             ? json_string(run->live_after)
                                             : json_null());
    if (*run->dataset_sha) {
        char name[128];
        snprintf(name, sizeof name, "data/%s.csv.zst", run->dataset_sha);
        json_object_set_new(d, "data_version", json_string(name));
    }
    if (run->measured) {
        json_t *fj = runfig_to_json(&run->fig);
        json_object_set_new(d, "metrics", json_pack(
            "{s:O, s:O, s:O}", "rows", json_object_get(fj, "rows"),
            "candidate", json_object_get(fj, "candidate"), "live",
            json_object_get(fj, "live")));
        json_object_set_new(d, "stability", json_pack(
            "{s:O, s:O, s:O, s:O, s:O, s:O}", "psi",
            json_object_get(fj, "psi"), "ref_rows",
            json_object_get(fj, "ref_rows"), "new_rows",
            json_object_get(fj, "new_rows"), "changed_segment",
            json_object_get(fj, "changed_segment"), "changed_band",
            json_object_get(fj, "changed_band"), "changed_either",
            json_object_get(fj, "changed_either")));
        json_decref(fj);
    }
    char md[4200], html[4200];
    snprintf(md, sizeof md, "%s/report.md", run->dir);
    snprintf(html, sizeof html, "%s/report.html", run->dir);
    json_object_set_new(d, "report", json_pack("{s:s, s:s}", "md", md,
                                               "html", html));
}

/* ---- the report --------------------------------------------------------------- */

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "—";
}

static void num(char *buf, size_t size, const json_t *v, int decimals)
{
    if (json_is_number(v))
        report_fmt_grouped(buf, size, json_number_value(v), decimals);
    else
        snprintf(buf, size, "—");
}

/* One document written twice over: Markdown and HTML. */
struct doc {
    FILE *md, *html;
};

static void heading(struct doc *d, const char *text)
{
    fprintf(d->md, "\n## ");
    report_put_md(d->md, text);
    fprintf(d->md, "\n\n");
    fprintf(d->html, "<h2>");
    report_put_html(d->html, text);
    fprintf(d->html, "</h2>\n");
}

static void para(struct doc *d, const char *text)
{
    report_put_md(d->md, text);
    fprintf(d->md, "\n\n");
    fprintf(d->html, "<p>");
    report_put_html(d->html, text);
    fprintf(d->html, "</p>\n");
}

/* A table of `cols` columns; cells[] is row-major, the first row the
 * header; a cell "!green" etc. draws a traffic-light dot and the word. */
static void table(struct doc *d, int cols, int rows, const char *const *cells)
{
    fprintf(d->html, "<table>\n");
    for (int r = 0; r < rows; r++) {
        fprintf(d->md, "|");
        fprintf(d->html, "<tr>");
        for (int c = 0; c < cols; c++) {
            const char *cell = cells[r * cols + c];
            const char *tag = r == 0 ? "th" : "td";
            fprintf(d->md, " ");
            if (cell[0] == '!') {
                const char *color = strcmp(cell + 1, "red") == 0 ? "#c0392b"
                                    : strcmp(cell + 1, "amber") == 0
                                        ? "#e6a700"
                                        : "#2e8b57";
                fprintf(d->md, "%s %s",
                        strcmp(cell + 1, "red") == 0     ? "🔴"
                        : strcmp(cell + 1, "amber") == 0 ? "🟠"
                                                         : "🟢",
                        cell + 1);
                fprintf(d->html, "<%s><span class=\"dot\" style=\"background:"
                                 "%s\"></span>%s</%s>", tag, color, cell + 1,
                        tag);
            } else {
                report_put_md(d->md, cell);
                fprintf(d->html, "<%s>", tag);
                report_put_html(d->html, cell);
                fprintf(d->html, "</%s>", tag);
            }
            fprintf(d->md, " |");
        }
        fprintf(d->md, "\n");
        fprintf(d->html, "</tr>\n");
        if (r == 0) {
            fprintf(d->md, "|");
            for (int c = 0; c < cols; c++)
                fprintf(d->md, "---|");
            fprintf(d->md, "\n");
        }
    }
    fprintf(d->md, "\n");
    fprintf(d->html, "</table>\n");
}

/* Horizontal bars, one per label, with optional threshold lines (PSI
 * warn and max) and one colour per bar. */
static void bar_chart(FILE *f, const char *title, int n,
                      const char *const *labels, const double *values,
                      const char *const *colors, const double *marks,
                      int nmarks, const char *unit)
{
    const int row = 22, left = 190, width = 620, plot = 340;
    int height = 40 + n * row;
    double hi = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(values[i]) && values[i] > hi)
            hi = values[i];
    for (int i = 0; i < nmarks; i++)
        if (marks[i] * 1.1 > hi)
            hi = marks[i] * 1.1;
    if (hi <= 0)
        hi = 1;
    fprintf(f, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
               " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
            width, height, width, height);
    report_put_html(f, title);
    fprintf(f, "</title>\n");
    for (int i = 0; i < n; i++) {
        double y = 20 + i * row;
        double w = isfinite(values[i]) && values[i] > 0
                       ? values[i] / hi * plot : 0;
        char v[NUM_SIZE];
        report_fmt_grouped(v, sizeof v, values[i], 3);
        fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\" "
                   "font-size=\"12\">", left - 6, y + 14);
        report_put_html(f, labels[i]);
        fprintf(f, "</text><rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" "
                   "height=\"16\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.0f\" "
                   "font-size=\"12\">%s%s</text>\n", left, y + 2, w,
                colors[i], left + w + 4, y + 14, v, unit);
    }
    for (int i = 0; i < nmarks; i++) {
        double x = left + marks[i] / hi * plot;
        fprintf(f, "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"%d\" "
                   "stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n", x, x,
                height - 10);
    }
    fprintf(f, "</svg><figcaption>");
    report_put_html(f, title);
    fprintf(f, "</figcaption></figure>\n");
}

static const char *band_color(const char *band)
{
    return strcmp(band, "red") == 0     ? "#c0392b"
           : strcmp(band, "amber") == 0 ? "#e6a700"
                                        : "#2e8b57";
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">\n"
    "<title>incomescore — pipeline run</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
    "padding:0 1rem;color:#222}\n"
    "table{border-collapse:collapse;margin:0.5rem 0}\n"
    "th,td{border:1px solid #ccc;padding:0.25rem 0.6rem;text-align:left}\n"
    "th{background:#f3f3f3}\n"
    ".dot{display:inline-block;width:0.8em;height:0.8em;border-radius:50%;"
    "margin-right:0.4em;vertical-align:middle}\n"
    "figure{margin:1rem 0}\n</style></head><body>\n";

static void section_decision(struct doc *d, const json_t *run)
{
    char line[1024];
    snprintf(line, sizeof line, "Decision: %s. Candidate %s, live before %s, "
             "live after %s. Status %s.", str(run, "decision"),
             str(run, "candidate"), str(run, "live_before"),
             str(run, "live_after"), str(run, "status"));
    para(d, line);
    const json_t *reasons = json_object_get(run, "reasons");
    size_t i;
    const json_t *v;
    json_array_foreach(reasons, i, v) {
        fprintf(d->md, "- ");
        report_put_md(d->md, json_string_value(v));
        fprintf(d->md, "\n");
        fprintf(d->html, "%s<li>", i == 0 ? "<ul>" : "");
        report_put_html(d->html, json_string_value(v));
        fprintf(d->html, "</li>\n%s",
                i + 1 == json_array_size(reasons) ? "</ul>\n" : "");
    }
    if (json_array_size(reasons))
        fprintf(d->md, "\n");
    else if (strcmp(str(run, "decision"), "promoted") == 0)
        para(d, "Every threshold of the gate is met.");
    if (json_is_string(json_object_get(run, "error"))) {
        snprintf(line, sizeof line, "Error: %s", str(run, "error"));
        para(d, line);
    }
}

static void section_data(struct doc *d, const json_t *run)
{
    heading(d, "Data");
    char line[1024];
    snprintf(line, sizeof line, "Source %s as of %s; data version %s.",
             str(run, "source"), str(run, "as_of"),
             str(run, "data_version"));
    para(d, line);
    const json_t *c = json_object_get(run, "counts");
    if (!json_is_object(c)) {
        para(d, "No counts: the ETL did not run to its end.");
        return;
    }
    const char *cells[2 * 32];
    char vals[32][NUM_SIZE];
    int n = 0;
    cells[n++] = "count";
    cells[n++] = "documents";
    static const char *const keys[] = {"read", "written", "duplicates",
                                       "rejected", "blank_lines"};
    for (int k = 0; k < 5; k++) {
        cells[n++] = keys[k];
        num(vals[k], NUM_SIZE, json_object_get(c, keys[k]), 0);
        cells[n++] = vals[k];
    }
    const char *key;
    const json_t *v;
    int extra = 5;
    char labels[24][64];
    json_object_foreach((json_t *)json_object_get(c, "rejected_by_reason"),
                        key, v) {
        if (extra >= 29)
            break;
        snprintf(labels[extra - 5], sizeof labels[0], "rejected: %s", key);
        cells[n++] = labels[extra - 5];
        num(vals[extra], NUM_SIZE, v, 0);
        cells[n++] = vals[extra];
        extra++;
    }
    table(d, 2, n / 2, cells);
}

static void section_metrics(struct doc *d, const json_t *run)
{
    heading(d, "Old vs new model (held-out rows of the new data)");
    const json_t *m = json_object_get(run, "metrics");
    if (!json_is_object(m)) {
        para(d, "Not measured in this run.");
        return;
    }
    const json_t *c = json_object_get(m, "candidate"),
                 *l = json_object_get(m, "live");
    char v[6][NUM_SIZE], rows[NUM_SIZE];
    num(v[0], NUM_SIZE, json_object_get(c, "r2"), 4);
    num(v[1], NUM_SIZE, json_object_get(l, "r2"), 4);
    num(v[2], NUM_SIZE, json_object_get(c, "mae_points"), 2);
    num(v[3], NUM_SIZE, json_object_get(l, "mae_points"), 2);
    num(v[4], NUM_SIZE, json_object_get(c, "score_r2"), 4);
    num(v[5], NUM_SIZE, json_object_get(l, "score_r2"), 4);
    num(rows, NUM_SIZE, json_object_get(m, "rows"), 0);
    const char *cells[] = {
        "metric", "candidate", "live",
        "R² (target)", v[0], v[1],
        "MAE (score points)", v[2], v[3],
        "R² (score)", v[4], v[5],
        "held-out rows", rows, rows,
    };
    table(d, 3, 5, cells);
}

static void section_stability(struct doc *d, const json_t *run,
                              const struct gate_thresholds *t)
{
    heading(d, "Stability");
    const json_t *s = json_object_get(run, "stability");
    if (!json_is_object(s)) {
        para(d, "Not measured in this run.");
        return;
    }
    const json_t *psi = json_object_get(s, "psi");
    char line[512], a[NUM_SIZE], b[NUM_SIZE], e[NUM_SIZE];
    num(a, sizeof a, json_object_get(s, "changed_segment"), 4);
    num(b, sizeof b, json_object_get(s, "changed_band"), 4);
    num(e, sizeof e, json_object_get(s, "changed_either"), 4);
    snprintf(line, sizeof line, "Share of held-out applicants whose segment "
             "would change: %s; band: %s; either: %s.", a, b, e);
    para(d, line);
    if (!json_is_object(psi)) {
        para(d, "No PSI: the live model's training data is not kept in the "
                "registry.");
        return;
    }
    char ref[NUM_SIZE], nw[NUM_SIZE];
    num(ref, sizeof ref, json_object_get(s, "ref_rows"), 0);
    num(nw, sizeof nw, json_object_get(s, "new_rows"), 0);
    snprintf(line, sizeof line, "PSI between the live model's training data "
             "(%s rows) and the new data (%s rows): green below %.2f, amber "
             "below %.2f, red from %.2f (refused).", ref, nw, t->psi_warn,
             t->psi_max, t->psi_max);
    para(d, line);
    const char *cells[3 * (GATE_PSI_COUNT + 1)];
    char vals[GATE_PSI_COUNT][NUM_SIZE], bands[GATE_PSI_COUNT][8];
    const char *labels[GATE_PSI_COUNT], *colors[GATE_PSI_COUNT];
    double values[GATE_PSI_COUNT];
    int n = 0;
    cells[n++] = "variable";
    cells[n++] = "PSI";
    cells[n++] = "band";
    for (int i = 0; i < GATE_PSI_COUNT; i++) {
        values[i] = json_number_value(json_object_get(psi, gate_psi_name(i)));
        labels[i] = gate_psi_name(i);
        const char *band = gate_psi_band(t, values[i]);
        colors[i] = band_color(band);
        report_fmt_grouped(vals[i], NUM_SIZE, values[i], 4);
        snprintf(bands[i], sizeof bands[i], "!%s", band);
        cells[n++] = labels[i];
        cells[n++] = vals[i];
        cells[n++] = bands[i];
    }
    table(d, 3, GATE_PSI_COUNT + 1, cells);
    double marks[2] = {t->psi_warn, t->psi_max};
    bar_chart(d->html, "PSI by variable (dashed: amber and red thresholds)",
              GATE_PSI_COUNT, labels, values, colors, marks, 2, "");
}

static void section_stages(struct doc *d, const json_t *run)
{
    heading(d, "Stages");
    const json_t *stages = json_object_get(run, "stages");
    size_t n = json_array_size(stages);
    if (n > 16)
        n = 16;
    const char *cells[4 * 17], *labels[16], *colors[16];
    char secs[16][NUM_SIZE];
    double values[16];
    int k = 0;
    cells[k++] = "stage";
    cells[k++] = "status";
    cells[k++] = "seconds";
    cells[k++] = "detail";
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *st = json_array_get(stages, i);
        /* the report's own stage is running while it is written: its
         * time is in run.json */
        if (strcmp(str(st, "name"), "report") == 0)
            continue;
        size_t j = shown++;
        values[j] = json_number_value(json_object_get(st, "seconds"));
        report_fmt_grouped(secs[j], NUM_SIZE, values[j], 2);
        labels[j] = str(st, "name");
        const char *status = str(st, "status");
        colors[j] = strcmp(status, "failed") == 0 ? "#c0392b"
                    : strcmp(status, "skipped") == 0 ? "#999"
                                                     : "#4a7ab7";
        cells[k++] = labels[j];
        cells[k++] = status;
        cells[k++] = secs[j];
        const char *detail = json_string_value(json_object_get(st, "detail"));
        cells[k++] = detail ? detail : "";
    }
    table(d, 4, (int)shown + 1, cells);
    bar_chart(d->html, "Stage timings (seconds)", (int)shown, labels, values,
              colors, NULL, 0, " s");
}

int runreport_write(struct run *run, struct errbuf *err)
{
    char md_path[4200], html_path[4200];
    snprintf(md_path, sizeof md_path, "%s/report.md", run->dir);
    snprintf(html_path, sizeof html_path, "%s/report.html", run->dir);
    struct atomic_file md, html;
    if (atomic_file_open(&md, md_path, err) < 0)
        return -1;
    if (atomic_file_open(&html, html_path, err) < 0) {
        atomic_file_abort(&md);
        return -1;
    }
    struct doc d = {md.fp, html.fp};
    const json_t *j = run->doc;
    fprintf(d.md, "# incomescore — pipeline run %s\n\n", run->id);
    fputs(html_head, d.html);
    fprintf(d.html, "<h1>incomescore — pipeline run ");
    report_put_html(d.html, run->id);
    fprintf(d.html, "</h1>\n");
    section_decision(&d, j);
    section_data(&d, j);
    section_metrics(&d, j);
    section_stability(&d, j, &run->c->gate);
    section_stages(&d, j);
    fprintf(d.html, "</body></html>\n");
    if (atomic_file_commit(&md, err) < 0) {
        atomic_file_abort(&html);
        return -1;
    }
    return atomic_file_commit(&html, err);
}

/* ---- past runs ------------------------------------------------------------------ */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int runs_list(const char *registry_dir, char ***names_out, size_t *count,
              struct errbuf *err)
{
    *names_out = NULL;
    *count = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/runs", registry_dir);
    DIR *dp = opendir(dir);
    if (!dp)
        return errno == ENOENT ? 0 : err_set(err, "%s: %s", dir,
                                             strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof *g);
            if (!g) {
                rc = err_set(err, "out of memory");
                break;
            }
            names = g;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            rc = err_set(err, "out of memory");
            break;
        }
        n++;
    }
    closedir(dp);
    if (rc < 0) {
        runs_free(names, n);
        return -1;
    }
    qsort(names, n, sizeof *names, cmp_name);
    *names_out = names;
    *count = n;
    return 0;
}

void runs_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int pipeline_list_runs(const char *registry_dir, FILE *out,
                       struct errbuf *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/runs", registry_dir);
    char **names;
    size_t n;
    if (runs_list(registry_dir, &names, &n, err) < 0)
        return -1;
    if (n == 0) {
        fprintf(out, "(no pipeline runs yet)\n");
        free(names);
        return 0;
    }
    fprintf(out, "%-30s %-11s %-10s %-9s %-9s %8s\n", "run", "status",
            "decision", "candidate", "live", "seconds");
    for (size_t k = n; k-- > 0;) { /* newest first */
        char path[4096 + 300];
        snprintf(path, sizeof path, "%s/%s/run.json", dir, names[k]);
        json_t *j = json_load_file(path, 0, NULL);
        const char *status = str(j, "status");
        /* a run whose process is gone while "running" was killed */
        json_t *pid = json_object_get(j, "pid");
        if (strcmp(status, "running") == 0 && json_is_integer(pid) &&
            kill((pid_t)json_integer_value(pid), 0) != 0 && errno == ESRCH)
            status = "interrupted";
        double secs = json_number_value(json_object_get(j, "seconds"));
        const char *cand = json_string_value(json_object_get(j, "candidate"));
        const char *live = json_string_value(json_object_get(j,
                                                             "live_after"));
        fprintf(out, "%-30s %-11s %-10s %-9s %-9s %8.1f\n", names[k],
                j ? status : "unreadable", str(j, "decision"),
                cand ? cand : "-", live ? live : "-", secs);
        json_decref(j);
    }
    runs_free(names, n);
    return 0;
}

int pipeline_verdict(const char *registry_dir, const char *id,
                     char *decision, size_t dsize, char *why, size_t wsize,
                     struct errbuf *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/gate.jsonl", registry_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : err_set(err, "%s: %s", path,
                                             strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *rec = json_loads(line, 0, NULL);
        const char *rid = json_string_value(json_object_get(rec, "id"));
        if (rid && strcmp(rid, id) == 0) {
            found = 1;
            snprintf(decision, dsize, "%s", str(rec, "decision"));
            size_t used = 0, i;
            json_t *v;
            why[0] = '\0';
            json_array_foreach(json_object_get(rec, "reasons"), i, v)
                if (used < wsize)
                    used += (size_t)snprintf(why + used, wsize - used, "%s%s",
                                             i ? "; " : "",
                                             json_string_value(v));
        }
        json_decref(rec);
    }
    free(line);
    fclose(f);
    return found;
}
