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
#include <stdatomic.h>
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

/* How many lines of the server log hold text. */
static int log_lines_with(const char *text)
{
    fflush(server_log);
    return test_lines_with(log_path, text, NULL);
}

/* A connection with a POST of `len` bytes in flight: its headers are
 * sent with Expect: 100-continue, and libmicrohttpd says "100 Continue"
 * only after the server's handler has taken them, so when this returns
 * the request holds its share of the body budget and counts as in
 * flight. Its body is the caller's to send. */
static int in_flight(const struct server *s, const char *path, size_t len)
{
    int fd = test_http_connect(s);
    char head[256], buf[256];
    snprintf(head, sizeof head,
             "POST %s HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nExpect: 100-continue\r\n"
             "Content-Length: %zu\r\n\r\n", path, len);
    test_http_send_text(fd, head);
    size_t got = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    buf[0] = '\0';
    while (!strstr(buf, "\r\n\r\n") && got + 1 < sizeof buf &&
           test_elapsed_ms(&t0) < 3000) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, buf + got, 1, 0); /* no further than its end */
        if (n <= 0)
            break;
        buf[got += (size_t)n] = '\0';
    }
    if (strcmp(buf, "HTTP/1.1 100 Continue\r\n\r\n") != 0)
        fail_msg("no 100 Continue: %s", buf);
    return fd;
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
        int fd = test_http_connect(s);
        char request[1024];
        snprintf(request, sizeof request,
                 "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/json\r\n%s\r\n"
                 "{}GET /v1/model HTTP/1.1\r\nHost: x\r\n\r\n",
                 cases[i].headers);
        test_http_send_text(fd, request);
        char buf[8192];
        bool closed;
        test_http_read(fd, buf, sizeof buf, 3000, true, &closed);
        close(fd);
        if (strncmp(buf, "HTTP/1.1 400 ", 13) != 0)
            fail_msg("case %zu answered: %s", i, buf);
        char want[160];
        snprintf(want, sizeof want,
                 "{\"detail\": \"ambiguous message length: %s\"}",
                 cases[i].message);
        assert_string_equal(test_http_body(buf), want);
        assert_non_null(strcasestr(buf, "\r\nConnection: close\r\n"));
        assert_true(closed);
        /* one response only: the smuggled GET got none */
        assert_null(strstr(test_http_body(buf), "HTTP/1.1"));
    }
    server_stop(s);
}

/* ------------------------------------------------------- item 7 */

static void *stop_server(void *arg)
{
    server_stop(arg);
    return NULL;
}

static long decisions_in(const char *db_path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) ==
            SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM decisions", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

/* Once the stop began, a keep-alive connection's next request is
 * answered 503 with Connection: close, unscored and unrecorded, while
 * the request in flight is still answered 200; the audit log then holds
 * exactly the decisions answered. */
static void after_stop_began_keep_alive_requests_are_refused(void **state)
{
    (void)state;
    char db[4096];
    snprintf(db, sizeof db, "%s/stop.sqlite3", work);
    size_t len = strlen(scored_request);
    struct server *s = start((struct server_config){
        .audit_sink = AUDIT_SQLITE, .audit_path = db, .timeout_s = 5});
    char head[256], buf[8192];
    test_http_post_head(head, sizeof head, "/v1/prediction", len);

    int kept = test_http_connect(s); /* keep-alive, one decision answered */
    test_http_send_text(kept, head);
    test_http_send_text(kept, scored_request);
    assert_int_equal(test_http_response(kept, buf, sizeof buf, 3000), 200);

    int slow = in_flight(s, "/v1/prediction", len);
    assert_true(test_http_try_send(slow, scored_request, len / 2));

    const char *stopping = "\"event\": \"stopping\"";
    int stops = log_lines_with(stopping);
    pthread_t stopper;
    pthread_create(&stopper, NULL, stop_server, s);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (log_lines_with(stopping) == stops && test_elapsed_ms(&t0) < 3000)
        usleep(2000);
    assert_int_equal(log_lines_with(stopping), stops + 1);

    test_http_send_text(kept, head);
    test_http_send_text(kept, scored_request);
    bool closed;
    test_http_read(kept, buf, sizeof buf, 3000, true, &closed);
    if (strncmp(buf, "HTTP/1.1 503 ", 13) != 0)
        fail_msg("after the stop began: %s", buf);
    assert_string_equal(test_http_body(buf),
                        "{\"detail\": \"the server is stopping\"}");
    assert_non_null(strcasestr(buf, "\r\nConnection: close\r\n"));
    assert_true(closed);
    close(kept);

    /* a new connection after the stop began is closed unanswered */
    int late = test_http_connect_from(s, "127.0.0.3");
    if (late >= 0) {
        test_http_try_send(late, "GET /healthz HTTP/1.1\r\n\r\n", 26);
        test_http_read(late, buf, sizeof buf, 3000, true, &closed);
        assert_string_equal(buf, "");
        assert_true(closed);
        close(late);
    }

    assert_true(test_http_try_send(slow, scored_request + len / 2, len - len / 2));
    test_http_read(slow, buf, sizeof buf, 3000, true, &closed);
    if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0)
        fail_msg("in flight at the stop: %s", buf);
    assert_non_null(strcasestr(buf, "\r\nConnection: close\r\n"));
    assert_true(closed);
    close(slow);
    pthread_join(stopper, NULL);
    assert_int_equal(decisions_in(db), 2);
}

struct churn {
    int port; /* the server is stopped (and freed) while this runs */
    atomic_bool done;
};

/* Connects and hangs up, again and again, until told to stop. */
static void *churn_run(void *arg)
{
    struct churn *c = arg;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)c->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    while (!atomic_load(&c->done)) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            connect(fd, (struct sockaddr *)&a, sizeof a);
            close(fd);
        }
    }
    return NULL;
}

/* Stopping while connections keep arriving: libmicrohttpd 0.9.75's
 * MHD_quiesce_daemon raced its own threads over the listening socket and
 * could abort the process ("Failed to remove listen FD from epoll set");
 * the stop no longer quiesces. Forty stops under churn, four threads
 * each. */
static void stopping_under_connection_churn_never_aborts(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++) {
        struct server *s = start((struct server_config){.threads = 4});
        struct churn c = {.port = server_port(s)};
        pthread_t t;
        pthread_create(&t, NULL, churn_run, &c);
        usleep(20000);
        server_stop(s);
        atomic_store(&c.done, true);
        pthread_join(t, NULL);
    }
}

/* ------------------------------------------------------- item 5 */

/* A client that writes its whole body before it reads (Python's
 * http.client, requests) reads the early refusals: over the limit (413,
 * whatever its Content-Type: another type is not refused by itself, as in
 * FastAPI), no key (401); and the connection stays usable. */
static void a_client_sending_its_whole_body_reads_the_refusal(void **state)
{
    (void)state;
    char keys[4096];
    snprintf(keys, sizeof keys, "%s/keys", work);
    /* a well-formed line whose key no one has */
    FILE *f = fopen(keys, "w");
    fputs("sha256:8e8dd4a1fd2a3cd6c2b5a4a0e1d0d5f0c3e2b1a0f9e8d7c6b5a4f3e2d1c0"
          "b9a8 nobody\n", f);
    fclose(f);
    struct server *s = start((struct server_config){0});
    struct server *keyed = start((struct server_config){.api_keys_path = keys});
    size_t len = 1000000; /* over 64 KiB, within what is drained */
    char *body = malloc(len);
    memset(body, ' ', len);
    body[0] = '{';
    body[len - 1] = '}';
    static const struct {
        bool keyed;
        const char *type;
        int status;
        const char *answer;
    } cases[] = {
        {false, "application/json", 413,
         "{\"detail\": \"request body is larger than 65536 bytes\"}"},
        {false, "text/plain", 413,
         "{\"detail\": \"request body is larger than 65536 bytes\"}"},
        {true, "application/json", 401,
         "{\"detail\": \"a valid API key is required (Authorization: "
         "Bearer <key>)\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = test_http_connect(cases[i].keyed ? keyed : s);
        char head[256], buf[8192];
        snprintf(head, sizeof head,
                 "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                 cases[i].type, len);
        test_http_send_text(fd, head);
        if (!test_http_try_send(fd, body, len))
            fail_msg("case %zu: the body was cut: %s", i, strerror(errno));
        if (test_http_response(fd, buf, sizeof buf, 3000) != cases[i].status)
            fail_msg("case %zu answered: %s (%s)", i, buf, strerror(errno));
        assert_string_equal(test_http_body(buf), cases[i].answer);
        if (!cases[i].keyed) { /* the same connection serves on */
            char next[256];
            test_http_post_head(next, sizeof next, "/v1/prediction",
                      strlen(scored_request));
            test_http_send_text(fd, next);
            test_http_send_text(fd, scored_request);
            assert_int_equal(test_http_response(fd, buf, sizeof buf, 3000), 200);
        }
        close(fd);
    }
    free(body);
    server_stop(keyed);
    server_stop(s);
}

/* ------------------------------------------------------- item 6 */

/* A body of `len` bytes: scored_request padded with spaces. */
static char *padded_request(size_t len)
{
    char *body = malloc(len);
    size_t n = strlen(scored_request);
    memset(body, ' ', len);
    memcpy(body, scored_request, n);
    return body;
}

/* Bodies in flight share max_bodies_in_flight: requests whose declared
 * bodies would go over it are answered 503 with Retry-After, without
 * their bodies being kept, those within it are scored, and what a
 * request held is given back when it is done (the budget is whole
 * again afterwards). */
static void bodies_in_flight_are_bounded_by_the_budget(void **state)
{
    (void)state;
    size_t len = 60000; /* 60,001 bytes held each: 3 fit in 200,000 */
    struct server *s = start((struct server_config){
        .max_bodies_in_flight = 200000, .timeout_s = 5});
    char *body = padded_request(len);
    char head[256], buf[8192];
    test_http_post_head(head, sizeof head, "/v1/prediction", len);
    int held[3];
    for (int i = 0; i < 3; i++)
        held[i] = in_flight(s, "/v1/prediction", len);
    for (int round = 0; round < 2; round++) {
        int over = test_http_connect(s);
        test_http_send_text(over, head);
        assert_true(test_http_try_send(over, body, len));
        if (test_http_response(over, buf, sizeof buf, 3000) != 503)
            fail_msg("over the budget: %s", buf);
        assert_string_equal(test_http_body(buf), "{\"detail\": \"too many request "
                                          "bodies in flight; retry\"}");
        assert_non_null(strcasestr(buf, "\r\nRetry-After: 1\r\n"));
        close(over);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(test_http_try_send(held[i], body, len));
        if (test_http_response(held[i], buf, sizeof buf, 3000) != 200)
            fail_msg("within the budget: %s", buf);
        close(held[i]);
    }
    /* all given back: three at once fit again */
    for (int i = 0; i < 3; i++)
        held[i] = in_flight(s, "/v1/prediction", len);
    for (int i = 0; i < 3; i++) {
        assert_true(test_http_try_send(held[i], body, len));
        assert_int_equal(test_http_response(held[i], buf, sizeof buf, 3000), 200);
        close(held[i]);
    }
    free(body);
    server_stop(s);
}

/* POSTs body to path on a connection of its own; the status, and the
 * response into buf. */
static int post(const struct server *s, const char *path, const char *body,
                size_t len, char *buf, size_t size)
{
    int fd = test_http_connect(s);
    char head[256];
    test_http_post_head(head, sizeof head, path, len);
    test_http_send_text(fd, head);
    if (!test_http_try_send(fd, body, len))
        fail_msg("send: %s", strerror(errno));
    int status = test_http_response(fd, buf, size, 10000);
    close(fd);
    return status;
}

/* A batch is sized from its text before it is parsed: too many items,
 * or too many JSON values for its items (parsing allocates per value),
 * are 413 without building them. Strings holding , [ { and escaped
 * quotes do not count. */
static void a_batch_is_sized_before_it_is_parsed(void **state)
{
    (void)state;
    struct server *s = start((struct server_config){0});
    char buf[8192];
    size_t size = 2 * 1024 * 1024;
    char *body = malloc(size);

    /* 2 MB of {}: 699,050 items, refused from the text */
    size_t len = 0, items = 0;
    body[len++] = '[';
    while (len + 4 <= size) {
        if (items++)
            body[len++] = ',';
        body[len++] = '{';
        body[len++] = '}';
    }
    body[len++] = ']';
    assert_int_equal(post(s, "/v1/predictions", body, len, buf, sizeof buf),
                     413);
    char want[256];
    snprintf(want, sizeof want, "{\"detail\": \"a batch holds at most %d "
             "requests; this one has %zu: split it\"}", SERVER_BATCH_MAX,
             items);
    assert_string_equal(test_http_body(buf), want);

    /* 10,001 items whose strings hold what a careless count would see */
    static const char tricky[] = "{\"lugar_actual\": \"a,[{\\\"]},\"}";
    len = 0;
    body[len++] = '[';
    for (int i = 0; i <= SERVER_BATCH_MAX; i++) {
        if (i)
            body[len++] = ',';
        memcpy(body + len, tricky, sizeof tricky - 1);
        len += sizeof tricky - 1;
    }
    body[len++] = ']';
    assert_int_equal(post(s, "/v1/predictions", body, len, buf, sizeof buf),
                     413);
    assert_string_equal(test_http_body(buf), "{\"detail\": \"a batch holds at most "
                        "10000 requests; this one has 10001: split it\"}");

    /* one item holding 330,000 numbers: 330,003 values (3 containers,
     * a colon, 329,999 commas) */
    len = (size_t)sprintf(body, "[{\"ingreso\": [");
    for (int i = 0; i < 330000; i++)
        len += (size_t)sprintf(body + len, i ? ",1" : "1");
    len += (size_t)sprintf(body + len, "]}]");
    assert_int_equal(post(s, "/v1/predictions", body, len, buf, sizeof buf),
                     413);
    assert_string_equal(test_http_body(buf), "{\"detail\": \"a batch holds at most "
                        "320000 JSON values; this one has 330003\"}");

    /* a batch within both is answered */
    len = (size_t)sprintf(body, "[%s, %s]", scored_request, scored_request);
    assert_int_equal(post(s, "/v1/predictions", body, len, buf, sizeof buf),
                     200);
    free(body);
    server_stop(s);
}

/* ------------------------------------------------------- item 1 */

/* Sends `byte` every 200 ms for up to 4 s (the servers below have a 5 s
 * idle timeout, which so never comes); whether the server closed the
 * connection meanwhile, answering nothing. */
static bool dribbled_until_cut(int fd, const char *byte)
{
    char buf[1024];
    for (int i = 0; i < 20; i++) {
        usleep(200000);
        if (!test_http_try_send(fd, byte, 1))
            return true;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 0) > 0) {
            bool closed;
            test_http_read(fd, buf, sizeof buf, 100, true, &closed);
            if (*buf)
                fail_msg("answered: %s", buf);
            if (closed)
                return true;
        }
    }
    return false;
}

/* A body sent a byte at a time, each within the idle timeout, is cut at
 * the body deadline: the connection is closed, nothing answered. */
static void a_body_dribbled_past_its_deadline_is_cut(void **state)
{
    (void)state;
    struct server *s = start((struct server_config){.body_deadline_s = 1,
                                                    .timeout_s = 5});
    int fd = in_flight(s, "/v1/prediction", 100);
    assert_true(dribbled_until_cut(fd, " "));
    close(fd);
    server_stop(s);
}

/* Headers sent a byte every 200 ms: the idle timeout (5 s) never comes,
 * the header deadline (1 s from the connection's start) does, and the
 * cut is logged and counted. */
static void headers_dribbled_past_their_deadline_are_cut(void **state)
{
    (void)state;
    struct server *s = start((struct server_config){.header_deadline_s = 1,
                                                    .timeout_s = 5});
    int fd = test_http_connect(s);
    test_http_send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-a: ");
    assert_true(dribbled_until_cut(fd, "a"));
    close(fd);

    static char metrics[1 << 17];
    fd = test_http_connect(s);
    test_http_send_text(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(test_http_response(fd, metrics, sizeof metrics, 3000), 200);
    assert_non_null(strstr(
        metrics, "\nincomescore_header_deadline_closed_total 1\n"));
    close(fd);
    server_stop(s);
    assert_int_equal(log_lines_with("\"event\": \"header_deadline\""), 1);
}

/* The deadline starts again at each answer: a keep-alive client whose
 * requests come within it is served on one connection, one that waits
 * past it is closed. */
static void the_header_deadline_starts_again_at_each_answer(void **state)
{
    (void)state;
    struct server *s = start((struct server_config){.header_deadline_s = 1,
                                                    .timeout_s = 5});
    int fd = test_http_connect(s);
    char buf[8192];
    for (int i = 0; i < 4; i++) {
        test_http_send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        if (test_http_response(fd, buf, sizeof buf, 3000) != 200)
            fail_msg("request %d: %s", i, buf);
        usleep(300000); /* 1.2 s on the connection in all, 0.3 s at a time */
    }
    bool closed;
    test_http_read(fd, buf, sizeof buf, 4000, true, &closed);
    assert_string_equal(buf, "");
    assert_true(closed);
    close(fd);
    server_stop(s);
}

struct slowloris {
    const struct server *server;
    int connections; /* to open, from 127.0.0.1 */
    int seconds;     /* one header byte a second on each, this long */
    atomic_bool ready;
    int opened;
};

/* Holds its connections and sends each a byte of a never-ending header
 * a second, ignoring what the server closes. */
static void *slowloris_run(void *arg)
{
    struct slowloris *sl = arg;
    int *fds = malloc((size_t)sl->connections * sizeof *fds);
    for (int i = 0; i < sl->connections; i++)
        if ((fds[i] = test_http_connect_from(sl->server, "127.0.0.1")) >= 0)
            sl->opened++;
    static const char line[] = "GET /healthz HTTP/1.1\r\nX-a: ";
    for (int i = 0; i < sl->connections; i++)
        if (fds[i] >= 0 && !test_http_try_send(fds[i], line, sizeof line - 2)) {
            close(fds[i]);
            fds[i] = -1;
        }
    atomic_store(&sl->ready, true);
    for (int t = 0; t < sl->seconds; t++) {
        sleep(1);
        for (int i = 0; i < sl->connections; i++)
            if (fds[i] >= 0 && !test_http_try_send(fds[i], "a", 1)) {
                close(fds[i]);
                fds[i] = -1;
            }
    }
    for (int i = 0; i < sl->connections; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    return NULL;
}

/* 1,100 connections from one address sending a header byte a second
 * take at most the per-address limit; a client from another address
 * (127.0.0.2: all of 127/8 is loopback) is answered within 1 s, every
 * time, for the 4 s the attack lasts. */
static void a_slowloris_on_1100_connections_leaves_others_served(void **state)
{
    (void)state;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 4096)
        skip(); /* the test's and the server's sockets do not fit */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 4096) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 8192
                          ? 8192 : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct server *s = start((struct server_config){0});
    struct slowloris sl = {.server = s, .connections = 1100, .seconds = 4};
    pthread_t attacker;
    pthread_create(&attacker, NULL, slowloris_run, &sl);
    while (!atomic_load(&sl.ready))
        usleep(10000);
    int answered = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (test_elapsed_ms(&t0) < 4000) {
        int fd = test_http_connect_from(s, "127.0.0.2");
        if (fd < 0)
            fail_msg("connect from 127.0.0.2: %s", strerror(errno));
        char head[256], buf[8192];
        test_http_post_head(head, sizeof head, "/v1/prediction", strlen(scored_request));
        bool sent = test_http_try_send(fd, head, strlen(head)) &&
                    test_http_try_send(fd, scored_request, strlen(scored_request));
        int status = sent ? test_http_response(fd, buf, sizeof buf, 1000) : 0;
        close(fd);
        if (status != 200)
            fail_msg("request %d during the attack (%d connections open): "
                     "%d %s", answered, sl.opened, status, buf);
        answered++;
        usleep(100000);
    }
    pthread_join(attacker, NULL);
    assert_true(answered >= 10);
    server_stop(s);
}

int suite_hostile(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_ambiguous_length_is_400_and_nothing_is_smuggled),
        cmocka_unit_test(after_stop_began_keep_alive_requests_are_refused),
        cmocka_unit_test(stopping_under_connection_churn_never_aborts),
        cmocka_unit_test(a_client_sending_its_whole_body_reads_the_refusal),
        cmocka_unit_test(bodies_in_flight_are_bounded_by_the_budget),
        cmocka_unit_test(a_batch_is_sized_before_it_is_parsed),
        cmocka_unit_test(a_body_dribbled_past_its_deadline_is_cut),
        cmocka_unit_test(headers_dribbled_past_their_deadline_are_cut),
        cmocka_unit_test(the_header_deadline_starts_again_at_each_answer),
        cmocka_unit_test(a_slowloris_on_1100_connections_leaves_others_served),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("hostile", tests, setup, teardown);
}
