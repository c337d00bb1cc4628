/*
 * cmd_etl.c — `incomescore etl`: validation documents → training dataset;
 * `etl --partition K/N` one slice of them, `etl merge` the slices → the
 * dataset one run would have written.
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
           "                      [--partition K/N]\n"
           "       " PROGRAM " etl merge --out dataset.csv [--rejects FILE] "
           "[--summary FILE]\n"
           "                      [--rules FILE] [--itaee-year YEAR] "
           "[--allow-empty] PART...\n"
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
           "--partition K/N  read slice K of N (1 <= K <= N): the documents "
           "whose _id\n"
           "              hashes to K (by position when the _id is not an "
           "ObjectId,\n"
           "              string or integer); --out is then a part file (it "
           "holds CURPs:\n"
           "              delete it after the merge). Every process still "
           "reads the whole\n"
           "              source; each maps only its slice. All N must read "
           "the same\n"
           "              sequence: the same file, or an unchanged collection.\n"
           "merge         the N part files into the dataset, rejects and "
           "summary one\n"
           "              run would have written (the same bytes); give "
           "it the\n"
           "              --itaee-year and --rules the parts were made "
           "with (parts\n"
           "              made with different ones are refused)\n"
           "\n"
           "MongoDB: the URI's options apply, e.g. "
           "?serverSelectionTimeoutMS=5000&\n"
           "connectTimeoutMS=5000&authSource=admin. A run tries the server "
           "once, waiting\n"
           "connectTimeoutMS at most (default 10000). Failures name the "
           "user, never the\n"
           "password.\n"
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
    {"partition", required_argument, NULL, 'P'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct option merge_options_long[] = {
    {"out", required_argument, NULL, 'o'},
    {"rejects", required_argument, NULL, 'r'},
    {"summary", required_argument, NULL, 'S'},
    {"rules", required_argument, NULL, 'R'},
    {"itaee-year", required_argument, NULL, 'y'},
    {"allow-empty", no_argument, NULL, 'E'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The options a run and a merge share (the outputs, the tables); true
 * when c was one of them. --itaee-year is checked by load_tables. */
static bool shared_option(int c, struct etl_options *opt, const char **itaee)
{
    switch (c) {
    case 'o': opt->dataset_path = optarg; return true;
    case 'r': opt->rejects_path = optarg; return true;
    case 'S': opt->summary_path = optarg; return true;
    case 'R': opt->rules_path = optarg; return true;
    case 'y': *itaee = optarg; return true;
    case 'E': opt->allow_empty = true; return true;
    default: return false;
    }
}

/* The reference tables and rules a run or a merge needs, into opt. */
static int load_tables(struct etl_options *opt, struct refdata *rd,
                       struct rules **rules, const char *itaee,
                       const char *cmd)
{
    int itaee_year = ITAEE_DEFAULT_YEAR;
    if (itaee && parse_int(itaee, &itaee_year) < 0)
        return usage_error(cmd, "--itaee-year '%s' is not a year", itaee);
    struct errbuf err;
    if (refdata_load(rd, paths_data_dir(), itaee_year, &err) < 0)
        return fail(cmd, "%s", err.msg);
    if (!opt->rules_path)
        opt->rules_path = paths_rules_file();
    if (rules_load(rules, opt->rules_path, &err) < 0) {
        refdata_free(rd);
        return fail(cmd, "%s", err.msg);
    }
    opt->rd = rd;
    opt->rules = *rules;
    return EXIT_OK;
}

/* Exit status and the counts line for a finished run or merge. */
static int finish(const char *cmd, int rc, const struct errbuf *err,
                  const char *what, const struct etl_counts *n)
{
    if (rc == ETL_EMPTY_SOURCE) {
        fail(cmd, "%s", err->msg);
        return EXIT_EMPTY_SOURCE;
    }
    if (rc < 0)
        return fail(cmd, "%s", err->msg);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            PROGRAM " etl: %sread %ld, written %ld, duplicates %ld, rejected "
            "%ld (%.1f s, %.0f documents/s, peak RSS %ld MB)\n",
            what, n->read, n->written, n->duplicates, n->rejected, n->seconds,
            n->seconds > 0 ? (double)n->read / n->seconds : 0.0,
            ru.ru_maxrss / 1024);
    return EXIT_OK;
}

/* Loads the tables, runs (parts NULL) or merges, and reports. */
static int run_with_tables(struct etl_options *opt, const char *itaee,
                           const char *cmd, const char *const *parts,
                           int part_count, const char *what)
{
    struct refdata rd;
    struct rules *rules;
    int status = load_tables(opt, &rd, &rules, itaee, cmd);
    if (status != EXIT_OK)
        return status;
    struct etl_counts n;
    struct errbuf err;
    int rc = parts ? etl_merge(opt, parts, part_count, &n, &err)
                   : etl_run(opt, &n, &err);
    rules_free(rules);
    refdata_free(&rd);
    return finish(cmd, rc, &err, what, &n);
}

static int cmd_etl_merge(int argc, char **argv)
{
    const char *cmd = "etl merge";
    struct etl_options opt = {0};
    const char *itaee = NULL;
    int c;
    while ((c = cli_getopt(argc, argv, merge_options_long)) != -1) {
        if (shared_option(c, &opt, &itaee))
            continue;
        switch (c) {
        case 'h': print_help(); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (!opt.dataset_path)
        return usage_error(cmd, "--out dataset.csv is required");
    if (optind >= argc)
        return usage_error(cmd, "the part files of `etl --partition K/N` "
                                "are required");
    return run_with_tables(&opt, itaee, cmd,
                           (const char *const *)argv + optind, argc - optind,
                           "merged: ");
}

int cmd_etl(int argc, char **argv)
{
    const char *cmd = "etl";
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return cmd_etl_merge(argc - 1, argv + 1);
    struct etl_options opt = {0};
    const char *partition = NULL;
    const char *itaee = NULL;
    const char *as_of = NULL;
    int c;
    while ((c = cli_getopt(argc, argv, etl_options_long)) != -1) {
        if (shared_option(c, &opt, &itaee))
            continue;
        switch (c) {
        case 's': opt.source = optarg; break;
        case 'a': as_of = optarg; break;
        case 'd': opt.mongo.database = optarg; break;
        case 'c': opt.mongo.collection = optarg; break;
        case 'q': opt.mongo.query = optarg; break;
        case 'P':
            partition = optarg;
            if (etl_partition_parse(optarg, &opt.partition,
                                    &opt.partitions) < 0)
                return usage_error(cmd, "--partition '%s' is not K/N with "
                                   "1 <= K <= N <= %d", optarg,
                                   ETL_MAX_PARTITIONS);
            break;
        case 'h': print_help(); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (partition && (opt.rejects_path || opt.summary_path))
        return usage_error(cmd, "--partition writes one part file (--out); "
                                "--rejects and --summary belong to "
                                "`etl merge`");
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

    char what[64] = "";
    if (partition)
        snprintf(what, sizeof what, "partition %d/%d: ", opt.partition,
                 opt.partitions);
    return run_with_tables(&opt, itaee, cmd, NULL, 0, what);
}
