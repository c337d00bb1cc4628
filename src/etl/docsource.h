/*
 * docsource.h — where validation documents come from: a JSON-lines file
 * (mongoexport output, Extended JSON) or a live MongoDB collection. Both
 * yield libbson documents, so the mapping in document.c is shared.
 *
 * A file is read in bounded memory: a line longer than DOC_MAX_BYTES is
 * skipped (and reported as too large) without ever being held whole.
 */
#ifndef INCOMESCORE_DOCSOURCE_H
#define INCOMESCORE_DOCSOURCE_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "etl/document.h"

/* BSON's own document limit. */
#define DOC_MAX_BYTES (16 * 1024 * 1024)

struct doc_source;

/* The lender's database and collection of validations (SPEC §1), and
 * the variable the original read its MongoDB URI from. */
#define DOC_DEFAULT_DATABASE "validationsdb"
#define DOC_DEFAULT_COLLECTION "validations"
#define DOC_SOURCE_ENV "URL_DATABASE"

struct mongo_options {
    const char *database;    /* NULL: DOC_DEFAULT_DATABASE */
    const char *collection;  /* NULL: DOC_DEFAULT_COLLECTION */
    const char *query;       /* Extended JSON filter; default {} */
};

/* `location` is a file path, "-" for stdin, or a mongodb:// or
 * mongodb+srv:// URI. */
int doc_source_open(struct doc_source **out, const char *location,
                    const struct mongo_options *mongo, struct errbuf *err);
void doc_source_close(struct doc_source *s);

/* One document as the source gives it, before parsing: JSON text from a
 * file, BSON bytes from MongoDB, or a line already known to be unusable
 * (too large). Parsing is left to raw_doc_to_bson so that it can run on
 * worker threads while the source reads on. */
enum raw_kind { RAW_JSON, RAW_BSON, RAW_UNREADABLE };

struct raw_doc {
    enum raw_kind kind;
    long where;              /* line (files) or position (MongoDB), from 1 */
    const uint8_t *data;     /* valid until the next doc_source_next */
    size_t len;
    enum reject_reason reason; /* RAW_UNREADABLE: why */
};

/* 1: *doc holds the next document. 0: the end (and again 0 if called
 * after it). -2: the source failed (I/O or server error); err says why;
 * stop. From MongoDB err names the way it failed — authentication (with
 * the user, never the password), no server reachable (with the URI's
 * timeouts), the server's own error on the cursor (with its code), the
 * connection lost — and how many documents were read before. */
int doc_source_next(struct doc_source *s, struct raw_doc *doc,
                    struct errbuf *err);

/* Parses a raw document into *out (then bson_destroy it). Returns 0, or
 * -1 with *reason and err: not a JSON object, invalid JSON or UTF-8, a
 * NUL byte, too large. Thread-safe. */
int raw_doc_to_bson(const struct raw_doc *doc, bson_t *out,
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
