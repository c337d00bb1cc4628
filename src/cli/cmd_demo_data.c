/*
 * cmd_demo_data.c — `incomescore demo-data`: synthetic validation
 * documents as JSON lines (the generator is src/demo/, driven by
 * demo_data.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "demo/demo_data.h"
#include "base/fileio.h"
#include "base/paths.h"
#include "score/refdata.h"

/* The default seed stated is the constant's, so the help changes with
 * it. */
static void print_help(void)
{
    printf("usage: " PROGRAM " demo-data --count N [--seed S] "
           "[--as-of YYYY-MM-DD] [--out FILE]\n"
           "\n"
           "Writes N synthetic validation documents, one JSON object per "
           "line, as\n"
           "mongoexport would: realistic people, CURPs, careers and wages, "
           "with the\n"
           "quirks real exports have (dates and wages spelled several ways,\n"
           "\"Vigente\" in any case, DISTRITO FEDERAL, unsorted histories, "
           "two\n"
           "current jobs, retirees, about 3%% of people checked more than "
           "once and\n"
           "about 0.5%% unusable documents). The same options give the same "
           "bytes.\n"
           "\n"
           "--count N          documents to write (required, at least 1)\n"
           "--seed S           random seed, 0..2^64-1 (default %llu)\n"
           "--as-of DATE       every check falls in the 18 months before "
           "DATE\n"
           "                   (default today, UTC)\n"
           "--out FILE         write FILE atomically (default: stdout) and "
           "print a\n"
           "                   summary on stderr\n"
           HELP_ENV_HEAD HELP_ENV_DATA,
           (unsigned long long)DEMO_DEFAULT_SEED);
}

static const struct option demo_options_spec[] = {
    {"count", required_argument, NULL, 'c'},
    {"seed", required_argument, NULL, 's'},
    {"as-of", required_argument, NULL, 'a'},
    {"out", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A whole decimal number, no sign, no blanks. */
static int parse_unsigned(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cmd_demo_data(int argc, char **argv)
{
    const char *cmd = "demo-data";
    struct demo_options opt = {.seed = DEMO_DEFAULT_SEED};
    const char *count_text = NULL, *as_of_text = NULL, *out_path = NULL;
    int c;
    /* the leading ':' makes a missing value ':' rather than '?', so it can
     * be named as the long option the user typed */
    while ((c = cli_getopt(argc, argv, demo_options_spec)) != -1) {
        uint64_t v;
        switch (c) {
        case 'c':
            count_text = optarg;
            if (parse_unsigned(optarg, &v) < 0 || v == 0 || v > LONG_MAX)
                return usage_error(cmd, "--count '%s' is not a whole number "
                                        "of documents above 0", optarg);
            opt.count = (long)v;
            break;
        case 's':
            if (parse_unsigned(optarg, &v) < 0)
                return usage_error(cmd, "--seed '%s' is not a whole number "
                                        "0..18446744073709551615", optarg);
            opt.seed = v;
            break;
        case 'a':
            as_of_text = optarg;
            if (date_parse_iso(optarg, &opt.as_of) < 0)
                return usage_error(cmd, "--as-of '%s' is not a date "
                                        "YYYY-MM-DD", optarg);
            v = (uint64_t)date_to_ymd(opt.as_of).year;
            if (v < DEMO_AS_OF_FIRST_YEAR || v > DEMO_AS_OF_LAST_YEAR)
                return usage_error(cmd, "--as-of '%s' is outside %d..%d",
                                   optarg, DEMO_AS_OF_FIRST_YEAR,
                                   DEMO_AS_OF_LAST_YEAR);
            break;
        case 'o': out_path = optarg; break;
        case 'h': print_help(); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!count_text)
        return usage_error(cmd, "--count N is required");
    if (!as_of_text)
        opt.as_of = date_today();

    struct refdata rd;
    struct errbuf err;
    if (refdata_load(&rd, paths_data_dir(), ITAEE_DEFAULT_YEAR, &err) < 0)
        return fail(cmd, "%s", err.msg);

    struct demo_stats st;
    int rc;
    if (out_path) {
        struct atomic_file af;
        rc = atomic_file_open(&af, out_path, &err);
        if (rc == 0) {
            rc = demo_data_write(&rd, &opt, af.fp, &st, &err);
            if (rc == 0)
                rc = atomic_file_commit(&af, &err);
            else
                atomic_file_abort(&af);
        }
    } else {
        rc = demo_data_write(&rd, &opt, stdout, &st, &err);
    }
    refdata_free(&rd);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    if (out_path) {
        char day[16];
        date_format_iso(opt.as_of, day);
        fprintf(stderr, PROGRAM " %s: %ld documents (%ld people, %ld "
                "duplicates, %ld unusable) as of %s, seed %" PRIu64
                ", written to %s\n", cmd, st.documents, st.persons,
                st.duplicates, st.unusable_total, day, opt.seed, out_path);
    }
    return EXIT_OK;
}
