/*
 * pipeline_internal.h — what the pipeline's files share; not for use
 * outside src/pipeline/ (the contract is pipeline.h).
 *
 *   pipeline.c   the config, the lock, the stages, the memo, retention
 *   runreport.c  the run document's figures (run.json) and the report
 *                rendered from it (report.md, report.html); past runs
 *   retrain.c    a kept version retrained from its own data version
 *
 * run.json is the one record of a run: the stages write into it as they
 * go, the report is drawn from it and `pipeline runs` lists it, so no two
 * of them can disagree.
 */
#ifndef INCOMESCORE_PIPELINE_INTERNAL_H
#define INCOMESCORE_PIPELINE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/sha256.h"
#include "pipeline/gate.h"
#include "pipeline/pipeline.h"
#include "registry/registry.h"

struct run {
    const struct pipeline_config *c;
    struct registry *reg;
    char id[64];
    char dir[4096];
    FILE *log;
    int lock_fd;
    json_t *doc;                 /* run.json */
    json_t *memo;                /* pipeline/memo.json */
    char live_before[REGISTRY_ID_SIZE], live_after[REGISTRY_ID_SIZE];
    char candidate[REGISTRY_ID_SIZE];
    char dataset_sha[SHA256_HEX_SIZE];
    bool measured;
    struct gate_figures fig;
    struct gate_verdict verdict;
    enum pipeline_decision decision;
    bool empty_source;
    /* what the progress thread reads */
    volatile bool etl_watch, stop_watch;
    char stage[16];
    double stage_t0;
};

void run_say(struct run *run, bool transient, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int run_save(struct run *run, struct errbuf *err);

json_t *pipeline_gate_json(const struct gate_thresholds *t);

/* The figures as run.json and the memo hold them, and back. */
json_t *runfig_to_json(const struct gate_figures *f);
int runfig_from_json(const json_t *j, struct gate_figures *f);

/* Fills run.json's closing fields: status, error, decision, reasons,
 * metrics, stability, live_after, finished, seconds, report paths. */
void run_finish_doc(struct run *run, const char *status, const char *error,
                    double seconds);

/* report.md and report.html in the run directory, from run.json. */
int runreport_write(struct run *run, struct errbuf *err);

/* The names of the run directories, oldest first (names sort in run
 * order); none when there is no runs/ yet. Free with runs_free. */
int runs_list(const char *registry_dir, char ***names, size_t *count,
              struct errbuf *err);
void runs_free(char **names, size_t n);

#endif
