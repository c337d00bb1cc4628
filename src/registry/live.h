/*
 * live.h — the live model: which bundle scoring uses. It is the bundle
 * directory given with --model, else the version the registry's LIVE
 * names (--registry, else $INCOMESCORE_HOME/registry, else
 * ./var/registry).
 *
 * One concept, one name: "the live model" is this bundle wherever it is
 * used. `predict` loads it once (live_model_bundle); the server keeps it
 * loaded as a struct live_model (http/live_model.h), reference-counted
 * for the requests using it, and locates it again (live_model_locate)
 * whenever LIVE may have moved, to load only a version it is not
 * already serving.
 */
#ifndef INCOMESCORE_LIVE_H
#define INCOMESCORE_LIVE_H

#include <stddef.h>

#include "base/errbuf.h"
#include "registry/bundle.h"
#include "registry/registry.h"

/* Where the live model is, without loading it: with model_dir, that
 * directory (id ""); else the live version of reg, its id to id
 * (REGISTRY_ID_SIZE bytes) and its directory to dir (size bytes).
 * Returns 0; 1 when reg has no live version yet (err untouched: the
 * caller says what to do about it); -1 with err set, id then holding the
 * live version when reg named one (its directory was what failed) and
 * "" when LIVE itself could not be read. */
int live_model_locate(struct registry *reg, const char *model_dir, char *id,
                      char *dir, size_t size, struct errbuf *err);

/* Loads the live model's bundle: model_dir when given, else the live
 * version of the registry at registry_path (NULL: the default registry).
 * A registry with no live version yet is an error that says to train. */
int live_model_bundle(struct bundle **out, const char *registry_path,
                      const char *model_dir, struct errbuf *err);

#endif
