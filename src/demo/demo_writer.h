/*
 * demo_writer.h — one synthetic person's document as a line of
 * mongoexport JSON, and the buffer the lines are written through.
 *
 * A document shows the person's career as their check on that day saw
 * it, spelled one way throughout: each document draws a style from its
 * own PRNG stream (draw.h) — the date format of the jobs, their order,
 * how "Vigente" and the wages are written, how the birth date and
 * createdAt look, how the states are spelled — and about one in two
 * hundred is broken in one of the demo_unusable ways. Nothing in a
 * document says which.
 *
 * Formatting is by hand into a 1 MiB buffer flushed with fwrite: a million
 * documents are about a gigabyte, and printf would dominate the run.
 * Strings go through base/text.h's json_quote in the style these files
 * have always had: \n, \t, ... for control characters, every other byte
 * as it is.
 */
#ifndef INCOMESCORE_DEMO_WRITER_H
#define INCOMESCORE_DEMO_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "demo/demo_data.h"
#include "demo/person.h"

/* Documents are written into buf and go to out in blocks. */
struct demo_writer {
    char *buf;
    size_t len;
    FILE *out;
};

/* Allocates the buffer. Returns 0, or -1 when out of memory (w->buf is
 * then NULL and demo_writer_free still safe). */
int demo_writer_init(struct demo_writer *w, FILE *out);
void demo_writer_free(struct demo_writer *w);

/* Whether the buffer has reached its block size: flush before the next
 * document. Below it there is room for any document. */
bool demo_writer_full(const struct demo_writer *w);

/* Writes what the buffer holds to out. Returns 0, or -1 with err set
 * ("writing the documents failed: " and errno's text). */
int demo_writer_flush(struct demo_writer *w, struct errbuf *err);

/* demo_writer_flush, then fflush of out: the end of a file. */
int demo_writer_finish(struct demo_writer *w, struct errbuf *err);

/* Appends document `copy` (0..p->ncopies-1, in createdAt order) of
 * person p, one line, and counts it in st. */
void demo_write_document(struct demo_writer *w,
                         const struct demo_generator *g,
                         const struct demo_person *p, int copy,
                         struct demo_stats *st);

#endif
