/*
 * cmd_serve.c — `incomescore serve`: the JSON API, its docs and metrics
 * over HTTP until SIGTERM or SIGINT; SIGHUP reloads the live model and
 * the API key file. `serve --hash-key` turns a key into its key-file line.
 * `--registry s3://...` serves a registry in a bucket through a local
 * cache (http/bucket_watch.h).
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
#include <termios.h>
#include <unistd.h>

#include "base/paths.h"
#include "http/apikeys.h"
#include "http/audit_pg.h"
#include "cli/cli.h"
#include "http/server.h"
#include "remote/s3.h"

/* $PORT: where platforms that run containers say which port to take. */
#define PORT_ENV "PORT"
#define HELP_ENV_PORT                                                     \
    "  " PORT_ENV "                  port when --port is not given\n"
#define DEFAULT_KEY_NAME "client"
/* The replica's name in the PostgreSQL audit rows, when not given. */
#define REPLICA_ENV "INCOMESCORE_REPLICA"
#define HELP_ENV_AUDIT                                                    \
    "  " AUDIT_PG_URL_ENV " --audit-url when not given\n"              \
    "  " REPLICA_ENV "   --replica-name when not given\n"

/* Every default stated comes from its constant, so the help changes with
 * them. */
static void print_help(void)
{
    printf("usage: " PROGRAM " serve [--registry DIR | --model BUNDLE] "
           "[--host H]\n"
           "                         [--registry s3://BUCKET/PREFIX "
           "[--cache DIR]\n"
           "                          [--poll SECONDS]]\n"
           "                         [--port P] "
           "[--audit sqlite|postgres|stdout|off]\n"
           "                         [--audit-db FILE] [--audit-url URL]\n"
           "                         [--replica-name NAME]\n"
           "                         [--audit-durability commit|queue]\n"
           "                         [--threads N]\n"
           "                         [--max-body BYTES] "
           "[--max-batch-body BYTES]\n"
           "                         [--timeout SECONDS] "
           "[--connection-limit N]\n"
           "                         [--per-address-limit N] "
           "[--body-deadline SECONDS]\n"
           "                         [--header-deadline SECONDS]\n"
           "                         [--max-bodies-in-flight BYTES]\n"
           "                         [--api-keys FILE [--protect-all]] "
           "[--web DIR]\n"
           "       " PROGRAM " serve --hash-key [--key-name NAME] < key\n"
           "\n"
           "Serves the analysts' web page at / (the form, what-if, batch "
           "files),\n"
           "the API (POST /v1/prediction, POST /v1/predictions), its docs\n"
           "(GET /docs, GET /openapi.json), GET /healthz, /readyz, /v1/model,\n"
           "/v1/model/report (the training report), /v1/meta and /metrics,\n"
           "with the live model of the registry or the bundle given by "
           "--model.\n"
           "A promotion in the registry is picked up within a second; "
           "SIGHUP\n"
           "reloads at once (and reads --api-keys again; the page's files "
           "are\n"
           "read once, at start).\n"
           "A model that does not load is refused and the one serving keeps\n"
           "serving. Every decision is recorded (--audit) before it is "
           "answered.\n"
           "SIGTERM or SIGINT stops after the requests in flight are answered\n"
           "and the audit log is written. Logs are JSON lines on stderr.\n"
           "\n"
           "--registry DIR        model registry (default "
           PATHS_REGISTRY_HELP ",\n"
           "                      else " PATHS_REGISTRY_FALLBACK ")\n"
           "--registry s3://BUCKET/PREFIX  the registry in a bucket ("
           "models push\n"
           "                      puts versions there): its LIVE is "
           "checked at start\n"
           "                      and every --poll seconds (one cheap "
           "request when\n"
           "                      unchanged); a new live version is "
           "downloaded into\n"
           "                      --cache, every file checked against "
           "its SHA-256,\n"
           "                      then served. One that does not check "
           "out is refused,\n"
           "                      logged and counted "
           "(incomescore_bucket_sync_failures_total)\n"
           "                      and the model serving keeps serving\n"
           "--cache DIR           with s3://: the local copy, a registry "
           "(default\n"
           "                      " PATHS_BUCKET_CACHE_HELP ", else\n"
           "                      " PATHS_BUCKET_CACHE_FALLBACK "); "
           "served from at start when\n"
           "                      the bucket cannot be reached; a cached "
           "version that\n"
           "                      fails its checks (torn by a crash) is "
           "pulled again\n"
           "                      (incomescore_bucket_cache_repairs_total)\n"
           "--poll SECONDS        with s3://: how often LIVE is checked "
           "(default %d)\n"
           "--model BUNDLE        serve this bundle directory instead\n"
           "--web DIR             the page's files, read once at start "
           "(default\n"
           "                      $" PATHS_WEB_ENV ", else the web/ built "
           "in); without\n"
           "                      an index.html, / redirects to /docs\n"
           "--host H              address to listen on (default "
           SERVER_DEFAULT_HOST "; 0.0.0.0\n"
           "                      in a container)\n"
           "--port P              port (default $" PORT_ENV ", else %d)\n"
           "--audit SINK          where every decision is recorded: sqlite "
           "(default),\n"
           "                      postgres (one table for every replica, "
           "monthly\n"
           "                      partitions), stdout (JSON lines) or off\n"
           "--audit-db FILE       the SQLite file (default\n"
           "                      " PATHS_AUDIT_HELP ", else\n"
           "                      " PATHS_AUDIT_FALLBACK ")\n"
           "--audit-url URL       postgres: the libpq connection string "
           "(default\n"
           "                      $" AUDIT_PG_URL_ENV "), e.g.\n"
           "                      postgresql://user:PASSWORD@host:5432/db; "
           "the schema\n"
           "                      is made or migrated at start. The "
           "password is\n"
           "                      never printed (shown as ***); prefer "
           "PGPASSWORD\n"
           "                      or a ~/.pgpass file to keep it out of "
           "ps\n"
           "--replica-name NAME   postgres: the name each row gives this "
           "server\n"
           "                      (default $" REPLICA_ENV ", else the "
           "hostname)\n"
           "--audit-durability MODE  when a decision may be answered: "
           "commit\n"
           "                      (default: once its record is committed, "
           "so a\n"
           "                      crash or kill -9 loses no answered "
           "decision) or\n"
           "                      queue (once queued: faster, but a crash "
           "loses\n"
           "                      what is still queued). While the log "
           "cannot write\n"
           "                      (disk full, read-only), decisions and "
           "/readyz\n"
           "                      answer 503 and its records are held and "
           "retried.\n"
           "--threads N           HTTP worker threads (default %d)\n"
           "--max-body BYTES      largest /v1/prediction body (default %d)\n"
           "--max-batch-body BYTES  largest /v1/predictions body (default "
           "%d)\n"
           "--timeout SECONDS     idle connection timeout (default %d)\n"
           "--connection-limit N  simultaneous connections (default %d)\n"
           "--per-address-limit N simultaneous connections from one client "
           "address\n"
           "                      (default %d; behind a reverse proxy every "
           "client\n"
           "                      has the proxy's address: raise it to "
           "--connection-limit)\n"
           "--body-deadline SECONDS  a request body not in within this many "
           "seconds\n"
           "                      of its headers closes the connection "
           "(default %d)\n"
           "--header-deadline SECONDS  a request's headers not in within "
           "this many\n"
           "                      seconds of the connection's start (or of "
           "the\n"
           "                      previous answer on it) close the "
           "connection\n"
           "                      (default %d)\n"
           "--max-bodies-in-flight BYTES  request bodies held at once, all "
           "connections\n"
           "                      together; beyond it 503 with Retry-After "
           "(default\n"
           "                      %d, at least 4 of the largest body)\n"
           "--api-keys FILE       require an API key (default $"
           PATHS_API_KEYS_ENV ";\n"
           "                      none: the API is open). Clients send\n"
           "                      'Authorization: Bearer <key>'; without a "
           "key in FILE\n"
           "                      the answer is 401. FILE holds hashes, one "
           "key a\n"
           "                      line: 'sha256:<64 hex digits> name' (name: "
           "who holds\n"
           "                      it, for metrics and the audit log; # "
           "comments and\n"
           "                      blank lines are fine). A malformed or empty "
           "FILE\n"
           "                      refuses the start; on SIGHUP it is read "
           "again\n"
           "                      and, if bad, the old keys stay. Keys guard "
           "/v1/*\n"
           "                      (scoring, /v1/model, /v1/meta); /healthz,\n"
           "                      /readyz, /metrics, /openapi.json, /docs "
           "and /\n"
           "                      stay open\n"
           "--protect-all         keys guard every route but /healthz and "
           "/readyz\n"
           "--hash-key            read a key on stdin (one line) and print "
           "its line\n"
           "                      for the key file, then exit; keys are %d "
           "to %d\n"
           "                      visible ASCII characters, e.g.\n"
           "                      openssl rand -hex 32 | tee client.key |\n"
           "                        " PROGRAM " serve --hash-key --key-name "
           "acme\n"
           "--key-name NAME       the name on that line (default "
           DEFAULT_KEY_NAME ")\n",
           SERVER_DEFAULT_BUCKET_POLL_S, SERVER_DEFAULT_PORT,
           SERVER_DEFAULT_THREADS,
           (int)SERVER_DEFAULT_MAX_BODY, (int)SERVER_DEFAULT_MAX_BATCH_BODY,
           SERVER_DEFAULT_TIMEOUT_S, SERVER_DEFAULT_CONNECTION_LIMIT,
           SERVER_DEFAULT_PER_ADDRESS_LIMIT, SERVER_DEFAULT_BODY_DEADLINE_S,
           SERVER_DEFAULT_HEADER_DEADLINE_S,
           (int)SERVER_DEFAULT_MAX_BODIES_IN_FLIGHT,
           APIKEY_MIN_LEN, APIKEY_MAX_LEN);
    fputs(HELP_ENV_HEAD HELP_ENV_PORT HELP_ENV_API_KEYS HELP_ENV_AUDIT
              HELP_ENV_HOME HELP_ENV_DATA HELP_ENV_WEB HELP_ENV_S3, stdout);
}

static const struct option serve_options[] = {
    {"registry", required_argument, NULL, 'r'},
    {"model", required_argument, NULL, 'm'},
    {"cache", required_argument, NULL, 'C'},
    {"poll", required_argument, NULL, 'O'},
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"audit", required_argument, NULL, 'a'},
    {"audit-db", required_argument, NULL, 'd'},
    {"audit-durability", required_argument, NULL, 'D'},
    {"audit-url", required_argument, NULL, 'U'},
    {"replica-name", required_argument, NULL, 'N'},
    {"threads", required_argument, NULL, 't'},
    {"max-body", required_argument, NULL, 'b'},
    {"max-batch-body", required_argument, NULL, 'B'},
    {"timeout", required_argument, NULL, 'T'},
    {"connection-limit", required_argument, NULL, 'c'},
    {"per-address-limit", required_argument, NULL, 'A'},
    {"body-deadline", required_argument, NULL, 'L'},
    {"header-deadline", required_argument, NULL, 'R'},
    {"max-bodies-in-flight", required_argument, NULL, 'M'},
    {"api-keys", required_argument, NULL, 'k'},
    {"protect-all", no_argument, NULL, 'P'},
    {"web", required_argument, NULL, 'W'},
    {"hash-key", no_argument, NULL, 'K'},
    {"key-name", required_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* `serve --hash-key`: one key from stdin to its key-file line on
 * stdout, so that no one has to store or paste a plain key. Echo is off
 * when stdin is a terminal. */
static int hash_key(const char *cmd, const char *name)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios saved, quiet;
    if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fputs("key (not shown): ", stderr);
    } else {
        tty = false;
    }
    char key[APIKEY_MAX_LEN + 3]; /* the key, "\r\n" and a NUL */
    bool got = fgets(key, sizeof key, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    size_t len = got ? strlen(key) : 0;
    bool whole_line = len && key[len - 1] == '\n';
    int rc = EXIT_OK;
    if (!got || len == 0)
        rc = fail(cmd, "--hash-key reads a key on stdin; none came");
    else if (!whole_line && !feof(stdin))
        rc = fail(cmd, "the key is longer than %d characters", APIKEY_MAX_LEN);
    else if (!tty && whole_line && getchar() != EOF)
        rc = fail(cmd, "stdin holds more than one line; hash one key at a "
                       "time");
    if (rc == EXIT_OK) {
        if (whole_line)
            key[--len] = '\0';
        if (len && key[len - 1] == '\r')
            key[--len] = '\0';
        char line[APIKEY_LINE_SIZE];
        struct errbuf err;
        if (apikey_line(key, len, name, line, sizeof line, &err) < 0)
            rc = fail(cmd, "%s", err.msg);
        else
            printf("%s\n", line);
    }
    explicit_bzero(key, sizeof key);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    const char *cmd = "serve";
    struct server_config cfg = {0};
    const char *port_text = NULL;
    const char *key_name = NULL, *cache = NULL;
    const char *poll_text = NULL;
    const char *audit_db = NULL, *audit_url = NULL;
    bool hash = false;
    long long v;
    int c;
    while ((c = cli_getopt(argc, argv, serve_options)) != -1) {
        switch (c) {
        case 'r': cfg.registry_dir = optarg; break;
        case 'm': cfg.model_dir = optarg; break;
        case 'C': cache = optarg; break;
        case 'O': poll_text = optarg; break;
        case 'H': cfg.host = optarg; break;
        case 'p': port_text = optarg; break;
        case 'd': audit_db = optarg; break;
        case 'U': audit_url = optarg; break;
        case 'N': cfg.audit_replica = optarg; break;
        case 'D':
            if (strcmp(optarg, "commit") == 0)
                cfg.audit_ack = AUDIT_ACK_COMMITTED;
            else if (strcmp(optarg, "queue") == 0)
                cfg.audit_ack = AUDIT_ACK_QUEUED;
            else
                return usage_error(cmd, "--audit-durability is commit or "
                                        "queue, not '%s'", optarg);
            break;
        case 'a':
            if (strcmp(optarg, "sqlite") == 0)
                cfg.audit_sink = AUDIT_SQLITE;
            else if (strcmp(optarg, "stdout") == 0)
                cfg.audit_sink = AUDIT_STDOUT;
            else if (strcmp(optarg, "postgres") == 0)
                cfg.audit_sink = AUDIT_POSTGRES;
            else if (strcmp(optarg, "off") == 0)
                cfg.audit_sink = AUDIT_OFF;
            else
                return usage_error(cmd, "--audit is sqlite, postgres, stdout "
                                        "or off, not '%s'", optarg);
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
        case 'A':
            if (parse_count(optarg, 1, 1000000, &v) < 0)
                return usage_error(cmd, "--per-address-limit takes 1 to "
                                        "1000000, not '%s'", optarg);
            cfg.per_address_limit = (unsigned)v;
            break;
        case 'L':
            if (parse_count(optarg, 1, 3600, &v) < 0)
                return usage_error(cmd, "--body-deadline takes 1 to 3600 "
                                        "seconds, not '%s'", optarg);
            cfg.body_deadline_s = (unsigned)v;
            break;
        case 'R':
            if (parse_count(optarg, 1, 3600, &v) < 0)
                return usage_error(cmd, "--header-deadline takes 1 to 3600 "
                                        "seconds, not '%s'", optarg);
            cfg.header_deadline_s = (unsigned)v;
            break;
        case 'M':
            if (parse_count(optarg, 1024, 1LL << 40, &v) < 0)
                return usage_error(cmd, "--max-bodies-in-flight takes 1024 "
                                        "to 1099511627776 bytes, not '%s'",
                                   optarg);
            cfg.max_bodies_in_flight = (size_t)v;
            break;
        case 'k': cfg.api_keys_path = optarg; break;
        case 'P': cfg.protect_all = true; break;
        case 'W': cfg.web_dir = optarg; break;
        case 'K': hash = true; break;
        case 'n': key_name = optarg; break;
        case 'h': print_help(); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (key_name && !hash)
        return usage_error(cmd, "--key-name goes with --hash-key");
    if (hash)
        return hash_key(cmd, key_name ? key_name : DEFAULT_KEY_NAME);
    if (!cfg.api_keys_path)
        cfg.api_keys_path = paths_api_keys_file();
    if (cfg.protect_all && !cfg.api_keys_path)
        return usage_error(cmd, "--protect-all needs --api-keys FILE (or "
                                "$" PATHS_API_KEYS_ENV ")");
    /* The flag wins over the environment; each sink takes only its own
     * target, so a forgotten --audit postgres cannot quietly write a
     * file named like a URL. */
    if (!audit_url && (audit_url = getenv(AUDIT_PG_URL_ENV)) && !*audit_url)
        audit_url = NULL;
    if (cfg.audit_sink == AUDIT_POSTGRES) {
        if (audit_db)
            return usage_error(cmd, "--audit-db is for --audit sqlite; "
                                    "postgres takes --audit-url");
        if (!audit_url)
            return usage_error(cmd, "--audit postgres needs --audit-url URL "
                                    "(or $" AUDIT_PG_URL_ENV ")");
        cfg.audit_path = audit_url;
    } else {
        if (audit_url && getenv(AUDIT_PG_URL_ENV) != audit_url)
            return usage_error(cmd, "--audit-url is for --audit postgres");
        cfg.audit_path = audit_db;
    }
    if (!cfg.audit_replica && (cfg.audit_replica = getenv(REPLICA_ENV)) &&
        !*cfg.audit_replica)
        cfg.audit_replica = NULL;
    if (cfg.registry_dir && cfg.model_dir)
        return usage_error(cmd, "give --registry or --model, not both");
    if (s3_is_url(cfg.registry_dir)) {
        cfg.bucket_url = cfg.registry_dir;
        cfg.registry_dir = cache ? cache : paths_bucket_cache_dir();
    } else if (cache || poll_text) {
        return usage_error(cmd, "%s goes with --registry s3://BUCKET/PREFIX",
                           cache ? "--cache" : "--poll");
    }
    if (poll_text) {
        if (parse_count(poll_text, 1, 86400, &v) < 0)
            return usage_error(cmd, "--poll takes 1 to 86400 seconds, not "
                                    "'%s'", poll_text);
        cfg.bucket_poll_ms = (int)v * 1000;
    }
    const char *from = "--port";
    if (!port_text && (port_text = getenv(PORT_ENV)) && *port_text)
        from = "$" PORT_ENV;
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
    const char *host = cfg.host ? cfg.host : SERVER_DEFAULT_HOST;
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
