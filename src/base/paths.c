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

#ifndef INCOMESCORE_WEBDIR
#error "build with -DINCOMESCORE_WEBDIR='\"/path/to/web\"' (the Makefile does)"
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

const char *paths_web_dir(void)
{
    const char *dir = env(PATHS_WEB_ENV);
    return dir ? dir : INCOMESCORE_WEBDIR;
}

/* dir/name into a function's own static buffer. */
static const char *in_dir(char buf[PATH_MAX], const char *dir,
                          const char *name)
{
    snprintf(buf, PATH_MAX, "%s/%s", dir, name);
    return buf;
}

const char *paths_rules_file(void)
{
    static char path[PATH_MAX];
    return in_dir(path, paths_data_dir(), PATHS_RULES_FILE);
}

const char *paths_params_file(void)
{
    static char path[PATH_MAX];
    return in_dir(path, paths_data_dir(), PATHS_PARAMS_FILE);
}

const char *paths_registry_dir(void)
{
    static char path[PATH_MAX];
    return in_dir(path, home_dir(), PATHS_REGISTRY_DIR);
}

const char *paths_audit_file(void)
{
    static char path[PATH_MAX];
    return in_dir(path, home_dir(), PATHS_AUDIT_FILE);
}

const char *paths_bucket_cache_dir(void)
{
    static char path[PATH_MAX];
    return in_dir(path, home_dir(), PATHS_BUCKET_CACHE_DIR);
}

const char *paths_api_keys_file(void)
{
    return env(PATHS_API_KEYS_ENV);
}
