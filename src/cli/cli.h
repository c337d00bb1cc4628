/*
 * cli.h — what every command file shares: the command table's shape, exit
 * codes, and the one way a usage error is reported.
 *
 * Like git's builtins, each src/cli/cmd_<name>.c parses its options, calls
 * the library and prints; logic a test or the server also needs lives in
 * src/, not here.
 */
#ifndef INCOMESCORE_CLI_H
#define INCOMESCORE_CLI_H

#include "base/paths.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_EMPTY_SOURCE 3 /* etl: the source held no documents */

#define PROGRAM "incomescore"

/* One line per environment variable for the "environment:" block that
 * closes a command's --help: each command lists the ones it reads, and
 * the wording lives here once. The names come from their owners
 * (base/paths.h here; URL_DATABASE and PORT beside the code that reads
 * them, in cmd_etl.c and cmd_serve.c). */
#define HELP_ENV_HEAD "\nenvironment:\n"
#define HELP_ENV_DATA                                                     \
    "  " PATHS_DATA_ENV "      reference tables, default rules and XGBoost\n" \
    "                        parameters, the API docs (default: the\n"      \
    "                        data/ directory built in)\n"
#define HELP_ENV_WEB                                                      \
    "  " PATHS_WEB_ENV "       the analysts' page serve sends at / (default:\n" \
    "                        the web/ directory built in)\n"
#define HELP_ENV_HOME                                                     \
    "  " PATHS_HOME_ENV "      home of the registry and the audit log\n"    \
    "                        (default " PATHS_HOME_FALLBACK ")\n"
#define HELP_ENV_API_KEYS                                                 \
    "  " PATHS_API_KEYS_ENV "  key file when --api-keys is not given\n"
#define HELP_ENV_SOURCE_DATE_EPOCH                                        \
    "  SOURCE_DATE_EPOCH     fixes a new bundle's created_at (seconds\n"    \
    "                        since 1970, for reproducible bundles)\n"
/* remote/s3.h reads them (s3:// registries); secrets are never shown */
#define HELP_ENV_S3                                                       \
    "  INCOMESCORE_S3_ENDPOINT  S3-compatible service for s3:// (else\n"  \
    "                        AWS_ENDPOINT_URL; default AWS S3), e.g.\n"   \
    "                        https://storage.googleapis.com, MinIO's URL\n" \
    "  AWS_ACCESS_KEY_ID     credentials for s3:// (GCS: an HMAC key)\n" \
    "  AWS_SECRET_ACCESS_KEY its secret (never shown)\n"                  \
    "  AWS_SESSION_TOKEN     temporary credentials' token\n"              \
    "  AWS_REGION            the bucket's region (default us-east-1)\n"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* Prints "incomescore <cmd>: <message>" and a hint to use --help on
 * stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports the option getopt_long just refused; c is what it returned
 * (':' for a missing value, with ":" leading the option string). */
int bad_option(const char *cmd, char **argv, int c);

/* A whole number in [lo, hi] into *out; -1 when text is not one. */
int parse_count(const char *text, long long lo, long long hi,
                long long *out);

/* getopt_long(argc, argv, ":", options, NULL) that takes only whole
 * option names: an abbreviation ("--prot" for --protect-all) is returned
 * as '?' with argv[optind - 1] the abbreviation, for bad_option. Every
 * command parses its options with it. */
struct option;
int cli_getopt(int argc, char **argv, const struct option *options);

/* Prints "incomescore <cmd>: <message>" on stderr; returns EXIT_FAIL. */
int fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int cmd_rules(int argc, char **argv);
int cmd_demo_data(int argc, char **argv);
int cmd_etl(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_pipeline(int argc, char **argv);
int cmd_notify(int argc, char **argv);

#endif
