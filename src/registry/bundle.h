/*
 * bundle.h — a model version on disk: one directory holding everything
 * scoring needs, so a bundle scores the same on any machine.
 *
 *   bundle.json     manifest: format, created_at, code version, feature
 *                   list, ITAEE year, scaler, segments (letters,
 *                   descriptions, centroids, mean target, size), model
 *                   (file, hash, rounds, parameters), file hashes,
 *                   metrics, lineage (dataset and its SHA-256, rules and
 *                   reference-table hashes, seed, split)
 *   model.json      the XGBoost model, in XGBoost's JSON format
 *   rules.json      the rules: target, score scale, bands, reasons
 *   refdata/        states.csv, enigh.csv, itaee.csv as trained with
 *   report.md, report.html
 *
 * Loading checks it all and refuses an incomplete or inconsistent bundle
 * with the reason: a missing file, a file whose SHA-256 is not the one in
 * the manifest, a feature list that is not ours, a model that does not
 * parse or uses a feature we do not have, a scaler or centroid that is not
 * finite.
 */
#ifndef INCOMESCORE_BUNDLE_H
#define INCOMESCORE_BUNDLE_H

#include <jansson.h>

#include "base/errbuf.h"
#include "score/scoring.h"

#define BUNDLE_FORMAT "incomescore-bundle/1"

struct bundle {
    char id[SCORER_VERSION_SIZE]; /* the directory's name, e.g. "v0003" */
    char path[4096];
    json_t *manifest;            /* bundle.json */
    struct scorer scorer;        /* what scoring reads, built from the rest */
};

int bundle_load(struct bundle **out, const char *dir, struct errbuf *err);
void bundle_free(struct bundle *b);

/* Whether the bundle in dir loads with every check a server makes: 0, or
 * -1 with the reason. What promote and rollback ask of a version before
 * making it live, so LIVE never names one a server would refuse; its
 * shape is registry.h's registry_check_fn (arg unused). */
int bundle_loads(const char *dir, void *arg, struct errbuf *err);

/* The files a bundle's manifest hashes, in "files" order. */
extern const char *const bundle_files[];

#endif
