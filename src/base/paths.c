/*
 * paths.c — the default paths (see paths.h).
 */
#include "base/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef INCOMESCORE_DATADIR
#error "build with -DINCOMESCORE_DATADIR='\"/path/to/data\"' (the Makefile does)"
#endif

/* The value of an environment variable, NULL when unset or empty. */
static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static const char *home_dir(void)
{
    const char *home = env(PATHS_HOME_ENV);
    return home ? home : PATHS_HOME_FALLBACK;
}

const char *paths_data_dir(void)
{
    const char *dir = env(PATHS_DATA_ENV);
    return dir ? dir : INCOMESCORE_DATADIR;
}

const char *paths_rules_file(void)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" PATHS_RULES_FILE, paths_data_dir());
    return path;
}

const char *paths_params_file(void)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" PATHS_PARAMS_FILE, paths_data_dir());
    return path;
}

const char *paths_registry_dir(void)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" PATHS_REGISTRY_DIR, home_dir());
    return path;
}

const char *paths_audit_file(void)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" PATHS_AUDIT_FILE, home_dir());
    return path;
}

const char *paths_api_keys_file(void)
{
    return env(PATHS_API_KEYS_ENV);
}
