/*
 * run_notify.h — a finished pipeline run told to people: its run.json
 * summary made into a notify.h message (subject, a short text, the
 * summary for a webhook, the run report attached) and sent, and how each
 * target went written back into run.json under "notify".
 *
 * A notification is told after the run and never changes its outcome:
 * the promotion stays, the exit status stays; a failed target is
 * reported and recorded.
 */
#ifndef INCOMESCORE_RUN_NOTIFY_H
#define INCOMESCORE_RUN_NOTIFY_H

#include "base/errbuf.h"
#include "pipeline/notify.h"

/* Sends the run in run_dir (its run.json, report.html and report.md) to
 * the targets of s, and records the outcomes in run.json. out[0..*n)
 * says how each target went. 0 when every target took it, -1 when any
 * failed or the run's files could not be read (err says which). */
int run_notify(const struct notify_settings *s, const char *run_dir,
               struct notify_outcome out[NOTIFY_TARGETS_MAX], int *n,
               struct errbuf *err);

#endif
