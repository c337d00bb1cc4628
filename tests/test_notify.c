/*
 * test_notify.c — pipeline/notify: the settings, the webhook's payload,
 * and both targets against real servers started here on 127.0.0.1: an
 * SMTP server (Debian's python3-aiosmtpd, tests/servers/smtp_server.py,
 * with STARTTLS on a certificate openssl makes for the test, and AUTH)
 * and an HTTP receiver (tests/servers/webhook_receiver.py). Each saves
 * what it received; the tests compare it whole.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/errbuf.h"
#include "base/fileio.h"
#include "pipeline/notify.h"
#include "pipeline/run_notify.h"
#include "test.h"

/* Debian's python, where python3-aiosmtpd is installed (a python3 earlier
 * on PATH may be another one without it). */
#define PYTHON "/usr/bin/python3"
#define SMTP_SCRIPT "tests/servers/smtp_server.py"
#define WEBHOOK_SCRIPT "tests/servers/webhook_receiver.py"

struct test_server {
    pid_t pid;
    char *dir;
    int port;
};

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Starts `script dir args...` and waits (10 s at most) for it to write
 * its port. */
static void server_start_script(struct test_server *s, const char *script,
                                const char *const *args)
{
    s->dir = test_mkdtemp();
    char *argv[16] = {(char *)PYTHON, (char *)script, s->dir};
    int argc = 3;
    for (; args && *args && argc < 15; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    char *log = path_in(s->dir, "server.log");
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        /* a test that fails before server_stop leaves the server up; it
         * goes with this process (and by its own alarm, 120 s) */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(PYTHON, argv);
        _exit(127);
    }
    free(log);
    char *port_file = path_in(s->dir, "port");
    s->port = 0;
    for (int i = 0; i < 200 && !s->port; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &s->port) != 1)
                s->port = 0;
            fclose(f);
        } else if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            break;
        } else {
            sleep_ms(50);
        }
    }
    free(port_file);
    if (!s->port)
        fail_msg("%s did not start (log in %s/server.log)", script, s->dir);
}

static void server_stop(struct test_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    test_rmtree(s->dir);
    free(s->dir);
}

/* A loopback port nothing listens on: bound, read, closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static char *read_in(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    struct errbuf err;
    size_t len;
    char *text = file_read_all(p, &len, &err);
    if (!text)
        fail_msg("%s", err.msg);
    free(p);
    return text;
}

static void assert_same_bytes(const char *dir, const char *name,
                              const char *expected_path)
{
    char *p = path_in(dir, name);
    struct errbuf err;
    size_t got_len, want_len;
    char *got = file_read_all(p, &got_len, &err);
    char *want = file_read_all(expected_path, &want_len, &err);
    assert_non_null(got);
    assert_non_null(want);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
    free(p);
}

static void settings_mail(struct notify_settings *s, int port,
                          const char *tls)
{
    struct errbuf err;
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    notify_settings_init(s);
    assert_int_equal(notify_settings_set(s, "INCOMESCORE_SMTP_URL", url, &err), 0);
    assert_int_equal(notify_settings_set(s, "INCOMESCORE_SMTP_TLS", tls, &err), 0);
    assert_int_equal(notify_settings_set(s, "INCOMESCORE_MAIL_FROM",
                                         "pipeline@incomescore.test", &err), 0);
    assert_int_equal(notify_settings_set(s, "INCOMESCORE_MAIL_TO",
                                         " ana@lender.test,  luis@lender.test ",
                                         &err), 0);
    assert_int_equal(notify_settings_set(s, "INCOMESCORE_NOTIFY_TIMEOUT", "10",
                                         &err), 0);
}

static void settings_webhook(struct notify_settings *s, int port,
                             const char *path)
{
    struct errbuf err;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    assert_int_equal(notify_settings_set(s, "INCOMESCORE_WEBHOOK_URL", url,
                                         &err), 0);
}

static const char body_text[] = "Decision: promoted v0002\n"
                                "R\xc2\xb2 0.91 (live 0.88)\n";
static const char summary_text[] =
    "{\"decision\": \"promoted\", \"r2\": 0.91, \"version\": \"v0002\"}\n";

/* ------------------------------------------------------------ settings */

static void settings_from_env_reads_every_variable(void **state)
{
    (void)state;
    setenv("INCOMESCORE_SMTP_URL", "smtps://mail.lender.test:465", 1);
    setenv("INCOMESCORE_SMTP_USER", "robot", 1);
    setenv("INCOMESCORE_SMTP_PASSWORD", "s3cret", 1);
    setenv("INCOMESCORE_SMTP_CA_FILE", "/etc/ca.pem", 1);
    setenv("INCOMESCORE_MAIL_FROM", "pipeline@lender.test", 1);
    setenv("INCOMESCORE_MAIL_TO", "ana@lender.test,luis@lender.test", 1);
    setenv("INCOMESCORE_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/X", 1);
    setenv("INCOMESCORE_WEBHOOK_FORMAT", "slack", 1);
    setenv("INCOMESCORE_NOTIFY_TIMEOUT", "12", 1);
    struct notify_settings s;
    struct errbuf err;
    int rc = notify_settings_from_env(&s, &err);
    unsetenv("INCOMESCORE_SMTP_URL");
    unsetenv("INCOMESCORE_SMTP_USER");
    unsetenv("INCOMESCORE_SMTP_PASSWORD");
    unsetenv("INCOMESCORE_SMTP_CA_FILE");
    unsetenv("INCOMESCORE_MAIL_FROM");
    unsetenv("INCOMESCORE_MAIL_TO");
    unsetenv("INCOMESCORE_WEBHOOK_URL");
    unsetenv("INCOMESCORE_WEBHOOK_FORMAT");
    unsetenv("INCOMESCORE_NOTIFY_TIMEOUT");
    assert_int_equal(rc, 0);
    assert_string_equal(s.smtp_url, "smtps://mail.lender.test:465");
    assert_int_equal(s.smtp_tls, NOTIFY_TLS_REQUIRED);
    assert_string_equal(s.smtp_user, "robot");
    assert_string_equal(s.smtp_password, "s3cret");
    assert_string_equal(s.smtp_ca_file, "/etc/ca.pem");
    assert_string_equal(s.mail_from, "pipeline@lender.test");
    assert_int_equal(s.mail_to_count, 2);
    assert_string_equal(s.mail_to[0], "ana@lender.test");
    assert_string_equal(s.mail_to[1], "luis@lender.test");
    assert_string_equal(s.webhook_url, "https://hooks.slack.com/services/T/B/X");
    assert_int_equal(s.webhook_format, NOTIFY_FORMAT_SLACK);
    assert_int_equal(s.timeout_seconds, 12);
}

static void expect_set_error(const char *name, const char *value,
                             const char *message)
{
    struct notify_settings s;
    struct errbuf err;
    notify_settings_init(&s);
    assert_int_equal(notify_settings_set(&s, name, value, &err), -1);
    assert_string_equal(err.msg, message);
}

static void settings_refuse_bad_values(void **state)
{
    (void)state;
    expect_set_error("INCOMESCORE_SMTP_TLS", "maybe",
                     "INCOMESCORE_SMTP_TLS: 'maybe' is not required, "
                     "optional or none");
    expect_set_error("INCOMESCORE_SMTP_URL", "http://mail.test",
                     "INCOMESCORE_SMTP_URL: 'http://mail.test' is not "
                     "smtp://host[:port] or smtps://host[:port]");
    expect_set_error("INCOMESCORE_MAIL_TO", "ana@lender.test, luis",
                     "INCOMESCORE_MAIL_TO: 'luis' is not a mail address");
    /* a header injection: the one '@' is fine, the line break is not */
    expect_set_error("INCOMESCORE_MAIL_FROM", "a@lender.test\r\nBcc: spy",
                     "INCOMESCORE_MAIL_FROM: 'a@lender.test\r\nBcc: spy' is "
                     "not a mail address");
    expect_set_error("INCOMESCORE_WEBHOOK_URL", "ftp://secret-path",
                     "INCOMESCORE_WEBHOOK_URL: not an http:// or https:// "
                     "URL");
    expect_set_error("INCOMESCORE_WEBHOOK_FORMAT", "xml",
                     "INCOMESCORE_WEBHOOK_FORMAT: 'xml' is not json, slack "
                     "or teams");
    expect_set_error("INCOMESCORE_NOTIFY_TIMEOUT", "0",
                     "INCOMESCORE_NOTIFY_TIMEOUT: '0' is not a number of "
                     "seconds from 1 to 3600");
    expect_set_error("INCOMESCORE_SMTP_PORT", "25",
                     "'INCOMESCORE_SMTP_PORT' is not a notification setting");
}

static void settings_check_what_goes_together(void **state)
{
    (void)state;
    struct notify_settings s;
    struct errbuf err;
    notify_settings_init(&s);
    assert_int_equal(notify_settings_check(&s, &err), -1);
    assert_string_equal(err.msg, "no notification target: set "
                                 "INCOMESCORE_SMTP_URL and/or "
                                 "INCOMESCORE_WEBHOOK_URL");
    notify_settings_set(&s, "INCOMESCORE_SMTP_URL", "smtp://m.test", &err);
    assert_int_equal(notify_settings_check(&s, &err), -1);
    assert_string_equal(err.msg, "INCOMESCORE_SMTP_URL is set: "
                                 "INCOMESCORE_MAIL_FROM is needed too");
    notify_settings_set(&s, "INCOMESCORE_MAIL_FROM", "a@m.test", &err);
    assert_int_equal(notify_settings_check(&s, &err), -1);
    assert_string_equal(err.msg, "INCOMESCORE_SMTP_URL is set: "
                                 "INCOMESCORE_MAIL_TO is needed too");
    notify_settings_set(&s, "INCOMESCORE_MAIL_TO", "b@m.test", &err);
    assert_int_equal(notify_settings_check(&s, &err), 0);
    notify_settings_set(&s, "INCOMESCORE_SMTP_PASSWORD", "hunter2", &err);
    assert_int_equal(notify_settings_check(&s, &err), -1);
    assert_string_equal(err.msg, "INCOMESCORE_SMTP_PASSWORD is set: "
                                 "INCOMESCORE_SMTP_USER is needed too");
    notify_settings_set(&s, "INCOMESCORE_SMTP_USER", "robot", &err);
    notify_settings_set(&s, "INCOMESCORE_SMTP_TLS", "optional", &err);
    assert_int_equal(notify_settings_check(&s, &err), -1);
    assert_string_equal(err.msg, "INCOMESCORE_SMTP_PASSWORD is set: "
                                 "refusing to send it without TLS "
                                 "(INCOMESCORE_SMTP_TLS must be required, "
                                 "or use smtps://)");
    notify_settings_set(&s, "INCOMESCORE_SMTP_URL", "smtps://m.test", &err);
    assert_int_equal(notify_settings_check(&s, &err), 0);
}

static void redacted_url_keeps_scheme_host_and_port_only(void **state)
{
    (void)state;
    char out[128];
    notify_redact_url("smtps://robot:hunter2@mail.lender.test:465/ehlo", out,
                      sizeof out);
    assert_string_equal(out, "smtps://mail.lender.test:465");
    notify_redact_url("https://hooks.slack.com/services/T0/B0/XXXX", out,
                      sizeof out);
    assert_string_equal(out, "https://hooks.slack.com");
    notify_redact_url("http://127.0.0.1:8080?token=x", out, sizeof out);
    assert_string_equal(out, "http://127.0.0.1:8080");
}

static void webhook_payload_in_each_format(void **state)
{
    (void)state;
    struct notify_message msg = {.subject = "Run 2024-06-30: promoted",
                                 .body = body_text,
                                 .summary_json = summary_text};
    struct errbuf err;
    char *p = notify_webhook_payload(NOTIFY_FORMAT_JSON, &msg, &err);
    assert_non_null(p);
    assert_string_equal(p, "{\"subject\":\"Run 2024-06-30: promoted\","
                           "\"text\":\"Decision: promoted v0002\\nR\xc2\xb2 "
                           "0.91 (live 0.88)\\n\",\"summary\":{\"decision\": "
                           "\"promoted\", \"r2\": 0.91, \"version\": "
                           "\"v0002\"}}");
    free(p);
    p = notify_webhook_payload(NOTIFY_FORMAT_SLACK, &msg, &err);
    assert_non_null(p);
    assert_string_equal(p, "{\"text\":\"*Run 2024-06-30: promoted*\\n"
                           "Decision: promoted v0002\\nR\xc2\xb2 0.91 (live "
                           "0.88)\\n\"}");
    free(p);
    p = notify_webhook_payload(NOTIFY_FORMAT_TEAMS, &msg, &err);
    assert_non_null(p);
    assert_string_equal(p, "{\"@type\":\"MessageCard\",\"@context\":"
                           "\"https://schema.org/extensions\",\"summary\":"
                           "\"Run 2024-06-30: promoted\",\"title\":\"Run "
                           "2024-06-30: promoted\",\"text\":\"Decision: "
                           "promoted v0002\\nR\xc2\xb2 0.91 (live 0.88)\\n\"}");
    free(p);
    msg.summary_json = "[1, 2]";
    assert_null(notify_webhook_payload(NOTIFY_FORMAT_JSON, &msg, &err));
    assert_string_equal(err.msg, "summary: not a JSON object");
    msg.summary_json = NULL;
    p = notify_webhook_payload(NOTIFY_FORMAT_JSON, &msg, &err);
    assert_string_equal(p, "{\"subject\":\"Run 2024-06-30: promoted\","
                           "\"text\":\"Decision: promoted v0002\\nR\xc2\xb2 "
                           "0.91 (live 0.88)\\n\"}");
    free(p);
}

/* ----------------------------------------------------------------- mail */

/* The run report's two files, with bytes a careless encoder would change:
 * CRLF and a lone CR, UTF-8, a line over 76 characters, no final newline. */
static void write_reports(const char *dir, char **html, char **md)
{
    *html = test_write_file(dir, "report.html",
                            "<!doctype html>\r\n<title>Ejecuci\xc3\xb3n</title>"
                            "\r<p>R\xc2\xb2 = 0.91 ....................................."
                            "...............................................</p>");
    *md = test_write_file(dir, "report.md",
                          "# Run 2024-06-30\n\n| stage | s |\n|---|---|\n"
                          "| etl | 1.2 |\n");
}

static void mail_received_with_body_and_attachments(void **state)
{
    (void)state;
    struct test_server smtp;
    server_start_script(&smtp, SMTP_SCRIPT, NULL);
    char *work = test_mkdtemp(), *html, *md;
    write_reports(work, &html, &md);
    struct notify_settings s;
    settings_mail(&s, smtp.port, "none");
    struct notify_message msg = {.subject = "Ejecuci\xc3\xb3n diaria: v0002 "
                                            "promovido",
                                 .body = body_text,
                                 .summary_json = summary_text,
                                 .attach = {html, md},
                                 .attach_count = 2};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), 0);
    assert_int_equal(n, 1);
    char target[64];
    snprintf(target, sizeof target, "mail smtp://127.0.0.1:%d", smtp.port);
    assert_string_equal(out[0].target, target);
    assert_true(out[0].ok);
    assert_int_equal(out[0].status, 250);
    assert_string_equal(out[0].message, "sent to 2 recipients");

    char *got = read_in(smtp.dir, "msg-1.json");
    assert_string_equal(got,
        "{\"attachments\": [{\"content_type\": \"text/html\", \"encoding\": "
        "\"base64\", \"file\": \"msg-1-att-1\", \"filename\": \"report.html\"}, "
        "{\"content_type\": \"text/markdown\", \"encoding\": \"base64\", "
        "\"file\": \"msg-1-att-2\", \"filename\": \"report.md\"}], \"body\": "
        "\"Decision: promoted v0002\\nR\xc2\xb2 0.91 (live 0.88)\\n\", "
        "\"body_encoding\": \"quoted-printable\", \"envelope_from\": "
        "\"pipeline@incomescore.test\", \"envelope_to\": [\"ana@lender.test\", "
        "\"luis@lender.test\"], \"from\": \"pipeline@incomescore.test\", "
        "\"login\": null, \"subject\": \"Ejecuci\xc3\xb3n diaria: v0002 "
        "promovido\", \"tls\": false, \"to\": \"ana@lender.test, "
        "luis@lender.test\"}");
    free(got);
    assert_same_bytes(smtp.dir, "msg-1-att-1", html);
    assert_same_bytes(smtp.dir, "msg-1-att-2", md);
    free(html);
    free(md);
    test_rmtree(work);
    free(work);
    server_stop(&smtp);
}

/* A certificate for 127.0.0.1 in dir (cert.pem, key.pem): the server's,
 * and the CA the client trusts. */
static void make_certificate(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
             "-keyout '%s/key.pem' -out '%s/cert.pem' >/dev/null 2>&1",
             dir, dir);
    assert_int_equal(system(cmd), 0);
}

static void mail_over_starttls_with_auth(void **state)
{
    (void)state;
    char *certs = test_mkdtemp();
    make_certificate(certs);
    char *cert = path_in(certs, "cert.pem"), *key = path_in(certs, "key.pem");
    const char *args[] = {"--tls", cert, key, "--auth", "robot", "hunter2",
                          NULL};
    struct test_server smtp;
    server_start_script(&smtp, SMTP_SCRIPT, args);
    struct notify_settings s;
    struct errbuf err;
    settings_mail(&s, smtp.port, "required");
    assert_int_equal(notify_settings_set(&s, "INCOMESCORE_SMTP_USER", "robot",
                                         &err), 0);
    assert_int_equal(notify_settings_set(&s, "INCOMESCORE_SMTP_PASSWORD",
                                         "hunter2", &err), 0);
    assert_int_equal(notify_settings_set(&s, "INCOMESCORE_SMTP_CA_FILE", cert,
                                         &err), 0);
    struct notify_message msg = {.subject = "Run: kept v0001", .body = "ok\n"};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), 0);
    assert_true(out[0].ok);
    char *got = read_in(smtp.dir, "msg-1.json");
    assert_string_equal(got,
        "{\"attachments\": [], \"body\": \"ok\\n\", \"body_encoding\": "
        "\"quoted-printable\", \"envelope_from\": "
        "\"pipeline@incomescore.test\", \"envelope_to\": [\"ana@lender.test\", "
        "\"luis@lender.test\"], \"from\": \"pipeline@incomescore.test\", "
        "\"login\": \"robot\", \"subject\": \"Run: kept v0001\", \"tls\": "
        "true, \"to\": \"ana@lender.test, luis@lender.test\"}");
    free(got);

    /* the wrong password: refused by the server, and never echoed */
    assert_int_equal(notify_settings_set(&s, "INCOMESCORE_SMTP_PASSWORD",
                                         "hunter3", &err), 0);
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    assert_false(out[0].ok);
    assert_int_equal(out[0].status, 535);
    char want[256];
    snprintf(want, sizeof want, "mail smtp://127.0.0.1:%d: login denied "
             "(535): check INCOMESCORE_SMTP_USER and "
             "INCOMESCORE_SMTP_PASSWORD", smtp.port);
    assert_string_equal(err.msg, want);

    /* a certificate the client does not trust: refused before AUTH */
    assert_int_equal(notify_settings_set(&s, "INCOMESCORE_SMTP_CA_FILE",
                                         "/dev/null", &err), 0);
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    assert_false(out[0].ok);
    assert_null(strstr(err.msg, "hunter"));
    free(cert);
    free(key);
    server_stop(&smtp);
    test_rmtree(certs);
    free(certs);
}

static void mail_tls_required_but_not_offered_is_refused(void **state)
{
    (void)state;
    struct test_server smtp;
    server_start_script(&smtp, SMTP_SCRIPT, NULL);
    struct notify_settings s;
    settings_mail(&s, smtp.port, "required");
    struct notify_message msg = {.subject = "x", .body = "y"};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    char want[256];
    snprintf(want, sizeof want, "mail smtp://127.0.0.1:%d: the server offers "
             "no STARTTLS and INCOMESCORE_SMTP_TLS is required", smtp.port);
    assert_string_equal(err.msg, want);
    /* nothing was sent in clear */
    char *p = path_in(smtp.dir, "msg-1.json");
    assert_int_equal(access(p, F_OK), -1);
    free(p);
    server_stop(&smtp);
}

static void mail_server_down_names_the_target(void **state)
{
    (void)state;
    int port = closed_port();
    struct notify_settings s;
    settings_mail(&s, port, "none");
    struct notify_message msg = {.subject = "x", .body = "y"};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].status, 0);
    char want[128];
    snprintf(want, sizeof want, "mail smtp://127.0.0.1:%d: could not connect "
             "to the server", port);
    assert_string_equal(err.msg, want);
}

static void mail_missing_attachment_fails_the_mail(void **state)
{
    (void)state;
    struct notify_settings s;
    settings_mail(&s, closed_port(), "none");
    struct notify_message msg = {.subject = "x", .body = "y",
                                 .attach = {"/nonexistent/report.html"},
                                 .attach_count = 1};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    assert_string_equal(out[0].message, "attachment /nonexistent/report.html: "
                                        "No such file or directory");
}

/* -------------------------------------------------------------- webhook */

static void webhook_receives_the_json_summary(void **state)
{
    (void)state;
    struct test_server hook;
    server_start_script(&hook, WEBHOOK_SCRIPT, NULL);
    struct notify_settings s;
    notify_settings_init(&s);
    settings_webhook(&s, hook.port, "/hooks/incomescore");
    struct notify_message msg = {.subject = "Run 2024-06-30: promoted",
                                 .body = body_text,
                                 .summary_json = summary_text};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), 0);
    assert_int_equal(n, 1);
    char target[64];
    snprintf(target, sizeof target, "webhook http://127.0.0.1:%d", hook.port);
    assert_string_equal(out[0].target, target);
    assert_int_equal(out[0].status, 200);
    assert_string_equal(out[0].message, "HTTP 200");
    char *body = read_in(hook.dir, "post-1.body");
    assert_string_equal(body, "{\"subject\":\"Run 2024-06-30: promoted\","
                              "\"text\":\"Decision: promoted v0002\\nR\xc2\xb2 "
                              "0.91 (live 0.88)\\n\",\"summary\":{\"decision\": "
                              "\"promoted\", \"r2\": 0.91, \"version\": "
                              "\"v0002\"}}");
    free(body);
    char *meta = read_in(hook.dir, "post-1.meta");
    assert_string_equal(meta, "/hooks/incomescore\napplication/json\n");
    free(meta);
    server_stop(&hook);
}

/* A finished pipeline run goes to both targets — the mail with its run
 * report attached, the webhook with run.json as the summary — and how
 * each went is written back into run.json. */
static void a_pipeline_run_is_told_and_recorded(void **state)
{
    (void)state;
    struct test_server smtp, hook;
    server_start_script(&smtp, SMTP_SCRIPT, NULL);
    server_start_script(&hook, WEBHOOK_SCRIPT, NULL);
    char *run = test_mkdtemp(), *html, *md;
    write_reports(run, &html, &md);
    static const char summary[] =
        "{\"run\": \"20240630T030000.000000Z-7\", \"status\": \"ended\", "
        "\"source\": \"docs.jsonl\", \"as_of\": \"2024-06-30\", "
        "\"decision\": \"promoted\", \"reasons\": [\"R2 0.998 >= 0.9\"], "
        "\"candidate\": \"v0004\", \"live_before\": \"v0003\", "
        "\"live_after\": \"v0004\"}";
    free(test_write_file(run, "run.json", summary));
    struct notify_settings s;
    settings_mail(&s, smtp.port, "none");
    settings_webhook(&s, hook.port, "/h");
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    if (run_notify(&s, run, out, &n, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(n, 2);
    assert_true(out[0].ok && out[1].ok);

    static const char text[] =
        "Run 20240630T030000.000000Z-7 (ended), source docs.jsonl as of "
        "2024-06-30.\nDecision: promoted v0004.\n  - R2 0.998 >= 0.9\n"
        "Live model: v0003 before, v0004 after.\nThe run report is "
        "attached (report.html, report.md).\n";
    char *mail = read_in(smtp.dir, "msg-1.json");
    json_t *m = json_loads(mail, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(m, "subject")),
                        "incomescore pipeline 20240630T030000.000000Z-7: "
                        "promoted v0004");
    assert_string_equal(json_string_value(json_object_get(m, "body")), text);
    assert_int_equal(json_array_size(json_object_get(m, "attachments")), 2);
    json_decref(m);
    free(mail);
    assert_same_bytes(smtp.dir, "msg-1-att-1", html);
    assert_same_bytes(smtp.dir, "msg-1-att-2", md);

    char *posted = read_in(hook.dir, "post-1.body");
    json_t *p = json_loads(posted, 0, NULL);
    json_t *want = json_loads(summary, 0, NULL);
    assert_true(json_equal(json_object_get(p, "summary"), want));
    assert_string_equal(json_string_value(json_object_get(p, "text")), text);
    json_decref(p);
    json_decref(want);
    free(posted);

    char *after = read_in(run, "run.json");
    json_t *doc = json_loads(after, 0, NULL);
    json_t *told = json_object_get(doc, "notify");
    assert_int_equal(json_array_size(told), 2);
    char target[64];
    snprintf(target, sizeof target, "mail smtp://127.0.0.1:%d", smtp.port);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(told, 0), "target")), target);
    assert_true(json_is_true(json_object_get(json_array_get(told, 0), "ok")));
    assert_true(json_is_true(json_object_get(json_array_get(told, 1), "ok")));
    assert_string_equal(json_string_value(json_object_get(doc, "decision")),
                        "promoted");
    json_decref(doc);
    free(after);
    free(html);
    free(md);
    test_rmtree(run);
    free(run);
    server_stop(&hook);
    server_stop(&smtp);
}

static void webhook_non_2xx_is_reported_with_its_status(void **state)
{
    (void)state;
    struct test_server hook;
    server_start_script(&hook, WEBHOOK_SCRIPT, NULL);
    struct notify_settings s;
    notify_settings_init(&s);
    settings_webhook(&s, hook.port, "/status/500");
    struct notify_message msg = {.subject = "x", .body = "y"};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    assert_false(out[0].ok);
    assert_int_equal(out[0].status, 500);
    char want[128];
    snprintf(want, sizeof want, "webhook http://127.0.0.1:%d: HTTP 500 from "
             "the webhook", hook.port);
    assert_string_equal(err.msg, want);
    server_stop(&hook);

    int port = closed_port();
    notify_settings_init(&s);
    settings_webhook(&s, port, "/x");
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    snprintf(want, sizeof want, "webhook http://127.0.0.1:%d: could not "
             "connect to the server", port);
    assert_string_equal(err.msg, want);
}

static void a_failed_target_does_not_stop_the_other(void **state)
{
    (void)state;
    struct test_server hook;
    server_start_script(&hook, WEBHOOK_SCRIPT, NULL);
    int port = closed_port();
    struct notify_settings s;
    settings_mail(&s, port, "none");
    settings_webhook(&s, hook.port, "/h");
    struct notify_message msg = {.subject = "s", .body = "b"};
    struct notify_outcome out[NOTIFY_TARGETS_MAX];
    int n;
    struct errbuf err;
    assert_int_equal(notify_send(&s, &msg, out, &n, &err), -1);
    assert_int_equal(n, 2);
    assert_false(out[0].ok);
    assert_true(out[1].ok);
    char want[128];
    snprintf(want, sizeof want, "mail smtp://127.0.0.1:%d: could not connect "
             "to the server", port);
    assert_string_equal(err.msg, want);
    char *body = read_in(hook.dir, "post-1.body");
    assert_string_equal(body, "{\"subject\":\"s\",\"text\":\"b\"}");
    free(body);
    server_stop(&hook);
}

int suite_notify(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_from_env_reads_every_variable),
        cmocka_unit_test(settings_refuse_bad_values),
        cmocka_unit_test(settings_check_what_goes_together),
        cmocka_unit_test(redacted_url_keeps_scheme_host_and_port_only),
        cmocka_unit_test(webhook_payload_in_each_format),
        cmocka_unit_test(mail_received_with_body_and_attachments),
        cmocka_unit_test(mail_over_starttls_with_auth),
        cmocka_unit_test(mail_tls_required_but_not_offered_is_refused),
        cmocka_unit_test(mail_server_down_names_the_target),
        cmocka_unit_test(mail_missing_attachment_fails_the_mail),
        cmocka_unit_test(webhook_receives_the_json_summary),
        cmocka_unit_test(webhook_non_2xx_is_reported_with_its_status),
        cmocka_unit_test(a_failed_target_does_not_stop_the_other),
        cmocka_unit_test(a_pipeline_run_is_told_and_recorded),
    };
    return RUN_SUITE("notify", tests, count);
}
