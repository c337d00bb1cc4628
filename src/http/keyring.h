/*
 * keyring.h — the server's API keys: the key file loaded and reloaded,
 * which paths need a key, the check of a request's Authorization header,
 * and the count of requests let through by key name (server.h says what
 * a client sees). The file's format and the matching of a key are
 * apikeys.h's; this is the server's state around them. Private to
 * src/http/.
 *
 * The loaded keys sit in a swap (swap.h), like the live model: a request
 * holds a reference while it matches its key, a reload publishes a new
 * set and the last request still using the old one frees it.
 */
#ifndef INCOMESCORE_KEYRING_H
#define INCOMESCORE_KEYRING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/errbuf.h"
#include "http/apikeys.h"
#include "http/swap.h"

struct text;

/* Requests let through, by key name: 256 distinct names in a process's
 * life, then the slot "_other" (no key name can start with '_'). */
#define KEY_NAMES_MAX 256

struct key_count {
    char name[APIKEY_NAME_SIZE];
    atomic_ulong requests;
};

struct keyring {
    const char *path;  /* the key file; NULL: no keys, the API is open */
    bool protect_all;  /* keys for all but /healthz and /readyz */
    struct swap keys;  /* the loaded file, a struct key_set (keyring.c) */
    pthread_mutex_t lock; /* one load at a time */
    /* Names are appended under lock and never change, so the request
     * path reads the first `names` of them without a lock. Counters
     * outlive the key sets, so a reload never sends a count back. */
    struct key_count counts[KEY_NAMES_MAX + 1];
    atomic_uint names;
    atomic_ulong reload_failures;
};

/* An empty keyring for the key file at path (NULL: none). */
void keyring_init(struct keyring *k, const char *path, bool protect_all);
/* Frees the keys; k may be used no more. */
void keyring_destroy(struct keyring *k);

/* Reads the key file and makes its keys current: 0, or -1 when it did
 * not load (err names the line; the keys loaded before stay). */
int keyring_load(struct keyring *k, struct errbuf *err);

/* Keys currently loaded (0 without a key file). */
size_t keyring_loaded(struct keyring *k);

/* What needs a key, for the logs: every path under /v1, or all but
 * /healthz and /readyz (keyring.c has the exact words). */
const char *keyring_protected(const struct keyring *k);

/* Whether a request for url needs a key (server.h lists which). */
bool keyring_needs_key(const struct keyring *k, const char *url);

/* Whether `authorization` (the header's value; may be NULL) presents a
 * key of the file. If so, counts the request under the key's name and
 * copies the name to name (APIKEY_NAME_SIZE bytes) for the audit record:
 * copied, because a reload may free the key set once it is released. */
bool keyring_authorize(struct keyring *k, const char *authorization,
                       char *name);

/* The keys' Prometheus counters and gauges. */
void keyring_metrics_text(struct keyring *k, struct text *t);

#endif
