/*
 * metrics.c — the server's counters and their Prometheus text (see
 * metrics.h).
 */
#include "http/metrics.h"

#include <stdio.h>

#include "base/text.h"
#include "http/audit.h"
#include "registry/bundle.h"
#include "score/scoring.h"

static const int metric_statuses[METRIC_STATUS_COUNT] = {
    200, 307, 400, 401, 404, 405, 413, 415, 422, 500, 503};

/* Seconds; the last bucket is +Inf. */
static const double latency_bounds[METRIC_LATENCY_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
    0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

void metrics_request(struct metrics *m, enum route r, int status, uint64_t ns)
{
    size_t k = 0;
    while (k < METRIC_STATUS_COUNT && metric_statuses[k] != status)
        k++;
    METRIC_COUNT(m->requests[r][k]);
    double seconds = (double)ns / 1e9;
    size_t b = 0;
    while (b < METRIC_LATENCY_BUCKETS && seconds > latency_bounds[b])
        b++;
    METRIC_COUNT(m->latency[r][b]);
    METRIC_ADD(m->latency_ns[r], ns);
}

void metrics_score(struct metrics *m, const struct score *sc)
{
    METRIC_COUNT(m->score_band[sc->band >= 0 && sc->band < RULES_MAX_BANDS
                                   ? sc->band : RULES_MAX_BANDS]);
    METRIC_ADD(m->score_cents, (unsigned long)(sc->scoring * 100 + 0.5));
    METRIC_COUNT(m->scores);
    if (sc->segment >= 0 && sc->segment < SEGMENT_COUNT)
        METRIC_COUNT(m->segments[sc->segment]);
}

void metrics_label(struct text *t, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            text_printf(t, "\\%c", *p);
        else if (*p == '\n')
            text_puts(t, "\\n");
        else
            text_put(t, p, 1);
    }
}

static void requests_text(struct metrics *m, struct text *t)
{
    text_puts(t, "# HELP incomescore_http_requests_total HTTP requests "
                 "answered, by route and status.\n"
                 "# TYPE incomescore_http_requests_total counter\n");
    for (int r = 0; r < ROUTE_COUNT; r++)
        for (size_t k = 0; k <= METRIC_STATUS_COUNT; k++) {
            unsigned long n = METRIC_READ(m->requests[r][k]);
            if (!n)
                continue;
            if (k < METRIC_STATUS_COUNT)
                text_printf(t, "incomescore_http_requests_total{route=\"%s\","
                               "status=\"%d\"} %lu\n",
                            route_path(r), metric_statuses[k], n);
            else
                text_printf(t, "incomescore_http_requests_total{route=\"%s\","
                               "status=\"other\"} %lu\n", route_path(r), n);
        }
    text_puts(t, "# HELP incomescore_http_request_duration_seconds Time from "
                 "a request's headers to its queued answer.\n"
                 "# TYPE incomescore_http_request_duration_seconds "
                 "histogram\n");
    for (int r = 0; r < ROUTE_COUNT; r++) {
        unsigned long cumulative = 0;
        for (size_t b = 0; b <= METRIC_LATENCY_BUCKETS; b++) {
            cumulative += METRIC_READ(m->latency[r][b]);
            if (b < METRIC_LATENCY_BUCKETS)
                text_printf(t, "incomescore_http_request_duration_seconds_"
                               "bucket{route=\"%s\",le=\"%g\"} %lu\n",
                            route_path(r), latency_bounds[b], cumulative);
            else
                text_printf(t, "incomescore_http_request_duration_seconds_"
                               "bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                            route_path(r), cumulative);
        }
        text_printf(t, "incomescore_http_request_duration_seconds_sum"
                       "{route=\"%s\"} %.9f\n",
                    route_path(r), (double)METRIC_READ(m->latency_ns[r]) / 1e9);
        text_printf(t, "incomescore_http_request_duration_seconds_count"
                       "{route=\"%s\"} %lu\n", route_path(r), cumulative);
    }
}

static void scores_text(struct metrics *m, const struct bundle *live,
                        struct text *t)
{
    text_puts(t, "# HELP incomescore_score Scores answered; the buckets are "
                 "the rules' score bands.\n"
                 "# TYPE incomescore_score histogram\n");
    unsigned long cumulative = 0;
    int bands = live ? rules_band_count(live->scorer.rules) : 0;
    for (int i = 0; i < bands && i < RULES_MAX_BANDS; i++) {
        double from, to;
        const char *label, *color;
        rules_band(live->scorer.rules, i, &from, &to, &label, &color);
        cumulative += METRIC_READ(m->score_band[i]);
        text_printf(t, "incomescore_score_bucket{le=\"%g\"} %lu\n", to,
                    cumulative);
    }
    text_printf(t, "incomescore_score_bucket{le=\"+Inf\"} %lu\n",
                METRIC_READ(m->scores));
    text_printf(t, "incomescore_score_sum %.2f\n",
                (double)METRIC_READ(m->score_cents) / 100);
    text_printf(t, "incomescore_score_count %lu\n", METRIC_READ(m->scores));
    text_puts(t, "# HELP incomescore_segment_total Applicants scored, by "
                 "segment.\n# TYPE incomescore_segment_total counter\n");
    for (int i = 0; i < SEGMENT_COUNT; i++)
        text_printf(t, "incomescore_segment_total{segment=\"%c\"} %lu\n",
                    segment_letter(i), METRIC_READ(m->segments[i]));
}

static void model_text(struct metrics *m, const struct bundle *live,
                       struct text *t)
{
    text_puts(t, "# HELP incomescore_model_info The live model version.\n"
                 "# TYPE incomescore_model_info gauge\n");
    if (live) {
        text_puts(t, "incomescore_model_info{version=\"");
        metrics_label(t, live->id);
        text_puts(t, "\"} 1\n");
    }
    text_printf(t, "# HELP incomescore_model_ready 1 when a model is "
                   "loaded.\n# TYPE incomescore_model_ready gauge\n"
                   "incomescore_model_ready %d\n", live ? 1 : 0);
    text_printf(t, "# HELP incomescore_model_reloads_total Models swapped "
                   "in after the first.\n"
                   "# TYPE incomescore_model_reloads_total counter\n"
                   "incomescore_model_reloads_total %lu\n"
                   "# HELP incomescore_model_reload_failures_total Models "
                   "refused (the old one kept serving).\n"
                   "# TYPE incomescore_model_reload_failures_total counter\n"
                   "incomescore_model_reload_failures_total %lu\n",
                METRIC_READ(m->reloads), METRIC_READ(m->reload_failures));
    text_printf(t, "# HELP incomescore_header_deadline_closed_total "
                   "Connections closed because a request's headers were "
                   "not in within the header deadline.\n"
                   "# TYPE incomescore_header_deadline_closed_total counter\n"
                   "incomescore_header_deadline_closed_total %lu\n",
                METRIC_READ(m->header_deadline_cuts));
    text_printf(t, "# HELP incomescore_bucket_sync_failures_total Times the "
                   "bucket's live version could not be taken (refused by "
                   "its checks, or the bucket unreachable; the old model "
                   "kept serving), once per distinct reason in a row.\n"
                   "# TYPE incomescore_bucket_sync_failures_total counter\n"
                   "incomescore_bucket_sync_failures_total %lu\n",
                METRIC_READ(m->bucket_failures));
    text_printf(t, "# HELP incomescore_bucket_cache_repairs_total Times a "
                   "version in the local cache of the bucket failed its "
                   "checks (torn by a crash, damaged) and was pulled "
                   "again.\n"
                   "# TYPE incomescore_bucket_cache_repairs_total counter\n"
                   "incomescore_bucket_cache_repairs_total %lu\n",
                METRIC_READ(m->bucket_cache_repairs));
}

static void audit_text(struct metrics *m, const struct audit_stats *as,
                       struct text *t)
{
    text_printf(t, "# HELP incomescore_audit_records_total Audit records, "
                   "by outcome.\n"
                   "# TYPE incomescore_audit_records_total counter\n"
                   "incomescore_audit_records_total{outcome=\"queued\"} %llu\n"
                   "incomescore_audit_records_total{outcome=\"written\"} %llu\n"
                   "incomescore_audit_records_total{outcome=\"refused\"} %llu\n"
                   "incomescore_audit_records_total{outcome=\"failed_write\"} "
                   "%llu\n"
                   "incomescore_audit_records_total{outcome=\"unconfirmed\"} "
                   "%llu\n"
                   "# HELP incomescore_audit_failing 1 while the audit log "
                   "cannot write (decisions answer 503, its records are "
                   "held).\n"
                   "# TYPE incomescore_audit_failing gauge\n"
                   "incomescore_audit_failing %d\n"
                   "# HELP incomescore_audit_oldest_wait_seconds How long "
                   "the oldest queued audit record has waited for its "
                   "commit (0: none queued).\n"
                   "# TYPE incomescore_audit_oldest_wait_seconds gauge\n"
                   "incomescore_audit_oldest_wait_seconds %.3f\n"
                   "# HELP incomescore_audit_stalled 1 while that wait is "
                   "past the stall bound: the audit store does not answer "
                   "(/readyz is not ready).\n"
                   "# TYPE incomescore_audit_stalled gauge\n"
                   "incomescore_audit_stalled %d\n"
                   "# HELP incomescore_audit_reopened_total Times the audit "
                   "database file was found deleted or replaced and opened "
                   "again.\n"
                   "# TYPE incomescore_audit_reopened_total counter\n"
                   "incomescore_audit_reopened_total %llu\n"
                   "# HELP incomescore_audit_queue_depth Records waiting to "
                   "be written.\n"
                   "# TYPE incomescore_audit_queue_depth gauge\n"
                   "incomescore_audit_queue_depth %llu\n"
                   "# HELP incomescore_audit_waiting Requests waiting for "
                   "room in the audit queue.\n"
                   "# TYPE incomescore_audit_waiting gauge\n"
                   "incomescore_audit_waiting %llu\n"
                   "# HELP incomescore_audit_unavailable_total Decisions "
                   "withheld (503) because the audit log refused them.\n"
                   "# TYPE incomescore_audit_unavailable_total counter\n"
                   "incomescore_audit_unavailable_total %lu\n",
                (unsigned long long)as->queued,
                (unsigned long long)as->written,
                (unsigned long long)as->refused,
                (unsigned long long)as->failed_writes,
                (unsigned long long)as->unconfirmed, as->failing ? 1 : 0,
                (double)as->oldest_wait_ms / 1000.0, as->stalled ? 1 : 0,
                (unsigned long long)as->reopened,
                (unsigned long long)(as->queued > as->written +
                                                      as->failed_writes
                                         ? as->queued - as->written -
                                               as->failed_writes
                                         : 0),
                (unsigned long long)as->waiting,
                METRIC_READ(m->audit_unavailable));
}

void metrics_text(struct metrics *m, const struct bundle *live,
                  const struct audit_stats *as, struct text *t)
{
    requests_text(m, t);
    scores_text(m, live, t);
    model_text(m, live, t);
    audit_text(m, as, t);
}
