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

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_EMPTY_SOURCE 3 /* etl: the source held no documents */

#define PROGRAM "incomescore"

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

#endif
