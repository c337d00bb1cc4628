/*
 * bundle.h — a model version on disk: one directory holding everything
 * scoring needs, so a bundle scores the same on any machine.
 *
 *   bundle.json     the manifest (format in manifest.h): created_at, code
 *                   version, feature list, ITAEE year, scaler, segments
 *                   (letters, descriptions, centroids, mean target,
 *                   rows), model (file, rounds, parameters), the other
 *                   files' SHA-256, metrics, importance, lineage (dataset
 *                   and its SHA-256, rules' SHA-256, seed, split)
 *   bundle.json.sha256  the manifest's own SHA-256 (manifest.h's seal;
 *                   absent in bundles from before it, which still load)
 *   model.json      the XGBoost model, in XGBoost's JSON format
 *   rules.json      the rules: target, score scale, bands, reasons
 *   refdata/        states.csv, enigh.csv, itaee.csv as trained with
 *   report.md, report.html
 *
 * Loading checks it all and refuses an incomplete or inconsistent bundle
 * with the reason: a missing file, a file whose SHA-256 is not the one in
 * the manifest, a manifest that is not the one sealed at training (an
 * edited scaler would move applicants between segments), a manifest out
 * of its contract (manifest.h: a feature
 * list that is not ours, a scaler or centroid that is not finite, ...),
 * a model that does not parse or uses a feature we do not have. What
 * scoring needs of it ends up in one struct scorer (score/scoring.h);
 * the bundle depends on scoring, never the other way.
 */
#ifndef INCOMESCORE_BUNDLE_H
#define INCOMESCORE_BUNDLE_H

#include "base/errbuf.h"
#include "registry/manifest.h"
#include "score/scoring.h"

struct bundle {
    char id[SCORER_VERSION_SIZE]; /* the directory's name, e.g. "v0003" */
    char path[4096];
    struct manifest manifest;     /* bundle.json */
    struct scorer scorer;         /* what scoring reads, built from the rest */
};

int bundle_load(struct bundle **out, const char *dir, struct errbuf *err);
void bundle_free(struct bundle *b);

/* Whether the bundle in dir loads with every check a server makes: 0, or
 * -1 with the reason. What promote and rollback ask of a version before
 * making it live, so LIVE never names one a server would refuse; its
 * shape is registry.h's registry_check_fn (arg unused). */
int bundle_loads(const char *dir, void *arg, struct errbuf *err);

/* The team's segment texts of the version in dir (BUNDLE_DESCRIPTIONS_FILE,
 * written by `models describe`) put over m's; 0 when it has none, -1
 * with what is wrong in the file. bundle_load does it. */
int bundle_descriptions(struct manifest *m, const char *dir,
                        struct errbuf *err);

#endif
