/*
 * header_watch.c — the deadline for a request's headers (header_watch.h
 * says why and how it is safe).
 *
 * The request path touches only its own connection's two atomics (no
 * lock); the list's lock is taken when a connection opens or closes and
 * by the watch thread four times a second.
 */
#include "http/header_watch.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "http/internal.h"

#define WATCH_TICK_US 250000

struct watched_connection {
    int fd;
    _Atomic uint64_t since_ns; /* accepted, or last answered */
    atomic_bool headers_in;    /* a request is being read or answered */
    bool cut;                  /* shut down already (under the lock) */
    struct watched_connection *prev, *next;
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct watched_connection *watched(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void header_watch_notify(void *cls, struct MHD_Connection *c,
                         void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    struct header_watch *hw = &((struct server *)cls)->header_watch;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct watched_connection *w = info ? calloc(1, sizeof *w) : NULL;
        *socket_context = w;
        if (!w)
            return; /* unwatched: the idle timeout still applies */
        w->fd = info->connect_fd;
        atomic_store(&w->since_ns, monotonic_ns());
        pthread_mutex_lock(&hw->mu);
        w->next = hw->head;
        if (hw->head)
            hw->head->prev = w;
        hw->head = w;
        pthread_mutex_unlock(&hw->mu);
        return;
    }
    struct watched_connection *w = *socket_context;
    if (!w)
        return;
    *socket_context = NULL;
    pthread_mutex_lock(&hw->mu);
    if (w->prev)
        w->prev->next = w->next;
    else
        hw->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&hw->mu);
    free(w);
}

void header_watch_headers_in(struct MHD_Connection *c)
{
    struct watched_connection *w = watched(c);
    if (w)
        atomic_store_explicit(&w->headers_in, true, memory_order_relaxed);
}

void header_watch_answered(struct MHD_Connection *c)
{
    struct watched_connection *w = watched(c);
    if (!w)
        return;
    atomic_store_explicit(&w->since_ns, monotonic_ns(), memory_order_relaxed);
    atomic_store_explicit(&w->headers_in, false, memory_order_release);
}

/* Shuts down the connections past the deadline; how many. */
static unsigned sweep(struct header_watch *hw)
{
    uint64_t now = monotonic_ns();
    unsigned cut = 0;
    pthread_mutex_lock(&hw->mu);
    for (struct watched_connection *w = hw->head; w; w = w->next) {
        if (w->cut ||
            atomic_load_explicit(&w->headers_in, memory_order_acquire))
            continue;
        uint64_t since =
            atomic_load_explicit(&w->since_ns, memory_order_relaxed);
        if (now > since && now - since > hw->deadline_ns) {
            shutdown(w->fd, SHUT_RDWR);
            w->cut = true;
            cut++;
        }
    }
    pthread_mutex_unlock(&hw->mu);
    return cut;
}

static void *watch_main(void *arg)
{
    struct server *s = arg;
    struct header_watch *hw = &s->header_watch;
    while (!atomic_load(&hw->stop)) {
        usleep(WATCH_TICK_US);
        unsigned cut = sweep(hw);
        if (cut) {
            METRIC_ADD(s->metrics.header_deadline_cuts, cut);
            log_event(s, "warn", "header_deadline", NULL,
                      "closed %u connection%s whose request headers were "
                      "not in within %u s",
                      cut, cut == 1 ? "" : "s", s->cfg.header_deadline_s);
        }
    }
    return NULL;
}

int header_watch_start(struct server *s, struct errbuf *err)
{
    struct header_watch *hw = &s->header_watch;
    pthread_mutex_init(&hw->mu, NULL);
    hw->head = NULL;
    hw->deadline_ns = (uint64_t)s->cfg.header_deadline_s * 1000000000u;
    atomic_store(&hw->stop, false);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&hw->thread, NULL, watch_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&hw->mu);
        return err_set(err, "cannot start the header deadline thread: %s",
                       strerror(rc));
    }
    hw->running = true;
    return 0;
}

void header_watch_stop(struct server *s)
{
    struct header_watch *hw = &s->header_watch;
    if (!hw->running)
        return;
    atomic_store(&hw->stop, true);
    pthread_join(hw->thread, NULL);
    hw->running = false;
    pthread_mutex_destroy(&hw->mu);
}
