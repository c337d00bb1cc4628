/*
 * api_docs.h — the API's documents, sent as they are and prepared once
 * rather than per request: GET /v1/model and /v1/meta, made from a
 * bundle when it is loaded (live_model.c keeps them with it), and GET
 * /openapi.json and /docs, read from the data directory at start.
 * Private to src/http/.
 *
 * ("Document" alone is an incoming validation document, etl/document.h;
 * these are the API's own.) Each comes from its one source: the bundle's manifest, reference
 * tables and rules; request_limits (score/request.h) for the input
 * fields, in /v1/meta and in the OpenAPI request schema alike; the key
 * file's reach (keyring.h) for which OpenAPI operations need a key.
 */
#ifndef INCOMESCORE_API_DOCS_H
#define INCOMESCORE_API_DOCS_H

#include <jansson.h>
#include <stddef.h>

#include "base/errbuf.h"

struct bundle;
struct keyring;
struct server;

/* A body ready to send; text NULL when there is none. */
struct api_doc {
    char *text;
    size_t len;
};

/* j as compact JSON text, keys in order (NULL when j is NULL or on
 * failure); its length to *len. The caller frees the text. */
char *api_doc_json(json_t *j, size_t *len);

/* GET /v1/model and GET /v1/meta of bundle b into model and meta (freed
 * with api_doc_free): 0, or -1 when they could not be made (err names
 * dir, the bundle's directory). */
int api_docs_of_bundle(const struct bundle *b, const char *dir,
                       struct api_doc *model, struct api_doc *meta,
                       struct errbuf *err);

/* The API's own documents, the same whatever the model. */
struct site_docs {
    struct api_doc openapi; /* data/openapi.json, filled in */
    struct api_doc docs;    /* data/docs.html */
};

/* Reads dir/openapi.json (its request schema filled from request_limits,
 * its operations marked with what keys requires) and dir/docs.html. One
 * that is missing is logged on s and its route answers 404. */
void site_docs_load(struct server *s, struct site_docs *site,
                    const char *dir, const struct keyring *keys);

void api_doc_free(struct api_doc *d);

#endif
