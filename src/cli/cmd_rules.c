/*
 * cmd_rules.c — `incomescore rules apply | calibrate | check`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "score/rules.h"
#include "train/calibrate.h"
#include "train/rules_csv.h"

static const char rules_help[] =
    "usage: " PROGRAM " rules apply [--rules FILE] < features.csv > scored.csv\n"
    "       " PROGRAM " rules calibrate --data dataset.csv [--rules FILE] "
    "[--out FILE]\n"
    "       " PROGRAM " rules check [--rules FILE]\n"
    "\n"
    "apply      Reads a CSV with the feature columns (any order; `jubilado`\n"
    "           optional, default 0) on stdin and writes it to stdout with\n"
    "           two more columns: rules_points (the sum of points) and\n"
    "           target = round(rules_points / divisor, 2). A bad row is\n"
    "           reported on stderr with its line and left out; the others\n"
    "           are written in order. Exit 1 if any row was bad.\n"
    "calibrate  Sets the rules' score scale from a dataset: its smallest\n"
    "           target maps to 300, its largest to 850 (targets are computed\n"
    "           from the feature columns with these rules). Writes the rules\n"
    "           to --out FILE, else back into --rules FILE, else to stdout.\n"
    "           Refused, writing nothing, if any row of the dataset is bad.\n"
    "check      Validates a rules file and says what it scores.\n"
    "\n"
    "--rules FILE  rules file (default: " PATHS_RULES_FILE " in the data "
    "directory,\n"
    "              $" PATHS_DATA_ENV " or the one built in)\n"
    HELP_ENV_HEAD HELP_ENV_DATA;

static const struct option rules_options[] = {
    {"rules", required_argument, NULL, 'r'},
    {"data", required_argument, NULL, 'd'},
    {"out", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct rules_args {
    const char *rules_path;
    const char *data_path;
    const char *out_path;
};

static int load_rules(const char *cmd, const struct rules_args *a,
                      struct rules **r)
{
    struct errbuf err;
    const char *path = a->rules_path ? a->rules_path : paths_rules_file();
    if (rules_load(r, path, &err) < 0)
        return fail(cmd, "%s", err.msg);
    return EXIT_OK;
}

static int cmd_rules_apply(const struct rules_args *a)
{
    const char *cmd = "rules apply";
    if (a->data_path || a->out_path)
        return usage_error(cmd, "reads stdin and writes stdout; --data and "
                                "--out belong to calibrate");
    struct rules *r;
    if (load_rules(cmd, a, &r) != EXIT_OK)
        return EXIT_FAIL;
    static char inbuf[1 << 20], outbuf[1 << 20];
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct rows_count n;
    struct errbuf err;
    int rc = rules_apply_csv(r, stdin, stdout, stderr, &n, &err);
    rules_free(r);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    if (fflush(stdout) != 0)
        return fail(cmd, "writing stdout failed");
    fprintf(stderr, PROGRAM " %s: %ld rows scored, %ld bad\n", cmd, n.good,
            n.bad);
    return n.bad ? EXIT_FAIL : EXIT_OK;
}

static int cmd_rules_calibrate(const struct rules_args *a)
{
    const char *cmd = "rules calibrate";
    if (!a->data_path)
        return usage_error(cmd, "--data dataset.csv is required");
    struct rules *r;
    if (load_rules(cmd, a, &r) != EXIT_OK)
        return EXIT_FAIL;
    struct calibration cal;
    struct errbuf err;
    int rc = rules_calibrate(r, a->data_path, stderr, &cal, &err);
    char *text = rc == 0 ? rules_to_text(r) : NULL;
    rules_free(r);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    if (!text)
        return fail(cmd, "out of memory");
    const char *dest = a->out_path ? a->out_path : a->rules_path;
    if (dest)
        rc = atomic_write_file(dest, text, strlen(text), &err);
    else
        fputs(text, stdout);
    free(text);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    fprintf(stderr, PROGRAM " %s: target %.2f -> 300, %.2f -> 850 (%ld rows)%s%s\n",
            cmd, cal.target_at_300, cal.target_at_850, cal.rows,
            dest ? "; written to " : "", dest ? dest : "");
    return EXIT_OK;
}

static int cmd_rules_check(const struct rules_args *a)
{
    struct rules *r;
    if (load_rules("rules check", a, &r) != EXIT_OK)
        return EXIT_FAIL;
    double lo, hi;
    rules_scale(r, &lo, &hi);
    printf("%s: valid\nvariables:", a->rules_path ? a->rules_path
                                              : paths_rules_file());
    for (int v = 0; v < VARIABLE_COUNT; v++)
        if (rules_uses(r, v))
            printf(" %s", variable_names[v]);
    printf("\nadjustments:");
    for (int i = 0; i < rules_adjustment_count(r); i++)
        printf(" %s", rules_adjustment_name(r, i));
    printf("\nscale: target %g -> 300, %g -> 850\n", lo, hi);
    rules_free(r);
    return EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("rules", "a subcommand is needed: apply, "
                                    "calibrate or check");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(rules_help, stdout);
        return EXIT_OK;
    }
    int (*run)(const struct rules_args *) =
        strcmp(sub, "apply") == 0       ? cmd_rules_apply
        : strcmp(sub, "calibrate") == 0 ? cmd_rules_calibrate
        : strcmp(sub, "check") == 0     ? cmd_rules_check
                                        : NULL;
    if (!run)
        return usage_error("rules", "'%s' is not a subcommand (apply, "
                                    "calibrate, check)", sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "rules %s", sub);
    struct rules_args a = {0};
    int c;
    while ((c = cli_getopt(argc - 1, argv + 1, rules_options)) != -1) {
        switch (c) {
        case 'r': a.rules_path = optarg; break;
        case 'd': a.data_path = optarg; break;
        case 'o': a.out_path = optarg; break;
        case 'h': fputs(rules_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv + 1, c);
        }
    }
    if (optind < argc - 1)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    return run(&a);
}
