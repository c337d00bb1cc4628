/*
 * fixture_http.c — HTTP/1.1 spoken over a raw loopback socket, for the
 * clients a well-behaved library would not imitate (test_server.c,
 * test_hostile.c: split sends, ambiguous lengths, bodies sent after an
 * early answer, stalls), and the server-log line counts both read.
 *
 * Every read is bounded by a wait in milliseconds, so a server that
 * never answers fails the test instead of hanging the run.
 */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/server.h"

int test_http_connect_from(const struct server *s, const char *from)
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

int test_http_connect(const struct server *s)
{
    int fd = test_http_connect_from(s, "127.0.0.1");
    if (fd < 0)
        fail_msg("connect: %s", strerror(errno));
    return fd;
}

bool test_http_try_send(int fd, const char *data, size_t len)
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

void test_http_send(int fd, const char *data, size_t len)
{
    if (!test_http_try_send(fd, data, len))
        fail_msg("send: %s", strerror(errno));
}

void test_http_send_text(int fd, const char *text)
{
    test_http_send(fd, text, strlen(text));
}

int test_elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int)((t.tv_sec - t0->tv_sec) * 1000 +
                 (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Whether buf holds a whole response: headers and Content-Length bytes. */
static bool response_complete(const char *buf, size_t got)
{
    const char *end = strstr(buf, "\r\n\r\n");
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (!end || !cl || cl > end)
        return false;
    return got - (size_t)(end + 4 - buf) >= strtoul(cl + 17, NULL, 10);
}

size_t test_http_read(int fd, char *buf, size_t size, int wait_ms,
                      bool to_close, bool *closed)
{
    size_t got = 0;
    bool ended = false;
    buf[0] = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int left; (left = wait_ms - test_elapsed_ms(&t0)) > 0 &&
                   got + 1 < size;) {
        if (!to_close && response_complete(buf, got))
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, buf + got, size - 1 - got, 0);
        if (n <= 0) {
            ended = true;
            break;
        }
        got += (size_t)n;
        buf[got] = '\0';
    }
    if (closed)
        *closed = ended;
    return got;
}

int test_http_status(const char *response)
{
    int status = 0;
    sscanf(response, "HTTP/1.1 %d", &status);
    return status;
}

int test_http_response(int fd, char *buf, size_t size, int wait_ms)
{
    test_http_read(fd, buf, size, wait_ms, false, NULL);
    return test_http_status(buf);
}

const char *test_http_body(const char *response)
{
    const char *b = strstr(response, "\r\n\r\n");
    return b ? b + 4 : "";
}

void test_http_post_head(char *out, size_t size, const char *path,
                         size_t len)
{
    snprintf(out, size,
             "POST %s HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n", path, len);
}

int test_lines_with(const char *path, const char *text, const char *also)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    while (getline(&line, &cap, f) > 0)
        n += strstr(line, text) && (!also || strstr(line, also));
    free(line);
    fclose(f);
    return n;
}
