/*
 * registry.h — every trained model version, immutable, and which one is
 * live (SPEC §8: keep every dataset and model version and know which one
 * is live; the original used DVC and a GCS bucket).
 *
 * A registry is a directory:
 *   versions/<id>/        one bundle per version, never changed once there
 *   staging/              versions being written; invisible to readers.
 *                         v-<pid>.XXXXXX: registry_stage removes those
 *                         whose process is gone (a killed train's)
 *   LIVE                  the live version's id, one line, replaced by
 *                         rename so a reader sees the old or the new id
 *   promotions.jsonl      every promote and rollback: time, id, previous;
 *                         written before LIVE (see registry_recover)
 *   lock                  flock()ed by writers (commit, promote, rollback)
 *
 * A version appears by renaming its finished staging directory into
 * versions/, so a concurrent reader never sees one half-written. Ids are
 * "v0001", "v0002", ... in order of commit.
 *
 * The history is a stack: promote pushes, rollback pops, so rolling back
 * twice goes back two steps, and a promote after a rollback is the new
 * last step (like undo). Promoting the live version again is recorded but
 * is no step. A handle may be used from a forked child or several
 * threads: the lock file is opened afresh for each write, since flock
 * belongs to the open file.
 */
#ifndef INCOMESCORE_REGISTRY_H
#define INCOMESCORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errbuf.h"

#define REGISTRY_ID_SIZE 32

struct registry;

/* Opens the registry at dir, which must exist: a mistyped path is "no
 * registry at <dir> (...): 'incomescore train' creates one", never a new
 * empty registry that serves nothing. Opening writes nothing, so a
 * registry on a read-only mount can be listed, shown and served from
 * (readers take no lock; only promote, rollback and commit write). */
int registry_open(struct registry **out, const char *dir, struct errbuf *err);

/* Opens the registry at dir, creating it (versions/, staging/, lock) when
 * absent: for `train`, the one command that makes a registry. */
int registry_create(struct registry **out, const char *dir,
                    struct errbuf *err);
void registry_close(struct registry *r);
const char *registry_dir(const struct registry *r);

/* A new empty staging directory for a version; its path goes to
 * path (size bytes). */
int registry_stage(struct registry *r, char *path, size_t size,
                   struct errbuf *err);

/* Moves a finished staging directory into versions/ under the next id
 * (returned in id). When the registry has no live version yet, the new
 * one becomes live. If the version was committed but could not be made
 * live, id is set and the message says so. */
int registry_commit(struct registry *r, const char *staging_path, char *id,
                    struct errbuf *err);

/* The same, but the new version is never made live here, not even the
 * first: for a caller that decides (the pipeline's gate). */
int registry_commit_held(struct registry *r, const char *staging_path,
                         char *id, struct errbuf *err);

/* What must name the version it belongs to (the training report says
 * "v0007") is written by a naming function: called by the commit under
 * the writers' lock once the new version's id is certain, on the staging
 * directory just before it becomes versions/<id>, so no reader ever sees
 * the version without it. arg is the caller's. -1 (with err) aborts the
 * commit ("v0007: <its reason>"); the staging directory is then the
 * caller's to discard. */
typedef int registry_naming_fn(const char *staging_path, const char *id,
                               void *arg, struct errbuf *err);

/* registry_commit (first_goes_live) or registry_commit_held (not), with
 * a naming function run first (NULL: none). */
int registry_commit_naming(struct registry *r, const char *staging_path,
                           bool first_goes_live, registry_naming_fn *naming,
                           void *naming_arg, char *id, struct errbuf *err);

/* The same under a given id, for a version that has one elsewhere (a
 * copy of another registry's: `models pull`, a server's cache of a
 * bucket). Never made live here. Refused when id is not a version id or
 * the registry has that version already (errno EEXIST in the message's
 * "File exists"). */
int registry_adopt(struct registry *r, const char *staging_path,
                   const char *id, struct errbuf *err);

/* Removes a staging directory that will not be committed. */
void registry_discard(struct registry *r, const char *staging_path);

/* Takes version id out of versions/ and removes it: for a cache of a
 * bucket only (remote_refresh), whose copy of a version failed its
 * checks and is pulled again; a registry's own versions are never
 * changed once there. The version leaves versions/ by one rename (into
 * staging/, then removed), so a reader sees it whole or not at all. -1
 * with the reason; LIVE is left as it is (the same id comes back). */
int registry_withdraw(struct registry *r, const char *id, struct errbuf *err);

/* The live version's id into id; returns 0, 1 when none is live yet, or
 * -1 on error. */
int registry_live(struct registry *r, char *id, struct errbuf *err);

/* The team's own text for segment `segment` (0..3) of version id, in
 * Spanish or (english) English: written under the writers' lock into the
 * version's BUNDLE_DESCRIPTIONS_FILE (manifest.h; not hashed: it changes
 * words, never a score) and recorded in the registry's
 * descriptions.jsonl ({time, version, segment, lang, text}). The text: 1
 * to 511 bytes of UTF-8 on one line. */
int registry_describe(struct registry *r, const char *id, int segment,
                      bool english, const char *text, struct errbuf *err);

/* The directory of a version (path, size bytes); -1 if no such version. */
int registry_version_path(struct registry *r, const char *id, char *path,
                          size_t size, struct errbuf *err);

/* Whether the version in version_dir can serve: 0, or -1 with the reason
 * in err. The registry knows directories, not bundles, so what "can serve"
 * means is the caller's (the CLI passes bundle_loads). arg is the
 * caller's, passed through. */
typedef int registry_check_fn(const char *version_dir, void *arg,
                              struct errbuf *err);

/* Makes an existing version live, recording `reason` (may be NULL) in the
 * history. Refused when no such version exists, and when `check` (may be
 * NULL) refuses it: "<id> is not promoted: <its reason>", with LIVE and
 * the history untouched. As in rollback, check runs under the writers'
 * lock on the version about to be made live, so what was checked is what
 * goes live: no other promote or rollback can come between. */
int registry_promote(struct registry *r, const char *id, const char *reason,
                     registry_check_fn *check, void *check_arg,
                     struct errbuf *err);

/* Makes the version live before the current one live again; its id goes
 * to id. Refused when there is nothing to roll back to, and when `check`
 * (may be NULL) refuses that version: "cannot roll back to <id>: <its
 * reason>", with LIVE and the history untouched. Only the registry knows
 * the target, so check runs here, under the writers' lock, on the very
 * version about to be made live: no promote or rollback can move the
 * target between the check and the switch. */
int registry_rollback(struct registry *r, registry_check_fn *check,
                      void *check_arg, char *id, struct errbuf *err);

/* Makes LIVE and promotions.jsonl agree after a writer was killed between
 * writing one and the other. Every writer (commit, promote, rollback)
 * does this first under the lock; readers write nothing, so until the
 * next writer they see LIVE as it is. A promote or rollback writes its
 * record (marked "record_first") before switching LIVE: a record whose
 * switch did not happen is completed (LIVE made to name it), and a LIVE
 * that names a version the history does not end with is recorded as
 * action "recovered" (previous: the last recorded), a step rollback goes
 * back through like a promote. Returns 0 when they agreed, 1 when
 * repaired, -1 with err set. */
int registry_recover(struct registry *r, struct errbuf *err);

/* The ids of all versions, oldest first; caller frees the array. */
int registry_list(struct registry *r, char (**ids)[REGISTRY_ID_SIZE],
                  size_t *count, struct errbuf *err);

#endif
