/*
 * cmd_etl.c — `incomescore etl`: validation documents → training dataset.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "etl/etl.h"
#include "base/numeric.h"
#include "base/paths.h"

#define HELP_ENV_URL_DATABASE                                             \
    "  " DOC_SOURCE_ENV "          MongoDB URI when --source is not given\n"

/* The defaults stated come from the constants, so the help changes with
 * them. */
static void print_help(void)
{
    printf("usage: " PROGRAM " etl --source FILE|mongodb://... --out "
           "dataset.csv\n"
           "                      [--as-of YYYY-MM-DD] [--rejects FILE] "
           "[--summary FILE]\n"
           "                      [--rules FILE] [--itaee-year YEAR]\n"
           "                      [--db NAME] [--collection NAME] "
           "[--query JSON]\n"
           "\n"
           "Builds the training dataset from employment-history checks: "
           "features as\n"
           "of --as-of (default today), one row per CURP (its latest "
           "createdAt),\n"
           "target and rules points from the business rules.\n"
           "\n"
           "--source      a JSON-lines file (mongoexport output, Extended "
           "JSON), - for\n"
           "              stdin, or a MongoDB URI; default $" DOC_SOURCE_ENV
           "\n"
           "--db, --collection  MongoDB database and collection (default\n"
           "              " DOC_DEFAULT_DATABASE ", " DOC_DEFAULT_COLLECTION
           "); --query a filter in Extended\n"
           "              JSON, e.g. '{\"createdAt\": {\"$gte\": {\"$date\": "
           "\"2023-01-01T00:00:00Z\"}}}'\n"
           "--out         the dataset CSV (written atomically)\n"
           "--rejects     unusable documents as JSON lines with their id and "
           "reason\n"
           "              (default: beside --out, " ETL_REJECTS_SUFFIX ")\n"
           "--summary     the counts as JSON (default: beside --out, "
           ETL_SUMMARY_SUFFIX ")\n"
           "--rules       rules file (default: " PATHS_RULES_FILE " in the "
           "data directory)\n"
           "--itaee-year  the ITAEE year for crecimiento_gral (default %d)\n"
           "--allow-empty a source without documents writes an empty dataset\n"
           "              and exits 0 (without it: no output, exit 3)\n"
           "\n"
           "Prints the counts on stderr: read = written + duplicates + "
           "rejected.\n"
           "Exit 0 even when documents were rejected; 1 when the source or an\n"
           "output cannot be used, or two outputs name the same file; 3 when\n"
           "the source held no documents (a retraining job must not go on).\n"
           HELP_ENV_HEAD HELP_ENV_URL_DATABASE HELP_ENV_DATA,
           ITAEE_DEFAULT_YEAR);
}

static const struct option etl_options_long[] = {
    {"source", required_argument, NULL, 's'},
    {"out", required_argument, NULL, 'o'},
    {"as-of", required_argument, NULL, 'a'},
    {"rejects", required_argument, NULL, 'r'},
    {"summary", required_argument, NULL, 'S'},
    {"rules", required_argument, NULL, 'R'},
    {"itaee-year", required_argument, NULL, 'y'},
    {"db", required_argument, NULL, 'd'},
    {"collection", required_argument, NULL, 'c'},
    {"query", required_argument, NULL, 'q'},
    {"allow-empty", no_argument, NULL, 'E'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_etl(int argc, char **argv)
{
    const char *cmd = "etl";
    struct etl_options opt = {0};
    int itaee_year = ITAEE_DEFAULT_YEAR;
    const char *as_of = NULL;
    int c;
    while ((c = cli_getopt(argc, argv, etl_options_long)) != -1) {
        switch (c) {
        case 's': opt.source = optarg; break;
        case 'o': opt.dataset_path = optarg; break;
        case 'a': as_of = optarg; break;
        case 'r': opt.rejects_path = optarg; break;
        case 'S': opt.summary_path = optarg; break;
        case 'R': opt.rules_path = optarg; break;
        case 'y':
            if (parse_int(optarg, &itaee_year) < 0)
                return usage_error(cmd, "--itaee-year '%s' is not a year",
                                   optarg);
            break;
        case 'd': opt.mongo.database = optarg; break;
        case 'c': opt.mongo.collection = optarg; break;
        case 'q': opt.mongo.query = optarg; break;
        case 'E': opt.allow_empty = true; break;
        case 'h': print_help(); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!opt.source)
        opt.source = getenv(DOC_SOURCE_ENV);
    if (!opt.source || !*opt.source)
        return usage_error(cmd, "--source is required (or set "
                                DOC_SOURCE_ENV ")");
    if (!opt.dataset_path)
        return usage_error(cmd, "--out dataset.csv is required");
    opt.as_of = date_today();
    if (as_of && date_parse_iso(as_of, &opt.as_of) < 0)
        return usage_error(cmd, "--as-of '%s' is not a date (YYYY-MM-DD)",
                           as_of);

    struct errbuf err;
    struct refdata rd;
    if (refdata_load(&rd, paths_data_dir(), itaee_year, &err) < 0)
        return fail(cmd, "%s", err.msg);
    if (!opt.rules_path)
        opt.rules_path = paths_rules_file();
    struct rules *rules;
    if (rules_load(&rules, opt.rules_path, &err) < 0) {
        refdata_free(&rd);
        return fail(cmd, "%s", err.msg);
    }
    opt.rd = &rd;
    opt.rules = rules;
    struct etl_counts n;
    int rc = etl_run(&opt, &n, &err);
    rules_free(rules);
    refdata_free(&rd);
    if (rc == ETL_EMPTY_SOURCE) {
        fail(cmd, "%s", err.msg);
        return EXIT_EMPTY_SOURCE;
    }
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            PROGRAM " etl: read %ld, written %ld, duplicates %ld, rejected %ld"
            " (%.1f s, %.0f documents/s, peak RSS %ld MB)\n",
            n.read, n.written, n.duplicates, n.rejected, n.seconds,
            n.seconds > 0 ? (double)n.read / n.seconds : 0.0,
            ru.ru_maxrss / 1024);
    return EXIT_OK;
}
