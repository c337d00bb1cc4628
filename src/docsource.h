/*
 * docsource.h — where validation documents come from: a JSON-lines file
 * (mongoexport output, Extended JSON) or a live MongoDB collection. Both
 * yield libbson documents, so the mapping in validation.c is shared.
 *
 * A file is read in bounded memory: a line longer than DOC_MAX_BYTES is
 * skipped (and reported as too large) without ever being held whole.
 */
#ifndef INCOMESCORE_DOCSOURCE_H
#define INCOMESCORE_DOCSOURCE_H

#include <bson/bson.h>
#include <stdbool.h>

#include "errbuf.h"
#include "validation.h"

/* BSON's own document limit. */
#define DOC_MAX_BYTES (16 * 1024 * 1024)

struct doc_source;

struct mongo_options {
    const char *database;    /* default "validationsdb" */
    const char *collection;  /* default "validations" */
    const char *query;       /* Extended JSON filter; default {} */
};

/* `location` is a file path, "-" for stdin, or a mongodb:// or
 * mongodb+srv:// URI. */
int doc_source_open(struct doc_source **out, const char *location,
                    const struct mongo_options *mongo, struct errbuf *err);
void doc_source_close(struct doc_source *s);

/* 1: *doc holds the next document (valid until the next call).
 * 0: the end.
 * -1: a document that cannot be read; *reason and err say why; reading
 *     goes on with the next call.
 * -2: the source failed (I/O or server error); err says why; stop.
 * *where is the line number (files) or the document's position (MongoDB),
 * counted from 1. */
int doc_source_next(struct doc_source *s, const bson_t **doc, long *where,
                    enum reject_reason *reason, struct errbuf *err);

/* Whether positions are line numbers (a file) rather than document
 * positions (MongoDB). */
bool doc_source_is_file(const struct doc_source *s);

/* Blank lines skipped so far (files only). */
long doc_source_blank_lines(const struct doc_source *s);

/* The location with any password in a URI replaced by "***", for logs
 * and summaries. Returns a static buffer. */
const char *doc_source_safe_name(const char *location);

#endif
