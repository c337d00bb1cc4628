/*
 * etl.c — the ETL driver: source → mapping → features → dedupe → dataset,
 * rejects and summary, or a partition's part file; and the merge of parts
 * (see etl.h).
 */
#include "etl/etl.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fileio.h"
#include "etl/dataset.h"
#include "etl/history.h"
#include "base/parmap.h"
#include "base/sha256.h"

/* ---- the dedupe index --------------------------------------------------- */

/* One distinct person: the features of their latest usable document,
 * and the positions a merge of partitions needs to decide as one run. */
struct etl_row {
    double features[FEATURE_COUNT];
    int8_t jubilado;
    int8_t state;
    long first_where;    /* the person's first usable document */
};

struct slot {
    char curp[CURP_LENGTH];
    int32_t row;         /* -1: empty */
    int64_t created_at;  /* of the document kept */
    long kept_where;     /* its position */
};

struct dedupe {
    struct slot *slots;
    size_t capacity;     /* a power of two */
    size_t used;
    struct etl_row *rows;
    size_t row_capacity;
};

/* FNV-1a, continuing from h (start with FNV_OFFSET). */
#define FNV_OFFSET 1469598103934665603ULL
static uint64_t fnv1a(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t curp_hash(const char *curp)
{
    uint64_t h = fnv1a(FNV_OFFSET, curp, CURP_LENGTH);
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

/* Keeps the person if new, or replaces the kept document by this one
 * if it is more recent, or as recent and later in the input (SPEC: the
 * latest check wins; on a tie the later one). A new person's row keeps
 * row->first_where; a replacement keeps the first position already
 * there. Returns 1 for a duplicate, 0 for a new person, -1 when out of
 * memory. */
static int dedupe_offer(struct dedupe *d, const char *curp,
                        int64_t created_at, long where,
                        const struct etl_row *row)
{
    if ((d->used + 1) * 2 > d->capacity && dedupe_grow(d) < 0)
        return -1;
    struct slot *s = dedupe_find(d, curp);
    bool duplicate = s->row >= 0;
    if (duplicate && (created_at < s->created_at ||
                      (created_at == s->created_at && where < s->kept_where)))
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
    s->kept_where = where;
    struct etl_row *r = &d->rows[s->row];
    long first = duplicate ? r->first_where : row->first_where;
    *r = *row;
    r->first_where = first;
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

/* A part file's first line (etl.h). */
#define PART_MAGIC "incomescore etl part 1"

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

static json_t *reasons_json(const struct etl_counts *c)
{
    json_t *by_reason = json_object();
    for (int i = 0; i < REJECT_REASON_COUNT; i++)
        json_object_set_new(by_reason, reject_reason_names[i],
                            json_integer(c->rejected_by_reason[i]));
    return by_reason;
}

static int write_summary(const struct etl_options *opt,
                         const struct etl_counts *c, const char *rejects_path,
                         const char *summary_path, struct errbuf *err)
{
    char as_of[11];
    date_format_iso(opt->as_of, as_of);
    json_t *by_reason = reasons_json(c);
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

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The path given, or the dataset's sibling with suffix. Caller frees. */
static char *output_path(const char *given, const char *dataset_path,
                         const char *suffix)
{
    return given ? strdup(given) : etl_sibling_path(dataset_path, suffix);
}

/* The dataset from the index, then the rejects (already written to
 * *rejects) put in place, then the summary — the last steps of a run and
 * of a merge alike. */
static int finish_outputs(const struct etl_options *opt, const struct dedupe *d,
                          struct atomic_file *dataset,
                          struct atomic_file *rejects,
                          struct etl_counts *counts, double started,
                          const char *rejects_path, const char *summary_path,
                          struct errbuf *err)
{
    if (atomic_file_open(dataset, opt->dataset_path, err) < 0)
        return -1;
    write_dataset(dataset->fp, d, opt->rd, opt->rules);
    if (atomic_file_commit(dataset, err) < 0 ||
        atomic_file_commit(rejects, err) < 0)
        return -1;
    counts->seconds = now_seconds() - started;
    return write_summary(opt, counts, rejects_path, summary_path, err);
}

/* Refuses two outputs in one file (a rejects file over the dataset would
 * destroy it). */
static int outputs_distinct(const char *dataset_path, const char *rejects_path,
                            const char *summary_path, struct errbuf *err)
{
    const char *outputs[][2] = {
        {"--out", dataset_path}, {"--rejects", rejects_path},
        {"--summary", summary_path},
    };
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (file_same(outputs[i][1], outputs[j][1]))
                return err_set(err, "%s and %s are the same file (%s): each "
                               "output needs its own", outputs[i][0],
                               outputs[j][0], outputs[j][1]);
    return 0;
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
    bool skipped;        /* another partition's document */
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

/* Whether a document is this partition's (etl.h): by the hash of its _id
 * when it has one of a type we hash (integers as int64, so 5 is the same
 * _id whether a file or a server typed it int32 or int64), else by its
 * position. doc is NULL when the document could not be parsed. */
static bool in_partition(const struct etl_options *opt, const bson_t *doc,
                         long where)
{
    if (opt->partitions <= 0)
        return true;
    bson_iter_t it;
    uint64_t h = FNV_OFFSET;
    bool hashed = doc && bson_iter_init_find(&it, doc, "_id");
    if (hashed) {
        uint8_t type = (uint8_t)bson_iter_type(&it);
        if (BSON_ITER_HOLDS_OID(&it)) {
            h = fnv1a(fnv1a(h, &type, 1), bson_iter_oid(&it)->bytes, 12);
        } else if (BSON_ITER_HOLDS_UTF8(&it)) {
            uint32_t n;
            const char *str = bson_iter_utf8(&it, &n);
            h = fnv1a(fnv1a(h, &type, 1), str, n);
        } else if (BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it)) {
            type = BSON_TYPE_INT64;
            int64_t v = bson_iter_as_int64(&it);
            h = fnv1a(fnv1a(h, &type, 1), &v, sizeof v);
        } else {
            hashed = false;
        }
    }
    uint64_t slice = hashed ? h % (uint64_t)opt->partitions
                            : (uint64_t)(where - 1) % (uint64_t)opt->partitions;
    return slice == (uint64_t)(opt->partition - 1);
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
            o->skipped = !in_partition(r->opt, NULL, raw.where);
            snprintf(o->detail, sizeof o->detail, "%.255s", why.msg);
            continue;
        }
        o->skipped = !in_partition(r->opt, &doc, raw.where);
        if (o->skipped) {
            bson_destroy(&doc);
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
        if (o->skipped)
            continue;
        r->counts->read++;
        if (!o->usable) {
            if (r->opt->partitions > 0)
                fprintf(r->rejects, "R\t%ld\t", b->raw[i].where);
            write_reject(r->rejects, r->from_file, b->raw[i].where, o->id,
                         o->reason, o->detail);
            r->counts->rejected++;
            r->counts->rejected_by_reason[o->reason]++;
            continue;
        }
        struct etl_row row = {
            .jubilado = (int8_t)o->person.jubilado,
            .state = (int8_t)o->person.applicant.lugar_actual,
            .first_where = b->raw[i].where,
        };
        memcpy(row.features, o->person.features, sizeof row.features);
        int dup = dedupe_offer(r->dedupe, o->curp, o->created_at,
                               b->raw[i].where, &row);
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

/* ---- partitions --------------------------------------------------------- */

int etl_partition_parse(const char *text, int *partition, int *partitions)
{
    char *end;
    errno = 0;
    long k = strtol(text, &end, 10);
    if (end == text || *end != '/' || errno)
        return -1;
    const char *rest = end + 1;
    long n = strtol(rest, &end, 10);
    if (end == rest || *end || errno || k < 1 || n < k ||
        n > ETL_MAX_PARTITIONS)
        return -1;
    *partition = (int)k;
    *partitions = (int)n;
    return 0;
}

/* The people of the slice, then the S line (etl.h). */
static int write_part_tail(FILE *out, const struct etl_options *opt,
                           const struct dedupe *d, const struct etl_counts *c,
                           struct errbuf *err)
{
    for (size_t i = 0; i < d->capacity; i++) {
        const struct slot *s = &d->slots[i];
        if (s->row < 0)
            continue;
        const struct etl_row *row = &d->rows[s->row];
        fprintf(out, "P\t%.*s\t%ld\t%ld\t%lld\t%d\t%d", CURP_LENGTH,
                s->curp, row->first_where, s->kept_where,
                (long long)s->created_at, row->jubilado, row->state);
        for (int f = 0; f < FEATURE_COUNT; f++)
            fprintf(out, "\t%.17g", row->features[f]);
        fputc('\n', out);
    }
    char as_of[11];
    date_format_iso(opt->as_of, as_of);
    /* What else shapes the rows, so that the merge can refuse parts made
     * otherwise: the ITAEE year (crecimiento_gral), the selection, and
     * the rules file by content ("" when the run was given none). */
    char rules_sha[SHA256_HEX_SIZE] = "";
    if (opt->rules_path && sha256_file(opt->rules_path, rules_sha, err) < 0)
        return -1;
    json_t *j = json_pack(
        "{s:i, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, "
        "s:I, s:o, s:I}",
        "partition", opt->partition, "partitions", opt->partitions,
        "source", doc_source_safe_name(opt->source), "as_of", as_of,
        "itaee_year", opt->rd ? opt->rd->itaee_year : 0,
        "rules_sha256", rules_sha,
        "db", opt->mongo.database ? opt->mongo.database : "",
        "collection", opt->mongo.collection ? opt->mongo.collection : "",
        "query", opt->mongo.query ? opt->mongo.query : "",
        "from_file", strncmp(opt->source, "mongodb", 7) != 0,
        "read", (json_int_t)c->read, "people", (json_int_t)c->written,
        "duplicates", (json_int_t)c->duplicates,
        "rejected", (json_int_t)c->rejected,
        "rejected_by_reason", reasons_json(c),
        "blank_lines", (json_int_t)c->blank_lines);
    if (!j)
        return err_set(err, "out of memory");
    fputs("S\t", out);
    json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(j);
    return 0;
}

int etl_run(const struct etl_options *opt, struct etl_counts *counts,
            struct errbuf *err)
{
    double started = now_seconds();
    memset(counts, 0, sizeof *counts);
    char *rejects_path = output_path(opt->rejects_path, opt->dataset_path,
                                     ETL_REJECTS_SUFFIX);
    char *summary_path = output_path(opt->summary_path, opt->dataset_path,
                                     ETL_SUMMARY_SUFFIX);
    struct doc_source *src = NULL;
    struct atomic_file rejects = {0}, dataset = {0};
    struct dedupe d = {0};
    int rc = -1;

    if (!rejects_path || !summary_path) {
        err_set(err, "out of memory");
        goto done;
    }
    bool part = opt->partitions > 0;
    if (!part && outputs_distinct(opt->dataset_path, rejects_path,
                                  summary_path, err) < 0)
        goto done;
    /* a partition streams its rejects into its part file */
    if (doc_source_open(&src, opt->source, &opt->mongo, err) < 0 ||
        atomic_file_open(&rejects, part ? opt->dataset_path : rejects_path,
                         err) < 0)
        goto done;
    if (part)
        fputs(PART_MAGIC "\n", rejects.fp);
    if (dedupe_grow(&d) < 0 ||
        read_all(opt, src, &d, rejects.fp, counts, err) < 0)
        goto done;
    counts->blank_lines = doc_source_blank_lines(src);
    counts->written = (long)d.used;
    if (part) {
        /* an empty slice is no outage: the merge judges the whole */
        counts->seconds = now_seconds() - started;
        rc = write_part_tail(rejects.fp, opt, &d, counts, err);
        if (rc == 0)
            rc = atomic_file_commit(&rejects, err);
        goto done;
    }
    if (counts->read == 0 && !opt->allow_empty) {
        /* a URI may carry a password: only a file is named */
        err_set(err, "%s held no documents: no dataset written (an empty "
                "source is allowed with --allow-empty)",
                strncmp(opt->source, "mongodb", 7) == 0 ? "the source"
                                                        : opt->source);
        rc = ETL_EMPTY_SOURCE;
        goto done;
    }

    rc = finish_outputs(opt, &d, &dataset, &rejects, counts, started,
                        rejects_path, summary_path, err);

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

/* ---- the merge ---------------------------------------------------------- */

/* One person of one part, as its P line says. */
struct part_person {
    char curp[CURP_LENGTH];
    long kept_where;
    int64_t created_at;
    struct etl_row row;
};

struct part_reject {
    long where;
    char *line;          /* the rejects line, with its newline */
};

struct merge {
    struct part_person *people;
    size_t people_used, people_cap;
    struct part_reject *rejects;
    size_t rejects_used, rejects_cap;
};

static int grow(void **items, size_t *cap, size_t used, size_t size)
{
    if (used < *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 4096;
    void *p = realloc(*items, n * size);
    if (!p)
        return -1;
    *items = p;
    *cap = n;
    return 0;
}

static int parse_person(char *line, struct part_person *p)
{
    char *f = line, *end;
    if (strlen(f) < CURP_LENGTH + 1 || f[CURP_LENGTH] != '\t')
        return -1;
    memcpy(p->curp, f, CURP_LENGTH);
    f += CURP_LENGTH + 1;
    long long v[5];
    for (int i = 0; i < 5; i++) {
        errno = 0;
        v[i] = strtoll(f, &end, 10);
        if (end == f || *end != '\t' || errno)
            return -1;
        f = end + 1;
    }
    p->row.first_where = (long)v[0];
    p->kept_where = (long)v[1];
    p->created_at = v[2];
    p->row.jubilado = (int8_t)v[3];
    p->row.state = (int8_t)v[4];
    for (int i = 0; i < FEATURE_COUNT; i++) {
        p->row.features[i] = strtod(f, &end);
        if (end == f || *end != (i + 1 < FEATURE_COUNT ? '\t' : '\0'))
            return -1;
        f = end + 1;
    }
    return 0;
}

/* What a part's S line says, and the checks that the parts are one run's. */
struct part_facts {
    int partition, partitions;
    char source[1024];
    char as_of[11];
    char itaee_year[16];
    char rules_sha256[SHA256_HEX_SIZE];
    char db[256], collection[256], query[4096];
    bool from_file;
    struct etl_counts counts;
};

static int parse_facts(const char *path, const char *text,
                       struct part_facts *f, struct errbuf *err)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    const char *source = NULL, *as_of = NULL, *rules_sha = NULL, *db = NULL,
               *collection = NULL, *query = NULL;
    json_t *by_reason = NULL;
    int from_file = 0, itaee_year = 0;
    json_int_t read = 0, people = 0, dups = 0, rejected = 0, blank = 0;
    if (!j || json_unpack(j, "{s:i, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, "
                          "s:b, s:I, s:I, s:I, s:I, s:o, s:I}",
                          "partition", &f->partition, "partitions",
                          &f->partitions, "source", &source, "as_of", &as_of,
                          "itaee_year", &itaee_year, "rules_sha256",
                          &rules_sha, "db", &db, "collection", &collection,
                          "query", &query, "from_file", &from_file, "read", &read, "people",
                          &people, "duplicates", &dups, "rejected", &rejected,
                          "rejected_by_reason", &by_reason, "blank_lines",
                          &blank) < 0) {
        json_decref(j);
        return err_set(err, "%s: its closing line is not a part's", path);
    }
    snprintf(f->source, sizeof f->source, "%s", source);
    snprintf(f->as_of, sizeof f->as_of, "%s", as_of);
    snprintf(f->itaee_year, sizeof f->itaee_year, "%d", itaee_year);
    snprintf(f->rules_sha256, sizeof f->rules_sha256, "%s", rules_sha);
    snprintf(f->db, sizeof f->db, "%s", db);
    snprintf(f->collection, sizeof f->collection, "%s", collection);
    snprintf(f->query, sizeof f->query, "%s", query);
    f->from_file = from_file;
    memset(&f->counts, 0, sizeof f->counts);
    f->counts.read = (long)read;
    f->counts.written = (long)people;
    f->counts.duplicates = (long)dups;
    f->counts.rejected = (long)rejected;
    f->counts.blank_lines = (long)blank;
    for (int i = 0; i < REJECT_REASON_COUNT; i++) {
        json_t *n = json_object_get(by_reason, reject_reason_names[i]);
        f->counts.rejected_by_reason[i] = (long)json_integer_value(n);
    }
    json_decref(j);
    return 0;
}

/* Reads one part into m; its S line into *facts. */
static int read_part(const char *path, struct merge *m,
                     struct part_facts *facts, struct errbuf *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return err_set(err, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long line_no = 0, people = 0, rejected = 0;
    bool closed = false;
    int rc = -1;
    while ((n = getline(&line, &cap, fp)) > 0) {
        line_no++;
        if (line_no == 1) {
            if (strcmp(line, PART_MAGIC "\n") != 0) {
                err_set(err, "%s: not a part file of `etl --partition`",
                        path);
                goto out;
            }
            continue;
        }
        if (closed || n < 3 || line[1] != '\t' || line[n - 1] != '\n') {
            err_set(err, "%s: line %ld: not a part's line", path, line_no);
            goto out;
        }
        line[n - 1] = '\0';
        if (line[0] == 'P') {
            if (grow((void **)&m->people, &m->people_cap, m->people_used,
                     sizeof *m->people) < 0) {
                err_set(err, "out of memory");
                goto out;
            }
            if (parse_person(line + 2, &m->people[m->people_used]) < 0) {
                err_set(err, "%s: line %ld: not a person's line", path,
                        line_no);
                goto out;
            }
            m->people_used++;
            people++;
        } else if (line[0] == 'R') {
            char *end;
            long where = strtol(line + 2, &end, 10);
            if (*end != '\t') {
                err_set(err, "%s: line %ld: not a reject's line", path,
                        line_no);
                goto out;
            }
            if (grow((void **)&m->rejects, &m->rejects_cap, m->rejects_used,
                     sizeof *m->rejects) < 0) {
                err_set(err, "out of memory");
                goto out;
            }
            size_t len = strlen(end + 1);
            char *copy = malloc(len + 2);
            if (!copy) {
                err_set(err, "out of memory");
                goto out;
            }
            memcpy(copy, end + 1, len);
            memcpy(copy + len, "\n", 2);
            m->rejects[m->rejects_used++] = (struct part_reject){where, copy};
            rejected++;
        } else if (line[0] == 'S') {
            if (parse_facts(path, line + 2, facts, err) < 0)
                goto out;
            closed = true;
        } else {
            err_set(err, "%s: line %ld: not a part's line", path, line_no);
            goto out;
        }
    }
    if (ferror(fp)) {
        err_set(err, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (!closed) {
        err_set(err, "%s: truncated (no closing line): the partition's run "
                "did not finish", path);
        goto out;
    }
    if (people != facts->counts.written || rejected != facts->counts.rejected) {
        err_set(err, "%s: holds %ld people and %ld rejects, its closing line "
                "says %ld and %ld", path, people, rejected,
                facts->counts.written, facts->counts.rejected);
        goto out;
    }
    rc = 0;
out:
    free(line);
    fclose(fp);
    return rc;
}

static int by_first_where(const void *a, const void *b)
{
    long x = ((const struct part_person *)a)->row.first_where;
    long y = ((const struct part_person *)b)->row.first_where;
    return (x > y) - (x < y);
}

static int by_where(const void *a, const void *b)
{
    long x = ((const struct part_reject *)a)->where;
    long y = ((const struct part_reject *)b)->where;
    return (x > y) - (x < y);
}

/* The options that shape a part's rows beyond its source and date: two
 * parts made with different ones would merge into a dataset no one run
 * makes. */
struct shaping {
    const char *option;
    size_t offset;
};
static const struct shaping shaping[] = {
    {"--itaee-year", offsetof(struct part_facts, itaee_year)},
    {"the rules of SHA-256", offsetof(struct part_facts, rules_sha256)},
    {"--db", offsetof(struct part_facts, db)},
    {"--collection", offsetof(struct part_facts, collection)},
    {"--query", offsetof(struct part_facts, query)},
};

static const char *shaping_value(const struct part_facts *f, size_t i)
{
    const char *v = (const char *)f + shaping[i].offset;
    return *v ? v : "(none)";
}

/* 0 when part `path` (facts f) was made as the first part (run) was. */
static int same_shaping(const char *path, const struct part_facts *f,
                        const char *first, const struct part_facts *run,
                        struct errbuf *err)
{
    for (size_t i = 0; i < sizeof shaping / sizeof shaping[0]; i++)
        if (strcmp(shaping_value(f, i), shaping_value(run, i)) != 0)
            return err_set(err, "%s was made with %s %s, %s with %s", path,
                           shaping[i].option, shaping_value(f, i), first,
                           shaping_value(run, i));
    return 0;
}

/* 0 when the parts were made with the merge's own --itaee-year and
 * --rules (a part made without a rules file is not compared on it). */
static int merge_agrees(const struct etl_options *opt, const char *first,
                        const struct part_facts *run, struct errbuf *err)
{
    char year[16];
    snprintf(year, sizeof year, "%d", opt->rd ? opt->rd->itaee_year : 0);
    if (strcmp(year, run->itaee_year) != 0)
        return err_set(err, "%s was made with --itaee-year %s, the merge "
                       "has %s", first, run->itaee_year, year);
    if (!*run->rules_sha256 || !opt->rules_path)
        return 0;
    char sha[SHA256_HEX_SIZE];
    if (sha256_file(opt->rules_path, sha, err) < 0)
        return -1;
    if (strcmp(sha, run->rules_sha256) != 0)
        return err_set(err, "%s was made with the rules of SHA-256 %s, the "
                       "merge's --rules %s has %s", first, run->rules_sha256,
                       opt->rules_path, sha);
    return 0;
}

/* Reads every part and checks that together they are one run's slices. */
static int read_parts(const char *const *parts, int part_count,
                      struct merge *m, struct part_facts *run,
                      struct etl_counts *counts, struct errbuf *err)
{
    bool *seen = NULL;
    for (int i = 0; i < part_count; i++) {
        struct part_facts f;
        if (read_part(parts[i], m, &f, err) < 0)
            goto fail;
        if (i == 0) {
            *run = f;
            if (part_count != f.partitions) {
                err_set(err, "%d part%s given, the run had %d partitions",
                        part_count, part_count == 1 ? "" : "s", f.partitions);
                goto fail;
            }
            seen = calloc((size_t)f.partitions + 1, sizeof *seen);
            if (!seen) {
                err_set(err, "out of memory");
                goto fail;
            }
        } else if (f.partitions != run->partitions ||
                   strcmp(f.source, run->source) != 0 ||
                   strcmp(f.as_of, run->as_of) != 0) {
            err_set(err, "%s: partition %d/%d of %s as of %s, not of the "
                    "run of %s (%d/%d of %s as of %s)", parts[i], f.partition,
                    f.partitions, f.source, f.as_of, parts[0], run->partition,
                    run->partitions, run->source, run->as_of);
            goto fail;
        } else if (same_shaping(parts[i], &f, parts[0], run, err) < 0) {
            goto fail;
        }
        if (f.partition < 1 || f.partition > run->partitions ||
            seen[f.partition]) {
            err_set(err, "%s: partition %d/%d given twice", parts[i],
                    f.partition, f.partitions);
            goto fail;
        }
        seen[f.partition] = true;
        counts->read += f.counts.read;
        /* every usable document is a person or a duplicate in its part */
        counts->duplicates += f.counts.duplicates + f.counts.written;
        counts->rejected += f.counts.rejected;
        for (int r = 0; r < REJECT_REASON_COUNT; r++)
            counts->rejected_by_reason[r] += f.counts.rejected_by_reason[r];
        /* every part read the whole source, blank lines included */
        counts->blank_lines = f.counts.blank_lines;
    }
    free(seen);
    return 0;
fail:
    free(seen);
    return -1;
}

static void merge_free(struct merge *m)
{
    for (size_t i = 0; i < m->rejects_used; i++)
        free(m->rejects[i].line);
    free(m->rejects);
    free(m->people);
}

int etl_merge(const struct etl_options *opt, const char *const *parts,
              int part_count, struct etl_counts *counts, struct errbuf *err)
{
    double started = now_seconds();
    memset(counts, 0, sizeof *counts);
    struct merge m = {0};
    struct part_facts run;
    struct dedupe d = {0};
    struct atomic_file dataset = {0}, rejects = {0};
    struct etl_options as_run = *opt;
    char *rejects_path = output_path(opt->rejects_path, opt->dataset_path,
                                     ETL_REJECTS_SUFFIX);
    char *summary_path = output_path(opt->summary_path, opt->dataset_path,
                                     ETL_SUMMARY_SUFFIX);
    int rc = -1;
    if (!rejects_path || !summary_path) {
        err_set(err, "out of memory");
        goto done;
    }
    if (part_count < 1) {
        err_set(err, "no part to merge");
        goto done;
    }
    if (outputs_distinct(opt->dataset_path, rejects_path, summary_path,
                         err) < 0)
        goto done;
    for (int i = 0; i < part_count; i++)
        for (const char *const *o = (const char *const[]){
                 opt->dataset_path, rejects_path, summary_path, NULL};
             *o; o++)
            if (file_same(parts[i], *o)) {
                err_set(err, "%s is both a part and an output", parts[i]);
                goto done;
            }
    if (read_parts(parts, part_count, &m, &run, counts, err) < 0 ||
        merge_agrees(opt, parts[0], &run, err) < 0)
        goto done;
    as_run.source = run.source;
    if (date_parse_iso(run.as_of, &as_run.as_of) < 0) {
        err_set(err, "%s: as_of '%s' is not a date", parts[0], run.as_of);
        goto done;
    }

    /* in order of first position, so that rows come as one run's did */
    if (m.people_used)
        qsort(m.people, m.people_used, sizeof *m.people, by_first_where);
    if (dedupe_grow(&d) < 0) {
        err_set(err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m.people_used; i++) {
        const struct part_person *p = &m.people[i];
        if (dedupe_offer(&d, p->curp, p->created_at, p->kept_where,
                         &p->row) < 0) {
            err_set(err, "out of memory");
            goto done;
        }
    }
    counts->written = (long)d.used;
    counts->duplicates -= counts->written;
    if (counts->read == 0 && !opt->allow_empty) {
        err_set(err, "the source held no documents: no dataset written (an "
                "empty source is allowed with --allow-empty)");
        rc = ETL_EMPTY_SOURCE;
        goto done;
    }

    if (m.rejects_used) /* qsort's array may not be NULL, even empty */
        qsort(m.rejects, m.rejects_used, sizeof *m.rejects, by_where);
    if (atomic_file_open(&rejects, rejects_path, err) < 0)
        goto done;
    for (size_t i = 0; i < m.rejects_used; i++)
        fputs(m.rejects[i].line, rejects.fp);
    rc = finish_outputs(&as_run, &d, &dataset, &rejects, counts, started,
                        rejects_path, summary_path, err);

done:
    if (dataset.fp)
        atomic_file_abort(&dataset);
    if (rejects.fp)
        atomic_file_abort(&rejects);
    dedupe_free(&d);
    merge_free(&m);
    free(rejects_path);
    free(summary_path);
    return rc;
}
