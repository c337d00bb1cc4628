/*
 * stream.h — scoring a stream of requests: API request objects in, one
 * JSON object a line; one answer a line out, in the same order. What
 * `predict` does, as a library call so that the coming `pipeline` command
 * and the tests score files without the command line.
 *
 * Every request line gets one answer line, in input order. A line that
 * is not scored is answered in place with request_error_answer's compact
 * {"error": ..., "detail": [...]} and counted as bad, never skipped: not
 * JSON ("line 3: not JSON: '[' or '{' expected near 'x' (column 1)": the
 * input line, jansson's reason and column), longer than 1 MiB (read to
 * its end and dropped, never held), or a request request.h refuses. A
 * blank line (empty, or spaces and tabs) is not a request: it gets no
 * answer and is counted apart, as etl skips them, so answer N answers the
 * Nth non-blank line. A last line without its line end is read as a line;
 * "\r\n" line ends are accepted.
 *
 * Lines are read into batches on the calling thread and answered by
 * worker threads, written back in input order (parmap.h): parsing and
 * scoring are the cost, so every core does them, and the output does not
 * depend on the number of workers.
 */
#ifndef INCOMESCORE_STREAM_H
#define INCOMESCORE_STREAM_H

#include <stdbool.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "score/scoring.h"

struct stream_options {
    FILE *in;
    FILE *out;
    const char *out_name;  /* out in messages: "writing <out_name> failed";
                            * NULL: "the answers" */
    int workers;           /* 0: one per online CPU (parmap_run) */
    bool explain;          /* answers carry the model's explanation
                            * (score_format_explained) */
};

struct stream_counts {
    long lines;            /* answered, bad ones included */
    long bad;              /* answered with an error */
    long blank;            /* blank lines: skipped, not answered */
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
