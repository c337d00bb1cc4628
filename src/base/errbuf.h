/*
 * errbuf.h — the one way errors travel in incomescore.
 *
 * Library functions never print. They return 0 on success or -1 on
 * failure and fill a caller-owned struct errbuf with a message that carries
 * its context ("line 1832: column 'edad': 'abc' is not a number"). The
 * caller decides whether to print it, count it or answer 422 with it.
 */
#ifndef INCOMESCORE_ERRBUF_H
#define INCOMESCORE_ERRBUF_H

#include <stddef.h>

#define ERRBUF_SIZE 512

struct errbuf {
    char msg[ERRBUF_SIZE];
};

/* Sets the message (printf-style); always returns -1 so a caller can write
 * `return err_set(err, "...")`. A NULL err is allowed and ignored. */
int err_set(struct errbuf *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Puts "prefix: " in front of the message already in err; returns -1. */
int err_prefix(struct errbuf *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
