/*
 * notify.h — telling people how a run went: an email over SMTP and/or a
 * webhook POST, both through libcurl.
 *
 * Two targets, each optional, each reported on its own: the mail (text
 * body, the run report attached) and the webhook (a JSON summary, as
 * plain JSON or as a Slack or Teams message). A target that fails does
 * not stop the other, and nothing here undoes anything: the pipeline
 * reports a failed notification and keeps the model it promoted.
 *
 * Settings come from the environment (notify_settings_from_env) or from
 * any other key=value source through notify_settings_set, which takes
 * the same names, so a config file and the environment cannot disagree
 * on what a setting means:
 *
 *   INCOMESCORE_SMTP_URL        smtp://host[:port] (STARTTLS) or
 *                               smtps://host[:port] (TLS from the start)
 *   INCOMESCORE_SMTP_TLS        for smtp://: required (default), optional
 *                               (STARTTLS when offered) or none
 *   INCOMESCORE_SMTP_USER       login (AUTH), when the server wants one
 *   INCOMESCORE_SMTP_PASSWORD   its password
 *   INCOMESCORE_SMTP_CA_FILE    CA certificates to verify the server with
 *                               (default: the system's)
 *   INCOMESCORE_MAIL_FROM       sender address
 *   INCOMESCORE_MAIL_TO         recipients, comma-separated
 *   INCOMESCORE_WEBHOOK_URL     http:// or https:// URL to POST to
 *   INCOMESCORE_WEBHOOK_FORMAT  json (default), slack or teams
 *   INCOMESCORE_NOTIFY_TIMEOUT  seconds per target (default 30)
 *
 * Secrets: the password never appears in a message, and a target is named
 * by its scheme, host and port only ("smtp://mail.example.com:587"),
 * because a webhook URL's path (Slack's, Teams') is itself the secret and
 * an SMTP URL may carry user:password@. TLS certificates are always
 * verified; a password is refused over a connection without TLS.
 */
#ifndef INCOMESCORE_NOTIFY_H
#define INCOMESCORE_NOTIFY_H

#include <stdbool.h>

#include "base/errbuf.h"

#define NOTIFY_URL_MAX 1024
#define NOTIFY_ADDR_MAX 320 /* RFC 5321: 64 local + @ + 255 domain */
#define NOTIFY_TO_MAX 16
#define NOTIFY_SECRET_MAX 256
#define NOTIFY_ATTACH_MAX 4

/* The first of each is the default; the names, in the enums' order, are
 * what the settings take (NULL-terminated). */
enum notify_tls { NOTIFY_TLS_REQUIRED, NOTIFY_TLS_OPTIONAL, NOTIFY_TLS_NONE };
enum notify_format { NOTIFY_FORMAT_JSON, NOTIFY_FORMAT_SLACK, NOTIFY_FORMAT_TEAMS };
extern const char *const notify_tls_names[];
extern const char *const notify_format_names[];

/* Start from notify_settings_init (no target, the defaults above). */
struct notify_settings {
    char smtp_url[NOTIFY_URL_MAX];
    enum notify_tls smtp_tls;
    char smtp_user[NOTIFY_SECRET_MAX];
    char smtp_password[NOTIFY_SECRET_MAX];
    char smtp_ca_file[NOTIFY_URL_MAX];
    char mail_from[NOTIFY_ADDR_MAX];
    char mail_to[NOTIFY_TO_MAX][NOTIFY_ADDR_MAX];
    int mail_to_count;
    char webhook_url[NOTIFY_URL_MAX];
    enum notify_format webhook_format;
    long timeout_seconds;
};

void notify_settings_init(struct notify_settings *s);

/* Sets one setting by its name above (e.g. "INCOMESCORE_MAIL_TO"); an
 * empty value resets it to its default. -1 with err for an unknown name
 * or a bad value ("INCOMESCORE_SMTP_TLS: 'maybe' is not required,
 * optional or none"); a password's value is never quoted back. */
int notify_settings_set(struct notify_settings *s, const char *name,
                        const char *value, struct errbuf *err);

/* Every variable above that is set, over what s holds (a config file's
 * settings: the environment wins); no check. */
int notify_settings_apply_env(struct notify_settings *s, struct errbuf *err);

/* notify_settings_init, then every variable above that is set, then
 * notify_settings_check. */
int notify_settings_from_env(struct notify_settings *s, struct errbuf *err);

/* Whether the settings make sense together: a mail target needs a sender
 * and a recipient, a password needs a user and TLS, at least one target
 * is set. */
int notify_settings_check(const struct notify_settings *s,
                          struct errbuf *err);

/* What to say. Strings are UTF-8; subject and addresses may not hold a
 * line break (it would start a new mail header). summary_json, when set,
 * must be a JSON object: it is the webhook's "summary" (json format) and
 * is not mailed. Attachments are mailed as files named by their base
 * name; a missing file fails the mail target, not the webhook. */
struct notify_message {
    const char *subject;
    const char *body;
    const char *summary_json;
    const char *attach[NOTIFY_ATTACH_MAX];
    int attach_count;
};

/* How one target went. target is its redacted name ("mail
 * smtp://127.0.0.1:2525", "webhook http://127.0.0.1:8080"); status is
 * the server's last reply code (SMTP 250, HTTP 200) or 0 when none came;
 * message says what happened ("sent to 2 recipients", "HTTP 500 from
 * the webhook", "could not connect: Connection refused"). */
struct notify_outcome {
    char target[NOTIFY_URL_MAX + 16];
    bool ok;
    long status;
    char message[ERRBUF_SIZE];
};

#define NOTIFY_TARGETS_MAX 2

/* Sends msg to every target set (mail first, then webhook), each whether
 * or not the other worked; out[0..*n) says how each went. 0 when all
 * went, -1 when any failed or nothing could be tried, err then naming
 * the failed targets with their messages. */
int notify_send(const struct notify_settings *s,
                const struct notify_message *msg,
                struct notify_outcome out[NOTIFY_TARGETS_MAX], int *n,
                struct errbuf *err);

/* The JSON the webhook receives for msg in the given format, malloc'd
 * (caller frees), compact, UTF-8 as it is; NULL with err when the json
 * format's summary_json is not a JSON object.
 *   json:  {"subject": S, "text": BODY, "summary": SUMMARY}  (SUMMARY as
 *          the caller wrote it, outer whitespace trimmed: numbers keep
 *          their digits)
 *   slack: {"text": "*S*\nBODY"}
 *   teams: {"@type": "MessageCard", "@context":
 *           "https://schema.org/extensions", "summary": S, "title": S,
 *           "text": BODY}
 * "summary" is left out when msg has none; Slack and Teams get none. */
char *notify_webhook_payload(enum notify_format format,
                             const struct notify_message *msg,
                             struct errbuf *err);

/* url as scheme://host[:port], for naming it where others read: what
 * follows the authority, and user:password@, are left out. */
void notify_redact_url(const char *url, char *out, size_t size);

#endif
