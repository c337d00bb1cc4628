/*
 * etl.c — the ETL driver: source → mapping → features → dedupe → dataset,
 * rejects and summary (see etl.h).
 */
#include "etl/etl.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fileio.h"
#include "etl/dataset.h"
#include "etl/history.h"
#include "base/parmap.h"

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
static int dedupe_offer(struct dedupe *d, const char *curp,
                        int64_t created_at, const struct person *p)
{
    if ((d->used + 1) * 2 > d->capacity && dedupe_grow(d) < 0)
        return -1;
    struct slot *s = dedupe_find(d, curp);
    bool duplicate = s->row >= 0;
    if (duplicate && created_at < s->created_at)
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
        memcpy(s->curp, curp, CURP_LENGTH);
        s->row = (int32_t)d->used++;
    }
    s->created_at = created_at;
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
    dataset_write_header(out);
    double values[VARIABLE_COUNT];
    struct rules_result res;
    for (size_t i = 0; i < d->used; i++) {
        const struct etl_row *row = &d->rows[i];
        struct dataset_row out_row = {.jubilado = row->jubilado};
        for (int f = 0; f < FEATURE_COUNT; f++)
            out_row.features[f] = values[f] = row->features[f];
        values[V_JUBILADO] = row->jubilado;
        rules_evaluate(r, values, &res);
        out_row.target = res.target;
        out_row.rules_points = res.sum;
        if (row->state != STATE_UNKNOWN) {
            out_row.estado = rd->states[row->state].name;
            out_row.lugar_actual = row->state;
        }
        dataset_write_row(out, &out_row);
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
    int rc = atomic_write_json(summary_path, j, JSON_INDENT(2) |
                                   JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6),
                               err);
    json_decref(j);
    return rc;
}

/* ---- the run ------------------------------------------------------------ */
/*
 * Parsing and mapping a document costs ~20 µs, everything else almost
 * nothing, so the run is an ordered parallel map (parmap.h): this
 * thread reads documents into batches, worker threads parse, map and
 * compute the features of whole batches, and this thread merges them in
 * input order — deduplication and the rejects file see exactly the
 * sequence a single thread would.
 */

#define BATCH_DOCS 2048
#define BATCH_BYTES (32u << 20) /* a batch closes at this much text */
#define BATCH_SLOTS 6

struct outcome {
    bool usable;
    enum reject_reason reason;
    char id[DOC_ID_SIZE];
    char detail[256];
    char curp[CURP_LENGTH];
    int64_t created_at;
    struct person person;
};

struct batch {
    int count;
    struct raw_doc raw[BATCH_DOCS];  /* data point into arena */
    size_t offset[BATCH_DOCS];
    char *arena;
    size_t arena_len, arena_cap;
    struct outcome out[BATCH_DOCS];
};

struct run {
    const struct etl_options *opt;
    struct doc_source *src;
    bool from_file;
    struct dedupe *dedupe;
    FILE *rejects;
    struct etl_counts *counts;
};

/* Reads up to a batch of documents, copying them out of the source's
 * buffer; returns how many, 0 at the end, -1 when the source failed. */
static int fill_batch(void *ctx, void *batch, struct errbuf *err)
{
    struct run *r = ctx;
    struct batch *b = batch;
    b->count = 0;
    b->arena_len = 0;
    while (b->count < BATCH_DOCS && b->arena_len < BATCH_BYTES) {
        struct raw_doc raw;
        int rc = doc_source_next(r->src, &raw, err);
        if (rc == 0)
            break;
        if (rc < 0)
            return -1;
        if (b->arena_len + raw.len + 1 > b->arena_cap) {
            size_t cap = b->arena_cap ? b->arena_cap : 1 << 20;
            while (cap < b->arena_len + raw.len + 1)
                cap *= 2;
            char *a = realloc(b->arena, cap);
            if (!a)
                return err_set(err, "out of memory");
            b->arena = a;
            b->arena_cap = cap;
        }
        b->offset[b->count] = b->arena_len;
        if (raw.len)
            memcpy(b->arena + b->arena_len, raw.data, raw.len);
        b->arena[b->arena_len + raw.len] = '\0';
        b->arena_len += raw.len + 1;
        b->raw[b->count++] = raw;
    }
    return b->count;
}

static void *worker_init(void *ctx)
{
    (void)ctx;
    struct document *v = malloc(sizeof *v);
    if (v)
        document_init(v);
    return v;
}

static void worker_free(void *state)
{
    if (state)
        document_free(state);
    free(state);
}

/* Parses, maps and computes the features of every document in a batch. */
static void work_batch(void *ctx, void *batch, void *state)
{
    const struct run *r = ctx;
    struct batch *b = batch;
    struct document fallback, *v = state;
    if (!v) {
        document_init(&fallback);
        v = &fallback;
    }
    for (int i = 0; i < b->count; i++) {
        struct outcome *o = &b->out[i];
        struct raw_doc raw = b->raw[i];
        if (raw.kind != RAW_UNREADABLE)
            raw.data = (const uint8_t *)b->arena + b->offset[i];
        bson_t doc;
        struct errbuf why;
        o->id[0] = '\0';
        o->usable = false;
        if (raw_doc_to_bson(&raw, &doc, &o->reason, &why) < 0) {
            snprintf(o->detail, sizeof o->detail, "%.255s", why.msg);
            continue;
        }
        int rc = document_from_bson(&doc, r->opt->rd, v, &o->reason, &why);
        bson_destroy(&doc);
        memcpy(o->id, v->id, sizeof o->id);
        if (rc < 0) {
            snprintf(o->detail, sizeof o->detail, "%.255s", why.msg);
            continue;
        }
        person_from_document(r->opt->rd, v, r->opt->as_of, &o->person);
        memcpy(o->curp, v->curp, CURP_LENGTH);
        o->created_at = v->created_at;
        o->usable = true;
    }
    if (v == &fallback)
        document_free(&fallback);
}

/* Folds a finished batch into the counts, the rejects and the index. */
static int merge_batch(void *ctx, void *batch, struct errbuf *err)
{
    struct run *r = ctx;
    const struct batch *b = batch;
    for (int i = 0; i < b->count; i++) {
        const struct outcome *o = &b->out[i];
        r->counts->read++;
        if (!o->usable) {
            write_reject(r->rejects, r->from_file, b->raw[i].where, o->id,
                         o->reason, o->detail);
            r->counts->rejected++;
            r->counts->rejected_by_reason[o->reason]++;
            continue;
        }
        int dup = dedupe_offer(r->dedupe, o->curp, o->created_at, &o->person);
        if (dup < 0)
            return err_set(err, "out of memory after %ld documents",
                           r->counts->read);
        r->counts->duplicates += dup;
    }
    return 0;
}

static const struct parmap_ops etl_ops = {
    .fill = fill_batch, .work = work_batch, .merge = merge_batch,
    .worker_init = worker_init, .worker_free = worker_free,
};

static int read_all(const struct etl_options *opt, struct doc_source *src,
                    struct dedupe *d, FILE *rejects,
                    struct etl_counts *counts, struct errbuf *err)
{
    struct run r = {.opt = opt, .src = src, .from_file = doc_source_is_file(src),
                    .dedupe = d, .rejects = rejects, .counts = counts};
    struct batch *slots = calloc(BATCH_SLOTS, sizeof *slots);
    if (!slots)
        return err_set(err, "out of memory");
    void *batches[BATCH_SLOTS];
    for (int i = 0; i < BATCH_SLOTS; i++)
        batches[i] = &slots[i];
    int rc = parmap_run(&etl_ops, &r, batches, BATCH_SLOTS, 0, err);
    for (int i = 0; i < BATCH_SLOTS; i++)
        free(slots[i].arena);
    free(slots);
    return rc;
}

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
                                                ETL_REJECTS_SUFFIX);
    char *summary_path = opt->summary_path
                             ? strdup(opt->summary_path)
                             : etl_sibling_path(opt->dataset_path,
                                                ETL_SUMMARY_SUFFIX);
    struct doc_source *src = NULL;
    struct atomic_file rejects = {0}, dataset = {0};
    struct dedupe d = {0};
    int rc = -1;

    if (!rejects_path || !summary_path) {
        err_set(err, "out of memory");
        goto done;
    }
    const char *outputs[][2] = {
        {"--out", opt->dataset_path}, {"--rejects", rejects_path},
        {"--summary", summary_path},
    };
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (file_same(outputs[i][1], outputs[j][1])) {
                err_set(err, "%s and %s are the same file (%s): each output "
                        "needs its own", outputs[i][0], outputs[j][0],
                        outputs[j][1]);
                goto done;
            }
    if (doc_source_open(&src, opt->source, &opt->mongo, err) < 0 ||
        atomic_file_open(&rejects, rejects_path, err) < 0 ||
        dedupe_grow(&d) < 0 ||
        read_all(opt, src, &d, rejects.fp, counts, err) < 0)
        goto done;
    counts->blank_lines = doc_source_blank_lines(src);
    counts->written = (long)d.used;
    if (counts->read == 0 && !opt->allow_empty) {
        /* a URI may carry a password: only a file is named */
        err_set(err, "%s held no documents: no dataset written (an empty "
                "source is allowed with --allow-empty)",
                strncmp(opt->source, "mongodb", 7) == 0 ? "the source"
                                                        : opt->source);
        rc = ETL_EMPTY_SOURCE;
        goto done;
    }

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
    dedupe_free(&d);
    free(rejects_path);
    free(summary_path);
    return rc;
}
