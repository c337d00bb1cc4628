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
 *
 * Partitioned runs. With partition K of N, a process keeps only the
 * documents of its slice: those whose _id (an ObjectId, string or
 * integer) hashes (FNV-1a over its BSON type and value) to K-1 modulo N;
 * a document whose _id cannot be read or is of another type goes by its
 * position instead ((position-1) modulo N). The server cannot filter on
 * a hash of _id in a find, so every process still reads the whole
 * collection (or file) and drops the others' documents before mapping
 * them; what is divided is the parsing, mapping and feature work, and
 * the dedupe index's memory. Positions (line numbers, or the order in
 * which the server returns the documents) are global, which is what lets
 * the merge reproduce one run: every process must read the same sequence
 * — the same file, or an unchanged collection (a --query bounded by
 * createdAt fixes the set). Instead of the three outputs a partition
 * writes one part file (atomically):
 *     "incomescore etl part 1"               the first line
 *     R <TAB> position <TAB> rejects line    each rejected document
 *     P <TAB> curp <TAB> first <TAB> kept <TAB> created_at <TAB>
 *       jubilado <TAB> state <TAB> the features (%.17g)
 *                                            each person of the slice:
 *                                            the positions of their
 *                                            first and kept documents
 *     S <TAB> JSON                           the counts and run facts,
 *                                            last (a part without it is
 *                                            truncated and refused):
 *                                            also the ITAEE year, the
 *                                            rules file's SHA-256 ("" if
 *                                            none), db, collection, query
 * The part holds CURPs (the merge needs the dedupe key): it is as
 * personal as the source, and is written with the same permissions as
 * every output; delete it after the merge.
 *
 * etl_merge folds the parts into the three outputs of one run: a person
 * seen in several parts keeps the document with the latest createdAt,
 * ties to the later position (the rule of one run), and rows come in
 * order of each person's first position — so the dataset and the rejects
 * are byte-identical to one run's, and the counts equal.
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
    int partition, partitions; /* 0, 0: the whole source; else this run
                                * is slice `partition` (1..partitions)
                                * and dataset_path names its part file */
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

/* Parses "K/N" (1 <= K <= N <= ETL_MAX_PARTITIONS). Returns 0 or -1. */
#define ETL_MAX_PARTITIONS 1024
int etl_partition_parse(const char *text, int *partition, int *partitions);

/* Merges the part files of a partitioned run (each K of 1..N exactly
 * once, the same source, as-of date and N, made with the same ITAEE
 * year, rules file, db, collection and query — the year and rules those
 * of opt->rd and opt->rules_path too) into opt's dataset, rejects
 * and summary, as etl_run would have written them; opt->source and
 * opt->as_of are taken from the parts. Returns as etl_run does (a refused
 * part, or a missing or repeated one, is -1 before any output). */
int etl_merge(const struct etl_options *opt, const char *const *parts,
              int part_count, struct etl_counts *counts, struct errbuf *err);

/* Where the rejects and summary go by default: the dataset's path with
 * ".csv" replaced by one of these. */
#define ETL_REJECTS_SUFFIX ".rejects.jsonl"
#define ETL_SUMMARY_SUFFIX ".summary.json"

/* dataset_path less a final ".csv", then suffix. Caller frees. */
char *etl_sibling_path(const char *dataset_path, const char *suffix);

#endif
