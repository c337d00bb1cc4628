/*
 * cmd_serve.c — `incomescore serve`: the JSON API, its docs and metrics
 * over HTTP until SIGTERM or SIGINT; SIGHUP reloads the live model.
 *
 * The signals are blocked before the server's threads start, so they
 * inherit the mask and only this thread, in sigwait(), ever sees them:
 * no handler runs inside a request.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server.h"

static const char serve_help[] =
    "usage: " PROGRAM " serve [--registry DIR | --model BUNDLE] [--host H]\n"
    "                         [--port P] [--audit sqlite|stdout|off]\n"
    "                         [--audit-db FILE] [--threads N]\n"
    "                         [--max-body BYTES] [--max-batch-body BYTES]\n"
    "                         [--timeout SECONDS] [--connection-limit N]\n"
    "\n"
    "Serves the API (POST /v1/prediction, POST /v1/predictions), its docs\n"
    "(GET /docs, GET /openapi.json), GET /healthz, /readyz, /v1/model,\n"
    "/v1/meta and /metrics, with the live model of the registry or the\n"
    "bundle given by --model. A promotion in the registry is picked up\n"
    "within a second; SIGHUP reloads at once. A model that does not load is\n"
    "refused and the one serving keeps serving. SIGTERM or SIGINT stops\n"
    "after the requests in flight are answered. Logs are JSON lines on\n"
    "stderr.\n"
    "\n"
    "--registry DIR        model registry (default $INCOMESCORE_HOME/registry,\n"
    "                      else ./var/registry)\n"
    "--model BUNDLE        serve this bundle directory instead\n"
    "--host H              address to listen on (default 127.0.0.1; 0.0.0.0\n"
    "                      in a container)\n"
    "--port P              port (default $PORT, else 8000)\n"
    "--audit SINK          where every decision is recorded: sqlite (default),\n"
    "                      stdout (JSON lines) or off\n"
    "--audit-db FILE       the SQLite file (default\n"
    "                      $INCOMESCORE_HOME/audit.sqlite3, else\n"
    "                      ./var/audit.sqlite3)\n"
    "--threads N           HTTP worker threads (default 2)\n"
    "--max-body BYTES      largest /v1/prediction body (default 65536)\n"
    "--max-batch-body BYTES  largest /v1/predictions body (default 2097152)\n"
    "--timeout SECONDS     idle connection timeout (default 10)\n"
    "--connection-limit N  simultaneous connections (default 1024)\n";

static const struct option serve_options[] = {
    {"registry", required_argument, NULL, 'r'},
    {"model", required_argument, NULL, 'm'},
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"audit", required_argument, NULL, 'a'},
    {"audit-db", required_argument, NULL, 'd'},
    {"threads", required_argument, NULL, 't'},
    {"max-body", required_argument, NULL, 'b'},
    {"max-batch-body", required_argument, NULL, 'B'},
    {"timeout", required_argument, NULL, 'T'},
    {"connection-limit", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A whole number in [lo, hi] into *out; -1 when text is not one. */
static int parse_count(const char *text, long long lo, long long hi,
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

int cmd_serve(int argc, char **argv)
{
    const char *cmd = "serve";
    struct server_config cfg = {0};
    const char *port_text = NULL;
    long long v;
    int c;
    while ((c = getopt_long(argc, argv, ":", serve_options, NULL)) != -1) {
        switch (c) {
        case 'r': cfg.registry_dir = optarg; break;
        case 'm': cfg.model_dir = optarg; break;
        case 'H': cfg.host = optarg; break;
        case 'p': port_text = optarg; break;
        case 'd': cfg.audit_path = optarg; break;
        case 'a':
            if (strcmp(optarg, "sqlite") == 0)
                cfg.audit_sink = AUDIT_SQLITE;
            else if (strcmp(optarg, "stdout") == 0)
                cfg.audit_sink = AUDIT_STDOUT;
            else if (strcmp(optarg, "off") == 0)
                cfg.audit_sink = AUDIT_OFF;
            else
                return usage_error(cmd, "--audit is sqlite, stdout or off, "
                                        "not '%s'", optarg);
            break;
        case 't':
            if (parse_count(optarg, 1, 64, &v) < 0)
                return usage_error(cmd, "--threads takes 1 to 64, not '%s'",
                                   optarg);
            cfg.threads = (unsigned)v;
            break;
        case 'b':
        case 'B':
            if (parse_count(optarg, 64, 1LL << 30, &v) < 0)
                return usage_error(cmd, "%s takes 64 to 1073741824 bytes, "
                                        "not '%s'",
                                   c == 'b' ? "--max-body" : "--max-batch-body",
                                   optarg);
            if (c == 'b')
                cfg.max_body = (size_t)v;
            else
                cfg.max_batch_body = (size_t)v;
            break;
        case 'T':
            if (parse_count(optarg, 1, 3600, &v) < 0)
                return usage_error(cmd, "--timeout takes 1 to 3600 seconds, "
                                        "not '%s'", optarg);
            cfg.timeout_s = (unsigned)v;
            break;
        case 'c':
            if (parse_count(optarg, 1, 1000000, &v) < 0)
                return usage_error(cmd, "--connection-limit takes 1 to "
                                        "1000000, not '%s'", optarg);
            cfg.connection_limit = (unsigned)v;
            break;
        case 'h': fputs(serve_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (cfg.registry_dir && cfg.model_dir)
        return usage_error(cmd, "give --registry or --model, not both");
    const char *from = "--port";
    if (!port_text && (port_text = getenv("PORT")) && *port_text)
        from = "$PORT";
    cfg.port = SERVER_DEFAULT_PORT;
    if (port_text && *port_text) {
        if (parse_count(port_text, 0, 65535, &v) < 0)
            return usage_error(cmd, "%s is a port 0 to 65535, not '%s'", from,
                               port_text);
        cfg.port = (int)v;
    }
    if (cfg.max_body && !cfg.max_batch_body &&
        cfg.max_body > SERVER_DEFAULT_MAX_BATCH_BODY)
        cfg.max_batch_body = cfg.max_body;

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct errbuf err;
    struct server *s;
    if (server_start(&s, &cfg, &err) < 0)
        return fail(cmd, "%s", err.msg);
    char version[64];
    server_model_version(s, version, sizeof version);
    const char *host = cfg.host ? cfg.host : "127.0.0.1";
    bool v6 = strchr(host, ':') != NULL;
    fprintf(stderr, PROGRAM " serve: listening on http://%s%s%s:%d (model %s)\n",
            v6 ? "[" : "", host, v6 ? "]" : "", server_port(s),
            *version ? version : "none yet");

    for (;;) {
        int sig;
        if (sigwait(&signals, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            server_reload(s, &err); /* the server logs the outcome */
            continue;
        }
        break;
    }
    server_stop(s);
    return EXIT_OK;
}
