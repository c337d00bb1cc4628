/*
 * header_watch.h — the deadline for a request's headers (slowloris).
 * Private to src/http/.
 *
 * libmicrohttpd 0.9.75 calls the handler only once a request's headers
 * are whole, and its connection timeout restarts with every byte: a
 * client sending one header byte a second holds its connection for as
 * long as it likes. So every connection is watched from the moment it
 * is accepted, and again from each answer on (a keep-alive connection's
 * next request): when its headers are not in within the deadline, the
 * watch thread shuts the socket down, libmicrohttpd sees the end of the
 * stream and closes the connection as it would any other. The time a
 * keep-alive connection waits for its next request counts too, so the
 * deadline also bounds idleness (the idle timeout, shorter by default,
 * usually ends that first).
 *
 * A connection's socket is only shut down while it is on the watch list,
 * under the list's lock, and libmicrohttpd takes it off (the CLOSED
 * notification) before it closes the socket: the watch never touches a
 * descriptor that was closed and reused.
 */
#ifndef INCOMESCORE_HEADER_WATCH_H
#define INCOMESCORE_HEADER_WATCH_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct errbuf;
struct server;
struct watched_connection;

struct header_watch {
    pthread_mutex_t mu;
    struct watched_connection *head; /* under mu */
    pthread_t thread;
    atomic_bool stop;
    bool running;
    uint64_t deadline_ns;
};

/* Starts the watch thread; 0, or -1 with err filled. */
int header_watch_start(struct server *s, struct errbuf *err);
/* After the daemon stopped (no connection left). */
void header_watch_stop(struct server *s);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback (cls: the
 * server): adds an accepted connection to the watch, removes a closed
 * one. */
void header_watch_notify(void *cls, struct MHD_Connection *c,
                         void **socket_context,
                         enum MHD_ConnectionNotificationCode code);

/* A request's headers are in: the connection is off the clock. */
void header_watch_headers_in(struct MHD_Connection *c);
/* A request was answered: the clock starts again for the next one. */
void header_watch_answered(struct MHD_Connection *c);

#endif
