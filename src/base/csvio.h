/*
 * csvio.h — reading and writing CSV as our users' tools write it.
 *
 * Reading is libcsv's parser (strict mode: quoted fields, doubled quotes,
 * CRLF, LF or CR line ends, a UTF-8 BOM at the start) wrapped into a pull
 * reader that knows the line each record starts on, so a bad record is
 * reported as "line 1832: ..." and the reader carries on with the next.
 */
#ifndef INCOMESCORE_CSVIO_H
#define INCOMESCORE_CSVIO_H

#include <stddef.h>
#include <stdio.h>

#include "base/errbuf.h"

struct csv_reader;

/* A record as read. Fields are NUL-terminated and owned by the reader:
 * they stay valid until the next csv_reader_next call. */
struct csv_record {
    long line;            /* the line the record starts on, from 1 */
    int field_count;
    const char **fields;
    const size_t *lengths;
};

struct csv_reader *csv_reader_new(FILE *in);
void csv_reader_free(struct csv_reader *r);

/* 1: *rec holds the next record. 0: end of input. -1: a record that could
 * not be read (bad quoting, or a quoted field never closed at the end);
 * err names its line and why, it is skipped, and the next call goes on
 * with the following line. Blank lines are skipped. */
int csv_reader_next(struct csv_reader *r, struct csv_record *rec,
                    struct errbuf *err);

/* Writes one field, quoted only when it has to be (a comma, quote, line
 * end, or leading/trailing blank), with quotes doubled. */
void csv_write_field(FILE *out, const char *s, size_t len);

/* Writes a record's fields, comma-separated, without the line end. */
void csv_write_fields(FILE *out, const struct csv_record *rec);

#endif
