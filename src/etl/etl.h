/*
 * etl.h — validation documents → the training dataset (SPEC §1–§4).
 *
 * One pass over the source, streaming: each document is mapped
 * (document.c), its features computed as of a date (history.c), and kept
 * in a dedupe index by CURP holding the latest createdAt (ties: the later
 * document). A rejected document takes no part in deduplication. Memory
 * is the index — one compact row per distinct person — never the input.
 *
 * Outputs, each written atomically (temporary file, then rename):
 *   dataset CSV   the columns of etl/dataset.h (the SPEC §3 features in
 *                 the original order, then target, estado, lugar_actual,
 *                 jubilado, rules_points); rows in order of each person's
 *                 first appearance. No CURP, name or employer.
 *   rejects       JSON lines: {"line" or "document", "id", "reason",
 *                 "detail"}
 *   summary       JSON: the counts, with read = written + duplicates +
 *                 rejected always.
 */
#ifndef INCOMESCORE_ETL_H
#define INCOMESCORE_ETL_H

#include <stdbool.h>

#include "base/dates.h"
#include "etl/docsource.h"
#include "base/errbuf.h"
#include "score/refdata.h"
#include "score/rules.h"
#include "etl/document.h"

struct etl_options {
    const char *source;        /* file, "-", or mongodb:// URI */
    struct mongo_options mongo;
    const char *dataset_path;
    const char *rejects_path;  /* NULL: beside the dataset */
    const char *summary_path;  /* NULL: beside the dataset */
    date_t as_of;
    const struct refdata *rd;
    const struct rules *rules;
    const char *rules_path;    /* for the summary */
    bool allow_empty;          /* a source without documents is not an
                                * error (see etl_run) */
};

struct etl_counts {
    long read;
    long written;
    long duplicates;
    long rejected;
    long rejected_by_reason[REJECT_REASON_COUNT];
    long blank_lines;          /* not documents; reported, not counted */
    double seconds;
};

/* Runs the ETL. Returns 0 (bad documents are counted, not failures), or
 * -1 when the source or an output cannot be used, or two outputs name the
 * same file (refused before any work: a rejects file over the dataset
 * destroyed it). A source that held no documents at all returns
 * ETL_EMPTY_SOURCE unless opt->allow_empty: for a job that retrains, an
 * empty dataset is an outage upstream, not a result. Whenever the return
 * is not 0 no output is left behind. */
#define ETL_EMPTY_SOURCE (-3)
int etl_run(const struct etl_options *opt, struct etl_counts *counts,
            struct errbuf *err);

/* Where the rejects and summary go by default: the dataset's path with
 * ".csv" replaced by one of these. */
#define ETL_REJECTS_SUFFIX ".rejects.jsonl"
#define ETL_SUMMARY_SUFFIX ".summary.json"

/* dataset_path less a final ".csv", then suffix. Caller frees. */
char *etl_sibling_path(const char *dataset_path, const char *suffix);

#endif
