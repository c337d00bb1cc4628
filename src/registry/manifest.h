/*
 * manifest.h — bundle.json, a model bundle's manifest: what was trained,
 * from what, how well it did, and the hashes that tie the bundle's files
 * to it.
 *
 * The one home of its format. Training fills a struct manifest and calls
 * manifest_write; everyone else reads the struct manifest_read fills:
 * bundle_load (the scaler, the centroids, the hashes), `models list` and
 * `models show`, the server's /v1/model and /v1/meta, and the training
 * report (through manifest_to_json). No other file spells its keys.
 *
 * Format "incomescore-bundle/1", keys in this order:
 *
 *   format, created_at, code_version,
 *   features            the eleven feature names, in features.h's order
 *   itaee_year
 *   scaler              {mean[11], scale[11]}
 *   segments            A..D: {letter, description, description_en,
 *                       profile {income, tenure, jobs, weeks, age (the
 *                       medians of its training rows), no_job_share,
 *                       retiree_share}, centroid[11],
 *                       mean_target_train, train_rows, test_rows,
 *                       mean_score_test, mean_target_test}
 *   letters             how the segments got their letters:
 *                       {"by": "mean target"} (a first model), or
 *                       {"by": "match", "reference": ID, "shift": [A..D]}
 *                       (matched to version ID's centroids; each letter's
 *                       centroid moved `shift` in ID's standardized
 *                       space). Absent in bundles from before it: read
 *                       as "mean target".
 *   model               {file: "model.json", rounds, params {...}}
 *   score_scale         {target_at_300, target_at_850}
 *   files               SHA-256 of each of bundle_files, in that order
 *   metrics             {target {r2, mse, mae}, score {r2, mse, mae},
 *                       train_rows, test_rows, rounds}
 *   feature_importance  {feature name: share of the gain, ...}
 *   lineage             {dataset, dataset_sha256, dataset_rows, target,
 *                       target_rules_mismatches, rules_sha256, seed,
 *                       test_fraction, stopping_fraction}
 *
 * Written with two-space indentation and reals to 17 significant digits,
 * so every double reads back as the same double and the same training
 * writes the same bytes.
 *
 * The segment descriptions are written at training from segments.c's
 * table and from then on read from here: a bundle keeps the words it was
 * trained with. The model's parameters are kept as the JSON object the
 * trainer gave (train/model.c owns their meaning); the manifest
 * carries them without reading them.
 */
#ifndef INCOMESCORE_MANIFEST_H
#define INCOMESCORE_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "base/sha256.h"
#include "score/features.h"
#include "score/segments.h"

#define BUNDLE_FORMAT "incomescore-bundle/1"
#define MANIFEST_FILE "bundle.json"   /* in the bundle's directory */
/* The team's own segment texts for a version, beside its manifest
 * (`models describe`): {"B": {"es": TEXT, "en": TEXT}, ...}. Not hashed
 * (words, never a score); bundle_load puts them over the manifest's. */
#define BUNDLE_DESCRIPTIONS_FILE "descriptions.json"

/* The files a bundle's manifest hashes, in "files" order, NULL-ended. */
#define BUNDLE_FILE_COUNT 5
extern const char *const bundle_files[BUNDLE_FILE_COUNT + 1];

#define MANIFEST_TEXT_SIZE 256     /* created_at, a description */
#define MANIFEST_PARAMS_SIZE 1024  /* model.params as JSON text */
#define MANIFEST_PATH_SIZE 4096    /* lineage.dataset */

/* R², mean squared and mean absolute error on the held-out rows. */
struct manifest_fit {
    double r2, mse, mae;
};

#define MANIFEST_DESCRIPTION_SIZE 512

/* A segment's profile over its training rows (train/describe.h). */
struct manifest_profile {
    double income, tenure, jobs, weeks, age; /* medians */
    double no_job_share, retiree_share;
};

struct manifest_segment {
    char description[MANIFEST_DESCRIPTION_SIZE];    /* Spanish */
    char description_en[MANIFEST_DESCRIPTION_SIZE]; /* "" in bundles from
                                                     * before profiles */
    bool has_profile;
    struct manifest_profile profile;
    double centroid[FEATURE_COUNT];     /* standardized */
    double mean_target_train;
    int64_t train_rows, test_rows;
    double mean_score_test, mean_target_test; /* 0 when no test row */
};

struct manifest {
    char created_at[MANIFEST_TEXT_SIZE];   /* "2024-05-01T06:00:00Z" */
    char code_version[MANIFEST_TEXT_SIZE]; /* INCOMESCORE_VERSION */
    int itaee_year;
    struct scaler scaler;
    struct manifest_segment segments[SEGMENT_COUNT]; /* A..D */
    /* letters: "" when by mean target, else the version matched to */
    char letters_reference[MANIFEST_TEXT_SIZE];
    double letters_shift[SEGMENT_COUNT];   /* when matched */
    /* Boosting rounds kept; the format states it twice (model.rounds and
     * metrics.rounds) and a manifest where they differ is refused. */
    int rounds;
    char params[MANIFEST_PARAMS_SIZE];     /* model.params, a JSON object */
    double target_at_300, target_at_850;   /* score_scale */
    char file_sha256[BUNDLE_FILE_COUNT][SHA256_HEX_SIZE]; /* bundle_files */
    struct {
        struct manifest_fit target;        /* in target units */
        struct manifest_fit score;         /* in score points */
        int64_t train_rows, test_rows;
    } metrics;
    double importance[FEATURE_COUNT];      /* feature_importance */
    struct {
        char dataset[MANIFEST_PATH_SIZE];  /* the path as given to train */
        char dataset_sha256[SHA256_HEX_SIZE];
        int64_t dataset_rows;
        bool target_from_column;           /* else computed by the rules */
        int64_t target_rules_mismatches;
        char rules_sha256[SHA256_HEX_SIZE];
        uint64_t seed;
        double test_fraction, stopping_fraction;
    } lineage;
};

/* Reads path (a bundle.json) into *m, checking every field: the format,
 * the feature list (ours, in our order), each value's type, finite
 * numbers, a positive scale, letters A..D in order, texts that fit.
 * Returns 0, or -1 with the first problem ("feature 6 is 'age', expected
 * 'edad'", "scaler.scale[3] is not positive"); *m is then unspecified. */
int manifest_read(struct manifest *m, const char *path, struct errbuf *err);

/* The same from a parsed document. */
int manifest_from_json(struct manifest *m, const json_t *doc,
                       struct errbuf *err);

/* Writes *m to path atomically (base/fileio.h), in the format above,
 * then seals it (manifest_seal). */
int manifest_write(const struct manifest *m, const char *path,
                   struct errbuf *err);

/* The manifest's own integrity. bundle.json holds the other files'
 * SHA-256 but cannot hold its own, and an edited scaler or centroid moves
 * applicants between segments without a trace; so its SHA-256 goes next
 * to it, in <path>.sha256 ("<hex>  bundle.json\n", what `sha256sum -c`
 * reads in the version's directory). manifest_seal writes it;
 * manifest_check_seal returns 0 when the manifest is the one sealed, -1
 * with "bundle.json has changed since training (SHA-256 …, expected …)"
 * when not. A bundle written before the seal existed has no .sha256 and
 * loads as before (its other files still checked): absence is accepted,
 * so the seal guards against edits and damage, not against someone who
 * deletes it too. A version in a bucket is the exception: every push
 * sends the seal, and remote_pull refuses a version without one
 * (remote.h), as remote_push refuses to send one. */
#define MANIFEST_SEAL_SUFFIX ".sha256"
int manifest_seal(const char *path, struct errbuf *err);
int manifest_check_seal(const char *path, struct errbuf *err);

/* The manifest as the JSON document bundle.json holds: a new reference,
 * or NULL when out of memory or when model.params is not a JSON object.
 * For readers that show it whole (`models show`, the report). */
json_t *manifest_to_json(const struct manifest *m);

/* Its parts, for documents that quote some of them (/v1/model): each a
 * new reference, exactly as in bundle.json; NULL when out of memory. */
json_t *manifest_features_json(void);
json_t *manifest_score_scale_json(const struct manifest *m);
json_t *manifest_metrics_json(const struct manifest *m);
json_t *manifest_lineage_json(const struct manifest *m);

#endif
