/*
 * cmd_rules.c — `incomescore rules apply | calibrate | check`.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/numeric.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "score/rules.h"
#include "train/calibrate.h"
#include "train/rules_csv.h"

static const char rules_help[] =
    "usage: " PROGRAM " rules apply [--rules FILE] < features.csv > scored.csv\n"
    "       " PROGRAM " rules calibrate --data dataset.csv [--rules FILE] "
    "[--out FILE]\n"
    "                       [--bounds quantile|minmax] [--quantile Q] "
    "[--min-rows N]\n"
    "                       [--dry-run]\n"
    "       " PROGRAM " rules check [--rules FILE]\n"
    "\n"
    "apply      Reads a CSV with the feature columns (any order; `jubilado`\n"
    "           optional, default 0) on stdin and writes it to stdout with\n"
    "           two more columns: rules_points (the sum of points) and\n"
    "           target = round(rules_points / divisor, 2). A bad row is\n"
    "           reported on stderr with its line and left out; the others\n"
    "           are written in order. Exit 1 if any row was bad.\n"
    "calibrate  Sets the rules' score scale from a dataset (targets are\n"
    "           computed from the feature columns with these rules): the Q\n"
    "           and 1-Q quantile targets (nearest rank) map to 300 and 850\n"
    "           (--bounds quantile, --quantile default 0.001), or the\n"
    "           smallest and largest target (--bounds minmax, the original's).\n"
    "           Only the scale's two numbers (and its calibration note) change\n"
    "           in the file; every other byte stays. Writes to --out FILE,\n"
    "           else back into --rules FILE, else to stdout. Refused, writing\n"
    "           nothing, if any row of the dataset is bad or there are fewer\n"
    "           than --min-rows rows (default 1000). --dry-run writes nothing\n"
    "           and prints how the scores would move: the scale, score\n"
    "           percentiles, rows at 300 and 850, and rows per band, now and\n"
    "           calibrated.\n"
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
    {"bounds", required_argument, NULL, 'b'},
    {"quantile", required_argument, NULL, 'q'},
    {"min-rows", required_argument, NULL, 'm'},
    {"dry-run", no_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct rules_args {
    const char *rules_path;
    const char *data_path;
    const char *out_path;
    struct calibration_options calibration;
    bool calibration_set; /* any of --bounds, --quantile, --min-rows */
    bool dry_run;
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

/* "1,234 (12.3%)" */
static void print_rows(long rows, long total)
{
    printf(" %9ld (%5.1f%%)", rows, total ? 100.0 * (double)rows / (double)total
                                          : 0.0);
}

/* How the dataset's scores move from the scale now to the calibrated
 * one. */
static void print_shift(const struct rules *r, const struct calibration *c)
{
    printf("%-22s %18s %18s\n", "", "now", "calibrated");
    printf("%-22s %18.4g %18.4g\n", "target at 300", c->before_300,
           c->target_at_300);
    printf("%-22s %18.4g %18.4g\n", "target at 850", c->before_850,
           c->target_at_850);
    for (int p = 0; p < CALIBRATION_PERCENTILES; p++) {
        char name[32];
        snprintf(name, sizeof name, "score p%g",
                 100 * calibration_percentiles[p]);
        printf("%-22s %18.2f %18.2f\n", name, c->before.percentile[p],
               c->after.percentile[p]);
    }
    printf("%-22s", "rows at 300");
    print_rows(c->before.clamped_low, c->rows);
    print_rows(c->after.clamped_low, c->rows);
    printf("\n%-22s", "rows at 850");
    print_rows(c->before.clamped_high, c->rows);
    print_rows(c->after.clamped_high, c->rows);
    printf("\n");
    int bands = rules_band_count(r);
    for (int b = 0; b <= bands; b++) {
        double from, to;
        const char *label = "no band", *color;
        if (b < bands)
            rules_band(r, b, &from, &to, &label, &color);
        else if (!c->before.band_rows[b] && !c->after.band_rows[b])
            break;
        printf("band %-17.17s", label);
        print_rows(c->before.band_rows[b], c->rows);
        print_rows(c->after.band_rows[b], c->rows);
        printf("\n");
    }
}

static int cmd_rules_calibrate(const struct rules_args *a)
{
    const char *cmd = "rules calibrate";
    if (!a->data_path)
        return usage_error(cmd, "--data dataset.csv is required");
    if (a->dry_run && a->out_path)
        return usage_error(cmd, "--dry-run writes nothing; drop --out");
    const char *path = a->rules_path ? a->rules_path : paths_rules_file();
    struct errbuf err;
    size_t len;
    char *original = file_read_limited(path, FILE_CAP_RULES, &len, &err);
    struct rules *r = NULL;
    if (!original || rules_parse(&r, original, len, path, &err) < 0) {
        free(original);
        return fail(cmd, "%s", err.msg);
    }
    struct calibration cal;
    char *text = NULL;
    size_t text_len = 0;
    int rc = rules_calibrate(r, a->data_path, &a->calibration, stderr, &cal,
                             &err);
    if (rc == 0 && a->dry_run)
        print_shift(r, &cal);
    else if (rc == 0)
        rc = rules_text_rescaled(original, len, r, &text, &text_len, &err);
    rules_free(r);
    free(original);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    if (a->dry_run) {
        fprintf(stderr, PROGRAM " %s: dry run, nothing written\n", cmd);
        return EXIT_OK;
    }
    const char *dest = a->out_path ? a->out_path : a->rules_path;
    if (dest)
        rc = atomic_write_file(dest, text, text_len, &err);
    else
        fwrite(text, 1, text_len, stdout);
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
    calibration_defaults(&a.calibration);
    long long v;
    double q;
    int c;
    while ((c = cli_getopt(argc - 1, argv + 1, rules_options)) != -1) {
        switch (c) {
        case 'r': a.rules_path = optarg; break;
        case 'd': a.data_path = optarg; break;
        case 'o': a.out_path = optarg; break;
        case 'b':
            if (strcmp(optarg, "quantile") == 0)
                a.calibration.bounds = CALIBRATION_QUANTILE;
            else if (strcmp(optarg, "minmax") == 0)
                a.calibration.bounds = CALIBRATION_MINMAX;
            else
                return usage_error(cmd, "--bounds is quantile or minmax, "
                                        "not '%s'", optarg);
            a.calibration_set = true;
            break;
        case 'q':
            if (parse_double(optarg, &q) < 0 || !(q >= 0 && q < 0.5))
                return usage_error(cmd, "--quantile takes a number from 0 "
                                        "up to (not including) 0.5, not "
                                        "'%s'", optarg);
            a.calibration.quantile = q;
            a.calibration_set = true;
            break;
        case 'm':
            if (parse_count(optarg, 2, 1000000000, &v) < 0)
                return usage_error(cmd, "--min-rows takes 2 to 1000000000, "
                                        "not '%s'", optarg);
            a.calibration.min_rows = (long)v;
            a.calibration_set = true;
            break;
        case 'n': a.dry_run = true; a.calibration_set = true; break;
        case 'h': fputs(rules_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv + 1, c);
        }
    }
    if (optind < argc - 1)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    if (a.calibration_set && run != cmd_rules_calibrate)
        return usage_error(cmd, "--bounds, --quantile, --min-rows and "
                                "--dry-run belong to calibrate");
    return run(&a);
}
