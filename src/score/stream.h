/*
 * stream.h — scoring a stream of requests: API request objects in, one
 * JSON object a line; one answer a line out, in the same order. What
 * `predict` does, as a library call so that the coming `pipeline` command
 * and the tests score files without the command line.
 *
 * Line N of the output always answers line N of the input. A line that
 * is not scored (not JSON, or a request request.h refuses) is answered in
 * place with request_error_answer's compact
 * {"error": ..., "detail": [...]} and counted as bad, never skipped; an
 * empty line is such a line ("not JSON"). A last line without its line
 * end is read as a line; "\r\n" line ends are accepted.
 *
 * Lines are read into batches on the calling thread and answered by
 * worker threads, written back in input order (parmap.h): parsing and
 * scoring are the cost, so every core does them, and the output does not
 * depend on the number of workers.
 */
#ifndef INCOMESCORE_STREAM_H
#define INCOMESCORE_STREAM_H

#include <stdio.h>

#include "base/errbuf.h"
#include "score/scoring.h"

struct stream_options {
    FILE *in;
    FILE *out;
    const char *out_name;  /* out in messages: "writing <out_name> failed";
                            * NULL: "the answers" */
    int workers;           /* 0: one per online CPU (parmap_run) */
};

struct stream_counts {
    long lines;            /* answered, bad ones included */
    long bad;              /* answered with an error */
};

/* Scores every line of opt->in with the scorer (a bundle's) and writes
 * the answers to opt->out (not flushed: the caller owns the stream).
 * Returns 0 when the
 * input was read to its end — bad lines are counted, not failures — or
 * -1 when the output cannot be written or memory runs out (err says
 * which); answers already written stay written. */
int score_stream(const struct scorer *sc, const struct stream_options *opt,
                 struct stream_counts *counts, struct errbuf *err);

#endif
