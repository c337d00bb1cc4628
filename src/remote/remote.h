/*
 * remote.h — the model registry in object storage: a bucket (s3.h) that
 * holds versions and says which one is live, so that many servers, on
 * many machines, serve the same model.
 *
 * The bucket's layout mirrors the directory registry (registry.h) under
 * s3://BUCKET/PREFIX/:
 *   versions/<id>/<file>  every file of the version's directory, under
 *                         its relative path (bundle.json,
 *                         bundle.json.sha256, model.json, rules.json,
 *                         refdata/ (its three tables), report.md, report.html,
 *                         descriptions.json when the team wrote one)
 *   LIVE                  the live version's id, one line, as in a
 *                         directory registry
 * Nothing else: the promotion history stays in the registry that
 * promoted (its promotions.jsonl); the bucket is what servers read.
 *
 * Crash safety is the order of the writes, since S3 has no rename: a
 * push writes the version's files, then bundle.json, then its seal
 * (bundle.json.sha256), and only then LIVE. A push cut anywhere leaves
 * LIVE naming the old version, whose objects are untouched (a version's
 * objects are never rewritten with other bytes: a push of another
 * registry's version under an id the bucket has is refused by their
 * seals), and a reader never takes a version whose files are not all
 * there and all match the hashes its manifest and seal hold.
 *
 * A version without its seal is neither pushed nor pulled: a local
 * bundle from before seals loads without one (manifest.h), but in a
 * bucket nothing else would vouch for the manifest.
 *
 * A pull downloads a version into a staging directory of a local
 * registry, loads it with every check a server makes (bundle_loads: the
 * seal, every file's SHA-256, the model) and only then moves it into
 * versions/ under its own id (registry_adopt): a version that does not
 * check out never appears locally.
 */
#ifndef INCOMESCORE_REMOTE_H
#define INCOMESCORE_REMOTE_H

#include <stdbool.h>

#include "base/errbuf.h"
#include "registry/registry.h"
#include "remote/s3.h"

#define REMOTE_LIVE_OBJECT "LIVE"

/* Uploads version id of reg to loc (files, manifest, seal), then, when
 * make_live, LIVE naming it. 0, or -1 naming the object that failed;
 * a failure before LIVE leaves the bucket's LIVE as it was. Refused,
 * before anything is written, when the bucket holds a different version
 * under that id (their seals differ: another registry's v0003). */
int remote_push(struct s3 *s, const struct s3_location *loc,
                struct registry *reg, const char *id, bool make_live,
                struct errbuf *err);

/* The bucket's LIVE: its id into id (REGISTRY_ID_SIZE bytes) and its
 * ETag into etag (S3_ETAG_SIZE bytes; may be NULL). With if_none_match
 * (the ETag of the last read; NULL or "" for none) an unchanged LIVE is
 * one 304 and returns 1, id untouched. 0 when read; 2 when the bucket
 * has no LIVE yet; -1 with the reason (a LIVE that holds no version id
 * is one). */
int remote_live(struct s3 *s, const struct s3_location *loc,
                const char *if_none_match, char *id, char *etag,
                struct errbuf *err);

/* Downloads version id from loc into reg, checking it as above; 0 when
 * pulled, 1 when reg has it already (the same version: its seal is the
 * bucket's; a different version under that id is an error), -1 with the
 * reason, naming the file that failed its check, with nothing left in
 * reg. */
int remote_pull(struct s3 *s, const struct s3_location *loc,
                struct registry *reg, const char *id, struct errbuf *err);

/* remote_pull for a server's cache of the bucket, a registry that holds
 * only what was pulled: a copy of id there that no longer passes every
 * check (a file missing, short or torn by a crash, the seal included) is
 * withdrawn (registry_withdraw) and pulled again, once per call, and 2
 * is returned with what was wrong in damage. A copy that still checks
 * out but is another version than the bucket's is refused as by
 * remote_pull. 0, 1 and -1 as there. */
int remote_refresh(struct s3 *s, const struct s3_location *loc,
                   struct registry *cache, const char *id,
                   struct errbuf *damage, struct errbuf *err);

#endif
