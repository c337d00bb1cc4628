/*
 * cmd_pipeline.c — `incomescore pipeline`: the daily retraining (ETL →
 * train → evaluate → gate → promote → report), `pipeline runs` (past
 * runs and their decisions) and `pipeline retrain ID --out DIR` (a kept
 * version trained again from its own data). The run is pipeline_run
 * (pipeline/pipeline.h); this file reads the settings and maps the
 * outcome to an exit status.
 *
 * Settings, strongest first: flags; the environment ($URL_DATABASE for
 * the source); the config file (--config, else $INCOMESCORE_PIPELINE_CONFIG);
 * the defaults (the registry under $INCOMESCORE_HOME).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/numeric.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "pipeline/run_notify.h"
#include "etl/docsource.h"
#include "pipeline/pipeline.h"
#include "remote/s3.h"

#define CONFIG_ENV "INCOMESCORE_PIPELINE_CONFIG"
#define PUSH_ENV "INCOMESCORE_PIPELINE_PUSH"
#define EXIT_LOCKED 4  /* another run holds the lock */
#define EXIT_REFUSED 5 /* the gate refused the candidate; LIVE unchanged */

static void print_help(void)
{
    struct pipeline_config d;
    pipeline_defaults(&d);
    const struct gate_thresholds *g = &d.gate;
    printf(
        "usage: " PROGRAM " pipeline [--config FILE] [--source FILE|mongodb://...]\n"
        "                            [--as-of DATE] [--registry DIR] [--force]\n"
        "                            [--gate KEY=VALUE]... [other options]\n"
        "       " PROGRAM " pipeline runs [--registry DIR]\n"
        "       " PROGRAM " pipeline retrain ID --out DIR [--registry DIR]\n"
        "\n"
        "The daily retraining: ETL of the documents, training of a candidate\n"
        "version, its evaluation against the live model on the new held-out\n"
        "rows, the gate, promotion when the gate accepts, and a run report\n"
        "(report.md, report.html, run.json in the run's directory,\n"
        "<registry>/runs/<run>/). A stage whose inputs (their SHA-256) are those\n"
        "of its last success is skipped; --force reruns every stage. One run\n"
        "at a time: a second one exits at once. A failed or killed run leaves\n"
        "the live model as it was; the next run picks up where it stopped.\n"
        "\n"
        "--config FILE       JSON settings (keys in README: source, as_of,\n"
        "                    registry, rules, params, seed, itaee_year,\n"
        "                    keep_runs, mongo {database, collection, query},\n"
        "                    gate {...}, notify {smtp_url, mail_from, mail_to,\n"
        "                    webhook_url, ...: the INCOMESCORE_* settings of\n"
        "                    'notify --help' in lower case; the password only\n"
        "                    from the environment}); default $" CONFIG_ENV "\n"
        "--source S          documents: a JSON-lines file or a mongodb:// URI\n"
        "                    (default $" DOC_SOURCE_ENV ")\n"
        "--as-of DATE        features as of DATE (default today)\n"
        "--registry DIR      default " PATHS_REGISTRY_HELP ", else\n"
        "                    " PATHS_REGISTRY_FALLBACK "; created when absent\n"
        "--rules FILE        business rules (default: the shipped ones)\n"
        "--params FILE       XGBoost parameters (default: the shipped ones)\n"
        "--seed S            split, segments and model seed (default %llu)\n"
        "--itaee-year Y      ITAEE year (default %d)\n"
        "--keep-runs N       run directories kept (default %d)\n"
        "--database, --collection, --query   MongoDB, as for 'etl'\n"
        "--force             rerun every stage\n"
        "--push s3://BUCKET/PREFIX  push what the run promotes to this\n"
        "                    bucket, its LIVE last (default $" PUSH_ENV ",\n"
        "                    else the config's \"push\"); a push that\n"
        "                    fails fails the run (exit 1) but keeps the\n"
        "                    local promotion; 'models push ID URL --live'\n"
        "                    retries\n"
        "--gate KEY=VALUE    a gate threshold (defaults):\n"
        "    min_r2 %.2f            R2 floor, also for the first model\n"
        "    max_mae_points %.1f    MAE ceiling in score points, also first\n"
        "    max_r2_drop %.2f       candidate R2 >= live R2 - this\n"
        "    max_mae_increase %.1f   candidate MAE <= live MAE + this\n"
        "    psi_warn %.2f          PSI amber from here (a note)\n"
        "    psi_max %.2f           PSI red from here: refused\n"
        "    max_changed_band %.2f  share of applicants changing band:\n"
        "                           above it, refused\n"
        "    max_changed_segment %.2f  the same for the segment letter\n"
        "\n"
        "exit status: 0 the run ended (promoted, first model, or unchanged),\n"
        "1 a stage failed (the live model untouched), 2 bad usage, 3 the\n"
        "source held no documents, 4 another run holds the lock, 5 the gate\n"
        "refused the candidate (kept in the registry; 'models promote ID\n"
        "--force' can still promote it).\n"
        HELP_ENV_HEAD
        "  " DOC_SOURCE_ENV "          the source when --source is not given\n"
        "  " CONFIG_ENV "  the config file when --config is not given\n"
        "  " PUSH_ENV "    the bucket when --push is not given\n"
        HELP_ENV_HOME HELP_ENV_DATA HELP_ENV_SOURCE_DATE_EPOCH HELP_ENV_S3,
        (unsigned long long)d.seed, d.itaee_year, d.keep_runs, g->min_r2,
        g->max_mae_points, g->max_r2_drop, g->max_mae_increase, g->psi_warn,
        g->psi_max, g->max_changed_band, g->max_changed_segment);
}

static const struct option pipeline_options[] = {
    {"config", required_argument, NULL, 'C'},
    {"source", required_argument, NULL, 's'},
    {"as-of", required_argument, NULL, 'a'},
    {"registry", required_argument, NULL, 'r'},
    {"rules", required_argument, NULL, 'R'},
    {"params", required_argument, NULL, 'p'},
    {"seed", required_argument, NULL, 'S'},
    {"itaee-year", required_argument, NULL, 'y'},
    {"keep-runs", required_argument, NULL, 'k'},
    {"database", required_argument, NULL, 'd'},
    {"collection", required_argument, NULL, 'c'},
    {"query", required_argument, NULL, 'q'},
    {"force", no_argument, NULL, 'f'},
    {"push", required_argument, NULL, 'P'},
    {"gate", required_argument, NULL, 'g'},
    {"out", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The run told to the notification targets of the config file's
 * "notify" and the environment (which wins); none set: nothing to do.
 * What happened goes to stderr and into run.json; it never changes the
 * run's outcome or exit status. */
static void notify_run(const char *cmd, const struct notify_settings *file,
                       const char *run_dir)
{
    struct notify_settings s = *file;
    struct errbuf err;
    if (notify_settings_apply_env(&s, &err) < 0 ||
        ((s.smtp_url[0] || s.webhook_url[0]) &&
         notify_settings_check(&s, &err) < 0)) {
        fprintf(stderr, PROGRAM " %s: not notified: %s\n", cmd, err.msg);
        return;
    }
    if (!s.smtp_url[0] && !s.webhook_url[0])
        return;
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    int rc = run_notify(&s, run_dir, out, &n, &err);
    for (int i = 0; i < n; i++)
        fprintf(stderr, PROGRAM " %s: %s %s: %s\n", cmd,
                out[i].ok ? "notified" : "notification failed:",
                out[i].target, out[i].message);
    if (rc < 0 && n == 0)
        fprintf(stderr, PROGRAM " %s: not notified: %s\n", cmd, err.msg);
}

static int run_pipeline(int argc, char **argv)
{
    const char *cmd = "pipeline";
    struct pipeline_config c;
    pipeline_defaults(&c);
    /* the config file first, so that every flag overrides it */
    const char *config = getenv(CONFIG_ENV);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            config = argv[i] + 9;
    }
    void *doc = NULL;
    struct errbuf err;
    if (config && *config && pipeline_config_load(&c, config, &doc, &err) < 0)
        return fail(cmd, "%s", err.msg);
    const char *env_source = getenv(DOC_SOURCE_ENV);
    if (env_source && *env_source)
        c.source = env_source;
    const char *env_push = getenv(PUSH_ENV);
    if (env_push && *env_push)
        c.push_url = env_push;
    int rc = EXIT_OK, ch;
    const char *bad = NULL;
    while ((ch = cli_getopt(argc, argv, pipeline_options)) != -1) {
        double v;
        switch (ch) {
        case 'C': break;
        case 's': c.source = optarg; break;
        case 'a':
            if (date_parse_iso(optarg, &c.as_of) < 0)
                bad = "--as-of is not a date (YYYY-MM-DD)";
            break;
        case 'r': c.registry_dir = optarg; break;
        case 'R': c.rules_path = optarg; break;
        case 'p': c.params_path = optarg; break;
        case 'S':
            if (parse_double(optarg, &v) < 0 || v < 0 || v > 9e15 ||
                v != (double)(long long)v)
                bad = "--seed is not a whole number";
            else
                c.seed = (uint64_t)v;
            break;
        case 'y':
            if (parse_int(optarg, &c.itaee_year) < 0)
                bad = "--itaee-year is not a year";
            break;
        case 'k':
            if (parse_int(optarg, &c.keep_runs) < 0 || c.keep_runs < 1)
                bad = "--keep-runs is not a whole number from 1";
            break;
        case 'd': c.mongo.database = optarg; break;
        case 'c': c.mongo.collection = optarg; break;
        case 'q': c.mongo.query = optarg; break;
        case 'f': c.force = true; break;
        case 'P': c.push_url = optarg; break;
        case 'g': {
            char key[64];
            const char *eq = strchr(optarg, '=');
            size_t klen = eq ? (size_t)(eq - optarg) : 0;
            if (!eq || klen >= sizeof key || parse_double(eq + 1, &v) < 0) {
                bad = "--gate takes KEY=VALUE, e.g. --gate psi_max=0.3";
                break;
            }
            memcpy(key, optarg, klen);
            key[klen] = '\0';
            if (pipeline_gate_set(&c.gate, key, v, &err) < 0) {
                json_decref(doc);
                return usage_error(cmd, "--gate: %s", err.msg);
            }
            break;
        }
        case 'o': bad = "--out is for 'pipeline retrain'"; break;
        case 'h': print_help(); json_decref(doc); return EXIT_OK;
        default: json_decref(doc); return bad_option(cmd, argv, ch);
        }
        if (bad)
            break;
    }
    if (!bad && optind < argc)
        rc = usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    else if (bad)
        rc = usage_error(cmd, "%s", bad);
    else if (!c.source || !*c.source)
        rc = usage_error(cmd, "--source is required (or set "
                              DOC_SOURCE_ENV ", or \"source\" in the "
                              "config)");
    if (rc != EXIT_OK) {
        json_decref(doc);
        return rc;
    }
    struct s3_location loc;
    if (c.push_url && s3_parse_url(c.push_url, &loc, &err) < 0) {
        json_decref(doc);
        return usage_error(cmd, "push: %s", err.msg);
    }
    if (!c.registry_dir)
        c.registry_dir = paths_registry_dir();
    c.progress = stderr;
    c.progress_tty = isatty(STDERR_FILENO);
    struct pipeline_result r;
    int got = pipeline_run(&c, &r, &err);
    json_decref(doc);
    if (got == PIPELINE_LOCKED) {
        fail(cmd, "%s", err.msg);
        return EXIT_LOCKED;
    }
    if (*r.run_dir)
        notify_run(cmd, &c.notify, r.run_dir);
    if (got < 0) {
        if (strcmp(r.failed_stage, "push") == 0)
            fail(cmd, "stage push failed: %s (%s is live here, not in the "
                      "bucket; 'incomescore models push %s %s --live' "
                      "retries; state in %s)", err.msg, r.live, r.live,
                 c.push_url, r.run_dir);
        else if (*r.failed_stage)
            fail(cmd, "stage %s failed: %s (the live model is unchanged; "
                      "state in %s)", r.failed_stage, err.msg, r.run_dir);
        else
            fail(cmd, "%s", err.msg);
        return got == PIPELINE_EMPTY_SOURCE ? EXIT_EMPTY_SOURCE : EXIT_FAIL;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s %s %s\n", r.run, pipeline_decision_name(r.decision),
           *r.candidate ? r.candidate : "-");
    fprintf(stderr, PROGRAM " pipeline: report in %s/report.html (peak RSS "
                    "%ld MB)\n", r.run_dir, ru.ru_maxrss / 1024);
    return r.decision == DECISION_REFUSED ? EXIT_REFUSED : EXIT_OK;
}

static int sub_runs_or_retrain(const char *sub, int argc, char **argv)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "pipeline %s", sub);
    const char *registry = NULL, *out = NULL;
    int ch;
    while ((ch = cli_getopt(argc, argv, pipeline_options)) != -1) {
        switch (ch) {
        case 'r': registry = optarg; break;
        case 'o': out = optarg; break;
        case 'h': print_help(); return EXIT_OK;
        case '?': case ':': return bad_option(cmd, argv, ch);
        default:
            return usage_error(cmd, "option '%s' is not for %s",
                               argv[optind - 1], sub);
        }
    }
    bool retrain = strcmp(sub, "retrain") == 0;
    if (argc - optind != (retrain ? 1 : 0))
        return usage_error(cmd, retrain ? "needs a version id"
                                        : "takes no arguments");
    if (!retrain && out)
        return usage_error(cmd, "--out is for 'pipeline retrain'");
    if (retrain && !out)
        return usage_error(cmd, "--out DIR is required");
    if (!registry)
        registry = paths_registry_dir();
    struct errbuf err;
    if (!retrain)
        return pipeline_list_runs(registry, stdout, &err) < 0
                   ? fail(cmd, "%s", err.msg) : EXIT_OK;
    if (pipeline_retrain(registry, argv[optind], out, &err) < 0)
        return fail(cmd, "%s", err.msg);
    fprintf(stderr, PROGRAM " pipeline retrain: %s retrained into %s\n",
            argv[optind], out);
    return EXIT_OK;
}

int cmd_pipeline(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "runs") == 0 ||
                      strcmp(argv[1], "retrain") == 0))
        return sub_runs_or_retrain(argv[1], argc - 1, argv + 1);
    return run_pipeline(argc, argv);
}
