/*
 * notify.c — the mail and the webhook of notify.h, through libcurl.
 *
 * libcurl speaks SMTP (STARTTLS, AUTH, MIME through curl_mime) and HTTP,
 * so one library carries both targets and verifies TLS the same way for
 * each. Every curl error is reworded with the target's redacted name; the
 * settings' password is handed to curl and never formatted anywhere.
 */
#include "pipeline/notify.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int copy_setting(char *dst, size_t size, const char *name,
                        const char *value, struct errbuf *err)
{
    if (strlen(value) >= size)
        return err_set(err, "%s: longer than %zu bytes", name, size - 1);
    strcpy(dst, value);
    return 0;
}

/* An address as it may go in a header and an SMTP command: no spaces,
 * line breaks, angle brackets or commas, and an '@' between two parts. */
static bool address_ok(const char *a)
{
    const char *at = strchr(a, '@');
    if (!at || at == a || at[1] == '\0' || strchr(at + 1, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>,;\"()[]\\", *p))
            return false;
    return true;
}

static bool has_scheme(const char *url, const char *const *schemes)
{
    for (; *schemes; schemes++)
        if (strncmp(url, *schemes, strlen(*schemes)) == 0 &&
            url[strlen(*schemes)] != '\0' && url[strlen(*schemes)] != '/')
            return true;
    return false;
}

static int set_smtp_url(struct notify_settings *s, const char *v,
                        struct errbuf *err)
{
    static const char *const schemes[] = {"smtp://", "smtps://", NULL};
    if (*v && !has_scheme(v, schemes))
        return err_set(err, "INCOMESCORE_SMTP_URL: '%.200s' is not "
                            "smtp://host[:port] or smtps://host[:port]", v);
    return copy_setting(s->smtp_url, sizeof s->smtp_url,
                        "INCOMESCORE_SMTP_URL", v, err);
}

const char *const notify_tls_names[] = {"required", "optional", "none",
                                         NULL};
const char *const notify_format_names[] = {"json", "slack", "teams", NULL};

/* v as the index of one of names (NULL-terminated; the first is the
 * default, which an empty v means), or -1 with err listing them. */
static int set_choice(int *out, const char *name, const char *v,
                      const char *const *names, struct errbuf *err)
{
    if (!*v) {
        *out = 0;
        return 0;
    }
    int n = 0;
    for (; names[n]; n++)
        if (strcmp(v, names[n]) == 0) {
            *out = n;
            return 0;
        }
    char list[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    return err_set(err, "%s: '%.100s' is not %s", name, v, list);
}

static int set_smtp_tls(struct notify_settings *s, const char *v,
                        struct errbuf *err)
{
    int i;
    if (set_choice(&i, "INCOMESCORE_SMTP_TLS", v, notify_tls_names, err) < 0)
        return -1;
    s->smtp_tls = (enum notify_tls)i;
    return 0;
}

static int set_smtp_user(struct notify_settings *s, const char *v,
                         struct errbuf *err)
{
    return copy_setting(s->smtp_user, sizeof s->smtp_user,
                        "INCOMESCORE_SMTP_USER", v, err);
}

static int set_smtp_password(struct notify_settings *s, const char *v,
                             struct errbuf *err)
{
    return copy_setting(s->smtp_password, sizeof s->smtp_password,
                        "INCOMESCORE_SMTP_PASSWORD", v, err);
}

static int set_smtp_ca_file(struct notify_settings *s, const char *v,
                            struct errbuf *err)
{
    return copy_setting(s->smtp_ca_file, sizeof s->smtp_ca_file,
                        "INCOMESCORE_SMTP_CA_FILE", v, err);
}

static int set_mail_from(struct notify_settings *s, const char *v,
                         struct errbuf *err)
{
    if (*v && !address_ok(v))
        return err_set(err, "INCOMESCORE_MAIL_FROM: '%.200s' is not a mail "
                            "address", v);
    return copy_setting(s->mail_from, sizeof s->mail_from,
                        "INCOMESCORE_MAIL_FROM", v, err);
}

static int set_mail_to(struct notify_settings *s, const char *v,
                       struct errbuf *err)
{
    int n = 0;
    const char *p = v;
    while (*p) {
        size_t len = strcspn(p, ",");
        while (len && isspace((unsigned char)*p))
            p++, len--;
        size_t end = len;
        while (end && isspace((unsigned char)p[end - 1]))
            end--;
        if (end) {
            if (n == NOTIFY_TO_MAX)
                return err_set(err, "INCOMESCORE_MAIL_TO: more than %d "
                                    "recipients", NOTIFY_TO_MAX);
            if (end >= NOTIFY_ADDR_MAX)
                return err_set(err, "INCOMESCORE_MAIL_TO: an address is "
                                    "longer than %d bytes",
                               NOTIFY_ADDR_MAX - 1);
            memcpy(s->mail_to[n], p, end);
            s->mail_to[n][end] = '\0';
            if (!address_ok(s->mail_to[n]))
                return err_set(err, "INCOMESCORE_MAIL_TO: '%s' is not a "
                                    "mail address", s->mail_to[n]);
            n++;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    s->mail_to_count = n;
    return 0;
}

static int set_webhook_url(struct notify_settings *s, const char *v,
                           struct errbuf *err)
{
    static const char *const schemes[] = {"http://", "https://", NULL};
    if (*v && !has_scheme(v, schemes)) {
        /* the URL may be a secret: name its scheme only */
        return err_set(err, "INCOMESCORE_WEBHOOK_URL: not an http:// or "
                            "https:// URL");
    }
    return copy_setting(s->webhook_url, sizeof s->webhook_url,
                        "INCOMESCORE_WEBHOOK_URL", v, err);
}

static int set_webhook_format(struct notify_settings *s, const char *v,
                              struct errbuf *err)
{
    int i;
    if (set_choice(&i, "INCOMESCORE_WEBHOOK_FORMAT", v, notify_format_names,
                   err) < 0)
        return -1;
    s->webhook_format = (enum notify_format)i;
    return 0;
}

static int set_timeout(struct notify_settings *s, const char *v,
                       struct errbuf *err)
{
    if (!*v) {
        s->timeout_seconds = 30;
        return 0;
    }
    char *end;
    long t = strtol(v, &end, 10);
    if (*end || end == v || t < 1 || t > 3600)
        return err_set(err, "INCOMESCORE_NOTIFY_TIMEOUT: '%.100s' is not a "
                            "number of seconds from 1 to 3600", v);
    s->timeout_seconds = t;
    return 0;
}

static const struct {
    const char *name;
    int (*set)(struct notify_settings *, const char *, struct errbuf *);
} settings_table[] = {
    {"INCOMESCORE_SMTP_URL", set_smtp_url},
    {"INCOMESCORE_SMTP_TLS", set_smtp_tls},
    {"INCOMESCORE_SMTP_USER", set_smtp_user},
    {"INCOMESCORE_SMTP_PASSWORD", set_smtp_password},
    {"INCOMESCORE_SMTP_CA_FILE", set_smtp_ca_file},
    {"INCOMESCORE_MAIL_FROM", set_mail_from},
    {"INCOMESCORE_MAIL_TO", set_mail_to},
    {"INCOMESCORE_WEBHOOK_URL", set_webhook_url},
    {"INCOMESCORE_WEBHOOK_FORMAT", set_webhook_format},
    {"INCOMESCORE_NOTIFY_TIMEOUT", set_timeout},
};
#define SETTINGS_COUNT (sizeof settings_table / sizeof settings_table[0])

void notify_settings_init(struct notify_settings *s)
{
    memset(s, 0, sizeof *s);
    s->smtp_tls = NOTIFY_TLS_REQUIRED;
    s->webhook_format = NOTIFY_FORMAT_JSON;
    s->timeout_seconds = 30;
}

int notify_settings_set(struct notify_settings *s, const char *name,
                        const char *value, struct errbuf *err)
{
    for (size_t i = 0; i < SETTINGS_COUNT; i++)
        if (strcmp(name, settings_table[i].name) == 0)
            return settings_table[i].set(s, value ? value : "", err);
    return err_set(err, "'%.100s' is not a notification setting", name);
}

int notify_settings_apply_env(struct notify_settings *s, struct errbuf *err)
{
    for (size_t i = 0; i < SETTINGS_COUNT; i++) {
        const char *v = getenv(settings_table[i].name);
        if (v && settings_table[i].set(s, v, err) < 0)
            return -1;
    }
    return 0;
}

int notify_settings_from_env(struct notify_settings *s, struct errbuf *err)
{
    notify_settings_init(s);
    if (notify_settings_apply_env(s, err) < 0)
        return -1;
    return notify_settings_check(s, err);
}

int notify_settings_check(const struct notify_settings *s,
                          struct errbuf *err)
{
    if (!s->smtp_url[0] && !s->webhook_url[0])
        return err_set(err, "no notification target: set "
                            "INCOMESCORE_SMTP_URL and/or "
                            "INCOMESCORE_WEBHOOK_URL");
    if (s->smtp_url[0]) {
        if (!s->mail_from[0])
            return err_set(err, "INCOMESCORE_SMTP_URL is set: "
                                "INCOMESCORE_MAIL_FROM is needed too");
        if (!s->mail_to_count)
            return err_set(err, "INCOMESCORE_SMTP_URL is set: "
                                "INCOMESCORE_MAIL_TO is needed too");
    }
    if (s->smtp_password[0] && !s->smtp_user[0])
        return err_set(err, "INCOMESCORE_SMTP_PASSWORD is set: "
                            "INCOMESCORE_SMTP_USER is needed too");
    if (s->smtp_password[0] && s->smtp_tls != NOTIFY_TLS_REQUIRED &&
        strncmp(s->smtp_url, "smtps://", 8) != 0)
        return err_set(err, "INCOMESCORE_SMTP_PASSWORD is set: refusing to "
                            "send it without TLS (INCOMESCORE_SMTP_TLS "
                            "must be required, or use smtps://)");
    return 0;
}

void notify_redact_url(const char *url, char *out, size_t size)
{
    const char *sep = strstr(url, "://");
    if (!sep) {
        snprintf(out, size, "(not a URL)");
        return;
    }
    const char *host = sep + 3;
    size_t auth_len = strcspn(host, "/?#");
    /* user:password@ ends at the authority's last '@' */
    for (size_t i = auth_len; i > 0; i--)
        if (host[i - 1] == '@') {
            auth_len -= i;
            host += i;
            break;
        }
    snprintf(out, size, "%.*s%.*s", (int)(sep + 3 - url), url,
             (int)auth_len, host);
}

/* ---- the webhook's payload -------------------------------------------- */

/* The summary as the caller wrote it, trimmed, once jansson agrees it is
 * one JSON object: re-encoding it would turn 0.91 into
 * 0.91000000000000003. NULL with err otherwise. */
static const char *summary_object(const char *text, size_t *len,
                                  struct errbuf *err)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        err_set(err, "summary: line %d: %s", jerr.line, jerr.text);
        return NULL;
    }
    bool object = json_is_object(v);
    json_decref(v);
    if (!object) {
        err_set(err, "summary: not a JSON object");
        return NULL;
    }
    while (isspace((unsigned char)*text))
        text++;
    *len = strlen(text);
    while (*len && isspace((unsigned char)text[*len - 1]))
        (*len)--;
    return text;
}

char *notify_webhook_payload(enum notify_format format,
                             const struct notify_message *msg,
                             struct errbuf *err)
{
    const char *subject = msg->subject ? msg->subject : "";
    const char *body = msg->body ? msg->body : "";
    const char *summary = NULL;
    size_t summary_len = 0;
    if (msg->summary_json && format == NOTIFY_FORMAT_JSON &&
        !(summary = summary_object(msg->summary_json, &summary_len, err)))
        return NULL;
    json_t *root = json_object();
    switch (format) {
    case NOTIFY_FORMAT_JSON:
        json_object_set_new(root, "subject", json_string(subject));
        json_object_set_new(root, "text", json_string(body));
        break;
    case NOTIFY_FORMAT_SLACK: {
        /* Slack's mrkdwn: *bold* title, the body below */
        size_t len = strlen(subject) + strlen(body) + 4;
        char *text = malloc(len);
        if (text) {
            snprintf(text, len, "*%s*\n%s", subject, body);
            json_object_set_new(root, "text", json_string(text));
            free(text);
        }
        break;
    }
    case NOTIFY_FORMAT_TEAMS:
        json_object_set_new(root, "@type", json_string("MessageCard"));
        json_object_set_new(root, "@context",
                            json_string("https://schema.org/extensions"));
        json_object_set_new(root, "summary", json_string(subject));
        json_object_set_new(root, "title", json_string(subject));
        json_object_set_new(root, "text", json_string(body));
        break;
    }
    char *head = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!head) {
        err_set(err, "webhook payload: out of memory, or the subject or "
                     "body is not UTF-8");
        return NULL;
    }
    if (!summary)
        return head;
    /* head is {...}: the summary goes in before its closing brace */
    size_t head_len = strlen(head);
    char *out = malloc(head_len + summary_len + 16);
    if (!out) {
        free(head);
        err_set(err, "webhook payload: out of memory");
        return NULL;
    }
    sprintf(out, "%.*s,\"summary\":%.*s}", (int)(head_len - 1), head,
            (int)summary_len, summary);
    free(head);
    return out;
}

/* ---- sending ------------------------------------------------------------ */

static size_t discard_body(char *p, size_t size, size_t n, void *user)
{
    (void)p, (void)user;
    return size * n;
}

/* The outcome of one curl transfer: the reply code, and what went wrong
 * in words a person acts on. The common failures are worded here (curl's
 * own add timings that vary from run to run); the rest are curl's. */
static void curl_outcome(struct notify_outcome *o, CURL *c, CURLcode rc,
                         const char *curl_err, long timeout)
{
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    o->status = code;
    switch (rc) {
    case CURLE_OK:
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(o->message, sizeof o->message, "the host name does not "
                 "resolve");
        break;
    case CURLE_COULDNT_CONNECT:
        snprintf(o->message, sizeof o->message, "could not connect to the "
                 "server");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(o->message, sizeof o->message, "no answer within %ld s",
                 timeout);
        break;
    case CURLE_LOGIN_DENIED:
        snprintf(o->message, sizeof o->message, "login denied (%ld): check "
                 "INCOMESCORE_SMTP_USER and INCOMESCORE_SMTP_PASSWORD", code);
        break;
    case CURLE_USE_SSL_FAILED:
        snprintf(o->message, sizeof o->message, "the server offers no "
                 "STARTTLS and INCOMESCORE_SMTP_TLS is required");
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        snprintf(o->message, sizeof o->message, "the server's certificate "
                 "is not trusted: %s", curl_err);
        break;
    default:
        snprintf(o->message, sizeof o->message, "%s", *curl_err ? curl_err
                 : curl_easy_strerror(rc));
    }
}

static void common_options(CURL *c, const struct notify_settings *s,
                           char *curl_err)
{
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_seconds);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->timeout_seconds);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
}

static void send_webhook(const struct notify_settings *s,
                         const struct notify_message *msg,
                         struct notify_outcome *o)
{
    struct errbuf err;
    char *payload = notify_webhook_payload(s->webhook_format, msg, &err);
    if (!payload) {
        snprintf(o->message, sizeof o->message, "%s", err.msg);
        return;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        free(payload);
        snprintf(o->message, sizeof o->message, "curl: out of memory");
        return;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    common_options(c, s, curl_err);
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, s->webhook_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    CURLcode rc = curl_easy_perform(c);
    curl_outcome(o, c, rc, curl_err, s->timeout_seconds);
    if (rc == CURLE_OK) {
        if (o->status >= 200 && o->status < 300) {
            o->ok = true;
            snprintf(o->message, sizeof o->message, "HTTP %ld", o->status);
        } else {
            snprintf(o->message, sizeof o->message, "HTTP %ld from the "
                     "webhook", o->status);
        }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    free(payload);
}

/* A header value as RFC 2047 asks when it is not plain ASCII:
 * =?UTF-8?B?<base64>?=. */
static char *header_text(const char *s)
{
    bool plain = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            plain = false;
    size_t len = strlen(s);
    if (plain)
        return strdup(s);
    char *out = malloc(4 * ((len + 2) / 3) + 16);
    if (!out)
        return NULL;
    strcpy(out, "=?UTF-8?B?");
    int n = EVP_EncodeBlock((unsigned char *)out + 10,
                            (const unsigned char *)s, (int)len);
    strcpy(out + 10 + n, "?=");
    return out;
}

static const char *attachment_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (dot && strcmp(dot, ".md") == 0)
        return "text/markdown; charset=utf-8";
    if (dot && strcmp(dot, ".json") == 0)
        return "application/json";
    if (dot && strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    return "application/octet-stream";
}

static struct curl_slist *mail_headers(const struct notify_settings *s,
                                       const struct notify_message *msg)
{
    char line[NOTIFY_TO_MAX * (NOTIFY_ADDR_MAX + 2) + 16];
    struct curl_slist *h = NULL;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
    h = curl_slist_append(h, date);
    snprintf(line, sizeof line, "From: %s", s->mail_from);
    h = curl_slist_append(h, line);
    size_t off = (size_t)snprintf(line, sizeof line, "To: ");
    for (int i = 0; i < s->mail_to_count; i++)
        off += (size_t)snprintf(line + off, sizeof line - off, "%s%s",
                                i ? ", " : "", s->mail_to[i]);
    h = curl_slist_append(h, line);
    char *subject = header_text(msg->subject ? msg->subject : "");
    if (subject) {
        char *sl = malloc(strlen(subject) + 16);
        if (sl) {
            sprintf(sl, "Subject: %s", subject);
            h = curl_slist_append(h, sl);
            free(sl);
        }
        free(subject);
    }
    return h;
}

static void send_mail(const struct notify_settings *s,
                      const struct notify_message *msg,
                      struct notify_outcome *o)
{
    const char *subject = msg->subject ? msg->subject : "";
    if (strpbrk(subject, "\r\n")) {
        snprintf(o->message, sizeof o->message, "the subject holds a line "
                 "break");
        return;
    }
    for (int i = 0; i < msg->attach_count; i++) {
        FILE *f = fopen(msg->attach[i], "rb");
        if (!f) {
            snprintf(o->message, sizeof o->message, "attachment %.300s: %m",
                     msg->attach[i]);
            return;
        }
        fclose(f);
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(o->message, sizeof o->message, "curl: out of memory");
        return;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    common_options(c, s, curl_err);
    curl_easy_setopt(c, CURLOPT_URL, s->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    long tls = s->smtp_tls == NOTIFY_TLS_REQUIRED ? CURLUSESSL_ALL
             : s->smtp_tls == NOTIFY_TLS_OPTIONAL ? CURLUSESSL_TRY
             : CURLUSESSL_NONE;
    curl_easy_setopt(c, CURLOPT_USE_SSL, tls);
    if (s->smtp_ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, s->smtp_ca_file);
    if (s->smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, s->smtp_password);
    }
    char from[NOTIFY_ADDR_MAX + 2];
    snprintf(from, sizeof from, "<%s>", s->mail_from);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    struct curl_slist *rcpt = NULL;
    for (int i = 0; i < s->mail_to_count; i++) {
        char to[NOTIFY_ADDR_MAX + 2];
        snprintf(to, sizeof to, "<%s>", s->mail_to[i]);
        rcpt = curl_slist_append(rcpt, to);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    struct curl_slist *headers = mail_headers(s, msg);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_data(part, msg->body ? msg->body : "", CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");
    for (int i = 0; i < msg->attach_count; i++) {
        part = curl_mime_addpart(mime);
        curl_mime_filedata(part, msg->attach[i]); /* names it by basename */
        curl_mime_type(part, attachment_type(msg->attach[i]));
        curl_mime_encoder(part, "base64");
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);

    CURLcode rc = curl_easy_perform(c);
    curl_outcome(o, c, rc, curl_err, s->timeout_seconds);
    if (rc == CURLE_OK) {
        o->ok = true;
        snprintf(o->message, sizeof o->message, "sent to %d recipient%s",
                 s->mail_to_count, s->mail_to_count == 1 ? "" : "s");
    }
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
}

int notify_send(const struct notify_settings *s,
                const struct notify_message *msg,
                struct notify_outcome out[NOTIFY_TARGETS_MAX], int *n,
                struct errbuf *err)
{
    *n = 0;
    if (notify_settings_check(s, err) < 0)
        return -1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(err, "notify: libcurl could not start");
    char name[NOTIFY_URL_MAX];
    if (s->smtp_url[0]) {
        struct notify_outcome *o = &out[(*n)++];
        memset(o, 0, sizeof *o);
        notify_redact_url(s->smtp_url, name, sizeof name);
        snprintf(o->target, sizeof o->target, "mail %s", name);
        send_mail(s, msg, o);
    }
    if (s->webhook_url[0]) {
        struct notify_outcome *o = &out[(*n)++];
        memset(o, 0, sizeof *o);
        notify_redact_url(s->webhook_url, name, sizeof name);
        snprintf(o->target, sizeof o->target, "webhook %s", name);
        send_webhook(s, msg, o);
    }
    curl_global_cleanup();

    int failed = 0;
    struct errbuf all = {""};
    size_t off = 0;
    for (int i = 0; i < *n; i++) {
        if (out[i].ok)
            continue;
        int w = snprintf(all.msg + off, sizeof all.msg - off, "%s%s: %s",
                         failed ? "; " : "", out[i].target, out[i].message);
        failed++;
        if (w < 0 || (size_t)w >= sizeof all.msg - off)
            break;
        off += (size_t)w;
    }
    if (failed)
        err_set(err, "%s", all.msg);
    return failed ? -1 : 0;
}
