/*
 * cmd_audit.c — `incomescore audit find | prune | retain`: looking
 * decisions up in the audit log, and its retention (library:
 * http/audit_query.h for SQLite, http/audit_pg.h for PostgreSQL).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/paths.h"
#include "cli/cli.h"
#include "http/audit_pg.h"
#include "http/audit_query.h"

static const char audit_help[] =
    "usage: " PROGRAM " audit find ID [--db FILE]\n"
    "       " PROGRAM " audit find [ID] --since TIME [--until TIME] "
    "[--db FILE]\n"
    "       " PROGRAM " audit prune --older-than DAYS [--archive FILE] "
    "[--db FILE]\n"
    "       " PROGRAM " audit retain --months N [--url URL]\n"
    "\n"
    "find   prints the decisions recorded under request id ID (a batch's\n"
    "       items, ID/0, ID/1 ..., with it), or every decision in the\n"
    "       window, oldest first, one JSON object a line (id, time_ms,\n"
    "       time, request_id, model_version, status, inputs, outputs,\n"
    "       api_key). An id the server made carries its arrival time and\n"
    "       is found at once; a client's own id needs --since/--until,\n"
    "       else every row is read. Exit status 1 when nothing matches.\n"
    "       The database is opened read-only.\n"
    "prune  deletes the decisions older than DAYS days (86,400 s each,\n"
    "       counted back from now), 10,000 a transaction: safe while\n"
    "       serve runs. With --archive they are first copied into FILE, a\n"
    "       new SQLite file with the same table (never overwritten; it\n"
    "       appears only when complete), and only copied rows are\n"
    "       deleted. Prints how many were archived and deleted.\n"
    "retain the PostgreSQL log (serve --audit postgres): drops each "
    "monthly\n"
    "       partition whose decisions are all more than N months old (the\n"
    "       current month and the N before it stay), whole: no row is\n"
    "       DELETEd. Prints each partition dropped, then how many were\n"
    "       dropped and kept. Safe while servers write.\n"
    "\n"
    "--db FILE          the audit database (default " PATHS_AUDIT_HELP
    ",\n"
    "                   else " PATHS_AUDIT_FALLBACK "); it must exist\n"
    "--since TIME       from TIME on (inclusive)\n"
    "--until TIME       before TIME (exclusive)\n"
    "                   TIME: milliseconds since 1970, or an ISO date or\n"
    "                   date-time, UTC unless a zone is given\n"
    "                   (2026-11-26, 2026-11-26T10:00:00Z)\n"
    "--older-than DAYS  prune: the age past which decisions go (whole\n"
    "                   days, 1 or more)\n"
    "--archive FILE     prune: copy the pruned decisions into FILE first\n"
    "--months N         retain: months kept before the current one (1 or "
    "more)\n"
    "--url URL          retain: the libpq connection string (default\n"
    "                   $" AUDIT_PG_URL_ENV "); its password is never "
    "printed\n"
    HELP_ENV_HEAD HELP_ENV_HOME
    "  " AUDIT_PG_URL_ENV " --url when not given\n";

static const struct option audit_options[] = {
    {"db", required_argument, NULL, 'd'},
    {"since", required_argument, NULL, 's'},
    {"until", required_argument, NULL, 'u'},
    {"older-than", required_argument, NULL, 'o'},
    {"archive", required_argument, NULL, 'a'},
    {"months", required_argument, NULL, 'm'},
    {"url", required_argument, NULL, 'U'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_audit(int argc, char **argv)
{
    const char *cmd = "audit";
    const char *db = NULL, *archive = NULL, *older = NULL;
    const char *months = NULL, *url = NULL;
    struct audit_query q = {0};
    struct errbuf err = {0};
    int c;
    while ((c = cli_getopt(argc, argv, audit_options)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'a': archive = optarg; break;
        case 'o': older = optarg; break;
        case 'm': months = optarg; break;
        case 'U': url = optarg; break;
        case 's':
        case 'u': {
            int64_t ms;
            if (audit_time_parse(optarg, &ms, &err) < 0)
                return usage_error(cmd, "--%s: %s",
                                   c == 's' ? "since" : "until", err.msg);
            if (c == 's') {
                q.has_since = true;
                q.since_ms = ms;
            } else {
                q.has_until = true;
                q.until_ms = ms;
            }
            break;
        }
        case 'h': fputs(audit_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "find, prune or retain is needed");
    const char *action = argv[optind++];
    if (strcmp(action, "retain") == 0) {
        if (db || archive || older || q.has_since || q.has_until)
            return usage_error(cmd, "retain takes --months and --url only");
        if (optind < argc)
            return usage_error(cmd, "retain takes no argument '%s'",
                               argv[optind]);
        if (!url && (url = getenv(AUDIT_PG_URL_ENV)) && !*url)
            url = NULL;
        if (!url)
            return usage_error(cmd, "retain needs --url URL (or $"
                                    AUDIT_PG_URL_ENV ")");
        long long n;
        if (!months || parse_count(months, 1, 1200, &n) < 0)
            return usage_error(cmd, "retain needs --months N, 1 to 1200");
        long dropped, kept;
        int rc = audit_pg_retain(url, (int)n, (int64_t)time(NULL) * 1000,
                                 stdout, &dropped, &kept, &err);
        if (rc == 0 || dropped > 0)
            printf("dropped %ld, kept %ld monthly partitions (%lld months "
                   "kept before the current one)\n",
                   dropped, kept, n);
        if (rc < 0)
            return fail(cmd, "%s", err.msg);
        return EXIT_OK;
    }
    if (months || url)
        return usage_error(cmd, "--months and --url are for retain");
    if (!db)
        db = paths_audit_file();

    if (strcmp(action, "find") == 0) {
        if (archive || older)
            return usage_error(cmd, "--archive and --older-than are for "
                                    "prune");
        if (optind < argc)
            q.id = argv[optind++];
        if (optind < argc)
            return usage_error(cmd, "find takes one id, not '%s'",
                               argv[optind]);
        if (!q.id && !q.has_since && !q.has_until)
            return usage_error(cmd, "find needs an ID or --since/--until");
        long found;
        if (audit_find(db, &q, stdout, &found, &err) < 0)
            return fail(cmd, "%s", err.msg);
        if (fflush(stdout) != 0)
            return fail(cmd, "cannot write the output");
        if (found == 0) {
            fprintf(stderr, PROGRAM " audit: no decision matches\n");
            return EXIT_FAIL;
        }
        return EXIT_OK;
    }
    if (strcmp(action, "prune") == 0) {
        if (q.has_since || q.has_until)
            return usage_error(cmd, "--since and --until are for find");
        if (optind < argc)
            return usage_error(cmd, "prune takes no argument '%s'",
                               argv[optind]);
        if (!older)
            return usage_error(cmd, "prune needs --older-than DAYS");
        char *end;
        long days = strtol(older, &end, 10);
        if (*older < '0' || *older > '9' || *end || days < 1 || days > 100000)
            return usage_error(cmd, "--older-than is whole days, 1 or more, "
                                    "not '%s'", older);
        int64_t now_ms = (int64_t)time(NULL) * 1000;
        int64_t cut_ms = now_ms - (int64_t)days * 86400000;
        struct audit_prune_result res;
        int rc = audit_prune(db, cut_ms, archive, &res, &err);
        printf("archived %ld, deleted %ld decisions older than %ld days\n",
               res.archived, res.deleted, days);
        if (rc < 0)
            return fail(cmd, "%s", err.msg);
        return EXIT_OK;
    }
    return usage_error(cmd, "'%s' is not find, prune or retain", action);
}
