/*
 * metrics.h — the server's Prometheus counters and the text of GET
 * /metrics (the API keys' counters are keyring.h's). Private to
 * src/http/.
 *
 * Every counter is a relaxed atomic bumped where the event happens, so
 * the request path takes no lock; /metrics reads them one by one, and a
 * scrape may see one counter a request ahead of another.
 */
#ifndef INCOMESCORE_METRICS_H
#define INCOMESCORE_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "http/routes.h"
#include "score/rules.h"
#include "score/segments.h"

struct audit_stats;
struct bundle;
struct score;
struct text;

/* The statuses counted by name; any other is counted as "other". */
#define METRIC_STATUS_COUNT 11
/* Latency histogram bounds (metrics.c); the last bucket is +Inf. */
#define METRIC_LATENCY_BUCKETS 12

struct metrics {
    atomic_ulong requests[ROUTE_COUNT][METRIC_STATUS_COUNT + 1]; /* + other */
    atomic_ulong latency[ROUTE_COUNT][METRIC_LATENCY_BUCKETS + 1];
    atomic_ulong latency_ns[ROUTE_COUNT];
    atomic_ulong score_band[RULES_MAX_BANDS + 1]; /* + no band */
    atomic_ulong score_cents;
    atomic_ulong scores;
    atomic_ulong segments[SEGMENT_COUNT];
    atomic_ulong reloads, reload_failures; /* counted by live_model.c */
    atomic_ulong audit_unavailable;        /* counted by routes.c */
    atomic_ulong header_deadline_cuts;     /* counted by header_watch.c */
    atomic_ulong bucket_failures;          /* counted by bucket_watch.c */
    atomic_ulong bucket_cache_repairs;     /* counted by bucket_watch.c */
};

#define METRIC_COUNT(x) atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)
#define METRIC_ADD(x, n)                                                     \
    atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)
#define METRIC_READ(x) atomic_load_explicit(&(x), memory_order_relaxed)

/* One answer on route r with `status`, ns after its headers arrived. */
void metrics_request(struct metrics *m, enum route r, int status, uint64_t ns);

/* One score answered: its band, its value and its segment. */
void metrics_score(struct metrics *m, const struct score *sc);

/* The text of every counter here. live is the bundle serving (NULL: none
 * yet), whose rules' bands are the score histogram's buckets; as is the
 * audit log's (all zero without one). */
void metrics_text(struct metrics *m, const struct bundle *live,
                  const struct audit_stats *as, struct text *t);

/* value as a Prometheus label value: backslash, quote and newline
 * escaped. */
void metrics_label(struct text *t, const char *value);

#endif
