/*
 * pipeline.h — the daily retraining (SPEC §9): ETL → train → evaluate →
 * gate → promote → report, as one call that can run unattended.
 *
 * Everything it keeps is in the registry it retrains:
 *
 *   runs/<run>/            one directory per run, named by its UTC start
 *                          time and pid ("20240701T060000Z-1234"):
 *     state.json           the run as it goes: each stage's status
 *                          (running, done, skipped, failed), the SHA-256
 *                          of its inputs, seconds, what it found
 *     pipeline.log         the plain progress lines
 *     dataset.rejects.jsonl, dataset.summary.json   the ETL's
 *     run.json             the summary a notifier sends: decision,
 *                          reasons, metrics, counts, timings, paths
 *     report.md, report.html
 *   pipeline/memo.json     per stage, the inputs' SHA-256 and the outputs
 *                          of its last success: a stage whose inputs
 *                          match is skipped (as `dvc repro` does)
 *   pipeline/lock          flock()ed for the whole run: one run at a time
 *   gate.jsonl             every verdict: time, run, id, live, decision,
 *                          reasons (read by `models show` / `promote`)
 *   data/<sha256>.csv.zst  the datasets (pipeline/dataver.h)
 *
 * When push_url is set, a push stage follows promote: the version just
 * promoted goes to the bucket (remote/remote.h: its files, then LIVE),
 * so the servers that follow the bucket take it. A push that fails fails
 * the run at that stage (run.json says why) but does not undo the local
 * promotion: the bucket's LIVE stays on the old version, and
 * `models push ID URL --live` finishes the job.
 *
 * Safety: the live model changes only in the promote stage, through
 * registry_promote (its check under the writers' lock), and only after
 * the gate accepted. A stage that fails or is killed leaves LIVE as it
 * was, the run's state and log on disk; the next run takes the lock
 * (flock dies with its holder) and skips what was already done.
 */
#ifndef INCOMESCORE_PIPELINE_H
#define INCOMESCORE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/dates.h"
#include "base/errbuf.h"
#include "etl/docsource.h"
#include "pipeline/gate.h"
#include "pipeline/notify.h"
#include "registry/registry.h"

struct pipeline_config {
    const char *source;        /* documents: file or mongodb:// URI */
    struct mongo_options mongo;
    date_t as_of;
    const char *registry_dir;
    const char *rules_path;    /* NULL: the shipped rules */
    const char *params_path;   /* NULL: the shipped XGBoost parameters */
    int itaee_year;
    uint64_t seed;
    struct gate_thresholds gate;
    int keep_runs;             /* run directories kept; older ones go */
    const char *push_url;      /* s3://BUCKET/PREFIX: what is promoted
                                * is pushed there; NULL: nothing is */
    struct notify_settings notify; /* the config file's "notify" (the
                                    * environment's settings go over it
                                    * when the run is told) */
    bool force;                /* rerun every stage */
    FILE *progress;            /* progress lines (NULL: none) */
    bool progress_tty;         /* a terminal: one line rewritten */
};

void pipeline_defaults(struct pipeline_config *c);

/* Reads a JSON config file over c: keys "source", "as_of", "registry",
 * "rules", "params", "seed", "itaee_year", "keep_runs", "push", "mongo"
 * {database, collection, query}, "gate" {the names of struct
 * gate_thresholds} and "notify" {notify.h's settings in lower case
 * without INCOMESCORE_: smtp_url, smtp_tls, smtp_user, smtp_ca_file,
 * mail_from, mail_to, webhook_url, webhook_format, notify_timeout; the
 * password only from the environment}. An unknown key, a wrong type or a bad value is
 * refused, naming it. The strings c then points to live in *doc, which
 * the caller frees (json_decref) after the run. */
int pipeline_config_load(struct pipeline_config *c, const char *path,
                         void **doc, struct errbuf *err);

/* Sets the gate threshold `key` (its config name) to v, its range
 * checked: "gate.psi_max -1 is out of range (0 to 1e+09)". */
int pipeline_gate_set(struct gate_thresholds *t, const char *key, double v,
                      struct errbuf *err);

/* The outcome of a run. */
enum pipeline_decision {
    DECISION_NONE,       /* the run failed before the gate */
    DECISION_PROMOTED,   /* the candidate is live */
    DECISION_FIRST,      /* the first model of the registry is live */
    DECISION_REFUSED,    /* the gate refused the candidate */
    DECISION_UNCHANGED,  /* the candidate is the live model already */
};
const char *pipeline_decision_name(enum pipeline_decision d);

struct pipeline_result {
    char run[64];
    char run_dir[4096];
    enum pipeline_decision decision;
    char candidate[REGISTRY_ID_SIZE];
    char live[REGISTRY_ID_SIZE];       /* after the run; "" when none */
    char failed_stage[16];             /* "" unless a stage failed */
};

#define PIPELINE_LOCKED (-2)           /* another run holds the lock */
#define PIPELINE_EMPTY_SOURCE (-3)     /* the ETL's ETL_EMPTY_SOURCE */

/* Runs the pipeline. 0 when it ran to the end (whatever the decision),
 * PIPELINE_LOCKED at once when another run holds the lock ("another
 * pipeline run (pid N) holds <path>"), -1 or PIPELINE_EMPTY_SOURCE when
 * a stage failed (r->failed_stage names it; LIVE is untouched). */
int pipeline_run(const struct pipeline_config *c, struct pipeline_result *r,
                 struct errbuf *err);

/* Writes the table of past runs (newest first) to out: run, status,
 * decision, candidate, live, seconds. */
int pipeline_list_runs(const char *registry_dir, FILE *out,
                       struct errbuf *err);

/* The gate's last verdict on version id: 1 with decision ("accepted" or
 * "refused") and its reasons joined by "; " in why, 0 when the gate
 * never judged it, -1 on error. */
int pipeline_verdict(const char *registry_dir, const char *id,
                     char *decision, size_t dsize, char *why, size_t wsize,
                     struct errbuf *err);

/* Retrains kept version id from its own data version into out_dir (an
 * empty or absent directory): the same dataset bytes, rules, parameters,
 * reference tables, seed, split and created_at, so the bundle is the
 * kept one byte for byte. */
int pipeline_retrain(const char *registry_dir, const char *id,
                     const char *out_dir, struct errbuf *err);

#endif
