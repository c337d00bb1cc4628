/*
 * demo_data.c — synthetic validation documents (see demo_data.h): the
 * driver that turns people into a file.
 *
 * How a file is made. People are numbered 0, 1, 2, ...; everything about
 * person k (name, CURP, birth date, career, the dates of their checks) is
 * drawn from a PRNG stream seeded by (seed, k), so a person can be rebuilt
 * from their number alone. About 3% of people are checked two or three
 * times: their first document is written when they are drawn, the others
 * are queued (a small heap ordered by due position) to come out a few
 * thousand lines later — never next to each other, and not in createdAt
 * order, so "keep the last line" is not "keep the latest check". Memory
 * is one person and that queue, whatever the count.
 *
 * The generator's other files, in the order a document is made:
 *   demo_tables.c  the fixed tables: weights, names, employer words,
 *                  spellings, minimum wage and UMA
 *   draw.h         the random draws and the streams they come from
 *   person.c       a person, their career and their wages
 *   curp.c         their CURP and NSS, by RENAPO's and IMSS's rules
 *   employer.c     the names of their employers
 *   demo_writer.c  a document as a line of JSON, and the output buffer
 */
#include "demo/demo_data.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/prng.h"
#include "demo/demo_writer.h"
#include "demo/draw.h"
#include "demo/person.h"

#define DUP_DELAY_MIN 2            /* a duplicate comes out this many ... */
#define DUP_DELAY_MAX 4000         /* ... to this many documents later */

const char *const demo_unusable_names[DEMO_UNUSABLE_KINDS] = {
    "no curp", "curp malformed and no dob", "fechaAlta not a date",
    "wage unreadable", "historialLaboral not an array",
    "createdAt unreadable",
};

/* ------------------------------------------------------------------ */
/* The queue of duplicates still to write                               */
/* ------------------------------------------------------------------ */

struct pending {
    long due;           /* the position it should come out at, or later */
    uint64_t person;
    int copy;
};

struct pending_heap {
    struct pending *v;
    size_t n, cap;
};

static bool pending_before(const struct pending *a, const struct pending *b)
{
    return a->due < b->due || (a->due == b->due && a->person < b->person);
}

static int heap_push(struct pending_heap *h, struct pending e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        struct pending *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -1;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0 && pending_before(&e, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = e;
    return 0;
}

static struct pending heap_pop(struct pending_heap *h)
{
    struct pending top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && pending_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!pending_before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

/* ------------------------------------------------------------------ */
/* The file                                                             */
/* ------------------------------------------------------------------ */

static int check_options(const struct demo_options *opt, struct errbuf *err)
{
    if (opt->count <= 0)
        return err_set(err, "count %ld: at least one document", opt->count);
    int year = date_to_ymd(opt->as_of).year;
    if (year < DEMO_AS_OF_FIRST_YEAR || year > DEMO_AS_OF_LAST_YEAR) {
        char day[16];
        date_format_iso(opt->as_of, day);
        return err_set(err, "as-of %s is outside %d..%d (CURPs encode births "
                       "in 1900..2099)", day, DEMO_AS_OF_FIRST_YEAR,
                       DEMO_AS_OF_LAST_YEAR);
    }
    return 0;
}

int demo_data_write(const struct refdata *rd, const struct demo_options *opt,
                    FILE *out, struct demo_stats *stats, struct errbuf *err)
{
    struct demo_stats local;
    struct demo_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (check_options(opt, err) < 0)
        return -1;

    struct demo_writer w;
    int writer_rc = demo_writer_init(&w, out);
    struct demo_person *p = malloc(sizeof *p);
    struct pending_heap heap = {NULL, 0, 0};
    int rc = 0;
    if (writer_rc < 0 || !p) {
        rc = err_set(err, "out of memory");
        goto done;
    }

    struct demo_generator g;
    demo_generator_init(&g, rd, opt->seed, opt->as_of);
    struct prng sched;
    prng_seed(&sched, stream_seed(opt->seed, UINT64_MAX, 0));
    uint64_t next_person = 0, last_person = UINT64_MAX;
    for (long i = 0; i < opt->count; i++) {
        if (heap.n && heap.v[0].due <= i && heap.v[0].person != last_person) {
            struct pending e = heap_pop(&heap);
            demo_person_generate(p, &g, e.person);
            demo_write_document(&w, &g, p, e.copy, st);
            st->duplicates++;
        } else {
            demo_person_generate(p, &g, next_person++);
            demo_write_document(&w, &g, p, p->emit_order[0], st);
            st->persons++;
            for (int k = 1; k < p->ncopies; k++) {
                struct pending e = {
                    i + prng_range(&sched, DUP_DELAY_MIN, DUP_DELAY_MAX),
                    p->id, p->emit_order[k]};
                if (heap_push(&heap, e) < 0) {
                    rc = err_set(err, "out of memory");
                    goto done;
                }
            }
        }
        last_person = p->id;
        if (demo_writer_full(&w) && (rc = demo_writer_flush(&w, err)) < 0)
            goto done;
    }
    rc = demo_writer_finish(&w, err);
done:
    free(heap.v);
    free(p);
    demo_writer_free(&w);
    return rc;
}
