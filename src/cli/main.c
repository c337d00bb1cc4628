/*
 * main.c — `incomescore <command>`: the command table and dispatch.
 *
 * One row per command; each command's file parses its own options. Exit
 * codes everywhere: 0 success, 1 failure, 2 bad usage.
 */
#include <getopt.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/paths.h"
#include "base/version.h"
#include "cli/cli.h"

static const struct command commands[] = {
    {"demo-data", cmd_demo_data, "write synthetic validation documents (JSON lines)"},
    {"etl", cmd_etl, "build the training dataset from validation documents"},
    {"train", cmd_train, "train segments and model into a new registry "
                         "version"},
    {"predict", cmd_predict, "score request objects, one JSON per line"},
    {"models", cmd_models, "list, show, promote, roll back, push or pull "
                           "model versions"},
    {"serve", cmd_serve, "the JSON API (and its docs) over HTTP"},
    {"audit", cmd_audit, "find decisions in the audit log; prune it "
                         "(retention)"},
    {"pipeline", cmd_pipeline, "the daily retraining: ETL, train, gate, "
                               "promote, report"},
    {"notify", cmd_notify, "send the run's notification by hand (mail, "
                           "webhook); check its settings"},
    {"rules", cmd_rules, "apply the business rules to a features CSV; "
                         "calibrate the score scale"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: " PROGRAM " <command> [options]\n"
            "\n"
            "Income score (300-850) and segment (A-D) of loan applicants from\n"
            "their IMSS employment history and their state's public figures.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "'" PROGRAM " <command> --help' tells more of each, and names\n"
            "the environment variables it reads.\n"
            HELP_ENV_HEAD HELP_ENV_DATA HELP_ENV_HOME);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROGRAM "%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '" PROGRAM "%s%s --help'.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_USAGE;
}

int parse_count(const char *text, long long lo, long long hi,
                long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int bad_option(const char *cmd, char **argv, int c)
{
    /* With a leading ':' in the option string getopt_long returns ':' for
     * a missing value and '?' for an unknown option; argv[optind - 1] is
     * the option as typed either way (optopt only knows short names). */
    const char *typed = argv[optind - 1];
    if (c == ':')
        return usage_error(cmd, "option '%s' needs a value", typed);
    if (optopt && strncmp(typed, "--", 2) != 0)
        return usage_error(cmd, "option '-%c' is unknown", optopt);
    return usage_error(cmd, "option '%s' is unknown", typed);
}

int cli_getopt(int argc, char **argv, const struct option *options)
{
    int index = -1;
    int c = getopt_long(argc, argv, ":", options, &index);
    if (c == -1 || c == '?' || c == ':' || index < 0)
        return c;
    /* getopt_long takes any unambiguous prefix ("--prot" for
     * --protect-all); a command line that works by accident breaks when
     * an option is added, so only the whole name is taken. The option as
     * typed is the last argv element, or the one before it when its value
     * was the next element. */
    int at = optind - 1;
    if (optarg && at > 0 && optarg == argv[at])
        at--;
    const char *typed = argv[at] + 2;
    size_t len = strcspn(typed, "=");
    if (len == strlen(options[index].name) &&
        strncmp(typed, options[index].name, len) == 0)
        return c;
    optind = at + 1; /* bad_option reports argv[optind - 1] */
    optopt = 0;
    return '?';
}

int fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROGRAM " %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(NULL, "a command is needed");
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 && argc > 2) {
        /* `help train` is `train --help` */
        static char help_option[] = "--help";
        name = argv[2];
        argv[2] = help_option;
        argv[1] = (char *)name;
        argc = 3;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf(PROGRAM " %s\n", INCOMESCORE_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(name, commands[i].name) == 0) {
            opterr = 0; /* commands word their own usage errors */
            return commands[i].run(argc - 1, argv + 1);
        }
    return usage_error(NULL, "'%s' is not a command", name);
}
