/*
 * cmd_train.c — `incomescore train`: a dataset becomes a new model version
 * in the registry. The flow (stage, train, verify, commit) is
 * train_into_registry (train/train_registry.h); this file reads the
 * options and prints the run's figures.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/numeric.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "registry/registry.h"
#include "score/segments.h"
#include "train/train_registry.h"

/* The defaults stated are train_defaults()'s and the constants', so the
 * help changes with them. */
static void print_help(void)
{
    struct train_options d;
    train_defaults(&d);
    printf("usage: " PROGRAM " train --data dataset.csv [--registry DIR] "
           "[--seed S]\n"
           "                        [--rules FILE] [--params FILE] "
           "[--itaee-year Y]\n"
           "\n"
           "Trains the segments (k-means, %d clusters) and the model "
           "(XGBoost) on a\n"
           "dataset from 'etl' and stores them as a new version in the "
           "registry.\n"
           "Prints the version's id and its held-out metrics. When the "
           "registry has\n"
           "no live version yet, the new one becomes live; otherwise promote "
           "it\n"
           "with 'incomescore models promote ID'. The version's report.md "
           "and\n"
           "report.html (registry/versions/ID/) name its id and, when a "
           "model was\n"
           "live, compare the two on the same held-out rows.\n"
           "\n"
           "--registry DIR  model registry (default " PATHS_REGISTRY_HELP
           ", else\n"
           "                " PATHS_REGISTRY_FALLBACK ")\n"
           "--seed S        split, segments and model seed (default %llu)\n"
           "--rules FILE    rules that define the target and score scale "
           "(default:\n"
           "                " PATHS_RULES_FILE " in the data directory)\n"
           "--params FILE   XGBoost hyper-parameters (default: "
           PATHS_PARAMS_FILE " in the\n"
           "                data directory)\n"
           "--itaee-year Y  ITAEE year of crecimiento_gral (default %d)\n"
           HELP_ENV_HEAD HELP_ENV_HOME HELP_ENV_DATA
           HELP_ENV_SOURCE_DATE_EPOCH,
           SEGMENT_COUNT, (unsigned long long)d.seed, d.itaee_year);
}

static const struct option train_options_long[] = {
    {"data", required_argument, NULL, 'd'},
    {"registry", required_argument, NULL, 'r'},
    {"seed", required_argument, NULL, 's'},
    {"rules", required_argument, NULL, 'R'},
    {"params", required_argument, NULL, 'p'},
    {"itaee-year", required_argument, NULL, 'y'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

int cmd_train(int argc, char **argv)
{
    const char *cmd = "train";
    struct train_options opt;
    train_defaults(&opt);
    const char *registry_path = NULL;
    int c;
    while ((c = cli_getopt(argc, argv, train_options_long)) != -1) {
        switch (c) {
        case 'd': opt.dataset_path = optarg; break;
        case 'r': registry_path = optarg; break;
        case 's': {
            double s;
            if (parse_double(optarg, &s) < 0 || s < 0 || s > 9e15 ||
                s != (double)(long long)s)
                return usage_error(cmd, "--seed '%s' is not a whole number",
                                   optarg);
            opt.seed = (uint64_t)s;
            break;
        }
        case 'R': opt.rules_path = optarg; break;
        case 'p': opt.params_path = optarg; break;
        case 'y':
            if (parse_int(optarg, &opt.itaee_year) < 0)
                return usage_error(cmd, "--itaee-year '%s' is not a year",
                                   optarg);
            break;
        case 'h': print_help(); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!opt.dataset_path)
        return usage_error(cmd, "--data dataset.csv is required");

    struct errbuf err;
    struct registry *reg;
    if (registry_create(&reg, registry_path ? registry_path
                                            : paths_registry_dir(), &err) < 0)
        return fail(cmd, "%s", err.msg);
    char id[REGISTRY_ID_SIZE];
    struct train_summary s;
    if (train_into_registry(reg, &opt, &s, id, &err) < 0) {
        registry_close(reg);
        return fail(cmd, "%s", err.msg);
    }
    char live[REGISTRY_ID_SIZE] = "";
    registry_live(reg, live, &err);
    registry_close(reg);
    printf("%s\n", id);
    fprintf(stderr,
            PROGRAM " train: %s%s: %zu rows (%zu train, %zu held out), %d "
            "rounds\n"
            "  held out: R2 %.5f, MSE %.3g, MAE %.4f (target); R2 %.5f, MAE "
            "%.2f points (score)\n"
            "  %.1f s (read %.1f, segments %.1f, model %.1f), peak RSS %ld MB\n",
            id, strcmp(live, id) == 0 ? " (live)" : "", s.rows, s.train_rows,
            s.test_rows, s.rounds, s.r2, s.mse, s.mae, s.score_r2,
            s.score_mae, s.seconds_total, s.seconds_read, s.seconds_segments,
            s.seconds_model, peak_rss_mb());
    if (s.target_mismatches)
        fprintf(stderr, "  note: %ld rows' target column differs from what "
                        "the rules give (the dataset was made with other "
                        "rules); trained on the rules' target\n",
                s.target_mismatches);
    return EXIT_OK;
}
