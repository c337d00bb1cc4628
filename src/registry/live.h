/*
 * live.h — which bundle a scoring command or the server uses: the one
 * given with --model, else the live version of the registry (--registry,
 * else $INCOMESCORE_HOME/registry, else ./var/registry).
 */
#ifndef INCOMESCORE_LIVE_H
#define INCOMESCORE_LIVE_H

#include <stddef.h>

#include "registry/bundle.h"
#include "base/errbuf.h"

/* Loads the bundle: model_dir when given, else the registry's live
 * version (registry_path NULL: the default registry). */
int live_bundle_load(struct bundle **out, const char *registry_path,
                     const char *model_dir, struct errbuf *err);

#endif
