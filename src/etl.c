/*
 * etl.c — the ETL driver: source → mapping → features → dedupe → dataset,
 * rejects and summary (see etl.h).
 */
#include "etl.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvio.h"
#include "fileio.h"
#include "history.h"
#include "numeric.h"
#include "rules_csv.h"

/* ---- the dedupe index --------------------------------------------------- */

/* One distinct person: the features of their latest usable document. */
struct etl_row {
    double features[FEATURE_COUNT];
    int8_t jubilado;
    int8_t state;
};

struct slot {
    char curp[CURP_LENGTH];
    int32_t row;         /* -1: empty */
    int64_t created_at;
};

struct dedupe {
    struct slot *slots;
    size_t capacity;     /* a power of two */
    size_t used;
    struct etl_row *rows;
    size_t row_capacity;
};

static uint64_t curp_hash(const char *curp)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < CURP_LENGTH; i++)
        h = (h ^ (unsigned char)curp[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static struct slot *dedupe_find(struct dedupe *d, const char *curp)
{
    size_t mask = d->capacity - 1;
    for (size_t i = curp_hash(curp) & mask;; i = (i + 1) & mask) {
        struct slot *s = &d->slots[i];
        if (s->row < 0 || memcmp(s->curp, curp, CURP_LENGTH) == 0)
            return s;
    }
}

static int dedupe_grow(struct dedupe *d)
{
    size_t cap = d->capacity ? d->capacity * 2 : 1 << 16;
    struct slot *old = d->slots;
    size_t old_cap = d->capacity;
    d->slots = malloc(cap * sizeof *d->slots);
    if (!d->slots) {
        d->slots = old;
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        d->slots[i].row = -1;
    d->capacity = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].row >= 0)
            *dedupe_find(d, old[i].curp) = old[i];
    free(old);
    return 0;
}

static void dedupe_free(struct dedupe *d)
{
    free(d->slots);
    free(d->rows);
}

/* Keeps the person if new, or replaces the kept one if this document is
 * at least as recent; returns 1 for a duplicate, 0 for a new person, -1
 * when out of memory. */
static int dedupe_offer(struct dedupe *d, const struct validation *v,
                        const struct person *p)
{
    if ((d->used + 1) * 2 > d->capacity && dedupe_grow(d) < 0)
        return -1;
    struct slot *s = dedupe_find(d, v->curp);
    bool duplicate = s->row >= 0;
    if (duplicate && v->created_at < s->created_at)
        return 1;
    if (!duplicate) {
        if (d->used == d->row_capacity) {
            size_t cap = d->row_capacity ? d->row_capacity * 2 : 1 << 16;
            struct etl_row *rows = realloc(d->rows, cap * sizeof *rows);
            if (!rows)
                return -1;
            d->rows = rows;
            d->row_capacity = cap;
        }
        memcpy(s->curp, v->curp, CURP_LENGTH);
        s->row = (int32_t)d->used++;
    }
    s->created_at = v->created_at;
    struct etl_row *r = &d->rows[s->row];
    memcpy(r->features, p->features, sizeof r->features);
    r->jubilado = (int8_t)p->jubilado;
    r->state = (int8_t)p->applicant.lugar_actual;
    return duplicate;
}

/* ---- outputs ------------------------------------------------------------ */

char *etl_sibling_path(const char *dataset_path, const char *suffix)
{
    size_t n = strlen(dataset_path);
    if (n >= 4 && strcmp(dataset_path + n - 4, ".csv") == 0)
        n -= 4;
    char *path = malloc(n + strlen(suffix) + 1);
    if (!path)
        return NULL;
    memcpy(path, dataset_path, n);
    strcpy(path + n, suffix);
    return path;
}

static void write_reject(FILE *out, bool from_file, long where,
                         const char *id, enum reject_reason reason,
                         const char *detail)
{
    json_t *j = json_object();
    json_object_set_new(j, from_file ? "line" : "document",
                        json_integer(where));
    json_object_set_new(j, "id", json_string(id ? id : ""));
    json_object_set_new(j, "reason", json_string(reject_reason_names[reason]));
    /* A detail quotes the document's own bytes, which may not be UTF-8. */
    json_t *d = json_string(detail);
    json_object_set_new(j, "detail", d ? d : json_string("(not UTF-8)"));
    json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(j);
}

static void write_dataset(FILE *out, const struct dedupe *d,
                          const struct refdata *rd, const struct rules *r)
{
    for (int f = 0; f < FEATURE_COUNT; f++)
        fprintf(out, "%s,", variable_names[f]);
    fputs("target,estado,lugar_actual,jubilado,rules_points\n", out);
    char num[32];
    double values[VARIABLE_COUNT];
    struct rules_result res;
    for (size_t i = 0; i < d->used; i++) {
        const struct etl_row *row = &d->rows[i];
        for (int f = 0; f < FEATURE_COUNT; f++) {
            format_double(num, sizeof num, row->features[f]);
            fputs(num, out);
            fputc(',', out);
            values[f] = row->features[f];
        }
        values[V_JUBILADO] = row->jubilado;
        rules_evaluate(r, values, &res);
        fprintf(out, "%.2f,", res.target);
        if (row->state != STATE_UNKNOWN) {
            const char *name = rd->states[row->state].name;
            csv_write_field(out, name, strlen(name));
            fprintf(out, ",%d", row->state);
        } else {
            fputc(',', out);
        }
        format_points(num, sizeof num, res.sum);
        fprintf(out, ",%d,%s\n", row->jubilado, num);
    }
}

static int write_summary(const struct etl_options *opt,
                         const struct etl_counts *c, const char *rejects_path,
                         const char *summary_path, struct errbuf *err)
{
    char as_of[11];
    date_format_iso(opt->as_of, as_of);
    json_t *by_reason = json_object();
    for (int i = 0; i < REJECT_REASON_COUNT; i++)
        json_object_set_new(by_reason, reject_reason_names[i],
                            json_integer(c->rejected_by_reason[i]));
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:I, s:f}",
        "source", doc_source_safe_name(opt->source),
        "as_of", as_of,
        "dataset", opt->dataset_path,
        "rejects", rejects_path,
        "rules", opt->rules_path ? opt->rules_path : "",
        "note", "read = written + duplicates + rejected",
        "read", (json_int_t)c->read,
        "written", (json_int_t)c->written,
        "duplicates", (json_int_t)c->duplicates,
        "rejected", (json_int_t)c->rejected,
        "rejected_by_reason", by_reason,
        "blank_lines", (json_int_t)c->blank_lines,
        "seconds", c->seconds);
    if (!j)
        return err_set(err, "summary: out of memory");
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(6));
    json_decref(j);
    if (!text)
        return err_set(err, "summary: out of memory");
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        return err_set(err, "summary: out of memory");
    }
    text = withnl;
    memcpy(text + n, "\n", 2);
    int rc = atomic_write_file(summary_path, text, n + 1, err);
    free(text);
    return rc;
}

/* ---- the run ------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int etl_run(const struct etl_options *opt, struct etl_counts *counts,
            struct errbuf *err)
{
    double started = now_seconds();
    memset(counts, 0, sizeof *counts);
    char *rejects_path = opt->rejects_path
                             ? strdup(opt->rejects_path)
                             : etl_sibling_path(opt->dataset_path,
                                                ".rejects.jsonl");
    char *summary_path = opt->summary_path
                             ? strdup(opt->summary_path)
                             : etl_sibling_path(opt->dataset_path,
                                                ".summary.json");
    struct doc_source *src = NULL;
    struct atomic_file rejects = {0}, dataset = {0};
    struct dedupe d = {0};
    struct validation v;
    validation_init(&v);
    int rc = -1;

    if (!rejects_path || !summary_path) {
        err_set(err, "out of memory");
        goto done;
    }
    if (doc_source_open(&src, opt->source, &opt->mongo, err) < 0 ||
        atomic_file_open(&rejects, rejects_path, err) < 0 ||
        dedupe_grow(&d) < 0)
        goto done;
    bool from_file = doc_source_is_file(src);

    const bson_t *doc;
    long where;
    enum reject_reason reason;
    struct errbuf why;
    struct person p;
    int got;
    while ((got = doc_source_next(src, &doc, &where, &reason, &why)) != 0) {
        if (got == -2) {
            err_set(err, "%s", why.msg);
            goto done;
        }
        counts->read++;
        if (got < 0 ||
            validation_from_bson(doc, opt->rd, &v, &reason, &why) < 0) {
            write_reject(rejects.fp, from_file, where, got < 0 ? "" : v.id,
                         reason, why.msg);
            counts->rejected++;
            counts->rejected_by_reason[reason]++;
            continue;
        }
        person_from_validation(opt->rd, &v, opt->as_of, &p);
        int dup = dedupe_offer(&d, &v, &p);
        if (dup < 0) {
            err_set(err, "out of memory after %ld documents", counts->read);
            goto done;
        }
        counts->duplicates += dup;
    }
    counts->blank_lines = doc_source_blank_lines(src);
    counts->written = (long)d.used;

    if (atomic_file_open(&dataset, opt->dataset_path, err) < 0)
        goto done;
    write_dataset(dataset.fp, &d, opt->rd, opt->rules);
    if (atomic_file_commit(&dataset, err) < 0 ||
        atomic_file_commit(&rejects, err) < 0)
        goto done;
    counts->seconds = now_seconds() - started;
    rc = write_summary(opt, counts, rejects_path, summary_path, err);

done:
    if (dataset.fp)
        atomic_file_abort(&dataset);
    if (rejects.fp)
        atomic_file_abort(&rejects);
    doc_source_close(src);
    validation_free(&v);
    dedupe_free(&d);
    free(rejects_path);
    free(summary_path);
    return rc;
}
