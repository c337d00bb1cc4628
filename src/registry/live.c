/*
 * live.c — resolving --model / --registry to a loaded bundle (see live.h).
 */
#include "registry/live.h"

#include <stdio.h>

#include "base/paths.h"
#include "registry/registry.h"

int live_bundle_load(struct bundle **out, const char *registry_path,
                     const char *model_dir, struct errbuf *err)
{
    if (model_dir)
        return bundle_load(out, model_dir, err);
    struct registry *reg;
    if (registry_open(&reg, registry_path ? registry_path
                                         : paths_registry_dir(), err) < 0)
        return -1;
    char id[REGISTRY_ID_SIZE], path[4096];
    int rc = registry_live(reg, id, err);
    if (rc == 1)
        rc = err_set(err, "registry %s has no live model yet: run "
                          "'incomescore train' first", registry_dir(reg));
    if (rc == 0)
        rc = registry_version_path(reg, id, path, sizeof path, err);
    if (rc == 0)
        rc = bundle_load(out, path, err);
    registry_close(reg);
    return rc;
}
