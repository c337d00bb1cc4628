/*
 * keyring.c — the server's API keys (see keyring.h), and the two places
 * the server talks about them: server_reload_keys (server.h) and the
 * startup line, both logged.
 */
#include "http/keyring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "http/internal.h"
#include "http/metrics.h"

/* The loaded key file. slot[i]: key i's counter in keyring.counts. */
struct key_set {
    struct swap_ref ref;
    struct apikeys *keys;
    unsigned *slot;
};

static void key_set_free(struct swap_ref *ref)
{
    struct key_set *set = SWAP_OBJECT(ref, struct key_set, ref);
    apikeys_free(set->keys);
    free(set->slot);
    free(set);
}

static struct key_set *keys_acquire(struct keyring *k)
{
    struct swap_ref *ref = swap_acquire(&k->keys);
    return ref ? SWAP_OBJECT(ref, struct key_set, ref) : NULL;
}

static void keys_release(struct key_set *set)
{
    if (set)
        swap_release(&set->ref);
}

void keyring_init(struct keyring *k, const char *path, bool protect_all)
{
    k->path = path;
    k->protect_all = protect_all;
    swap_init(&k->keys);
    pthread_mutex_init(&k->lock, NULL);
    snprintf(k->counts[KEY_NAMES_MAX].name,
             sizeof k->counts[KEY_NAMES_MAX].name, "_other");
}

void keyring_destroy(struct keyring *k)
{
    swap_publish(&k->keys, NULL);
    pthread_mutex_destroy(&k->lock);
}

/* name's counter, added when new; the caller holds k->lock. */
static unsigned key_slot(struct keyring *k, const char *name)
{
    unsigned n = atomic_load_explicit(&k->names, memory_order_relaxed);
    for (unsigned i = 0; i < n; i++)
        if (strcmp(k->counts[i].name, name) == 0)
            return i;
    if (n == KEY_NAMES_MAX)
        return KEY_NAMES_MAX;
    snprintf(k->counts[n].name, sizeof k->counts[n].name, "%s", name);
    atomic_store_explicit(&k->names, n + 1, memory_order_release);
    return n;
}

/* The load itself; the caller holds k->lock. */
static int load_locked(struct keyring *k, struct errbuf *err)
{
    struct apikeys *keys;
    if (apikeys_load(&keys, k->path, err) < 0)
        return -1;
    size_t n = apikeys_count(keys);
    struct key_set *set = calloc(1, sizeof *set);
    unsigned *slot = set ? calloc(n, sizeof *slot) : NULL;
    if (!slot) {
        free(set);
        apikeys_free(keys);
        return err_set(err, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        slot[i] = key_slot(k, apikeys_name(keys, i));
    set->keys = keys;
    set->slot = slot;
    swap_ref_init(&set->ref, key_set_free);
    swap_publish(&k->keys, &set->ref);
    return 0;
}

int keyring_load(struct keyring *k, struct errbuf *err)
{
    pthread_mutex_lock(&k->lock);
    int rc = load_locked(k, err);
    pthread_mutex_unlock(&k->lock);
    return rc;
}

size_t keyring_loaded(struct keyring *k)
{
    struct key_set *set = keys_acquire(k);
    size_t n = set ? apikeys_count(set->keys) : 0;
    keys_release(set);
    return n;
}

const char *keyring_protected(const struct keyring *k)
{
    return k->protect_all ? "all but /healthz and /readyz" : "/v1/*";
}

bool keyring_needs_key(const struct keyring *k, const char *url)
{
    if (!k->path)
        return false;
    if (k->protect_all)
        return strcmp(url, "/healthz") != 0 && strcmp(url, "/readyz") != 0;
    return strncmp(url, "/v1", 3) == 0 && (url[3] == '\0' || url[3] == '/');
}

bool keyring_authorize(struct keyring *k, const char *authorization,
                       char *name)
{
    size_t len;
    const char *token = apikey_bearer(authorization, &len);
    if (!token)
        return false;
    struct key_set *set = keys_acquire(k);
    int i = set ? apikeys_find(set->keys, token, len) : -1;
    if (i >= 0) {
        METRIC_COUNT(k->counts[set->slot[i]].requests);
        snprintf(name, APIKEY_NAME_SIZE, "%s",
                 apikeys_name(set->keys, (size_t)i));
    }
    keys_release(set);
    return i >= 0;
}

void keyring_metrics_text(struct keyring *k, struct text *t)
{
    text_puts(t, "# HELP incomescore_api_key_requests_total Requests let "
                 "through, by API key name.\n"
                 "# TYPE incomescore_api_key_requests_total counter\n");
    unsigned n = atomic_load_explicit(&k->names, memory_order_acquire);
    for (unsigned i = 0; i < n; i++) {
        text_puts(t, "incomescore_api_key_requests_total{key=\"");
        metrics_label(t, k->counts[i].name);
        text_printf(t, "\"} %lu\n", METRIC_READ(k->counts[i].requests));
    }
    unsigned long others = METRIC_READ(k->counts[KEY_NAMES_MAX].requests);
    if (others)
        text_printf(t, "incomescore_api_key_requests_total{key=\"_other\"} "
                       "%lu\n", others);
    text_printf(t, "# HELP incomescore_api_keys_required 1 when requests "
                   "need an API key.\n"
                   "# TYPE incomescore_api_keys_required gauge\n"
                   "incomescore_api_keys_required %d\n"
                   "# HELP incomescore_api_keys_loaded API keys in the key "
                   "file loaded.\n"
                   "# TYPE incomescore_api_keys_loaded gauge\n"
                   "incomescore_api_keys_loaded %zu\n"
                   "# HELP incomescore_api_keys_reload_failures_total Key "
                   "files refused on reload (the old keys stayed).\n"
                   "# TYPE incomescore_api_keys_reload_failures_total "
                   "counter\n"
                   "incomescore_api_keys_reload_failures_total %lu\n",
                k->path ? 1 : 0, keyring_loaded(k),
                METRIC_READ(k->reload_failures));
}

/* ------------------------------------------------- the server's words */

void keyring_log_start(struct server *s)
{
    struct keyring *k = &s->keys;
    struct text extra = {0};
    size_t n = keyring_loaded(k);
    bool required = k->path != NULL;
    text_printf(&extra, "\"required\": %s, \"keys\": %zu",
                required ? "true" : "false", n);
    if (required) {
        log_member(&extra, "protected", keyring_protected(k));
        log_member(&extra, "path", k->path);
        log_event(s, "info", "api_keys", extra.p,
                  "API keys required on %s: %zu loaded from %s",
                  keyring_protected(k), n, k->path);
    } else {
        log_event(s, "info", "api_keys", extra.p,
                  "no API keys: every route is open");
    }
    free(extra.p);
}

int server_reload_keys(struct server *s, struct errbuf *err)
{
    struct keyring *k = &s->keys;
    if (!k->path)
        return 1;
    pthread_mutex_lock(&k->lock);
    int rc = load_locked(k, err);
    size_t n = keyring_loaded(k);
    pthread_mutex_unlock(&k->lock);
    struct text extra = {0};
    log_member(&extra, "path", k->path);
    text_printf(&extra, ", \"keys\": %zu", n);
    if (rc < 0) {
        METRIC_COUNT(k->reload_failures);
        log_event(s, "error", "api_keys_refused", extra.p,
                  "key file refused, the keys loaded before (%zu) stay: %s",
                  n, err->msg);
    } else {
        log_event(s, "info", "api_keys_reload", extra.p,
                  "API keys reloaded from %s: %zu", k->path, n);
    }
    free(extra.p);
    return rc;
}
