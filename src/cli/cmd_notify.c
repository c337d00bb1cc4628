/*
 * cmd_notify.c — `incomescore notify`: send a notification by hand, or
 * check the notification settings, with the module the pipeline uses
 * (pipeline/notify.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "pipeline/notify.h"

/* A body or summary is a run's text, some kB; this refuses a wrong file. */
#define NOTIFY_TEXT_CAP (1u << 20)

static const char notify_help[] =
    "usage: " PROGRAM " notify --subject TEXT [--body-file FILE] "
    "[--summary FILE.json]\n"
    "                          [--attach FILE]...\n"
    "       " PROGRAM " notify --check\n"
    "\n"
    "Sends a notification to the targets set in the environment: a mail\n"
    "(the body as text, each --attach as an attached file) and/or a webhook\n"
    "POST (JSON with the subject, the body and the --summary object; or a\n"
    "Slack or Teams message). Each target is tried whatever the other did,\n"
    "and reported on its own line: on stdout when it went, on stderr when\n"
    "not. Exit 1 if any target failed. The pipeline notifies the same way.\n"
    "\n"
    "--subject TEXT      the mail's subject, the webhook's title\n"
    "--body-file FILE    the text (default: empty); - reads stdin\n"
    "--summary FILE      a JSON object for the webhook's \"summary\"\n"
    "--attach FILE       a file to attach to the mail (up to 4)\n"
    "--check             check the settings and print them (never the\n"
    "                    password), send nothing\n"
    HELP_ENV_HEAD
    "  INCOMESCORE_SMTP_URL        smtp://host[:port] (STARTTLS) or\n"
    "                              smtps://host[:port] (TLS)\n"
    "  INCOMESCORE_SMTP_TLS        for smtp://: required (default),\n"
    "                              optional or none\n"
    "  INCOMESCORE_SMTP_USER       login, when the server asks for one\n"
    "  INCOMESCORE_SMTP_PASSWORD   its password (sent over TLS only)\n"
    "  INCOMESCORE_SMTP_CA_FILE    CA certificates for the server's\n"
    "                              certificate (default: the system's)\n"
    "  INCOMESCORE_MAIL_FROM       sender address\n"
    "  INCOMESCORE_MAIL_TO         recipients, comma-separated\n"
    "  INCOMESCORE_WEBHOOK_URL     http(s) URL to POST to\n"
    "  INCOMESCORE_WEBHOOK_FORMAT  json (default), slack or teams\n"
    "  INCOMESCORE_NOTIFY_TIMEOUT  seconds per target (default 30)\n";

static const struct option notify_options[] = {
    {"subject", required_argument, NULL, 's'},
    {"body-file", required_argument, NULL, 'b'},
    {"summary", required_argument, NULL, 'j'},
    {"attach", required_argument, NULL, 'a'},
    {"check", no_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_settings(const struct notify_settings *s)
{
    char name[NOTIFY_URL_MAX];
    if (s->smtp_url[0]) {
        notify_redact_url(s->smtp_url, name, sizeof name);
        const char *tls = strncmp(s->smtp_url, "smtps://", 8) == 0 ? "TLS"
            : s->smtp_tls == NOTIFY_TLS_REQUIRED ? "STARTTLS required"
            : s->smtp_tls == NOTIFY_TLS_OPTIONAL ? "STARTTLS optional"
            : "no TLS";
        printf("mail     %s (%s)", name, tls);
        if (s->smtp_user[0])
            printf(", user %s, password %s", s->smtp_user,
                   s->smtp_password[0] ? "set" : "not set");
        printf("\n         from %s to ", s->mail_from);
        for (int i = 0; i < s->mail_to_count; i++)
            printf("%s%s", i ? ", " : "", s->mail_to[i]);
        putchar('\n');
    }
    if (s->webhook_url[0]) {
        notify_redact_url(s->webhook_url, name, sizeof name);
        printf("webhook  %s (%s)\n", name,
               notify_format_names[s->webhook_format]);
    }
    printf("timeout  %ld s\n", s->timeout_seconds);
}

int cmd_notify(int argc, char **argv)
{
    const char *cmd = "notify";
    const char *subject = NULL, *body_path = NULL, *summary_path = NULL;
    struct notify_message msg = {0};
    int check = 0, c;
    while ((c = cli_getopt(argc, argv, notify_options)) != -1) {
        switch (c) {
        case 's': subject = optarg; break;
        case 'b': body_path = optarg; break;
        case 'j': summary_path = optarg; break;
        case 'a':
            if (msg.attach_count == NOTIFY_ATTACH_MAX)
                return usage_error(cmd, "at most %d --attach",
                                   NOTIFY_ATTACH_MAX);
            msg.attach[msg.attach_count++] = optarg;
            break;
        case 'c': check = 1; break;
        case 'h': fputs(notify_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "'%s' is not an option", argv[optind]);
    if (check && (subject || body_path || summary_path || msg.attach_count))
        return usage_error(cmd, "--check sends nothing: it takes no other "
                                "option");
    if (!check && !subject)
        return usage_error(cmd, "--subject TEXT is required");

    struct notify_settings s;
    struct errbuf err;
    if (notify_settings_from_env(&s, &err) < 0)
        return fail(cmd, "%s", err.msg);
    if (check) {
        print_settings(&s);
        return EXIT_OK;
    }

    char *body = NULL, *summary = NULL;
    size_t len;
    if (body_path) {
        body = file_read_limited(strcmp(body_path, "-") == 0 ? "/dev/stdin"
                                 : body_path, NOTIFY_TEXT_CAP, &len, &err);
        if (!body)
            return fail(cmd, "%s", err.msg);
    }
    if (summary_path &&
        !(summary = file_read_limited(summary_path, NOTIFY_TEXT_CAP, &len,
                                      &err))) {
        free(body);
        return fail(cmd, "%s", err.msg);
    }
    msg.subject = subject;
    msg.body = body;
    msg.summary_json = summary;

    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    int rc = notify_send(&s, &msg, out, &n, &err);
    free(body);
    free(summary);
    if (rc < 0 && n == 0)
        return fail(cmd, "%s", err.msg);
    for (int i = 0; i < n; i++) {
        if (out[i].ok)
            printf("%s: %s\n", out[i].target, out[i].message);
        else
            fail(cmd, "%s: %s", out[i].target, out[i].message);
    }
    return rc < 0 ? EXIT_FAIL : EXIT_OK;
}
