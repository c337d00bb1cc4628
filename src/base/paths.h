/*
 * paths.h — where incomescore looks when it is not told: the one place
 * that knows the default paths and the environment variables that move
 * them.
 *
 * Two roots:
 *   the data directory   what we ship and only read: the reference tables
 *                        (refdata.h), the default rules and XGBoost
 *                        parameters, the OpenAPI document and docs page.
 *                        $INCOMESCORE_DATA, else the data/ directory the
 *                        binary was built with (INCOMESCORE_DATADIR).
 *   the home             what we write and keep: the model registry and
 *                        the audit log. $INCOMESCORE_HOME, else ./var.
 * An empty variable counts as unset, so `INCOMESCORE_HOME= cmd` means the
 * default rather than the file-system root.
 *
 * The names are macros so that `--help` texts are built from them (a
 * changed default changes the help). The functions read the environment
 * at each call and return a string the caller does not free: the
 * environment's own, a literal, or a static buffer of the function's,
 * overwritten by its next call. Not thread-safe: call them while starting
 * up.
 */
#ifndef INCOMESCORE_PATHS_H
#define INCOMESCORE_PATHS_H

#define PATHS_DATA_ENV "INCOMESCORE_DATA"
#define PATHS_RULES_FILE "rules.json"   /* in the data directory */
#define PATHS_PARAMS_FILE "model.json"  /* in the data directory */

#define PATHS_WEB_ENV "INCOMESCORE_WEB"

#define PATHS_HOME_ENV "INCOMESCORE_HOME"
#define PATHS_HOME_FALLBACK "./var"
#define PATHS_REGISTRY_DIR "registry"   /* in the home */
#define PATHS_AUDIT_FILE "audit.sqlite3" /* in the home */
/* serve --registry s3://...: the bucket's versions, checked, as a
 * local registry */
#define PATHS_BUCKET_CACHE_DIR "bucket-cache" /* in the home */

/* The API key file of `serve` when --api-keys is not given; unset means
 * the API is open, so it has no fallback. */
#define PATHS_API_KEYS_ENV "INCOMESCORE_API_KEYS"

/* The home's defaults as --help words them: "$INCOMESCORE_HOME/registry",
 * else "./var/registry". */
#define PATHS_REGISTRY_HELP "$" PATHS_HOME_ENV "/" PATHS_REGISTRY_DIR
#define PATHS_REGISTRY_FALLBACK PATHS_HOME_FALLBACK "/" PATHS_REGISTRY_DIR
#define PATHS_AUDIT_HELP "$" PATHS_HOME_ENV "/" PATHS_AUDIT_FILE
#define PATHS_AUDIT_FALLBACK PATHS_HOME_FALLBACK "/" PATHS_AUDIT_FILE
#define PATHS_BUCKET_CACHE_HELP "$" PATHS_HOME_ENV "/" PATHS_BUCKET_CACHE_DIR
#define PATHS_BUCKET_CACHE_FALLBACK                                         \
    PATHS_HOME_FALLBACK "/" PATHS_BUCKET_CACHE_DIR

/* $INCOMESCORE_DATA, else the data/ directory built in. */
const char *paths_data_dir(void);

/* $INCOMESCORE_WEB, else the web/ directory built in. */
const char *paths_web_dir(void);

/* The shipped rules: rules.json in paths_data_dir(). */
const char *paths_rules_file(void);

/* The shipped XGBoost parameters: model.json in paths_data_dir(). */
const char *paths_params_file(void);

/* $INCOMESCORE_HOME/registry, else ./var/registry. */
const char *paths_registry_dir(void);

/* $INCOMESCORE_HOME/audit.sqlite3, else ./var/audit.sqlite3. */
const char *paths_audit_file(void);

/* $INCOMESCORE_HOME/bucket-cache, else ./var/bucket-cache. */
const char *paths_bucket_cache_dir(void);

/* $INCOMESCORE_API_KEYS, or NULL when it is unset or empty. */
const char *paths_api_keys_file(void);

#endif
