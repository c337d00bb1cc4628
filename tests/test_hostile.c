/*
 * test_hostile.c — the HTTP server against clients that do not play
 * fair (issue 10): ambiguous message lengths (smuggling), requests on
 * keep-alive connections after the stop began, clients that send their
 * whole body before reading an early answer, bodies that would hold
 * more memory than the server allows, and slow clients holding many
 * connections. Each server is started in-process on an ephemeral
 * 127.0.0.1 port with the shared bundle (fixture_bundle.c) and spoken
 * to over raw sockets, since a well-behaved client library would not
 * send what these tests send. test_server.c covers the API itself.
 */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "http/server.h"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

static const char scored_request[] =
    "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "
    "\"semanasCotizadas\": 1000, \"edad\": 32, \"crecimiento_ingreso\": "
    "265.38, \"lugar_actual\": 18}";

static char *work;
static char log_path[4096];
static FILE *server_log;

static int setup(void **state)
{
    (void)state;
    if (!test_bundle())
        return -1;
    work = test_mkdtemp();
    snprintf(log_path, sizeof log_path, "%s/server.log", work);
    server_log = fopen(log_path, "w");
    return server_log ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fclose(server_log);
    test_rmtree(work);
    free(work);
    return 0;
}

/* A server of the shared bundle, unaudited unless cfg says otherwise;
 * cfg's zeros are the defaults. */
static struct server *start(struct server_config cfg)
{
    cfg.model_dir = test_bundle()->version_dir;
    if (!cfg.audit_path)
        cfg.audit_sink = AUDIT_OFF;
    cfg.log_stream = server_log;
    cfg.watch_interval_ms = -1;
    struct server *s;
    struct errbuf err;
    if (server_start(&s, &cfg, &err) < 0)
        fail_msg("%s", err.msg);
    return s;
}

/* Whether the server log has a line holding text. */
static bool log_has(const char *text)
{
    fflush(server_log);
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    FILE *f = fopen(log_path, "r");
    while (!found && getline(&line, &cap, f) > 0)
        found = strstr(line, text) != NULL;
    free(line);
    fclose(f);
    return found;
}

/* A connection to the server from the loopback address `from` (all of
 * 127/8 is loopback, so tests can be several clients); -1 when the
 * connection is refused. */
static int connect_from(const struct server *s, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
        fail_msg("bind %s: %s", from, strerror(errno));
    a.sin_port = htons((uint16_t)server_port(s));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_to(const struct server *s)
{
    int fd = connect_from(s, "127.0.0.1");
    if (fd < 0)
        fail_msg("connect: %s", strerror(errno));
    return fd;
}

/* Sends it all; false when the peer stopped taking it (reset, closed). */
static bool send_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

static void send_text(int fd, const char *text)
{
    if (!send_all(fd, text, strlen(text)))
        fail_msg("send: %s", strerror(errno));
}

static int elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int)((t.tv_sec - t0->tv_sec) * 1000 +
                 (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Reads until the server closes, a read fails or wait_ms pass: all
 * that arrived into buf (NUL-terminated); *closed says the server
 * closed (or reset) the connection. */
static size_t read_all(int fd, char *buf, size_t size, int wait_ms,
                       bool *closed)
{
    size_t got = 0;
    *closed = false;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int left; (left = wait_ms - elapsed_ms(&t0)) > 0 && got + 1 < size;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, buf + got, size - 1 - got, 0);
        if (n <= 0) {
            *closed = true;
            break;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    return got;
}

/* Reads one whole response (headers and Content-Length bytes) into buf,
 * or what came within wait_ms; the status, 0 when none came. */
static int read_response(int fd, char *buf, size_t size, int wait_ms)
{
    size_t got = 0;
    buf[0] = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int left; (left = wait_ms - elapsed_ms(&t0)) > 0 && got + 1 < size;) {
        const char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (end && cl && cl < end &&
            got - (size_t)(end + 4 - buf) >= strtoul(cl + 17, NULL, 10))
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, buf + got, size - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
    }
    int status = 0;
    sscanf(buf, "HTTP/1.1 %d", &status);
    return status;
}

static const char *body_of(const char *response)
{
    const char *b = strstr(response, "\r\n\r\n");
    return b ? b + 4 : "";
}

/* The request line and headers of a POST of `len` bytes of JSON. */
static void post_head(char *out, size_t size, const char *path, size_t len)
{
    snprintf(out, size,
             "POST %s HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n", path, len);
}

/* ------------------------------------------------------- item 4 */

/* Each ambiguous length is refused with 400 and the connection closed;
 * the request hidden behind it is never answered. */
static void an_ambiguous_length_is_400_and_nothing_is_smuggled(void **state)
{
    (void)state;
    struct server *s = start((struct server_config){0});
    static const struct {
        const char *headers;
        const char *message;
    } cases[] = {
        {"Content-Length: 2\r\nContent-Length: 30\r\n",
         "more than one Content-Length header"},
        {"Content-Length: 2\r\nContent-Length: 2\r\n",
         "more than one Content-Length header"},
        {"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
         "Content-Length together with Transfer-Encoding"},
        {"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n",
         "Content-Length together with Transfer-Encoding"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = connect_to(s);
        char request[1024];
        snprintf(request, sizeof request,
                 "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/json\r\n%s\r\n"
                 "{}GET /v1/model HTTP/1.1\r\nHost: x\r\n\r\n",
                 cases[i].headers);
        send_text(fd, request);
        char buf[8192];
        bool closed;
        read_all(fd, buf, sizeof buf, 3000, &closed);
        close(fd);
        if (strncmp(buf, "HTTP/1.1 400 ", 13) != 0)
            fail_msg("case %zu answered: %s", i, buf);
        char want[160];
        snprintf(want, sizeof want,
                 "{\"detail\": \"ambiguous message length: %s\"}",
                 cases[i].message);
        assert_string_equal(body_of(buf), want);
        assert_non_null(strcasestr(buf, "\r\nConnection: close\r\n"));
        assert_true(closed);
        /* one response only: the smuggled GET got none */
        assert_null(strstr(body_of(buf), "HTTP/1.1"));
    }
    server_stop(s);
}

int suite_hostile(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_ambiguous_length_is_400_and_nothing_is_smuggled),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("hostile", tests, setup, teardown);
}
