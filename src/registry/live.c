/*
 * live.c — locating and loading the live model (see live.h).
 */
#include "registry/live.h"

#include <stdio.h>

#include "base/paths.h"
#include "registry/registry.h"

int live_model_locate(struct registry *reg, const char *model_dir, char *id,
                      char *dir, size_t size, struct errbuf *err)
{
    id[0] = '\0';
    if (model_dir) {
        if ((size_t)snprintf(dir, size, "%s", model_dir) >= size)
            return err_set(err, "%s: path too long", model_dir);
        return 0;
    }
    int rc = registry_live(reg, id, err);
    if (rc != 0) {
        id[0] = '\0';
        return rc;
    }
    return registry_version_path(reg, id, dir, size, err);
}

int live_model_bundle(struct bundle **out, const char *registry_path,
                      const char *model_dir, struct errbuf *err)
{
    if (model_dir)
        return bundle_load(out, model_dir, err);
    struct registry *reg;
    if (registry_open(&reg, registry_path ? registry_path
                                         : paths_registry_dir(), err) < 0)
        return -1;
    char id[REGISTRY_ID_SIZE], path[4096];
    int rc = live_model_locate(reg, NULL, id, path, sizeof path, err);
    if (rc == 1)
        rc = err_set(err, "registry %s has no live model yet: run "
                          "'incomescore train' first", registry_dir(reg));
    if (rc == 0)
        rc = bundle_load(out, path, err);
    registry_close(reg);
    return rc;
}
