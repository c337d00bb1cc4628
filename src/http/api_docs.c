/*
 * api_docs.c — what the server sends from a bundle and from the data
 * directory (see api_docs.h): /v1/model, /v1/meta, /openapi.json and
 * the /docs page, and their loading.
 */
#include "http/api_docs.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/version.h"
#include "http/internal.h"
#include "http/keyring.h"
#include "registry/bundle.h"
#include "score/refdata.h"
#include "score/request.h"
#include "score/rules.h"
#include "score/scoring.h"
#include "score/segments.h"

char *api_doc_json(json_t *j, size_t *len)
{
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    *len = text ? strlen(text) : 0;
    return text;
}

void api_doc_free(struct api_doc *d)
{
    free(d->text);
    d->text = NULL;
    d->len = 0;
}

/* GET /v1/model: what a data team asks of the live version, quoted from
 * its manifest (the parts bundle.json spells out exactly as written). */
static json_t *model_document(const struct bundle *b)
{
    const struct manifest *m = &b->manifest;
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_string(b->id));
    json_object_set_new(doc, "created_at", json_string(m->created_at));
    json_object_set_new(doc, "code_version", json_string(m->code_version));
    json_object_set_new(doc, "format", json_string(BUNDLE_FORMAT));
    json_object_set_new(doc, "features", manifest_features_json());
    json_object_set_new(doc, "itaee_year", json_integer(m->itaee_year));
    json_object_set_new(doc, "score_scale", manifest_score_scale_json(m));
    json_object_set_new(doc, "metrics", manifest_metrics_json(m));
    json_object_set_new(doc, "lineage", manifest_lineage_json(m));
    json_t *segs = json_array();
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        char letter[2] = {segment_letter(i), '\0'};
        json_array_append_new(
            segs, json_pack("{s:s, s:s, s:s, s:f}", "letter", letter,
                            "description", m->segments[i].description,
                            "description_en", m->segments[i].description_en,
                            "mean_target_train",
                            m->segments[i].mean_target_train));
    }
    json_object_set_new(doc, "segments", segs);
    return doc;
}

/* A field limit as JSON: a whole number for an integer field. */
static json_t *limit_value(const struct field_limit *l, double v)
{
    return l->integer ? json_integer((json_int_t)v) : json_real(v);
}

/* GET /v1/meta: everything a web form needs, each from its one source:
 * states from the bundle's reference tables, field limits from
 * request_limits, the checks' messages from request.c (the very words
 * of the 422s), the batch's largest size from server.h, bands and their colours from the bundle's rules,
 * segment descriptions from the bundle's manifest (the words the model
 * was trained with, as /v1/model gives them). */
static json_t *meta_document(const struct bundle *b)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "model_version", json_string(b->id));
    json_t *states = json_array();
    for (int i = 0; i < STATE_COUNT; i++) {
        const struct state_info *st = &b->scorer.rd.states[i];
        json_array_append_new(states,
                              json_pack("{s:i, s:i, s:s, s:s}", "index",
                                        st->index, "code", st->inegi_code,
                                        "name", st->name, "abbrev",
                                        st->abbrev));
    }
    json_object_set_new(doc, "states", states);
    json_t *fields = json_array();
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        const struct field_limit *l = &request_limits[i];
        json_t *f = json_pack("{s:s, s:s}", "name", l->name, "type",
                              l->integer ? "integer" : "number");
        json_object_set_new(f, "min", limit_value(l, l->min));
        json_object_set_new(f, "max", limit_value(l, l->max));
        json_object_set_new(f, "description", json_string(l->description));
        json_array_append_new(fields, f);
    }
    json_object_set_new(doc, "fields", fields);
    json_object_set_new(doc, "score",
                        json_pack("{s:f, s:f}", "min", SCORE_MIN, "max",
                                  SCORE_MAX));
    json_t *bands = json_array();
    for (int i = 0; i < rules_band_count(b->scorer.rules); i++) {
        double from, to;
        const char *label, *color;
        rules_band(b->scorer.rules, i, &from, &to, &label, &color);
        json_array_append_new(bands,
                              json_pack("{s:f, s:f, s:s?, s:s?}", "from", from,
                                        "to", to, "label", label, "color",
                                        color));
    }
    json_object_set_new(doc, "bands", bands);
    json_t *segs = json_array();
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        char letter[2] = {segment_letter(i), '\0'};
        json_array_append_new(
            segs, json_pack("{s:s, s:s, s:s}", "letter", letter,
                            "description", b->manifest.segments[i].description,
                            "description_en",
                            b->manifest.segments[i].description_en));
    }
    json_object_set_new(doc, "segments", segs);
    json_object_set_new(doc, "checks", request_checks_json());
    json_object_set_new(doc, "batch_max", json_integer(SERVER_BATCH_MAX));
    return doc;
}

int api_docs_of_bundle(const struct bundle *b, const char *dir,
                       struct api_doc *model, struct api_doc *meta,
                       struct errbuf *err)
{
    json_t *doc = model_document(b);
    model->text = api_doc_json(doc, &model->len);
    json_decref(doc);
    doc = meta_document(b);
    meta->text = api_doc_json(doc, &meta->len);
    json_decref(doc);
    if (!model->text || !meta->text) {
        api_doc_free(model);
        api_doc_free(meta);
        return err_set(err, "%s: could not prepare /v1/model and /v1/meta",
                       dir);
    }
    return 0;
}

/* With keys required, each operation of /openapi.json says whether it
 * needs one (and may answer 401); without, the file's optional scheme
 * stays as written. */
static void openapi_mark_keys(const struct keyring *keys, json_t *doc)
{
    if (!keys->path)
        return;
    const char *path, *method;
    json_t *item, *op;
    json_object_foreach(json_object_get(doc, "paths"), path, item) {
        bool needed = keyring_needs_key(keys, path);
        json_object_foreach(item, method, op) {
            json_t *responses = json_object_get(op, "responses");
            if (!json_is_object(responses))
                continue;
            json_object_set_new(op, "security",
                                needed ? json_pack("[{s:[]}]", "bearer")
                                       : json_array());
            if (needed)
                json_object_set_new(responses, "401",
                                    json_pack("{s:s}", "$ref",
                                              "#/components/responses/"
                                              "Unauthorized"));
            else
                json_object_del(responses, "401");
        }
    }
}

/* The request schema's properties, filled from request_limits, so the
 * document cannot disagree with the validation. */
static void openapi_fill_request(json_t *doc)
{
    json_t *schema = json_object_get(
        json_object_get(json_object_get(doc, "components"), "schemas"),
        "PredictionRequest");
    if (!schema)
        return;
    json_t *props = json_object(), *required = json_array();
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        const struct field_limit *l = &request_limits[i];
        json_t *p = json_pack("{s:s}", "type",
                              l->integer ? "integer" : "number");
        json_object_set_new(p, "minimum", limit_value(l, l->min));
        json_object_set_new(p, "maximum", limit_value(l, l->max));
        json_object_set_new(p, "description", json_string(l->description));
        if (i == REQUEST_FIELD_COUNT - 1 &&
            strcmp(l->name, "lugar_actual") == 0) {
            /* a state's name is accepted too */
            json_t *alt = json_pack(
                "{s:[o, {s:s, s:i, s:s}]}", "oneOf", p, "type", "string",
                "maxLength", REQUEST_STRING_MAX - 1, "description",
                "a state's name, e.g. \"Nuevo León\"");
            p = alt;
        }
        json_object_set_new(props, l->name, p);
        json_array_append_new(required, json_string(l->name));
    }
    json_object_set_new(schema, "properties", props);
    json_object_set_new(schema, "required", required);
}

/* info.version is the program's (what --version prints), written here so
 * that the shipped file cannot name another; /docs titles itself with it. */
static void openapi_fill_version(json_t *doc)
{
    json_t *info = json_object_get(doc, "info");
    if (json_is_object(info))
        json_object_set_new(info, "version", json_string(INCOMESCORE_VERSION));
}

void site_docs_load(struct server *s, struct site_docs *site,
                    const char *dir, const struct keyring *keys)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/openapi.json", dir);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        log_event(s, "warn", "openapi_missing", NULL,
                  "%s: %s; GET /openapi.json will answer 404", path, jerr.text);
    } else {
        openapi_fill_version(doc);
        openapi_fill_request(doc);
        openapi_mark_keys(keys, doc);
        site->openapi.text = api_doc_json(doc, &site->openapi.len);
        json_decref(doc);
    }
    snprintf(path, sizeof path, "%s/docs.html", dir);
    struct errbuf err;
    site->docs.text = file_read_all(path, &site->docs.len, &err);
    if (!site->docs.text)
        log_event(s, "warn", "docs_missing", NULL,
                  "%s; GET /docs will answer 404", err.msg);
}
