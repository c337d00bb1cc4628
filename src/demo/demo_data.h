/*
 * demo_data.h — synthetic validation documents (SPEC §1) for demos,
 * benchmarks and end-to-end tests of the ETL, written as mongoexport
 * JSON lines.
 *
 * The documents are meant to look like a real export to someone who
 * studies them: CURPs that pass RENAPO's check digit and agree with the
 * birth date, Mexican names and employers, IMSS state spellings, careers
 * with realistic tenures, gaps, moves and wages, and the quirks of the
 * real data (mixed date and wage spellings, "Vigente" in any case,
 * unsorted histories, duplicate CURPs, a few unusable documents). Nothing
 * in a document says it is synthetic or unusable.
 *
 * Reproducible: the output is a function of the options alone — the same
 * count, seed and as-of date give the same bytes on every run (no clock,
 * no rand()). A document's person depends on the seed and the person's
 * number, not on the count, so a larger file starts with the same people.
 */
#ifndef INCOMESCORE_DEMO_DATA_H
#define INCOMESCORE_DEMO_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/dates.h"
#include "base/errbuf.h"
#include "score/refdata.h"

/* The years as_of may fall in: CURPs encode births in 1900..2099 and
 * people are 18..80. */
#define DEMO_AS_OF_FIRST_YEAR 1990
#define DEMO_AS_OF_LAST_YEAR 2099
#define DEMO_DEFAULT_SEED 1

struct demo_options {
    long count;       /* documents to write, > 0 */
    uint64_t seed;
    date_t as_of;     /* every check falls in the 18 months before it */
};

/* The ways a written document is unusable (SPEC §1: it belongs in the
 * ETL's rejects). */
enum demo_unusable {
    DEMO_NO_CURP,             /* no curp field */
    DEMO_BAD_CURP_NO_DOB,     /* curp malformed, birth date unreadable,
                               * and no dob */
    DEMO_BAD_JOB_DATE,        /* a fechaAlta that is not a date */
    DEMO_BAD_WAGE,            /* a salarioBaseCotizacion like "N/D" */
    DEMO_HISTORY_NOT_ARRAY,   /* historialLaboral is a string or object */
    DEMO_BAD_CREATED_AT,      /* createdAt unreadable */
    DEMO_UNUSABLE_KINDS
};

extern const char *const demo_unusable_names[DEMO_UNUSABLE_KINDS];

/* What was written, for summaries and tests. Persons are counted once per
 * person written; the archetype counts are per document (a duplicate's
 * second document counts again). */
struct demo_stats {
    long documents;
    long persons;              /* distinct people written */
    long duplicates;           /* documents - persons */
    long unusable[DEMO_UNUSABLE_KINDS];
    long unusable_total;
    long jobs;                 /* entries of usable historialLaboral arrays */
    long two_current;          /* documents with two current jobs */
    long no_current;           /* documents with jobs but none current */
    long retirees;             /* documents of retirees (SPEC §3 jubilado) */
    long empty_history;        /* documents with historialLaboral [] */
};

/* Writes opt->count documents to `out`, one JSON object per line. stats,
 * when not NULL, is filled. Returns 0, or -1 with err set when an option
 * is out of range, memory runs out, or writing fails (errno's text). On
 * failure part of the output may have been written; callers writing a
 * file use an atomic_file and abort it. A state's CURP code is read from
 * rd (states.csv's curp column). */
int demo_data_write(const struct refdata *rd, const struct demo_options *opt,
                    FILE *out, struct demo_stats *stats, struct errbuf *err);

#endif
