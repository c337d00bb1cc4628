/*
 * routes.h — the API's routes (server.h lists them with their answers):
 * which path is which route, whether it takes a POST, and the function
 * that answers it. Private to src/http/.
 *
 * The route is known from the request line, before any body is read,
 * so server.c can refuse a wrong method, a wrong Content-Type or a body
 * too large by route, and metrics.c can count every answer by route.
 */
#ifndef INCOMESCORE_ROUTES_H
#define INCOMESCORE_ROUTES_H

#include <stdbool.h>
#include <microhttpd.h>

enum route {
    ROUTE_PREDICTION,
    ROUTE_PREDICTIONS,
    ROUTE_HEALTHZ,
    ROUTE_READYZ,
    ROUTE_MODEL,
    ROUTE_META,
    ROUTE_REPORT,
    ROUTE_OPENAPI,
    ROUTE_DOCS,
    ROUTE_ROOT,
    ROUTE_METRICS,
    ROUTE_WEB,   /* a file of the analysts' page (web_files.h) */
    ROUTE_OTHER, /* not found */
    ROUTE_COUNT
};

struct exchange;

/* The route of a request's path; ROUTE_OTHER for any path not served.
 * ROUTE_WEB is never returned: the server, which holds the page's files,
 * turns a ROUTE_OTHER that names one of them into it (and "/" answers
 * index.html when there is one). */
enum route route_of(const char *url);

/* The route's path as /metrics labels it ("other" for ROUTE_OTHER). */
const char *route_path(enum route r);

/* Whether the route takes POST (with a JSON body) rather than GET/HEAD. */
bool route_is_post(enum route r);

/* Answers ex on its route, once the method is known to be allowed and,
 * for a POST, the whole body is in ex->body (terminated; it may hold a
 * NUL, which the request parser refuses as JSON does). */
enum MHD_Result route_answer(struct exchange *ex);

#endif
