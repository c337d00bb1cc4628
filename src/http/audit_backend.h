/*
 * audit_backend.h — what a place decisions are written to must do for
 * audit.c's writer. One queue, one writer thread, one set of tickets,
 * failure episodes and backoff (audit.c) serve every sink; a sink only
 * opens its store (making its schema current), writes a batch of rows in
 * one transaction, and closes. SQLite and stdout live in audit.c,
 * PostgreSQL in audit_pg.c.
 *
 * The contract of write: 0 only when every row of the batch is committed
 * (durable as the sink promises, audit.h); -1 otherwise, with what failed
 * in *fault, and then the writer holds the batch and calls write again
 * with the same rows after its backoff — so write must be safe to repeat
 * (a sink that may have committed part of a failed batch must say so in
 * audit.h: stdout may repeat lines; SQLite and PostgreSQL roll back). A
 * sink that loses its connection reconnects inside write; the writer
 * knows nothing of connections. A failing idle check (check, below)
 * starts a failure episode as a failed write does, without a batch to
 * hold; the first check that passes ends it.
 *
 * Internal to src/http: the server and the CLI use audit.h.
 */
#ifndef INCOMESCORE_AUDIT_BACKEND_H
#define INCOMESCORE_AUDIT_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/* A record's text fields, in the order a queued record holds them. */
enum audit_field {
    AUDIT_F_ID,
    AUDIT_F_KEY,     /* the API key's name; length 0: none (NULL) */
    AUDIT_F_VERSION,
    AUDIT_F_INPUTS,
    AUDIT_F_OUTPUTS,
    AUDIT_FIELDS
};

/* One record as the writer hands it to a sink: pointers into the queued
 * copy, valid until write returns. Each text is NUL-terminated at len. */
struct audit_row {
    int64_t time_ms;
    int status;
    const char *time; /* "2023-11-14T22:13:20.123Z" (UTC) */
    const char *text[AUDIT_FIELDS];
    unsigned short len[AUDIT_FIELDS];
};

/* Why a write failed: what (a short phrase, "cannot write decisions") and
 * the store's own message. Shown on stderr and by /readyz: a sink never
 * puts a password in either. */
struct audit_fault {
    char what[64];
    char detail[192];
};

void audit_fault_set(struct audit_fault *f, const char *what,
                     const char *detail);

#define AUDIT_IDLE_CHECK_MS 1000

/* Milliseconds on the monotonic clock: the writer's waits and a sink's
 * deadlines, which a wall-clock step must not stretch or cut. */
int64_t audit_monotonic_ms(void);

struct audit_backend {
    const char *name; /* "sqlite", "stdout", "postgres" */
    /* Opens target (a file, a connection string) for writing rows that
     * name `replica`, creating or migrating the schema. *state is the
     * sink's own, passed back to write and close. */
    int (*open)(void **state, const char *target, const char *replica,
                struct errbuf *err);
    int (*write)(void *state, const struct audit_row *rows, size_t n,
                 struct audit_fault *fault);
    /* Whether write could work now (reconnecting if need be): 0, or -1
     * with why. Asked by an idle writer every AUDIT_IDLE_CHECK_MS, so
     * that a database server gone while nothing was written makes
     * /readyz not ready before a decision is refused, and one back makes
     * it ready again. NULL: nothing to ask (a file, stdout). */
    int (*check)(void *state, struct audit_fault *fault);
    void (*close)(void *state);
};

extern const struct audit_backend audit_backend_postgres;

#endif
