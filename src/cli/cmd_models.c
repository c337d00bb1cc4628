/*
 * cmd_models.c — `incomescore models list | show ID | promote ID |
 * rollback | describe | push | pull`: the registry's versions, their
 * lineage and metrics, which one is live, and their copies in a bucket
 * (remote/remote.h).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/bundle.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "pipeline/dataver.h"
#include "pipeline/pipeline.h"
#include "registry/registry.h"
#include "remote/remote.h"
#include "remote/s3.h"

static const char models_help[] =
    "usage: " PROGRAM " models list [--registry DIR]\n"
    "       " PROGRAM " models show ID [--registry DIR]\n"
    "       " PROGRAM " models promote ID [--registry DIR] [--reason TEXT]\n"
    "                                     [--force]\n"
    "       " PROGRAM " models rollback [--registry DIR]\n"
    "       " PROGRAM " models describe ID SEGMENT TEXT [--en] "
    "[--registry DIR]\n"
    "       " PROGRAM " models push ID s3://BUCKET/PREFIX [--live] "
    "[--registry DIR]\n"
    "       " PROGRAM " models pull ID|live s3://BUCKET/PREFIX "
    "[--registry DIR]\n"
    "\n"
    "list      every version, oldest first: live marker, creation time,\n"
    "          dataset rows, held-out R2 and score MAE, boosting rounds\n"
    "show      a version's manifest (bundle.json: metrics, lineage,\n"
    "          segments, parameters), whether it is live, its data\n"
    "          version (data/<sha256>.csv.zst, kept or not) and the\n"
    "          pipeline gate's verdict on it\n"
    "promote   makes a version live after loading it with every check a\n"
    "          server makes; a running server picks it up\n"
    "rollback  makes the version live before the current one live again,\n"
    "          after the same checks as promote\n"
    "describe  the team's own text for a segment (A-D) of a version, in\n"
    "          Spanish (or English with --en), over the one training\n"
    "          wrote from the data; kept in the version's\n"
    "          descriptions.json and recorded in the registry's\n"
    "          descriptions.jsonl; a running server shows it within a\n"
    "          second (/v1/meta, /v1/model, the page)\n"
    "push      uploads a version to a bucket (every file, then its\n"
    "          manifest), then, with --live or when it is the live version\n"
    "          here, the bucket's LIVE last: a push cut short leaves the\n"
    "          bucket's LIVE on the old version\n"
    "pull      downloads a version (or the bucket's live one: 'live') into\n"
    "          the registry, created if absent; every file is checked\n"
    "          against the manifest's SHA-256 before the version appears;\n"
    "          'live' makes it live here too\n"
    "\n"
    "promote and rollback write the history (promotions.jsonl) before LIVE;\n"
    "one killed half-way is finished by the next promote, rollback or train.\n"
    "list and show write nothing: a read-only registry can be read.\n"
    "\n"
    "--registry DIR  default " PATHS_REGISTRY_HELP ", else "
    PATHS_REGISTRY_FALLBACK ";\n"
    "                it must exist: only train creates a registry\n"
    "--reason TEXT   promote only: why, recorded with the promotion in\n"
    "                the registry's promotions.jsonl (default \"promoted\n"
    "                by hand\")\n"
    "--force         promote only: promote a version the pipeline's gate\n"
    "                refused (recorded as \"forced: ...\" with the gate's\n"
    "                reasons)\n"
    "--live          push only: make the pushed version the bucket's LIVE\n"
    HELP_ENV_HEAD HELP_ENV_HOME HELP_ENV_S3;

static const struct option models_options[] = {
    {"registry", required_argument, NULL, 'r'},
    {"reason", required_argument, NULL, 'w'},
    {"force", no_argument, NULL, 'f'},
    {"en", no_argument, NULL, 'e'},
    {"live", no_argument, NULL, 'l'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The manifest of version id into *m; -1 with the reason. */
static int load_manifest(struct registry *reg, const char *id,
                         struct manifest *m, struct errbuf *err)
{
    char path[4096], file[4096 + 32];
    if (registry_version_path(reg, id, path, sizeof path, err) < 0)
        return -1;
    snprintf(file, sizeof file, "%s/%s", path, MANIFEST_FILE);
    if (manifest_read(m, file, err) < 0)
        return err_prefix(err, "%s cannot be read", file);
    return 0;
}

static int models_list(struct registry *reg)
{
    char (*ids)[REGISTRY_ID_SIZE] = NULL;
    size_t n = 0;
    struct errbuf err;
    char live[REGISTRY_ID_SIZE] = "";
    if (registry_list(reg, &ids, &n, &err) < 0)
        return fail("models list", "%s", err.msg);
    if (registry_live(reg, live, &err) < 0)
        live[0] = '\0';
    printf("%-8s %-4s %-20s %9s %9s %9s %6s\n", "ID", "LIVE", "CREATED", "ROWS",
           "R2", "SCORE_MAE", "ROUNDS");
    struct manifest *m = malloc(sizeof *m);
    if (!m) {
        free(ids);
        return fail("models list", "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        /* a version whose manifest does not read is listed all the same */
        bool ok = load_manifest(reg, ids[i], m, &err) == 0;
        printf("%-8s %-4s %-20s %9lld %9.5f %9.2f %6lld\n", ids[i],
               strcmp(ids[i], live) == 0 ? "*" : "",
               ok ? m->created_at : "(unreadable)",
               ok ? (long long)m->lineage.dataset_rows : 0LL,
               ok ? m->metrics.target.r2 : 0.0,
               ok ? m->metrics.score.mae : 0.0,
               ok ? (long long)m->rounds : 0LL);
    }
    free(m);
    if (n == 0)
        printf("(no versions yet: run 'incomescore train')\n");
    free(ids);
    return EXIT_OK;
}

static int models_show(struct registry *reg, const char *id)
{
    struct errbuf err;
    char path[4096], live[REGISTRY_ID_SIZE] = "";
    if (registry_version_path(reg, id, path, sizeof path, &err) < 0)
        return fail("models show", "%s", err.msg);
    struct manifest *m = malloc(sizeof *m);
    if (!m)
        return fail("models show", "out of memory");
    if (load_manifest(reg, id, m, &err) < 0 ||
        bundle_descriptions(m, path, &err) < 0) {
        free(m);
        return fail("models show", "%s", err.msg);
    }
    registry_live(reg, live, &err);
    json_t *out = json_pack("{s:s, s:s, s:b}", "id", id, "path", path, "live",
                            strcmp(live, id) == 0);
    json_t *doc = manifest_to_json(m);
    char m_sha[SHA256_HEX_SIZE];
    memcpy(m_sha, m->lineage.dataset_sha256, sizeof m_sha);
    free(m);
    if (!out || !doc) {
        json_decref(out);
        json_decref(doc);
        return fail("models show", "out of memory");
    }
    json_object_update(out, doc);
    /* the pipeline's records of this version: its kept dataset and the
     * gate's verdict */
    char name[128], decision[32], why[1024];
    dataver_name(m_sha, name, sizeof name);
    json_object_set_new(out, "data_version", json_pack(
        "{s:s, s:b}", "name", name, "kept",
        dataver_exists(registry_dir(reg), m_sha)));
    int judged = pipeline_verdict(registry_dir(reg), id, decision,
                                  sizeof decision, why, sizeof why, &err);
    if (judged > 0)
        json_object_set_new(out, "gate", json_pack("{s:s, s:s}", "decision",
                                                   decision, "reasons", why));
    json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                JSON_REAL_PRECISION(10));
    putchar('\n');
    json_decref(out);
    json_decref(doc);
    return EXIT_OK;
}

static int models_promote(struct registry *reg, const char *id,
                          const char *reason, bool force)
{
    struct errbuf err;
    char decision[32], why[1024], forced[1400];
    int judged = pipeline_verdict(registry_dir(reg), id, decision,
                                  sizeof decision, why, sizeof why, &err);
    if (judged < 0)
        return fail("models promote", "%s", err.msg);
    bool refused = judged > 0 && strcmp(decision, "refused") == 0;
    if (refused && !force)
        return fail("models promote", "%s was refused by the pipeline's "
                    "gate (%s); 'incomescore models promote %s --force' "
                    "promotes it anyway", id, why, id);
    if (refused) {
        snprintf(forced, sizeof forced, "forced: %s (refused by the gate: "
                 "%s)", reason ? reason : "promoted by hand", why);
        reason = forced;
    }
    if (registry_promote(reg, id, reason ? reason : "promoted by hand",
                         bundle_loads, NULL, &err) < 0)
        return fail("models promote", "%s", err.msg);
    printf("%s is live\n", id);
    return EXIT_OK;
}

static int models_rollback(struct registry *reg)
{
    struct errbuf err;
    char id[REGISTRY_ID_SIZE];
    if (registry_rollback(reg, bundle_loads, NULL, id, &err) < 0)
        return fail("models rollback", "%s", err.msg);
    printf("%s is live\n", id);
    return EXIT_OK;
}

static int models_describe(struct registry *reg, const char *id,
                           int segment, bool english, const char *text)
{
    struct errbuf err;
    if (registry_describe(reg, id, segment, english, text, &err) < 0)
        return fail("models describe", "%s", err.msg);
    fprintf(stderr, PROGRAM " models describe: %s segment %c (%s) "
                    "described\n", id, 'A' + segment,
            english ? "en" : "es");
    return EXIT_OK;
}

/* The bucket at url and a client for it: EXIT_OK, or the exit code
 * after saying why not. */
static int open_bucket(const char *cmd, const char *url,
                       struct s3_location *loc, struct s3 **s)
{
    struct errbuf err;
    if (s3_parse_url(url, loc, &err) < 0)
        return usage_error(cmd, "%s", err.msg);
    if (s3_open(s, &err) < 0)
        return fail(cmd, "%s", err.msg);
    return EXIT_OK;
}

static int models_push(struct registry *reg, const char *id,
                       const char *url, bool live)
{
    const char *cmd = "models push";
    struct s3_location loc;
    struct s3 *s;
    int code = open_bucket(cmd, url, &loc, &s);
    if (code != EXIT_OK)
        return code;
    struct errbuf err;
    char here[REGISTRY_ID_SIZE] = "";
    if (registry_live(reg, here, &err) < 0)
        here[0] = '\0';
    live = live || strcmp(here, id) == 0;
    int rc = remote_push(s, &loc, reg, id, live, &err);
    s3_close(s);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    printf("%s pushed to %s%s\n", id, url, live ? " (live)" : "");
    return EXIT_OK;
}

/* The registry at dir is made (when absent) only once the bucket has
 * answered: a mistyped address or wrong credentials leave nothing
 * behind. */
static int models_pull(const char *dir, const char *which, const char *url)
{
    const char *cmd = "models pull";
    struct s3_location loc;
    struct s3 *s;
    int code = open_bucket(cmd, url, &loc, &s);
    if (code != EXIT_OK)
        return code;
    struct errbuf err;
    char id[REGISTRY_ID_SIZE];
    bool live = strcmp(which, "live") == 0;
    int rc = 0;
    if (live) {
        rc = remote_live(s, &loc, NULL, id, NULL, &err);
        if (rc == 2)
            rc = err_set(&err, "%s has no LIVE yet: 'incomescore models "
                               "push ID %s --live' makes one", url, url);
    } else {
        snprintf(id, sizeof id, "%s", which);
        char key[S3_KEY_SIZE], name[REGISTRY_ID_SIZE + 32];
        snprintf(name, sizeof name, "versions/%s/%s", id, MANIFEST_FILE);
        rc = s3_key(key, loc.prefix, name, &err);
        if (rc == 0 && (rc = s3_head(s, loc.bucket, key, NULL, &err)) == 1)
            rc = err_set(&err, "version %s is not in %s: s3://%s/%s is "
                               "missing (never pushed, or a push that did "
                               "not finish)", id, url, loc.bucket, key);
    }
    struct registry *reg = NULL;
    if (rc >= 0)
        rc = registry_create(&reg, dir, &err);
    if (rc >= 0)
        rc = remote_pull(s, &loc, reg, id, &err);
    s3_close(s);
    if (rc < 0) {
        registry_close(reg);
        return fail(cmd, "%s", err.msg);
    }
    char here[REGISTRY_ID_SIZE] = "";
    if (live && (registry_live(reg, here, &err) != 0 ||
                 strcmp(here, id) != 0)) {
        char reason[S3_KEY_SIZE + 64];
        snprintf(reason, sizeof reason, "pulled live from %s", url);
        if (registry_promote(reg, id, reason, bundle_loads, NULL, &err) < 0) {
            registry_close(reg);
            return fail(cmd, "%s", err.msg);
        }
    }
    printf("%s %s %s into %s%s\n", id, rc == 1 ? "was already there, from"
                                               : "pulled from",
           url, registry_dir(reg), live ? " (live)" : "");
    registry_close(reg);
    return EXIT_OK;
}

int cmd_models(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("models", "a subcommand is needed: list, show, "
                                     "promote or rollback");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(models_help, stdout);
        return EXIT_OK;
    }
    bool remote = strcmp(sub, "push") == 0 || strcmp(sub, "pull") == 0;
    int want_args = strcmp(sub, "list") == 0 || strcmp(sub, "rollback") == 0 ? 0
                    : strcmp(sub, "show") == 0 || strcmp(sub, "promote") == 0
                        ? 1
                    : remote                       ? 2
                    : strcmp(sub, "describe") == 0 ? 3
                                                   : -1;
    if (want_args < 0)
        return usage_error("models", "'%s' is not a subcommand (list, show, "
                                     "promote, rollback, describe, push, "
                                     "pull)", sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "models %s", sub);
    const char *registry_path = NULL, *reason = NULL;
    bool force = false, english = false, live = false;
    int c;
    while ((c = cli_getopt(argc - 1, argv + 1, models_options)) !=
           -1) {
        switch (c) {
        case 'r': registry_path = optarg; break;
        case 'w': reason = optarg; break;
        case 'f': force = true; break;
        case 'e': english = true; break;
        case 'l': live = true; break;
        case 'h': fputs(models_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv + 1, c);
        }
    }
    /* Accepted and dropped it would be a silent lie in the history. */
    if (reason && strcmp(sub, "promote") != 0)
        return usage_error(cmd, "--reason is for promote only");
    if (force && strcmp(sub, "promote") != 0)
        return usage_error(cmd, "--force is for promote only");
    if (english && strcmp(sub, "describe") != 0)
        return usage_error(cmd, "--en is for describe only");
    if (live && strcmp(sub, "push") != 0)
        return usage_error(cmd, "--live is for push only");
    int rest = argc - 1 - optind;
    if (rest != want_args)
        return usage_error(cmd, want_args == 3 ? "needs ID SEGMENT TEXT"
                                : want_args == 2
                                    ? "needs ID (or live, to pull) and "
                                      "s3://BUCKET/PREFIX"
                                : want_args ? "needs a version id"
                                            : "takes no arguments");
    int segment = -1;
    if (want_args == 3) {
        const char *letter = argv[2 + optind];
        segment = letter[0] >= 'A' && letter[0] <= 'D' && !letter[1]
                      ? letter[0] - 'A'
                      : -1;
        if (segment < 0)
            return usage_error(cmd, "SEGMENT is a letter A to D, not '%s'",
                               letter);
    }
    const char *id = want_args ? argv[1 + optind] : NULL;

    struct errbuf err;
    struct registry *reg;
    const char *dir = registry_path ? registry_path : paths_registry_dir();
    /* a pull may start a registry; everything else needs one */
    if (strcmp(sub, "pull") == 0)
        return models_pull(dir, id, argv[2 + optind]);
    if (registry_open(&reg, dir, &err) < 0)
        return fail(cmd, "%s", err.msg);
    int rc = strcmp(sub, "list") == 0    ? models_list(reg)
             : strcmp(sub, "push") == 0
                 ? models_push(reg, id, argv[2 + optind], live)
             : strcmp(sub, "show") == 0  ? models_show(reg, id)
             : strcmp(sub, "promote") == 0
                 ? models_promote(reg, id, reason, force)
             : strcmp(sub, "describe") == 0
                 ? models_describe(reg, id, segment, english,
                                   argv[3 + optind])
                                           : models_rollback(reg);
    registry_close(reg);
    return rc;
}
