/*
 * pipeline.c — the run (see pipeline.h): the lock, the run directory,
 * the stages in order, each skipped when its inputs' SHA-256 matches its
 * last success (pipeline/memo.json), and the run document (run.json)
 * rewritten after every stage so a killed run is inspectable.
 *
 * The stages call the library's own steps: etl_run, dataver_keep,
 * train_into_registry_held, gate_measure / gate_decide,
 * registry_promote with bundle_loads, runreport_write.
 */
#include "pipeline/pipeline.h"

#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <stddef.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/dates.h"
#include "base/fileio.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "base/text.h"
#include "base/version.h"
#include "etl/etl.h"
#include "pipeline/dataver.h"
#include "pipeline/pipeline_internal.h"
#include "registry/bundle.h"
#include "registry/manifest.h"
#include "remote/remote.h"
#include "remote/s3.h"
#include "score/refdata.h"
#include "score/rules.h"
#include "train/train.h"
#include "train/train_registry.h"

#define FAULT_ENV "INCOMESCORE_PIPELINE_FAULT"

void pipeline_defaults(struct pipeline_config *c)
{
    memset(c, 0, sizeof *c);
    c->as_of = date_today();
    c->itaee_year = ITAEE_DEFAULT_YEAR;
    c->seed = 42;
    gate_defaults(&c->gate);
    c->keep_runs = 30; /* a month of daily runs */
    notify_settings_init(&c->notify);
}

const char *pipeline_decision_name(enum pipeline_decision d)
{
    switch (d) {
    case DECISION_PROMOTED: return "promoted";
    case DECISION_FIRST: return "first";
    case DECISION_REFUSED: return "refused";
    case DECISION_UNCHANGED: return "unchanged";
    default: return "none";
    }
}

/* ---- the config file -------------------------------------------------------- */

static int get_number(json_t *v, const char *key, double *out,
                      struct errbuf *err)
{
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return err_set(err, "\"%s\" must be a number", key);
    *out = json_number_value(v);
    return 0;
}

static int get_string(json_t *v, const char *key, const char **out,
                      struct errbuf *err)
{
    if (!json_is_string(v))
        return err_set(err, "\"%s\" must be a string", key);
    *out = json_string_value(v);
    return 0;
}

static const struct {
    const char *name;
    size_t offset;
    double lo, hi;
} gate_keys[] = {
    {"min_r2", offsetof(struct gate_thresholds, min_r2), -1e9, 1},
    {"max_mae_points", offsetof(struct gate_thresholds, max_mae_points), 0,
     1e9},
    {"max_r2_drop", offsetof(struct gate_thresholds, max_r2_drop), 0, 1e9},
    {"max_mae_increase", offsetof(struct gate_thresholds, max_mae_increase),
     0, 1e9},
    {"psi_warn", offsetof(struct gate_thresholds, psi_warn), 0, 1e9},
    {"psi_max", offsetof(struct gate_thresholds, psi_max), 0, 1e9},
    {"max_changed_band", offsetof(struct gate_thresholds, max_changed_band),
     0, 1},
    {"max_changed_segment",
     offsetof(struct gate_thresholds, max_changed_segment), 0, 1},
};
#define GATE_KEY_COUNT (sizeof gate_keys / sizeof gate_keys[0])

int pipeline_gate_set(struct gate_thresholds *t, const char *key, double v,
                      struct errbuf *err)
{
    for (size_t i = 0; i < GATE_KEY_COUNT; i++)
        if (strcmp(gate_keys[i].name, key) == 0) {
            if (!(v >= gate_keys[i].lo && v <= gate_keys[i].hi))
                return err_set(err, "gate.%s %g is out of range (%g to %g)",
                               key, v, gate_keys[i].lo, gate_keys[i].hi);
            *(double *)((char *)t + gate_keys[i].offset) = v;
            return 0;
        }
    return err_set(err, "\"%s\" is not a gate threshold", key);
}

json_t *pipeline_gate_json(const struct gate_thresholds *t)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < GATE_KEY_COUNT; i++)
        json_object_set_new(o, gate_keys[i].name,
                            json_real(*(const double *)((const char *)t +
                                                        gate_keys[i].offset)));
    return o;
}

static int config_from_json(struct pipeline_config *c, json_t *doc,
                            struct errbuf *err)
{
    if (!json_is_object(doc))
        return err_set(err, "the config must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        double d = 0;
        const char *s = NULL;
        if (strcmp(key, "source") == 0) {
            if (get_string(v, key, &c->source, err) < 0)
                return -1;
        } else if (strcmp(key, "as_of") == 0) {
            if (get_string(v, key, &s, err) < 0)
                return -1;
            if (date_parse_iso(s, &c->as_of) < 0)
                return err_set(err, "\"as_of\" '%s' is not a date "
                                    "(YYYY-MM-DD)", s);
        } else if (strcmp(key, "registry") == 0) {
            if (get_string(v, key, &c->registry_dir, err) < 0)
                return -1;
        } else if (strcmp(key, "push") == 0) {
            if (get_string(v, key, &c->push_url, err) < 0)
                return -1;
            struct s3_location loc;
            if (s3_parse_url(c->push_url, &loc, err) < 0)
                return err_prefix(err, "\"push\"");
        } else if (strcmp(key, "rules") == 0) {
            if (get_string(v, key, &c->rules_path, err) < 0)
                return -1;
        } else if (strcmp(key, "params") == 0) {
            if (get_string(v, key, &c->params_path, err) < 0)
                return -1;
        } else if (strcmp(key, "seed") == 0) {
            if (get_number(v, key, &d, err) < 0)
                return -1;
            if (d < 0 || d > 9e15 || d != floor(d))
                return err_set(err, "\"seed\" must be a whole number >= 0");
            c->seed = (uint64_t)d;
        } else if (strcmp(key, "itaee_year") == 0) {
            if (!json_is_integer(v))
                return err_set(err, "\"itaee_year\" must be a year");
            c->itaee_year = (int)json_integer_value(v);
        } else if (strcmp(key, "keep_runs") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                json_integer_value(v) > 100000)
                return err_set(err, "\"keep_runs\" must be a whole number "
                                    "from 1");
            c->keep_runs = (int)json_integer_value(v);
        } else if (strcmp(key, "mongo") == 0) {
            if (!json_is_object(v))
                return err_set(err, "\"mongo\" must be an object");
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                const char **dst = strcmp(k2, "database") == 0
                                       ? &c->mongo.database
                                   : strcmp(k2, "collection") == 0
                                       ? &c->mongo.collection
                                   : strcmp(k2, "query") == 0 ? &c->mongo.query
                                                              : NULL;
                if (!dst)
                    return err_set(err, "\"mongo.%s\" is not a config key",
                                   k2);
                if (get_string(v2, k2, dst, err) < 0)
                    return err_prefix(err, "mongo");
            }
        } else if (strcmp(key, "notify") == 0) {
            if (!json_is_object(v))
                return err_set(err, "\"notify\" must be an object");
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                char name[64];
                size_t n = (size_t)snprintf(name, sizeof name,
                                            "INCOMESCORE_%s", k2);
                for (size_t i = 12; i < n && i < sizeof name; i++)
                    name[i] = (char)toupper((unsigned char)name[i]);
                /* a secret belongs in the environment, not in a file
                 * copied around with the rest of the settings */
                if (strcmp(k2, "smtp_password") == 0)
                    return err_set(err, "\"notify.smtp_password\": set "
                                        "INCOMESCORE_SMTP_PASSWORD in the "
                                        "environment instead");
                if (get_string(v2, k2, &s, err) < 0)
                    return err_prefix(err, "notify");
                if (n >= sizeof name)
                    return err_set(err, "\"notify.%.40s…\" is not a "
                                        "notification setting", k2);
                if (notify_settings_set(&c->notify, name, s, err) < 0)
                    return err_prefix(err, "\"notify.%s\"", k2);
            }
        } else if (strcmp(key, "gate") == 0) {
            if (!json_is_object(v))
                return err_set(err, "\"gate\" must be an object");
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                if (get_number(v2, k2, &d, err) < 0 ||
                    pipeline_gate_set(&c->gate, k2, d, err) < 0)
                    return err_prefix(err, "gate");
            }
        } else {
            return err_set(err, "\"%s\" is not a config key", key);
        }
    }
    return 0;
}

int pipeline_config_load(struct pipeline_config *c, const char *path,
                         void **doc, struct errbuf *err)
{
    size_t len;
    char *text = file_read_limited(path, FILE_CAP_PARAMS, &len, err);
    if (!text)
        return -1;
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    free(text);
    if (!j)
        return err_set(err, "%s: line %d: %s", path, je.line, je.text);
    if (config_from_json(c, j, err) < 0) {
        json_decref(j);
        return err_prefix(err, "%s", path);
    }
    *doc = j;
    return 0;
}

/* ---- the run's bookkeeping -------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "20240701T060000.123456Z-1234": UTC start to the microsecond, pid. */
static void run_name(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y%m%dT%H%M%S", &tm);
    snprintf(buf, size, "%s.%06ldZ-%ld", day, ts.tv_nsec / 1000,
             (long)getpid());
}

/* dir/name into out; a path too long is cut (and then fails to open,
 * saying which), never overruns. */
static void path_join(char *out, size_t size, const char *dir,
                      const char *name)
{
    if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
        out[size - 1] = '\0';
}

static int mkdir_p1(const char *path, struct errbuf *err)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return err_set(err, "%s: %s", path, strerror(errno));
    return 0;
}

/* A progress or log line: to the run's log always, to c->progress as a
 * line (plain) or rewriting the current line (terminal). */
void run_say(struct run *run, bool transient, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    FILE *p = run->c->progress;
    if (p && run->c->progress_tty) {
        fprintf(p, "\r\033[K%s%s", line, transient ? "" : "\n");
        fflush(p);
    } else if (p && !transient) {
        fprintf(p, "%s\n", line);
        fflush(p);
    }
    if (run->log && !transient) {
        char when[32];
        timestamp_format_iso(time(NULL), when);
        fprintf(run->log, "%s %s\n", when, line);
        fflush(run->log);
    }
}

int run_save(struct run *run, struct errbuf *err)
{
    char path[PATH_MAX];
    path_join(path, sizeof path, run->dir, "run.json");
    return atomic_write_json(path, run->doc, JSON_INDENT(2) |
                                                 JSON_PRESERVE_ORDER |
                                                 JSON_REAL_PRECISION(10),
                             err);
}

static json_t *stage_begin(struct run *run, const char *name,
                           const char *inputs_sha)
{
    json_t *st = json_pack("{s:s, s:s, s:s, s:f}", "name", name, "status",
                           "running", "inputs_sha256", inputs_sha, "seconds",
                           0.0);
    json_array_append_new(json_object_get(run->doc, "stages"), st);
    run->stage_t0 = now_seconds();
    snprintf(run->stage, sizeof run->stage, "%s", name);
    struct errbuf ignored;
    run_save(run, &ignored);
    return st;
}

static void stage_end(struct run *run, json_t *st, const char *status,
                      const char *detail)
{
    double s = now_seconds() - run->stage_t0;
    json_object_set_new(st, "status", json_string(status));
    json_object_set_new(st, "seconds", json_real(s));
    if (detail)
        json_object_set_new(st, "detail", json_string(detail));
    struct errbuf ignored;
    run_save(run, &ignored);
    run_say(run, false, "pipeline: %-8s %s in %.2f s%s%s",
            json_string_value(json_object_get(st, "name")), status, s,
            detail ? ": " : "", detail ? detail : "");
}

/* INCOMESCORE_PIPELINE_FAULT=<stage>:fail|hang, for the tests that show a
 * failed or killed stage leaves the live model alone: fail makes the
 * stage fail at its start, hang makes it wait there to be killed. */
static int fault(struct run *run, const char *stage, struct errbuf *err)
{
    const char *f = getenv(FAULT_ENV);
    size_t n = strlen(stage);
    if (!f || strncmp(f, stage, n) != 0 || f[n] != ':')
        return 0;
    if (strcmp(f + n + 1, "hang") == 0) {
        run_say(run, false, "pipeline: %s: hanging (" FAULT_ENV ")", stage);
        for (;;)
            pause();
    }
    return err_set(err, "injected failure (" FAULT_ENV "=%s)", f);
}

/* ---- the memo ---------------------------------------------------------------- */

static void memo_path(const struct run *run, char *path, size_t size)
{
    snprintf(path, size, "%s/pipeline/memo.json", run->c->registry_dir);
}

static json_t *memo_load(const struct run *run)
{
    char path[PATH_MAX];
    memo_path(run, path, sizeof path);
    json_t *m = json_load_file(path, 0, NULL);
    if (!json_is_object(m)) {
        json_decref(m);
        m = json_object();
    }
    return m;
}

static int memo_store(struct run *run, const char *stage, json_t *entry,
                      struct errbuf *err)
{
    json_object_set_new(run->memo, stage, entry);
    char path[PATH_MAX];
    memo_path(run, path, sizeof path);
    return atomic_write_json(path, run->memo, JSON_INDENT(2) |
                                                  JSON_PRESERVE_ORDER,
                             err);
}

/* The memo's entry for stage when its inputs were inputs_sha, or NULL. */
static json_t *memo_hit(struct run *run, const char *stage,
                        const char *inputs_sha)
{
    if (run->c->force)
        return NULL;
    json_t *e = json_object_get(run->memo, stage);
    const char *was = json_string_value(json_object_get(e, "inputs_sha256"));
    return was && strcmp(was, inputs_sha) == 0 ? e : NULL;
}

/* The SHA-256 of a stage's inputs, spelled as "key=value" lines. */
static void text_free(struct text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

static void inputs_sha(struct text *t, char sha[SHA256_HEX_SIZE])
{
    sha256_hex(t->p ? t->p : "", t->len, sha);
    text_free(t);
}

static int file_sha_or_none(const char *path, char sha[SHA256_HEX_SIZE],
                            struct errbuf *err)
{
    return sha256_file(path, sha, err);
}

/* The source file's SHA-256, taken from the memo when the file's size,
 * mtime and inode are those it had then (dvc's cache, so an unchanged
 * run does not read a gigabyte of documents). */
static int source_sha(struct run *run, char sha[SHA256_HEX_SIZE],
                      json_t **stat_out, struct errbuf *err)
{
    const char *src = run->c->source;
    struct stat st;
    if (stat(src, &st) < 0)
        return err_set(err, "%s: %s", src, strerror(errno));
    json_t *now = json_pack("{s:s, s:I, s:I, s:I, s:I}", "path", src, "size",
                            (json_int_t)st.st_size, "mtime_s",
                            (json_int_t)st.st_mtim.tv_sec, "mtime_ns",
                            (json_int_t)st.st_mtim.tv_nsec, "inode",
                            (json_int_t)st.st_ino);
    json_t *was = json_object_get(json_object_get(run->memo, "etl"),
                                  "source_stat");
    const char *was_sha = json_string_value(json_object_get(was, "sha256"));
    json_t *was_copy = was ? json_deep_copy(was) : NULL;
    if (was_copy)
        json_object_del(was_copy, "sha256");
    if (!run->c->force && was_sha && S_ISREG(st.st_mode) &&
        json_equal(was_copy, now) && strlen(was_sha) == SHA256_HEX_SIZE - 1) {
        memcpy(sha, was_sha, SHA256_HEX_SIZE);
    } else if (sha256_file(src, sha, err) < 0) {
        json_decref(was_copy);
        json_decref(now);
        return -1;
    }
    json_decref(was_copy);
    json_object_set_new(now, "sha256", json_string(sha));
    *stat_out = now;
    return 0;
}

/* ---- the stages -------------------------------------------------------------- */

static const char *rules_file(const struct pipeline_config *c)
{
    return c->rules_path ? c->rules_path : paths_rules_file();
}

static const char *params_file(const struct pipeline_config *c)
{
    return c->params_path ? c->params_path : paths_params_file();
}

static void run_dataset_path(const struct run *run, char *path, size_t size)
{
    path_join(path, size, run->dir, "dataset.csv");
}

/* The dataset in the run directory, from the data version when this run
 * did not make it. */
static int need_dataset(struct run *run, struct errbuf *err)
{
    char path[PATH_MAX];
    run_dataset_path(run, path, sizeof path);
    if (access(path, F_OK) == 0)
        return 0;
    return dataver_restore(run->c->registry_dir, run->dataset_sha, path, err);
}

static json_t *counts_json(const struct etl_counts *n)
{
    json_t *by = json_object();
    for (int i = 0; i < REJECT_REASON_COUNT; i++)
        if (n->rejected_by_reason[i])
            json_object_set_new(by, reject_reason_names[i],
                                json_integer(n->rejected_by_reason[i]));
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:I}", "read",
                     (json_int_t)n->read, "written", (json_int_t)n->written,
                     "duplicates", (json_int_t)n->duplicates, "rejected",
                     (json_int_t)n->rejected, "rejected_by_reason", by,
                     "blank_lines", (json_int_t)n->blank_lines);
}

static int stage_etl(struct run *run, struct errbuf *err)
{
    const struct pipeline_config *c = run->c;
    struct text t = {0};
    char sha[SHA256_HEX_SIZE], as_of[16];
    json_t *src_stat = NULL;
    bool is_uri = strncmp(c->source, "mongodb://", 10) == 0 ||
                  strncmp(c->source, "mongodb+srv://", 14) == 0;
    /* hashing the source is the ETL's time too (a gigabyte takes
     * seconds when its stat changed) */
    double t_hash = now_seconds();
    if (is_uri || strcmp(c->source, "-") == 0) {
        /* a database or a pipe cannot be hashed before it is read: the
         * ETL always runs on one */
        text_printf(&t, "source=%s\nrun=%s\n", c->source, run->id);
    } else {
        if (source_sha(run, sha, &src_stat, err) < 0)
            return -1;
        text_printf(&t, "source_sha256=%s\n", sha);
    }
    date_format_iso(c->as_of, as_of);
    text_printf(&t, "as_of=%s\nitaee_year=%d\ncode=%s\n", as_of,
                c->itaee_year, INCOMESCORE_VERSION);
    if (file_sha_or_none(rules_file(c), sha, err) < 0)
        goto fail;
    text_printf(&t, "rules=%s\n", sha);
    static const char *const tables[] = {"states.csv", "enigh.csv",
                                         "itaee.csv"};
    for (int i = 0; i < 3; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", paths_data_dir(), tables[i]);
        if (sha256_file(p, sha, err) < 0)
            goto fail;
        text_printf(&t, "%s=%s\n", tables[i], sha);
    }
    char in_sha[SHA256_HEX_SIZE];
    inputs_sha(&t, in_sha);
    json_t *st = stage_begin(run, "etl", in_sha);
    run->stage_t0 = t_hash;
    json_t *hit = memo_hit(run, "etl", in_sha);
    const char *kept = json_string_value(json_object_get(hit,
                                                         "dataset_sha256"));
    if (hit && kept && dataver_exists(c->registry_dir, kept)) {
        snprintf(run->dataset_sha, sizeof run->dataset_sha, "%s", kept);
        json_object_set(run->doc, "counts", json_object_get(hit, "counts"));
        json_decref(src_stat);
        stage_end(run, st, "skipped", "inputs unchanged since run "
                  "of the memo");
        return 0;
    }
    if (fault(run, "etl", err) < 0)
        goto fail_stage;

    struct refdata rd;
    struct rules *rules = NULL;
    if (refdata_load(&rd, paths_data_dir(), c->itaee_year, err) < 0)
        goto fail_stage;
    if (rules_load(&rules, rules_file(c), err) < 0) {
        refdata_free(&rd);
        goto fail_stage;
    }
    char dataset[PATH_MAX];
    run_dataset_path(run, dataset, sizeof dataset);
    struct etl_options eo = {
        .source = c->source, .mongo = c->mongo, .dataset_path = dataset,
        .as_of = c->as_of, .rd = &rd, .rules = rules,
        .rules_path = rules_file(c),
    };
    struct etl_counts n;
    run->etl_watch = !is_uri && strcmp(c->source, "-") != 0;
    int rc = etl_run(&eo, &n, err);
    run->etl_watch = false;
    rules_free(rules);
    refdata_free(&rd);
    if (rc == ETL_EMPTY_SOURCE)
        run->empty_source = true;
    if (rc < 0)
        goto fail_stage;
    if (dataver_keep(c->registry_dir, dataset, run->dataset_sha, err) < 0)
        goto fail_stage;
    json_t *counts = counts_json(&n);
    json_object_set(run->doc, "counts", counts);
    json_t *memo = json_pack("{s:s, s:s, s:O, s:s}", "inputs_sha256", in_sha,
                             "dataset_sha256", run->dataset_sha, "counts",
                             counts, "run", run->id);
    json_decref(counts);
    if (src_stat)
        json_object_set_new(memo, "source_stat", src_stat);
    src_stat = NULL;
    if (memo_store(run, "etl", memo, err) < 0)
        goto fail_stage;
    char detail[160];
    snprintf(detail, sizeof detail, "read %ld, written %ld, duplicates %ld, "
             "rejected %ld (%.0f documents/s)", n.read, n.written,
             n.duplicates, n.rejected,
             n.seconds > 0 ? (double)n.read / n.seconds : 0.0);
    stage_end(run, st, "done", detail);
    return 0;
fail_stage:
    json_decref(src_stat);
    stage_end(run, st, "failed", err->msg);
    return -1;
fail:
    json_decref(src_stat);
    text_free(&t);
    return -1;
}

static int version_exists(struct run *run, const char *id)
{
    char p[PATH_MAX];
    struct errbuf ignored;
    return id && registry_version_path(run->reg, id, p, sizeof p,
                                       &ignored) == 0;
}

static int stage_train(struct run *run, struct errbuf *err)
{
    const struct pipeline_config *c = run->c;
    struct text t = {0};
    char sha[SHA256_HEX_SIZE];
    text_printf(&t, "dataset=%s\nseed=%llu\nitaee_year=%d\ncode=%s\n",
                run->dataset_sha, (unsigned long long)c->seed, c->itaee_year,
                INCOMESCORE_VERSION);
    if (sha256_file(rules_file(c), sha, err) < 0) {
        text_free(&t);
        return -1;
    }
    text_printf(&t, "rules=%s\n", sha);
    if (sha256_file(params_file(c), sha, err) < 0) {
        text_free(&t);
        return -1;
    }
    text_printf(&t, "params=%s\n", sha);
    char in_sha[SHA256_HEX_SIZE];
    inputs_sha(&t, in_sha);
    json_t *st = stage_begin(run, "train", in_sha);
    json_t *hit = memo_hit(run, "train", in_sha);
    const char *was = json_string_value(json_object_get(hit, "candidate"));
    if (hit && version_exists(run, was)) {
        snprintf(run->candidate, sizeof run->candidate, "%s", was);
        json_object_set_new(run->doc, "candidate", json_string(was));
        char detail[64];
        snprintf(detail, sizeof detail, "%s, trained on these inputs before",
                 was);
        stage_end(run, st, "skipped", detail);
        return 0;
    }
    if (fault(run, "train", err) < 0 || need_dataset(run, err) < 0)
        goto fail;
    char dataset[PATH_MAX], label[128];
    run_dataset_path(run, dataset, sizeof dataset);
    dataver_name(run->dataset_sha, label, sizeof label);
    struct train_options o;
    train_defaults(&o);
    o.dataset_path = dataset;
    o.dataset_label = label;
    o.rules_path = c->rules_path;
    o.params_path = c->params_path;
    o.itaee_year = c->itaee_year;
    o.seed = c->seed;
    struct train_summary s;
    if (train_into_registry_held(run->reg, &o, &s, run->candidate, err) < 0)
        goto fail;
    json_object_set_new(run->doc, "candidate", json_string(run->candidate));
    if (memo_store(run, "train",
                   json_pack("{s:s, s:s, s:s}", "inputs_sha256", in_sha,
                             "candidate", run->candidate, "run", run->id),
                   err) < 0)
        goto fail;
    char detail[160];
    snprintf(detail, sizeof detail, "%s: %zu rows, %d rounds, held out R2 "
             "%.4f, MAE %.2f points", run->candidate, s.rows, s.rounds,
             s.r2, s.score_mae);
    stage_end(run, st, "done", detail);
    return 0;
fail:
    stage_end(run, st, "failed", err->msg);
    return -1;
}

/* The live model's training data for the PSI: its data version, or the
 * file its lineage names when that still has the same bytes. 0 with
 * path set, 1 when there is none, -1 on error. */
static int live_dataset(struct run *run, const char *live_dir, char *path,
                        size_t size, struct errbuf *err)
{
    struct manifest *m = malloc(sizeof *m);
    if (!m)
        return err_set(err, "out of memory");
    char file[PATH_MAX + 32];
    snprintf(file, sizeof file, "%s/%s", live_dir, MANIFEST_FILE);
    int rc = manifest_read(m, file, err);
    if (rc == 0 && dataver_exists(run->c->registry_dir,
                                  m->lineage.dataset_sha256)) {
        path_join(path, size, run->dir, "live-dataset.csv");
        rc = dataver_restore(run->c->registry_dir, m->lineage.dataset_sha256,
                             path, err);
    } else if (rc == 0) {
        char sha[SHA256_HEX_SIZE];
        struct errbuf ignored;
        rc = 1;
        if (sha256_file(m->lineage.dataset, sha, &ignored) == 0 &&
            strcmp(sha, m->lineage.dataset_sha256) == 0) {
            snprintf(path, size, "%s", m->lineage.dataset);
            rc = 0;
        }
    }
    free(m);
    return rc;
}

static int stage_evaluate(struct run *run, struct errbuf *err)
{
    const struct pipeline_config *c = run->c;
    char live_dir[PATH_MAX] = "", cand_dir[PATH_MAX];
    if (registry_version_path(run->reg, run->candidate, cand_dir,
                              sizeof cand_dir, err) < 0)
        return -1;
    if (*run->live_before &&
        registry_version_path(run->reg, run->live_before, live_dir,
                              sizeof live_dir, err) < 0)
        return -1;
    struct text t = {0};
    char sha[SHA256_HEX_SIZE];
    text_printf(&t, "candidate=%s\nlive=%s\ndataset=%s\nseed=%llu\ncode=%s\n",
                run->candidate, run->live_before, run->dataset_sha,
                (unsigned long long)c->seed, INCOMESCORE_VERSION);
    if (sha256_file(rules_file(c), sha, err) < 0) {
        text_free(&t);
        return -1;
    }
    text_printf(&t, "rules=%s\n", sha);
    char in_sha[SHA256_HEX_SIZE];
    inputs_sha(&t, in_sha);
    json_t *st = stage_begin(run, "evaluate", in_sha);
    if (strcmp(run->candidate, run->live_before) == 0) {
        stage_end(run, st, "skipped", "the candidate is the live model");
        return 0;
    }
    json_t *hit = memo_hit(run, "evaluate", in_sha);
    if (hit && runfig_from_json(json_object_get(hit, "figures"),
                                &run->fig) == 0) {
        run->measured = true;
        stage_end(run, st, "skipped", "measured on these inputs before");
        return 0;
    }
    char ref[PATH_MAX] = "";
    int has_ref = 1;
    if (fault(run, "evaluate", err) < 0 || need_dataset(run, err) < 0 ||
        (*live_dir &&
         (has_ref = live_dataset(run, live_dir, ref, sizeof ref, err)) < 0))
        goto fail;
    char dataset[PATH_MAX];
    run_dataset_path(run, dataset, sizeof dataset);
    struct train_options o;
    train_defaults(&o);
    struct gate_inputs gi = {
        .candidate_dir = cand_dir, .live_dir = *live_dir ? live_dir : NULL,
        .new_dataset = dataset, .ref_dataset = has_ref == 0 ? ref : NULL,
        .rules_path = c->rules_path, .seed = c->seed,
        .test_fraction = o.test_fraction,
    };
    if (gate_measure(&gi, &run->fig, err) < 0)
        goto fail;
    run->measured = true;
    json_t *fj = runfig_to_json(&run->fig);
    if (memo_store(run, "evaluate",
                   json_pack("{s:s, s:o, s:s}", "inputs_sha256", in_sha,
                             "figures", fj, "run", run->id),
                   err) < 0)
        goto fail;
    char detail[200];
    snprintf(detail, sizeof detail, "%zu held-out rows: candidate R2 %.4f, "
             "MAE %.2f points", run->fig.rows, run->fig.candidate.r2,
             run->fig.candidate.mae_points);
    stage_end(run, st, "done", detail);
    return 0;
fail:
    stage_end(run, st, "failed", err->msg);
    return -1;
}

/* Appends the verdict to the registry's gate.jsonl. */
static int record_verdict(struct run *run, const char *decision,
                          struct errbuf *err)
{
    char path[PATH_MAX], when[32];
    snprintf(path, sizeof path, "%s/gate.jsonl", run->c->registry_dir);
    timestamp_format_iso(time(NULL), when);
    json_t *reasons = json_array();
    for (int i = 0; i < run->verdict.reason_count; i++)
        json_array_append_new(reasons, json_string(run->verdict.reasons[i]));
    json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "time", when,
                            "run", run->id, "id", run->candidate, "live",
                            run->live_before, "decision", decision,
                            "reasons", reasons);
    char *line = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER)
                     : NULL;
    json_decref(rec);
    if (!line)
        return err_set(err, "out of memory");
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0 || dprintf(fd, "%s\n", line) < 0 || fsync(fd) < 0)
        rc = err_set(err, "%s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(line);
    return rc;
}

static int stage_gate(struct run *run, struct errbuf *err)
{
    json_t *st = stage_begin(run, "gate", "");
    if (fault(run, "gate", err) < 0)
        goto fail;
    if (strcmp(run->candidate, run->live_before) == 0) {
        run->decision = DECISION_UNCHANGED;
        memset(&run->verdict, 0, sizeof run->verdict);
        snprintf(run->verdict.reasons[0], GATE_REASON_SIZE,
                 "%s is the live model already: nothing to do",
                 run->candidate);
        run->verdict.reason_count = 1;
        stage_end(run, st, "skipped", run->verdict.reasons[0]);
        return 0;
    }
    gate_decide(&run->fig, &run->c->gate, &run->verdict);
    run->decision = !run->verdict.accept ? DECISION_REFUSED
                    : *run->live_before  ? DECISION_PROMOTED
                                         : DECISION_FIRST;
    if (record_verdict(run, run->verdict.accept ? "accepted" : "refused",
                       err) < 0)
        goto fail;
    stage_end(run, st, "done", run->verdict.accept ? "accepted" : "refused");
    return 0;
fail:
    stage_end(run, st, "failed", err->msg);
    return -1;
}

static int stage_promote(struct run *run, struct errbuf *err)
{
    json_t *st = stage_begin(run, "promote", "");
    if (run->decision != DECISION_PROMOTED && run->decision != DECISION_FIRST) {
        stage_end(run, st, "skipped", run->decision == DECISION_REFUSED
                                          ? "refused by the gate"
                                          : "nothing to promote");
        return 0;
    }
    if (fault(run, "promote", err) < 0)
        goto fail;
    char reason[160];
    snprintf(reason, sizeof reason, "pipeline run %s: gate passed",
             run->id);
    if (registry_promote(run->reg, run->candidate, reason, bundle_loads, NULL,
                         err) < 0)
        goto fail;
    stage_end(run, st, "done", run->candidate);
    return 0;
fail:
    run->decision = DECISION_NONE;
    stage_end(run, st, "failed", err->msg);
    return -1;
}

/* The version promoted, to the bucket, LIVE last. Recorded in run.json
 * ("push": {url, version, status, error}); a failure fails the run here
 * and leaves the local promotion as it is (pipeline.h). */
static int stage_push(struct run *run, struct errbuf *err)
{
    const char *url = run->c->push_url;
    if (!url) /* no stage at all: a run without a bucket reads as before */
        return 0;
    json_t *st = stage_begin(run, "push", "");
    if (run->decision != DECISION_PROMOTED && run->decision != DECISION_FIRST) {
        stage_end(run, st, "skipped", "nothing promoted");
        return 0;
    }
    json_t *rec = json_pack("{s:s, s:s, s:s}", "url", url, "version",
                            run->candidate, "status", "running");
    json_object_set_new(run->doc, "push", rec);
    struct s3_location loc;
    struct s3 *s3 = NULL;
    int rc = s3_parse_url(url, &loc, err);
    if (rc == 0)
        rc = s3_open(&s3, err);
    if (rc == 0)
        rc = remote_push(s3, &loc, run->reg, run->candidate, true, err);
    s3_close(s3);
    json_object_set_new(rec, "status", json_string(rc == 0 ? "done"
                                                           : "failed"));
    if (rc < 0) {
        json_object_set_new(rec, "error", json_string(err->msg));
        stage_end(run, st, "failed", err->msg);
        return -1;
    }
    char detail[S3_KEY_SIZE + 64];
    snprintf(detail, sizeof detail, "%s live in %s", run->candidate, url);
    stage_end(run, st, "done", detail);
    return 0;
}

/* ---- retention ------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

/* Run directories beyond keep_runs, oldest first, are removed (never
 * this run's); then the data versions no model names. */
static void retention(struct run *run)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/runs", run->c->registry_dir);
    char **names;
    size_t n;
    struct errbuf err;
    if (runs_list(run->c->registry_dir, &names, &n, &err) < 0) {
        run_say(run, false, "pipeline: retention: %s", err.msg);
    } else {
        /* a killed run's plain dataset copies (the lock says none runs) */
        for (size_t i = 0; i < n; i++) {
            char p[PATH_MAX + 256], q[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", dir, names[i]);
            path_join(q, sizeof q, p, "dataset.csv");
            unlink(q);
            path_join(q, sizeof q, p, "live-dataset.csv");
            unlink(q);
        }
        for (size_t i = 0; i + (size_t)run->c->keep_runs < n; i++) {
            if (!names[i] || strcmp(names[i], run->id) == 0)
                continue;
            char p[PATH_MAX + 256];
            snprintf(p, sizeof p, "%s/%s", dir, names[i]);
            nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        }
        runs_free(names, n);
    }
    /* the dataset of the last ETL stays for the next run's skip */
    const char *keep[1] = {json_string_value(json_object_get(
        json_object_get(run->memo, "etl"), "dataset_sha256"))};
    size_t removed = 0;
    if (dataver_prune(run->c->registry_dir, keep, 1, &removed, &err) < 0)
        run_say(run, false, "pipeline: retention: %s", err.msg);
    else if (removed)
        run_say(run, false, "pipeline: retention: %zu data version%s no "
                "model names removed", removed, removed == 1 ? "" : "s");
}

/* ---- the run ---------------------------------------------------------------------- */

static int take_lock(struct run *run, struct errbuf *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/pipeline/lock", run->c->registry_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        char held[128] = "";
        ssize_t got = pread(fd, held, sizeof held - 1, 0);
        held[got > 0 ? got : 0] = '\0';
        held[strcspn(held, "\n")] = '\0';
        close(fd);
        if (e == EWOULDBLOCK)
            return err_set(err, "another pipeline run (%s) holds %s; this "
                                "one does nothing", *held ? held : "?", path)
                   , PIPELINE_LOCKED;
        return err_set(err, "%s: flock: %s", path, strerror(e));
    }
    run->lock_fd = fd;
    return 0;
}

static void *watch_progress(void *arg);

int pipeline_run(const struct pipeline_config *c, struct pipeline_result *r,
                 struct errbuf *err)
{
    memset(r, 0, sizeof *r);
    struct run run = {.c = c, .lock_fd = -1};
    double t0 = now_seconds();
    char started[32], p[PATH_MAX];
    timestamp_format_iso(time(NULL), started);
    if (registry_create(&run.reg, c->registry_dir, err) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/pipeline", c->registry_dir);
    int rc = mkdir_p1(p, err);
    if (rc == 0)
        rc = take_lock(&run, err);
    if (rc < 0) {
        registry_close(run.reg);
        return rc;
    }
    /* named under the lock, to the microsecond: runs follow one another,
     * so their names sort in the order they ran */
    run_name(run.id, sizeof run.id);
    snprintf(r->run, sizeof r->run, "%s", run.id);
    if (ftruncate(run.lock_fd, 0) == 0)
        dprintf(run.lock_fd, "pid %ld, run %s\n", (long)getpid(), run.id);
    snprintf(p, sizeof p, "%s/runs", c->registry_dir);
    path_join(run.dir, sizeof run.dir, p, run.id);
    snprintf(r->run_dir, sizeof r->run_dir, "%s", run.dir);
    if (mkdir_p1(p, err) < 0 || mkdir_p1(run.dir, err) < 0) {
        rc = -1;
        goto out;
    }
    path_join(p, sizeof p, run.dir, "pipeline.log");
    run.log = fopen(p, "a");
    run.memo = memo_load(&run);
    char as_of[16];
    date_format_iso(c->as_of, as_of);
    run.doc = json_pack(
        "{s:s, s:s, s:n, s:s, s:i, s:s, s:s, s:s, s:s, s:n, s:n, s:[], s:n, "
        "s:n, s:n, s:n}", "run", run.id, "started", started, "finished",
        "status", "running", "pid", (int)getpid(), "source", c->source,
        "as_of", as_of, "registry", c->registry_dir, "decision", "none",
        "reasons", "candidate", "stages", "counts", "metrics", "stability",
        "error");
    if (!run.doc) {
        rc = err_set(err, "out of memory");
        goto out;
    }
    json_object_set_new(run.doc, "thresholds", pipeline_gate_json(&c->gate));
    if (registry_live(run.reg, run.live_before, err) < 0) {
        rc = -1;
        goto out;
    }
    json_object_set_new(run.doc, "live_before",
                        *run.live_before ? json_string(run.live_before)
                                         : json_null());
    run_say(&run, false, "pipeline: run %s, source %s as of %s, registry %s",
            run.id, c->source, as_of, c->registry_dir);

    pthread_t watcher;
    bool watching = c->progress && c->progress_tty &&
                    pthread_create(&watcher, NULL, watch_progress, &run) == 0;

    static const struct {
        const char *name;
        int (*fn)(struct run *, struct errbuf *);
    } stages[] = {
        {"etl", stage_etl},         {"train", stage_train},
        {"evaluate", stage_evaluate}, {"gate", stage_gate},
        {"promote", stage_promote}, {"push", stage_push},
    };
    rc = 0;
    for (size_t i = 0; i < sizeof stages / sizeof stages[0] && rc == 0; i++)
        if (stages[i].fn(&run, err) < 0) {
            rc = run.empty_source ? PIPELINE_EMPTY_SOURCE : -1;
            snprintf(r->failed_stage, sizeof r->failed_stage, "%s",
                     stages[i].name);
        }
    if (watching) {
        run.stop_watch = true;
        pthread_join(watcher, NULL);
    }

    /* the report, also of a failed run: what happened up to where */
    struct errbuf live_err;
    if (registry_live(run.reg, run.live_after, &live_err) < 0)
        *run.live_after = '\0';
    run_finish_doc(&run, rc == 0 ? "ok" : "failed",
                   rc == 0 ? NULL : err->msg, now_seconds() - t0);
    json_t *st = stage_begin(&run, "report", "");
    struct errbuf rep_err;
    if (runreport_write(&run, &rep_err) < 0) {
        stage_end(&run, st, "failed", rep_err.msg);
        if (rc == 0) {
            rc = -1;
            *err = rep_err;
            snprintf(r->failed_stage, sizeof r->failed_stage, "report");
        }
    } else {
        stage_end(&run, st, "done", NULL);
    }
    run_finish_doc(&run, rc == 0 ? "ok" : "failed",
                   rc == 0 ? NULL : err->msg, now_seconds() - t0);
    struct errbuf save_err;
    if (run_save(&run, &save_err) < 0 && rc == 0) {
        rc = -1;
        *err = save_err;
    }
    /* the datasets are kept compressed; the run's plain copies go */
    run_dataset_path(&run, p, sizeof p);
    unlink(p);
    path_join(p, sizeof p, run.dir, "live-dataset.csv");
    unlink(p);
    retention(&run);
    run_say(&run, false, "pipeline: %s: %s%s%s in %.2f s",
            rc == 0 ? "done" : "failed", pipeline_decision_name(run.decision),
            *run.candidate ? ", candidate " : "", run.candidate,
            now_seconds() - t0);
    r->decision = run.decision;
    snprintf(r->candidate, sizeof r->candidate, "%s", run.candidate);
    snprintf(r->live, sizeof r->live, "%s", run.live_after);
out:
    if (run.log)
        fclose(run.log);
    json_decref(run.doc);
    json_decref(run.memo);
    if (run.lock_fd >= 0)
        close(run.lock_fd); /* releases the lock */
    registry_close(run.reg);
    return rc;
}

/* ---- progress on a terminal --------------------------------------------------- */

/* Bytes this process has read so far (/proc/self/io's rchar): how far the
 * ETL is through its source file, which it reads once, front to back. */
static long long bytes_read(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (!f)
        return -1;
    long long v = -1;
    char line[128];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %lld", &v) == 1)
            break;
    fclose(f);
    return v;
}

static void *watch_progress(void *arg)
{
    struct run *run = arg;
    long long base = -1, total = 0;
    char stage_seen[16] = "";
    while (!run->stop_watch) {
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
        double el = now_seconds() - run->stage_t0;
        if (strcmp(stage_seen, run->stage) != 0) {
            snprintf(stage_seen, sizeof stage_seen, "%s", run->stage);
            base = -1;
        }
        if (run->etl_watch) {
            struct stat st;
            if (base < 0) {
                base = bytes_read();
                total = stat(run->c->source, &st) == 0 ? st.st_size : 0;
            }
            long long done = bytes_read() - base;
            double rate = el > 0 ? (double)done / el : 0;
            double share = total > 0 ? (double)done / (double)total : 0;
            if (share > 1)
                share = 1;
            double eta = rate > 0 ? (double)(total - done) / rate : 0;
            run_say(run, true, "pipeline: etl      %.0f of %.0f MB (%.0f %%), "
                    "%.1f MB/s, ETA %.0f s", (double)done / 1e6,
                    (double)total / 1e6, 100 * share, rate / 1e6,
                    eta > 0 ? eta : 0);
        } else if (*stage_seen) {
            run_say(run, true, "pipeline: %-8s running, %.0f s", stage_seen,
                    el);
        }
    }
    return NULL;
}
