/*
 * test_server.c — the HTTP API as a client sees it: the real server,
 * started in-process on an ephemeral port with a small real registry
 * (the shared bundle of fixture_bundle.c as v0001), spoken to with
 * libcurl and with raw sockets where a client misbehaves. Whole
 * responses are compared with what the scoring core and the validation
 * answer in-process, so the server adds transport, never a second
 * opinion.
 */
#include "test.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/apikeys.h"
#include "registry/bundle.h"
#include "registry/manifest.h"
#include "registry/registry.h"
#include "score/request.h"
#include "score/rules.h"
#include "score/scoring.h"
#include "score/segments.h"
#include "http/server.h"
#include "base/fileio.h"
#include "base/sha256.h"
#include "base/version.h"

static char *work;
static char registry_path[4096];
static char audit_path[4096], log_path[4096];
static struct registry *registry;
static struct bundle *v1;   /* v0001, loaded in-process for comparison */
static char v1_dir[4096];   /* its directory: the model_dir of the tests'
                             * own servers, which keep the string */
static struct server *server;
static FILE *server_log;
static char base[64];

static const char first_request[] =
    "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "
    "\"semanasCotizadas\": 1000, \"edad\": 32, \"crecimiento_ingreso\": "
    "265.38, \"lugar_actual\": 18}";
static const char second_request[] =
    "{\"ingreso\": 1000, \"antiguedad_laboral_meses\": 0, "
    "\"tiempo_desempleado\": 13, \"trabajos_ultimos_5\": 2, "
    "\"semanasCotizadas\": 198, \"edad\": 29, \"crecimiento_ingreso\": 0, "
    "\"lugar_actual\": 5}";

/* ------------------------------------------------------------ fixtures */

/* Trains a version into the registry from the shared bundle's dataset
 * and parameters with another seed; its id goes to id. */
static int train_version(uint64_t seed, char *id)
{
    struct errbuf err;
    char staging[4096];
    if (registry_stage(registry, staging, sizeof staging, &err) < 0)
        return -1;
    const struct test_bundle *shared = test_bundle();
    if (test_train_bundle(shared->dataset, shared->params, seed, staging,
                          &err) < 0 ||
        registry_commit(registry, staging, id, &err) < 0) {
        print_error("%s\n", err.msg);
        registry_discard(registry, staging);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    struct errbuf err;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    work = test_mkdtemp();
    snprintf(registry_path, sizeof registry_path, "%s/registry", work);
    if (registry_create(&registry, registry_path, &err) < 0)
        return -1;
    char id[REGISTRY_ID_SIZE];
    if (test_bundle_commit(registry, id, &err) < 0 ||
        registry_version_path(registry, id, v1_dir, sizeof v1_dir, &err) < 0 ||
        bundle_load(&v1, v1_dir, &err) < 0) {
        print_error("%s\n", err.msg);
        return -1;
    }

    snprintf(audit_path, sizeof audit_path, "%s/audit.sqlite3", work);
    snprintf(log_path, sizeof log_path, "%s/server.log", work);
    server_log = fopen(log_path, "w");
    struct server_config cfg = {
        .port = 0,
        .registry_dir = registry_path,
        .timeout_s = 1,
        .watch_interval_ms = -1, /* reloads are the tests' to make */
        .audit_sink = AUDIT_SQLITE,
        .audit_path = audit_path,
        .log_stream = server_log,
    };
    if (server_start(&server, &cfg, &err) < 0) {
        print_error("%s\n", err.msg);
        return -1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", server_port(server));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    server_stop(server);
    if (server_log)
        fclose(server_log);
    bundle_free(v1);
    registry_close(registry);
    test_rmtree(work);
    free(work);
    curl_global_cleanup();
    return 0;
}

/* ------------------------------------------------------------- client */

struct reply {
    long status;
    char *body;
    size_t len;
    char headers[8192];
    size_t headers_len;
};

static size_t collect_body(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    char *b = realloc(r->body, r->len + size * n + 1);
    if (!b)
        return 0;
    memcpy(b + r->len, p, size * n);
    r->body = b;
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t collect_header(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    size_t k = size * n;
    if (r->headers_len + k < sizeof r->headers) {
        memcpy(r->headers + r->headers_len, p, k);
        r->headers_len += k;
        r->headers[r->headers_len] = '\0';
    }
    return k;
}

/* One request; body may be NULL (none). `headers` are extra header lines
 * separated by '\n'. */
static void http_at(const char *at, const char *method, const char *path,
                    const char *headers, const char *body, size_t len,
                    struct reply *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    char url[4096];
    snprintf(url, sizeof url, "%s%s", at, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    char copy[2048];
    snprintf(copy, sizeof copy, "%s", headers ? headers : "");
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
        list = curl_slist_append(list, line);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    if (!r->body)
        r->body = strdup("");
}

static void http(const char *method, const char *path, const char *headers,
                 const char *body, size_t len, struct reply *r)
{
    http_at(base, method, path, headers, body, len, r);
}

static void post_json(const char *path, const char *body, struct reply *r)
{
    http("POST", path, "Content-Type: application/json", body, strlen(body),
         r);
}

/* A request to at with a JSON Content-Type, `X-Request-Id: id` (none
 * when id is NULL) and `Authorization: Bearer key` (none when key is
 * NULL); body may be NULL (none). */
static void http_as(const char *at, const char *method, const char *path,
                    const char *id, const char *key, const char *body,
                    struct reply *r)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Content-Type: application/json%s%s%s%s",
             id ? "\nX-Request-Id: " : "", id ? id : "",
             key ? "\nAuthorization: Bearer " : "", key ? key : "");
    http_at(at, method, path, headers, body, body ? strlen(body) : 0, r);
}

static void reply_free(struct reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* A header's value (case-insensitive name) into out; 0 if present. */
static int header_value(const struct reply *r, const char *name, char *out,
                        size_t size)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t k = (size_t)(end - v);
            while (k && (v[k - 1] == '\r' || v[k - 1] == ' '))
                k--;
            snprintf(out, size, "%.*s", (int)k, v);
            return 0;
        }
        line = *end ? end + 1 : end;
    }
    return -1;
}

static json_t *reply_json(const struct reply *r)
{
    json_error_t e;
    json_t *j = json_loadb(r->body, r->len, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, r->body);
    return j;
}

/* What the scoring core answers in-process for a request text. */
static void expected_answer(const struct bundle *b, const char *request,
                            char *out, size_t size)
{
    struct applicant a;
    struct request_errors errs;
    char msg[256];
    assert_int_equal(request_parse_text(request, strlen(request), &b->scorer.rd, &a,
                                        &errs, msg, sizeof msg), 0);
    struct score sc;
    score_applicant(&b->scorer, &a, &sc);
    score_format_json(&b->scorer, &sc, out, size);
}

/* A server of cfg, started or the test fails with why; its URL into at.
 * The server keeps cfg's strings: the caller's must outlive it. */
static struct server *start_at(const struct server_config *cfg, char *at,
                               size_t size)
{
    struct server *started;
    struct errbuf err;
    if (server_start(&started, cfg, &err) < 0)
        fail_msg("%s", err.msg);
    snprintf(at, size, "http://127.0.0.1:%d", server_port(started));
    return started;
}

/* A server of v0001 that audits nothing, with the key file keys (NULL:
 * none; the caller's string must outlive the server) and protect_all as
 * given; its URL into at. */
static struct server *start_v1(const char *keys, bool protect_all, char *at,
                               size_t size)
{
    struct server_config cfg = {.model_dir = v1_dir,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log,
                                .api_keys_path = keys,
                                .protect_all = protect_all};
    return start_at(&cfg, at, size);
}

/* Whether the server log has a line holding both a and b (a alone when b
 * is NULL). */
static bool log_has(const char *a, const char *b)
{
    fflush(server_log);
    return test_lines_with(log_path, a, b) > 0;
}

/* ------------------------------------------------------------- tests */

static void healthz_answers_ok(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/healthz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\": \"ok\"}");
    char ct[128];
    assert_int_equal(header_value(&r, "Content-Type", ct, sizeof ct), 0);
    assert_string_equal(ct, "application/json");
    reply_free(&r);
}

/* SPEC §7: the original's two requests; the whole response is the
 * scoring core's, the contract's two fields first. */
static void the_original_requests_score_as_in_process(void **s)
{
    (void)s;
    const char *const requests[] = {first_request, second_request};
    for (int i = 0; i < 2; i++) {
        struct reply r;
        post_json("/v1/prediction", requests[i], &r);
        assert_int_equal(r.status, 200);
        char expected[4096];
        expected_answer(v1, requests[i], expected, sizeof expected);
        assert_string_equal(r.body, expected);
        assert_true(strncmp(r.body, "{\"scoring\": ", 12) == 0);
        json_t *j = reply_json(&r);
        double score = json_number_value(json_object_get(j, "scoring"));
        assert_true(score >= 300 && score <= 850);
        double cents = score * 100;
        assert_true(cents - (double)(long long)(cents + 0.5) < 1e-6 &&
                    (double)(long long)(cents + 0.5) - cents < 1e-6);
        const char *cluster = json_string_value(json_object_get(j, "cluster"));
        assert_non_null(cluster);
        assert_int_equal(strlen(cluster), 1);
        assert_true(cluster[0] >= 'A' && cluster[0] <= 'D');
        const char *keys[2];
        int k = 0;
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) {
            if (k < 2)
                keys[k++] = key;
        }
        (void)v;
        assert_string_equal(keys[0], "scoring");
        assert_string_equal(keys[1], "cluster");
        assert_string_equal(json_string_value(json_object_get(j,
                                                              "model_version")),
                            "v0001");
        json_decref(j);
        reply_free(&r);
    }
}

/* ?explain=1 adds the model's explanation, as score_format_explained
 * makes it in process; FastAPI's other truthy and falsy strings work; any
 * other value is FastAPI's 422 for a bool query parameter. */
static void explain_adds_the_models_explanation(void **s)
{
    (void)s;
    struct applicant a;
    struct request_errors errs;
    char msg[256], expected[4096], plain[4096];
    assert_int_equal(request_parse_text(first_request, strlen(first_request),
                                        &v1->scorer.rd, &a, &errs, msg,
                                        sizeof msg), 0);
    struct score sc;
    score_applicant(&v1->scorer, &a, &sc);
    score_format_explained(&v1->scorer, &a, &sc, expected, sizeof expected);
    score_format_json(&v1->scorer, &sc, plain, sizeof plain);
    struct reply r;
    static const char *const yes[] = {"1", "true", "YES", "on"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/prediction?explain=%s", yes[i]);
        post_json(path, first_request, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, expected);
        reply_free(&r);
    }
    post_json("/v1/prediction?explain=false", first_request, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, plain);
    reply_free(&r);
    post_json("/v1/prediction?explain=maybe", first_request, &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.body,
        "{\"detail\": [{\"type\": \"bool_parsing\", \"loc\": [\"query\", "
        "\"explain\"], \"msg\": \"Input should be a valid boolean, unable "
        "to interpret input\", \"input\": \"maybe\"}]}");
    reply_free(&r);
    /* a batch: each scored item explained, a bad one in place */
    char batch[4096];
    snprintf(batch, sizeof batch, "[%s, {}]", first_request);
    post_json("/v1/predictions?explain=1", batch, &r);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.body, "[", 1) == 0);
    assert_true(strncmp(r.body + 1, expected, strlen(expected)) == 0);
    reply_free(&r);
}

/* A request with one field changed: `field` set to the raw JSON `value`
 * (NULL: removed). */
static void request_with(char *out, size_t size, const char *field,
                         const char *value)
{
    json_t *j = json_loads(first_request, JSON_PRESERVE_ORDER, NULL);
    json_object_del(j, field);
    char *text = json_dumps(j, JSON_PRESERVE_ORDER);
    json_decref(j);
    size_t n = strlen(text);
    if (value)
        snprintf(out, size, "%.*s, \"%s\": %s}", (int)(n - 1), text, field,
                 value);
    else
        snprintf(out, size, "%s", text);
    free(text);
}

/* Every rule of request.h answered 422 with FastAPI's shape, the field
 * named, and exactly the errors the validation gives in-process. */
static void each_validation_rule_is_422_naming_the_field(void **s)
{
    (void)s;
    static const struct {
        const char *field, *value, *named;
    } cases[] = {
        {"ingreso", "-1", "ingreso"},
        {"antiguedad_laboral_meses", "-1", "antiguedad_laboral_meses"},
        {"tiempo_desempleado", "-1", "tiempo_desempleado"},
        {"trabajos_ultimos_5", "-1", "trabajos_ultimos_5"},
        {"semanasCotizadas", "-1", "semanasCotizadas"},
        {"edad", "17", "edad"},
        {"edad", "81", "edad"},
        {"lugar_actual", "32", "lugar_actual"},
        {"lugar_actual", "-1", "lugar_actual"},
        {"lugar_actual", "\"Atlantis\"", "lugar_actual"},
        {"edad", NULL, "edad"},                /* missing */
        {"edad", "\"x32\"", "edad"},           /* wrong type */
        {"edad", "32.5", "edad"},              /* not whole */
        {"edad", "null", "edad"},
        {"ingreso", "1e12", "ingreso"},        /* absurd magnitude */
        {"semanasCotizadas", "[1000]", "semanasCotizadas"},
        {"tiempo_desempleado", "3", "tiempo_desempleado"}, /* with antigüedad */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024];
        request_with(body, sizeof body, cases[i].field, cases[i].value);
        struct reply r;
        post_json("/v1/prediction", body, &r);
        if (r.status != 422)
            fail_msg("%s: status %ld, body %s", body, r.status, r.body);
        struct applicant a;
        struct request_errors errs;
        char msg[256];
        assert_int_equal(request_parse_text(body, strlen(body), &v1->scorer.rd, &a,
                                            &errs, msg, sizeof msg), -1);
        json_t *sent = request_json(body, strlen(body));
        json_t *expected = request_errors_json(&errs, sent);
        json_decref(sent);
        json_t *got = reply_json(&r);
        if (!json_equal(expected, got))
            fail_msg("%s: got %s", body, r.body);
        char loc[128];
        snprintf(loc, sizeof loc, "[\"body\",\"%s\"]", cases[i].named);
        if (!strstr(r.body, loc))
            fail_msg("%s: %s not named in %s", body, cases[i].named, r.body);
        json_decref(expected);
        json_decref(got);
        reply_free(&r);
    }
    /* ingreso 0 with growth: the original's rule */
    const char *zero = "{\"ingreso\": 0, \"antiguedad_laboral_meses\": 50, "
                       "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "
                       "\"semanasCotizadas\": 1000, \"edad\": 32, "
                       "\"crecimiento_ingreso\": 5, \"lugar_actual\": 18}";
    struct reply r;
    post_json("/v1/prediction", zero, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "[\"body\",\"crecimiento_ingreso\"]"));
    reply_free(&r);
}

/* As FastAPI + pydantic 2 answer it: 422 with json_invalid at Python's
 * character offset, in Python's words (this was a 400 with a string
 * detail, which the original's clients could not iterate over). */
static void malformed_json_is_422_json_invalid(void **s)
{
    (void)s;
    static const struct {
        const char *body, *answer;
    } cases[] = {
        {"{\"edad\": ",
         "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",9],\"msg\":"
         "\"JSON decode error\",\"input\":{},\"ctx\":{\"error\":\"Expecting "
         "value\"}}]}"},
        {"not json",
         "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",0],\"msg\":"
         "\"JSON decode error\",\"input\":{},\"ctx\":{\"error\":\"Expecting "
         "value\"}}]}"},
        {"{\"edad\": 32,}",
         "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",12],\"msg\":"
         "\"JSON decode error\",\"input\":{},\"ctx\":{\"error\":\"Expecting "
         "property name enclosed in double quotes\"}}]}"},
        /* no body at all: the model is missing */
        {"", "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":"
             "\"Field required\",\"input\":null}]}"},
        /* JSON, not an object */
        {"[1]", "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":"
                "[\"body\"],\"msg\":\"Input should be a valid dictionary or "
                "object to extract fields from\",\"input\":[1]}]}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct reply r;
        post_json("/v1/prediction", cases[i].body, &r);
        if (r.status != 422 || strcmp(r.body, cases[i].answer) != 0)
            fail_msg("'%s': status %ld %s", cases[i].body, r.status, r.body);
        reply_free(&r);
    }
    /* the batch route reads JSON the same way, and wants a list */
    struct reply r;
    post_json("/v1/predictions", "[{},", &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.body,
                        "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":"
                        "[\"body\",4],\"msg\":\"JSON decode error\",\"input\":"
                        "{},\"ctx\":{\"error\":\"Expecting value\"}}]}");
    reply_free(&r);
    post_json("/v1/predictions", "{\"edad\": 32}", &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.body,
                        "{\"detail\":[{\"type\":\"list_type\",\"loc\":"
                        "[\"body\"],\"msg\":\"Input should be a valid list\","
                        "\"input\":{\"edad\":32}}]}");
    reply_free(&r);
}

/* pydantic's lax mode, over HTTP: numeric strings and whole floats are
 * scored as the numbers they spell. */
static void lax_coercions_are_scored_as_pydantic_reads_them(void **s)
{
    (void)s;
    static const char lax[] =
        "{\"ingreso\": \"45000\", \"antiguedad_laboral_meses\": 50.0, "
        "\"tiempo_desempleado\": \" 0 \", \"trabajos_ultimos_5\": true, "
        "\"semanasCotizadas\": \"1_000\", \"edad\": \"32\", "
        "\"crecimiento_ingreso\": \"265.38\", \"lugar_actual\": \"18\"}";
    struct reply r, want;
    post_json("/v1/prediction", lax, &r);
    post_json("/v1/prediction", first_request, &want);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, want.body);
    reply_free(&r);
    reply_free(&want);
}

/* 413 from the Content-Length alone: the server answers before the
 * client has sent any of the body. */
static void an_oversized_body_is_413_before_it_is_read(void **s)
{
    (void)s;
    char *big = malloc(70000);
    memset(big, ' ', 70000);
    big[0] = '{';
    big[69999] = '}';
    struct reply r;
    http("POST", "/v1/prediction", "Content-Type: application/json", big,
         70000, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "{\"detail\": \"request body is larger than "
                                "65536 bytes\"}");
    reply_free(&r);
    free(big);

    int fd = test_http_connect(server);
    const char *head = "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: 1000000000\r\n\r\n";
    test_http_send(fd, head, strlen(head));
    char buf[2048];
    bool closed;
    test_http_read(fd, buf, sizeof buf, 500, false, &closed);
    if (strncmp(buf, "HTTP/1.1 413", 12) != 0)
        fail_msg("answered: %s", buf);
    close(fd);

    /* chunked, no length: read, dropped, then refused */
    fd = test_http_connect(server);
    const char *chunked = "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
    test_http_send(fd, chunked, strlen(chunked));
    char chunk[8200];
    int n = snprintf(chunk, sizeof chunk, "2000\r\n");
    memset(chunk + n, ' ', 0x2000);
    memcpy(chunk + n + 0x2000, "\r\n", 2);
    for (int i = 0; i < 9; i++)
        test_http_send(fd, chunk, (size_t)n + 0x2000 + 2);
    test_http_send(fd, "0\r\n\r\n", 5);
    test_http_read(fd, buf, sizeof buf, 1000, false, &closed);
    if (strncmp(buf, "HTTP/1.1 413", 12) != 0)
        fail_msg("chunked answered: %s", buf);
    close(fd);
}

/* FastAPI reads a body as JSON when there is no Content-Type or it is
 * application/json or application/...+json; any other body is validated
 * as a string: 422 model_attributes_type, its input the text (this was
 * 415, which the original never answered). */
static void a_body_of_another_content_type_is_422_model_attributes_type(
    void **s)
{
    (void)s;
    struct reply r;
    http("POST", "/v1/prediction", "Content-Type: text/plain", "{\"a\": 1}", 8,
         &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.body,
                        "{\"detail\":[{\"type\":\"model_attributes_type\","
                        "\"loc\":[\"body\"],\"msg\":\"Input should be a valid "
                        "dictionary or object to extract fields from\","
                        "\"input\":\"{\\\"a\\\": 1}\"}]}");
    reply_free(&r);
    http("POST", "/v1/prediction", NULL, first_request, strlen(first_request),
         &r); /* curl's default: application/x-www-form-urlencoded */
    assert_int_equal(r.status, 422);
    reply_free(&r);
    http("POST", "/v1/prediction", "Content-Type: application/jsonp",
         first_request, strlen(first_request), &r);
    assert_int_equal(r.status, 422);
    reply_free(&r);
    http("POST", "/v1/predictions", "Content-Type: text/plain", "[]", 2, &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.body,
                        "{\"detail\":[{\"type\":\"list_type\",\"loc\":"
                        "[\"body\"],\"msg\":\"Input should be a valid list\","
                        "\"input\":\"[]\"}]}");
    reply_free(&r);
    static const char *const json_types[] = {
        "Content-Type: Application/JSON; charset=utf-8",
        "Content-Type: application/vnd.api+json",
        "Content-Type:", /* curl sends none */
    };
    for (size_t i = 0; i < sizeof json_types / sizeof json_types[0]; i++) {
        http("POST", "/v1/prediction", json_types[i], first_request,
             strlen(first_request), &r);
        if (r.status != 200)
            fail_msg("%s: %ld %s", json_types[i], r.status, r.body);
        reply_free(&r);
    }
}

static void other_methods_are_405_with_allow(void **s)
{
    (void)s;
    static const struct {
        const char *method, *path, *allow;
    } cases[] = {
        {"GET", "/v1/prediction", "POST"},
        {"PUT", "/v1/prediction", "POST"},
        {"DELETE", "/v1/predictions", "POST"},
        {"POST", "/healthz", "GET, HEAD"},
        {"PATCH", "/v1/meta", "GET, HEAD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct reply r;
        http(cases[i].method, cases[i].path, "Content-Type: application/json",
             NULL, 0, &r);
        assert_int_equal(r.status, 405);
        char allow[64];
        assert_int_equal(header_value(&r, "Allow", allow, sizeof allow), 0);
        assert_string_equal(allow, cases[i].allow);
        assert_string_equal(r.body, "{\"detail\": \"Method Not Allowed\"}");
        reply_free(&r);
    }
    struct reply r;
    http("GET", "/nowhere", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "{\"detail\": \"Not Found\"}");
    reply_free(&r);
    http("HEAD", "/healthz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

static void a_batch_answers_in_order_with_a_bad_item_in_place(void **s)
{
    (void)s;
    char body[2048];
    snprintf(body, sizeof body, "[%s, {\"edad\": 17}, %s, 7]", first_request,
             second_request);
    struct reply r;
    post_json("/v1/predictions", body, &r);
    assert_int_equal(r.status, 200);
    json_t *j = reply_json(&r);
    assert_int_equal(json_array_size(j), 4);
    char expected[4096];
    expected_answer(v1, first_request, expected, sizeof expected);
    json_t *e = json_loads(expected, 0, NULL);
    assert_true(json_equal(json_array_get(j, 0), e));
    json_decref(e);
    expected_answer(v1, second_request, expected, sizeof expected);
    e = json_loads(expected, 0, NULL);
    assert_true(json_equal(json_array_get(j, 2), e));
    json_decref(e);
    json_t *bad = json_array_get(j, 1);
    assert_non_null(strstr(json_string_value(json_object_get(bad, "error")),
                           "edad: Input should be greater than or equal to "
                           "18"));
    assert_true(json_array_size(json_object_get(bad, "detail")) >= 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(
                                               json_array_get(j, 3), "detail"),
                                           0),
                            "msg")),
                        "Input should be a valid dictionary or object to "
                        "extract fields from");
    json_decref(j);
    reply_free(&r);

    post_json("/v1/predictions", "[]", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[]");
    reply_free(&r);
    post_json("/v1/predictions", first_request, &r);
    assert_int_equal(r.status, 422);
    reply_free(&r);
}

static void a_batch_over_10000_requests_is_413(void **s)
{
    (void)s;
    size_t n = SERVER_BATCH_MAX + 1;
    char *body = malloc(n * 3 + 2);
    size_t len = 0;
    body[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            body[len++] = ',';
        body[len++] = '{';
        body[len++] = '}';
    }
    body[len++] = ']';
    struct reply r;
    http("POST", "/v1/predictions", "Content-Type: application/json", body,
         len, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "{\"detail\": \"a batch holds at most 10000 "
                                "requests; this one has 10001: split it\"}");
    reply_free(&r);
    free(body);
}

static void readyz_model_and_meta_describe_the_live_version(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/readyz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body,
                        "{\"status\": \"ready\", \"model_version\": \"v0001\"}");
    reply_free(&r);

    http("GET", "/v1/model", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    json_t *j = reply_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "version")),
                        "v0001");
    json_t *metrics = manifest_metrics_json(&v1->manifest);
    json_t *lineage = manifest_lineage_json(&v1->manifest);
    assert_true(json_equal(json_object_get(j, "metrics"), metrics));
    assert_true(json_equal(json_object_get(j, "lineage"), lineage));
    assert_string_equal(json_string_value(json_object_get(j, "created_at")),
                        v1->manifest.created_at);
    json_decref(metrics);
    json_decref(lineage);
    json_decref(j);
    reply_free(&r);

    http("GET", "/v1/meta", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    j = reply_json(&r);
    json_t *states = json_object_get(j, "states");
    assert_int_equal(json_array_size(states), STATE_COUNT);
    json_t *nl = json_array_get(states, 18);
    assert_int_equal(json_integer_value(json_object_get(nl, "index")), 18);
    assert_int_equal(json_integer_value(json_object_get(nl, "code")), 19);
    assert_string_equal(json_string_value(json_object_get(nl, "name")),
                        v1->scorer.rd.states[18].name);
    json_t *fields = json_object_get(j, "fields");
    assert_int_equal(json_array_size(fields), REQUEST_FIELD_COUNT);
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
        json_t *f = json_array_get(fields, (size_t)i);
        assert_string_equal(json_string_value(json_object_get(f, "name")),
                            request_limits[i].name);
        assert_true(json_number_value(json_object_get(f, "min")) ==
                    request_limits[i].min);
        assert_true(json_number_value(json_object_get(f, "max")) ==
                    request_limits[i].max);
    }
    json_t *bands = json_object_get(j, "bands");
    assert_int_equal((int)json_array_size(bands),
                     rules_band_count(v1->scorer.rules));
    for (int i = 0; i < rules_band_count(v1->scorer.rules); i++) {
        double from, to;
        const char *label, *color;
        rules_band(v1->scorer.rules, i, &from, &to, &label, &color);
        json_t *b = json_array_get(bands, (size_t)i);
        assert_true(json_number_value(json_object_get(b, "from")) == from);
        assert_true(json_number_value(json_object_get(b, "to")) == to);
        assert_string_equal(json_string_value(json_object_get(b, "label")),
                            label);
        assert_string_equal(json_string_value(json_object_get(b, "color")),
                            color);
    }
    json_t *segs = json_object_get(j, "segments");
    assert_int_equal(json_array_size(segs), SEGMENT_COUNT);
    /* the bundle's own words, in both languages */
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        json_t *seg = json_array_get(segs, (size_t)i);
        assert_string_equal(
            json_string_value(json_object_get(seg, "description")),
            v1->manifest.segments[i].description);
        assert_string_equal(
            json_string_value(json_object_get(seg, "description_en")),
            v1->manifest.segments[i].description_en);
    }
    json_decref(j);
    reply_free(&r);
}

/* Both documents give a segment's description from the bundle being
 * served, the words it was trained with: here a copy of v0001 whose
 * manifest words them otherwise, sealed again as train would have
 * (manifest_seal), so the copy loads. */
static void segment_texts_come_from_the_bundle_served(void **s)
{
    (void)s;
    char dir[4200], cmd[16384], path[4300];
    snprintf(dir, sizeof dir, "%s/reworded", work);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -R '%s' '%s'", dir, v1_dir,
             dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/bundle.json", dir);
    json_t *m = json_load_file(path, 0, NULL);
    assert_non_null(m);
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        char text[64];
        snprintf(text, sizeof text, "Texto del segmento %c", 'A' + i);
        json_object_set_new(json_array_get(json_object_get(m, "segments"),
                                           (size_t)i),
                            "description", json_string(text));
    }
    assert_int_equal(json_dump_file(m, path, JSON_INDENT(2) |
                                                 JSON_PRESERVE_ORDER |
                                                 JSON_REAL_PRECISION(17)),
                     0);
    json_decref(m);
    struct errbuf err;
    if (manifest_seal(path, &err) < 0)
        fail_msg("%s", err.msg);

    struct server_config cfg = {.model_dir = dir,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log};
    char at[64];
    struct server *reworded = start_at(&cfg, at, sizeof at);
    static const char *const routes[] = {"/v1/meta", "/v1/model"};
    for (int k = 0; k < 2; k++) {
        struct reply r;
        http_at(at, "GET", routes[k], NULL, NULL, 0, &r);
        assert_int_equal(r.status, 200);
        json_t *j = reply_json(&r);
        json_t *segs = json_object_get(j, "segments");
        assert_int_equal(json_array_size(segs), SEGMENT_COUNT);
        for (int i = 0; i < SEGMENT_COUNT; i++) {
            char text[64];
            snprintf(text, sizeof text, "Texto del segmento %c", 'A' + i);
            assert_string_equal(
                json_string_value(json_object_get(
                    json_array_get(segs, (size_t)i), "description")),
                text);
        }
        json_decref(j);
        reply_free(&r);
    }
    server_stop(reworded);
    test_rmtree(dir);
}

static void openapi_docs_and_the_root_redirect(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/openapi.json", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    json_t *j = reply_json(&r);
    assert_true(strncmp(json_string_value(json_object_get(j, "openapi")),
                        "3.1", 3) == 0);
    /* /docs titles itself "<title> <version>": the program's version */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "info"), "version")),
                        INCOMESCORE_VERSION);
    static const char *const paths[] = {"/v1/prediction", "/v1/predictions",
                                        "/healthz", "/readyz", "/v1/model",
                                        "/v1/meta", "/metrics"};
    json_t *p = json_object_get(j, "paths");
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!json_object_get(p, paths[i]))
            fail_msg("openapi.json does not describe %s", paths[i]);
    json_t *responses = json_object_get(
        json_object_get(json_object_get(p, "/v1/prediction"), "post"),
        "responses");
    static const char *const codes[] = {"200", "405", "413", "422", "503"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!json_object_get(responses, codes[i]))
            fail_msg("openapi.json: /v1/prediction lacks response %s",
                     codes[i]);
    /* malformed JSON and other Content-Types are 422s, as in FastAPI */
    assert_null(json_object_get(responses, "400"));
    assert_null(json_object_get(responses, "415"));
    json_t *props = json_object_get(
        json_object_get(json_object_get(json_object_get(j, "components"),
                                        "schemas"),
                        "PredictionRequest"),
        "properties");
    assert_int_equal(json_object_size(props), REQUEST_FIELD_COUNT);
    for (int i = 0; i < REQUEST_FIELD_COUNT; i++)
        assert_non_null(json_object_get(props, request_limits[i].name));
    json_decref(j);
    reply_free(&r);

    http("GET", "/docs", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    char ct[128];
    header_value(&r, "Content-Type", ct, sizeof ct);
    assert_string_equal(ct, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body, "/openapi.json"));
    assert_null(strstr(r.body, "https://"));  /* no CDN */
    /* English throughout, and "Try it" sends the key typed on the page */
    assert_non_null(strstr(r.body, "<html lang=\"en\">"));
    assert_non_null(strstr(r.body, "headers[\"Authorization\"] = \"Bearer \" + key"));
    reply_free(&r);

    /* without a page (no index.html), / is where the original served
     * Swagger UI */
    char at[64];
    char *empty = test_mkdtemp();
    struct server_config cfg = {.model_dir = v1_dir,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log,
                                .web_dir = empty};
    struct server *bare = start_at(&cfg, at, sizeof at);
    http_at(at, "GET", "/", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 307);
    char loc[64];
    assert_int_equal(header_value(&r, "Location", loc, sizeof loc), 0);
    assert_string_equal(loc, "/docs");
    reply_free(&r);
    server_stop(bare);
    test_rmtree(empty);
    free(empty);
}

/* The page checks as the user types with /v1/meta's words: they are
 * the 422's, field by field and for both cross-field rules. */
static void meta_checks_are_the_words_of_the_422s(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/v1/meta", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    json_t *meta = reply_json(&r);
    reply_free(&r);
    assert_int_equal(json_integer_value(json_object_get(meta, "batch_max")),
                     SERVER_BATCH_MAX);
    json_t *checks = json_object_get(meta, "checks");
    json_t *fields = json_object_get(checks, "fields");
    /* every field too high, then too low, then missing */
    for (int pass = 0; pass < 3; pass++) {
        json_t *body = json_loads(first_request, 0, NULL);
        for (int i = 0; i < REQUEST_FIELD_COUNT; i++) {
            const struct field_limit *l = &request_limits[i];
            if (pass == 2)
                json_object_del(body, l->name);
            else
                json_object_set_new(body, l->name,
                                    json_real(pass ? l->min - 1 : l->max + 1));
        }
        char *text = json_dumps(body, 0);
        post_json("/v1/prediction", text, &r);
        free(text);
        json_decref(body);
        assert_int_equal(r.status, 422);
        json_t *answer = reply_json(&r);
        json_t *detail = json_object_get(answer, "detail");
        assert_int_equal(json_array_size(detail), REQUEST_FIELD_COUNT);
        size_t k;
        json_t *item;
        json_array_foreach(detail, k, item) {
            const char *field = json_string_value(
                json_array_get(json_object_get(item, "loc"), 1));
            const char *type =
                json_string_value(json_object_get(item, "type"));
            json_t *words = json_object_get(json_object_get(fields, field),
                                            type);
            if (!words)
                fail_msg("/v1/meta has no %s message for %s", type, field);
            assert_string_equal(json_string_value(words),
                                json_string_value(json_object_get(item, "msg")));
        }
        json_decref(answer);
        reply_free(&r);
    }
    /* the two cross-field rules */
    static const char both[] =
        "{\"ingreso\": 0, \"antiguedad_laboral_meses\": 5, "
        "\"tiempo_desempleado\": 2, \"trabajos_ultimos_5\": 1, "
        "\"semanasCotizadas\": 100, \"edad\": 30, "
        "\"crecimiento_ingreso\": 5, \"lugar_actual\": 3}";
    post_json("/v1/prediction", both, &r);
    assert_int_equal(r.status, 422);
    json_t *answer = reply_json(&r);
    json_t *detail = json_object_get(answer, "detail");
    json_t *rules = json_object_get(checks, "rules");
    assert_int_equal(json_array_size(detail), 2);
    assert_int_equal(json_array_size(rules), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *item = json_array_get(detail, i), *rule = json_array_get(rules, i);
        assert_string_equal(json_string_value(json_object_get(item, "msg")),
                            json_string_value(json_object_get(rule, "msg")));
        assert_string_equal(
            json_string_value(json_array_get(json_object_get(item, "loc"), 1)),
            json_string_value(json_object_get(rule, "field")));
    }
    json_decref(answer);
    reply_free(&r);
    json_decref(meta);
}

/* The header `name` of r, which must be there. */
static void assert_header(const struct reply *r, const char *name,
                          const char *expected)
{
    char v[1024];
    if (header_value(r, name, v, sizeof v) < 0)
        fail_msg("no %s header in:\n%s", name, r->headers);
    assert_string_equal(v, expected);
}

static void the_page_is_served_with_cache_and_security_headers(void **s)
{
    (void)s;
    char *dir = test_mkdtemp();
    static const char index_html[] =
        "<!doctype html><html lang=\"es\"><script type=\"module\" "
        "src=\"app.js\"></script></html>\n";
    free(test_write_file(dir, "index.html", index_html));
    free(test_write_file(dir, "app.js", "export const x = 1;\n"));
    free(test_write_file(dir, "style.css", "body { margin: 0 }\n"));
    free(test_write_file(dir, "notes.bak", "not a page file\n"));
    free(test_write_file(dir, ".hidden.js", "hidden\n"));
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    free(test_write_file(sub, "deep.js", "deep\n"));
    /* a link inside the directory is not followed out of it */
    char link[4200];
    snprintf(link, sizeof link, "%s/rules.json", dir);
    char target[4200];
    snprintf(target, sizeof target, "%s/rules.json", INCOMESCORE_DATADIR);
    assert_int_equal(symlink(target, link), 0);

    char at[64];
    struct server_config cfg = {.model_dir = v1_dir,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log,
                                .web_dir = dir};
    struct server *w = start_at(&cfg, at, sizeof at);
    struct reply r;
    char etag[128];

    static const char *const index_paths[] = {"/", "/index.html"};
    for (size_t i = 0; i < 2; i++) {
        http_at(at, "GET", index_paths[i], NULL, NULL, 0, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, index_html);
        assert_header(&r, "Content-Type", "text/html; charset=utf-8");
        assert_header(&r, "Cache-Control", "no-cache");
        assert_header(&r, "Content-Security-Policy",
                      "default-src 'self'; script-src 'self'; "
                      "style-src 'self'; img-src 'self' data: blob:; "
                      "connect-src 'self'; font-src 'self'; "
                      "object-src 'none'; base-uri 'none'; "
                      "form-action 'self'; frame-ancestors 'none'");
        assert_header(&r, "X-Content-Type-Options", "nosniff");
        assert_header(&r, "Referrer-Policy", "no-referrer");
        /* the ETag is the content's SHA-256, cut to 32 hex digits */
        char hex[SHA256_HEX_SIZE], expected[64];
        sha256_hex(index_html, strlen(index_html), hex);
        snprintf(expected, sizeof expected, "\"%.32s\"", hex);
        assert_header(&r, "ETag", expected);
        snprintf(etag, sizeof etag, "%s", expected);
        reply_free(&r);
    }
    http_at(at, "GET", "/app.js", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "export const x = 1;\n");
    assert_header(&r, "Content-Type", "text/javascript; charset=utf-8");
    reply_free(&r);
    http_at(at, "GET", "/style.css", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "text/css; charset=utf-8");
    reply_free(&r);
    http_at(at, "HEAD", "/", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "");
    reply_free(&r);

    /* revalidation: the ETag sent back (alone, weak, in a list, or *) is
     * a 304 with no body; another is the file again */
    char h[512];
    const char *const before[] = {"", "W/", "\"0000\", ", NULL};
    for (size_t i = 0; i < 4; i++) {
        if (before[i])
            snprintf(h, sizeof h, "If-None-Match: %s%s", before[i], etag);
        else
            snprintf(h, sizeof h, "If-None-Match: *");
        http_at(at, "GET", "/", h, NULL, 0, &r);
        assert_int_equal(r.status, 304);
        assert_string_equal(r.body, "");
        assert_header(&r, "ETag", etag);
        assert_header(&r, "Cache-Control", "no-cache");
        reply_free(&r);
    }
    http_at(at, "GET", "/", "If-None-Match: \"0123\"", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, index_html);
    reply_free(&r);

    /* nothing outside the set read at start: not a parent, not a
     * subfolder, not a hidden or unknown file, not a link */
    static const char *const refused[] = {
        "/../data/rules.json", "/%2e%2e/data/rules.json", "/..%2fdata",
        "/sub/deep.js", "/sub", "/.hidden.js", "/notes.bak", "/rules.json",
        "//etc/passwd", "/index.html/", "/APP.JS"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        http_at(at, "GET", refused[i], NULL, NULL, 0, &r);
        if (r.status != 404)
            fail_msg("GET %s: %ld", refused[i], r.status);
        assert_string_equal(r.body, "{\"detail\": \"Not Found\"}");
        reply_free(&r);
    }
    http_at(at, "POST", "/app.js", "Content-Type: application/json", "{}", 2,
            &r);
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD");
    reply_free(&r);
    server_stop(w);
    test_rmtree(dir);
    free(dir);
}

/* The live model's training report, as train wrote it into the bundle. */
static void the_training_report_is_served(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/v1/model/report", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    char path[4200];
    snprintf(path, sizeof path, "%s/report.html", v1_dir);
    size_t len;
    struct errbuf err;
    char *expected = file_read_all(path, &len, &err);
    assert_non_null(expected);
    assert_int_equal(r.len, len);
    assert_memory_equal(r.body, expected, len);
    free(expected);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    assert_header(&r, "Content-Security-Policy",
                  "default-src 'none'; style-src 'unsafe-inline'; "
                  "img-src data:; frame-ancestors 'none'");
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    reply_free(&r);
}

/* The page the build serves by default is the repository's web/. */
static void the_built_in_page_is_web_index_html(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    size_t len;
    struct errbuf err;
    char *expected = file_read_all(INCOMESCORE_WEBDIR "/index.html", &len,
                                   &err);
    assert_non_null(expected);
    assert_int_equal(r.len, len);
    assert_memory_equal(r.body, expected, len);
    free(expected);
    reply_free(&r);
}

static void the_request_id_is_echoed_or_generated(void **s)
{
    (void)s;
    struct reply r;
    char id[128], id2[128];
    http("POST", "/v1/prediction",
         "Content-Type: application/json\nX-Request-Id: caller-42.a_b",
         first_request, strlen(first_request), &r);
    header_value(&r, "X-Request-Id", id, sizeof id);
    assert_string_equal(id, "caller-42.a_b");
    reply_free(&r);

    http("GET", "/healthz", NULL, NULL, 0, &r);
    assert_int_equal(header_value(&r, "X-Request-Id", id, sizeof id), 0);
    reply_free(&r);
    http("GET", "/healthz", NULL, NULL, 0, &r);
    header_value(&r, "X-Request-Id", id2, sizeof id2);
    reply_free(&r);
    assert_int_equal(strlen(id), 16);
    assert_int_equal(strspn(id, "0123456789abcdef"), 16);
    assert_string_not_equal(id, id2);
    /* made ids lead with the time (the audit log finds them by it) */
    assert_true(strncmp(id, id2, 11) <= 0);

    /* ids that could break a log line or the audit key are replaced */
    static const char *const bad[] = {
        "X-Request-Id: has\"quote",
        "X-Request-Id: 0123456789012345678901234567890123456789012345678",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http("GET", "/healthz", bad[i], NULL, 0, &r);
        header_value(&r, "X-Request-Id", id, sizeof id);
        assert_int_equal(strlen(id), 16);
        reply_free(&r);
    }
}

/* The value of the first metrics line starting with `prefix`; -1 if
 * none. */
static double metric(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, prefix, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

static void metrics_count_requests_scores_and_the_model(void **s)
{
    (void)s;
    struct reply r;
    http("GET", "/metrics", NULL, NULL, 0, &r);
    double before = metric(r.body, "incomescore_http_requests_total{route="
                                   "\"/v1/prediction\",status=\"200\"}");
    double scores = metric(r.body, "incomescore_score_count");
    reply_free(&r);
    for (int i = 0; i < 3; i++) {
        post_json("/v1/prediction", first_request, &r);
        reply_free(&r);
    }
    post_json("/v1/prediction", "{", &r);
    reply_free(&r);
    http("GET", "/metrics", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    char ct[128];
    header_value(&r, "Content-Type", ct, sizeof ct);
    assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
    const char *t = r.body;
    assert_true(metric(t, "incomescore_http_requests_total{route="
                          "\"/v1/prediction\",status=\"200\"}") ==
                (before < 0 ? 0 : before) + 3);
    assert_true(metric(t, "incomescore_http_requests_total{route="
                          "\"/v1/prediction\",status=\"422\"}") >= 1);
    assert_true(metric(t, "incomescore_score_count") == scores + 3);
    assert_true(metric(t, "incomescore_http_request_duration_seconds_count"
                          "{route=\"/v1/prediction\"}") >= 4);
    assert_true(metric(t, "incomescore_score_bucket{le=\"+Inf\"}") ==
                scores + 3);
    assert_true(metric(t, "incomescore_score_bucket{le=\"400\"}") >= 0);
    assert_true(metric(t, "incomescore_model_info{version=\"v0001\"}") == 1);
    assert_true(metric(t, "incomescore_model_reloads_total") >= 0);
    assert_true(metric(t, "incomescore_audit_records_total{outcome="
                          "\"queued\"}") >= 3);
    double segments = 0;
    for (int i = 0; i < SEGMENT_COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "incomescore_segment_total{segment=\"%c\"}",
                 'A' + i);
        segments += metric(t, name);
    }
    assert_true(segments == scores + 3);
    reply_free(&r);
}

/* A raw POST on its own connection; returns the status and the body. */
static int raw_post(const char *body, size_t len, char *out, size_t size)
{
    int fd = test_http_connect(server);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n", len);
    test_http_send(fd, head, (size_t)n);
    test_http_send(fd, body, len);
    int status = test_http_response(fd, out, size, 3000);
    close(fd);
    return status;
}

static void assert_json_text(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("not JSON: %s", text);
    json_decref(j);
}

/* What a hostile or broken client sends is answered (413/422) or
 * timed out, never crashes or stalls the server. */
static void hostile_bodies_are_refused_cleanly(void **s)
{
    (void)s;
    char out[65536];
    /* NUL bytes inside the JSON */
    char nul[1024];
    request_with(nul, sizeof nul, "edad", "32");
    size_t nul_at = strlen(nul) - 1;       /* {..., "edad": 32<NUL>} */
    memcpy(nul + nul_at, "\0}", 3);
    assert_int_equal(raw_post(nul, nul_at + 2, out, sizeof out), 422);
    char expected[256];
    snprintf(expected, sizeof expected,
             "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",%zu],"
             "\"msg\":\"JSON decode error\",\"input\":{},\"ctx\":{\"error\":"
             "\"Expecting ',' delimiter\"}}]}", nul_at);
    assert_string_equal(test_http_body(out), expected);
    /* invalid UTF-8 in a state name: refused, and the answer is JSON */
    char bad_utf8[1024];
    request_with(bad_utf8, sizeof bad_utf8, "lugar_actual", "\"Nuevo \xff\xfe\"");
    int status = raw_post(bad_utf8, strlen(bad_utf8), out, sizeof out);
    if (status != 400 && status != 422)
        fail_msg("invalid UTF-8: %d", status);
    assert_json_text(test_http_body(out));
    /* deep nesting, within and beyond the body limit, on both routes */
    size_t depth = 60000;
    char *deep = malloc(200001);
    memset(deep, '[', 100000);
    assert_int_equal(raw_post(deep, depth, out, sizeof out), 422);
    struct reply r;
    http("POST", "/v1/predictions", "Content-Type: application/json", deep,
         100000, &r);
    assert_int_equal(r.status, 422);
    reply_free(&r);
    memset(deep + 100000, ']', 100000);
    http("POST", "/v1/predictions", "Content-Type: application/json", deep,
         200000, &r);
    assert_int_equal(r.status, 422);
    reply_free(&r);
    free(deep);
    /* numbers past double's range */
    char huge[1024];
    request_with(huge, sizeof huge, "ingreso", "1e999");
    status = raw_post(huge, strlen(huge), out, sizeof out);
    if (status != 400 && status != 422)
        fail_msg("1e999: %d %s", status, out);
    /* duplicate keys: refused, never silently the first or the last */
    char dup[1024];
    request_with(dup, sizeof dup, "edad", "32, \"edad\": 17");
    status = raw_post(dup, strlen(dup), out, sizeof out);
    if (status != 400 && status != 422)
        fail_msg("duplicate keys: %d %s", status, out);
    /* the server still answers */
    post_json("/v1/prediction", first_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

/* A body shorter than its Content-Length, and a client sending its
 * headers a byte at a time and then nothing: both connections are closed
 * after the idle timeout (1 s here) while other clients are answered. */
static void stalled_clients_time_out_and_others_are_served(void **s)
{
    (void)s;
    int truncated = test_http_connect(server);
    const char *head = "POST /v1/prediction HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"edad\": 3";
    test_http_send(truncated, head, strlen(head));
    int slow = test_http_connect(server);
    const char *line = "POST /";
    for (const char *p = line; *p; p++) {
        test_http_send(slow, p, 1);
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
        struct reply r;
        http("GET", "/healthz", NULL, NULL, 0, &r);
        assert_int_equal(r.status, 200);
        reply_free(&r);
    }
    char buf[1024];
    bool closed;
    test_http_read(slow, buf, sizeof buf, 3000, false, &closed);
    assert_true(closed);
    test_http_read(truncated, buf, sizeof buf, 3000, false, &closed);
    assert_true(closed);
    close(slow);
    close(truncated);
    struct reply r;
    post_json("/v1/prediction", first_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

/* The model version the shared server answers first_request with (a
 * 200, asserted) into out. */
static void served_version(char *out, size_t size)
{
    struct reply r;
    post_json("/v1/prediction", first_request, &r);
    assert_int_equal(r.status, 200);
    json_t *j = reply_json(&r);
    snprintf(out, size, "%s",
             json_string_value(json_object_get(j, "model_version")));
    json_decref(j);
    reply_free(&r);
}

/* A promotion is served after a reload; a server with a watcher finds it
 * by itself. */
static void a_promoted_version_is_served_after_reload(void **s)
{
    (void)s;
    struct errbuf err;
    struct server *watching;
    struct server_config cfg = {.registry_dir = registry_path,
                                .watch_interval_ms = 50,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log};
    assert_int_equal(server_start(&watching, &cfg, &err), 0);
    char id[REGISTRY_ID_SIZE];
    assert_int_equal(train_version(7, id), 0);
    assert_string_equal(id, "v0002");
    assert_int_equal(
        registry_promote(registry, id, "test", NULL, NULL, &err), 0);
    assert_int_equal(server_reload(server, &err), 0);
    assert_int_equal(server_reload(server, &err), 1); /* nothing new */
    char version[64];
    served_version(version, sizeof version);
    assert_string_equal(version, "v0002");
    struct reply r;
    http("GET", "/metrics", NULL, NULL, 0, &r);
    assert_true(metric(r.body, "incomescore_model_reloads_total") == 1);
    assert_true(metric(r.body, "incomescore_model_info{version=\"v0002\"}") ==
                1);
    reply_free(&r);

    char seen[64] = "";
    for (int i = 0; i < 100 && strcmp(seen, "v0002") != 0; i++) {
        usleep(20000);
        server_model_version(watching, seen, sizeof seen);
    }
    assert_string_equal(seen, "v0002");
    server_stop(watching);
}

static void a_broken_bundle_is_refused_and_the_old_one_keeps_serving(void **s)
{
    (void)s;
    struct errbuf err;
    char v2[4096], cmd[16384];
    assert_int_equal(registry_version_path(registry, "v0002", v2, sizeof v2,
                                           &err), 0);
    /* A version whose model.json went missing after it was committed. */
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s/versions/v0003' && rm "
                              "'%s/versions/v0003/model.json'",
             v2, registry_path, registry_path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(registry_promote(registry, "v0003", "broken", NULL, NULL,
                                      &err), 0);
    assert_int_equal(server_reload(server, &err), -1);
    assert_non_null(strstr(err.msg, "model.json"));
    char version[64];
    served_version(version, sizeof version);
    assert_string_equal(version, "v0002");
    struct reply r;
    http("GET", "/readyz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    http("GET", "/metrics", NULL, NULL, 0, &r);
    assert_true(metric(r.body, "incomescore_model_reload_failures_total") == 1);
    reply_free(&r);
    assert_true(log_has("\"event\": \"reload_refused\"", "v0003"));
    /* put v0001 back for what follows */
    assert_int_equal(registry_promote(registry, "v0001", "repair", NULL, NULL,
                                      &err), 0);
    assert_int_equal(server_reload(server, &err), 0);
}

/* Waits (up to 2 s) until the log at path has `want` lines with text,
 * then 10 more watch intervals to see that no more come. */
static int settled_lines_with(FILE *log, const char *path, const char *text,
                              int want)
{
    for (int i = 0; i < 100; i++) {
        fflush(log);
        if (test_lines_with(path, text, NULL) >= want)
            break;
        usleep(20000);
    }
    usleep(10 * 20000);
    fflush(log);
    return test_lines_with(path, text, NULL);
}

static double metric_at(const char *at, const char *name)
{
    struct reply r;
    http_at(at, "GET", "/metrics", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    double v = metric(r.body, name);
    reply_free(&r);
    return v;
}

/* A LIVE that names a version not there, or is not a version id at all,
 * keeps the old model serving and is never silent: an error line and a
 * failure counted, once per change by the watcher (which looks every
 * 20 ms here), and on every SIGHUP (server_reload). */
/* Writes LIVE as a promotion does, by rename: written in place, the
 * watcher could read it empty between truncation and write and log one
 * more breakage than the test makes (seen under ASan on a loaded box). */
static void live_replace(const char *dir, const char *live, const char *text)
{
    char *tmp = test_write_file(dir, "LIVE.tmp", text);
    assert_int_equal(rename(tmp, live), 0);
    free(tmp);
}

static void a_broken_live_is_logged_once_counted_and_said_on_reload(void **s)
{
    (void)s;
    char dir[4200], log_file[4300], at[64], live[4300];
    snprintf(dir, sizeof dir, "%s/broken-live", work);
    snprintf(log_file, sizeof log_file, "%s/broken-live.log", work);
    snprintf(live, sizeof live, "%s/LIVE", dir);
    struct registry *reg;
    struct errbuf err;
    char id[REGISTRY_ID_SIZE];
    if (registry_create(&reg, dir, &err) < 0 ||
        test_bundle_commit(reg, id, &err) < 0)
        fail_msg("%s", err.msg);
    registry_close(reg);
    FILE *log = fopen(log_file, "w");
    assert_non_null(log);
    struct server_config cfg = {.registry_dir = dir,
                                .watch_interval_ms = 20,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = log};
    struct server *watched = start_at(&cfg, at, sizeof at);
    const char *event = "\"event\": \"live_unusable\"";

    live_replace(dir, live, "v0009\n");
    assert_int_equal(settled_lines_with(log, log_file, event, 1), 1);
    char want[9000];
    snprintf(want, sizeof want, "\"msg\": \"the registry's live version "
             "cannot be used, still serving v0001: %s: names v0009, but "
             "%s/versions/v0009: No such file or directory\"", live, dir);
    assert_int_equal(test_lines_with(log_file, want, NULL), 1);
    assert_true(metric_at(at, "incomescore_model_reload_failures_total") ==
                1);

    /* SIGHUP says it again, and counts it */
    assert_int_equal(server_reload(watched, &err), -1);
    assert_int_equal(settled_lines_with(log, log_file, event, 2), 2);
    assert_true(metric_at(at, "incomescore_model_reload_failures_total") ==
                2);

    /* another breakage is another line */
    live_replace(dir, live, "garbage\n");
    assert_int_equal(settled_lines_with(log, log_file, event, 3), 3);
    assert_int_equal(test_lines_with(log_file,
                                     "'garbage' is not a version id", NULL),
                     1);

    /* and v0001 served all along */
    struct reply r;
    http_at(at, "GET", "/readyz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    char version[64];
    server_model_version(watched, version, sizeof version);
    assert_string_equal(version, "v0001");

    /* repaired, then broken the same way: a change, so a new line */
    live_replace(dir, live, "v0001\n");
    usleep(10 * 20000);
    live_replace(dir, live, "garbage\n");
    assert_int_equal(settled_lines_with(log, log_file, event, 4), 4);
    assert_true(metric_at(at, "incomescore_model_reload_failures_total") ==
                4);
    server_stop(watched);
    fclose(log);
}

/* A registry with nothing live: the server starts, is not ready, and
 * refuses to score without a model. */
static void without_a_live_version_the_server_is_not_ready(void **s)
{
    (void)s;
    char empty[4200], at[64];
    snprintf(empty, sizeof empty, "%s/empty-registry", work);
    /* made by a train that committed nothing yet: a registry that does
     * not exist at all refuses the start (test_registry.c) */
    struct registry *made;
    struct errbuf err;
    if (registry_create(&made, empty, &err) < 0)
        fail_msg("%s", err.msg);
    registry_close(made);
    struct server_config cfg = {.registry_dir = empty,
                                .watch_interval_ms = -1,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log};
    struct server *idle = start_at(&cfg, at, sizeof at);
    struct reply r;
    http_at(at, "GET", "/readyz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 503);
    reply_free(&r);
    http_at(at, "POST", "/v1/prediction", "Content-Type: application/json",
            first_request, strlen(first_request), &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, "{\"detail\": \"no model is loaded yet\"}");
    reply_free(&r);
    http_at(at, "GET", "/healthz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    server_stop(idle);
}

struct hammer {
    const char *at;
    int requests, ok;
};

static void *hammer_requests(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < h->requests; i++) {
        struct reply r;
        http_at(h->at, "POST", "/v1/prediction",
                "Content-Type: application/json", first_request,
                strlen(first_request), &r);
        h->ok += r.status == 200 && strstr(r.body, "\"scoring\"") != NULL;
        reply_free(&r);
    }
    return NULL;
}

/* Reloads while requests run: every request is answered by a whole
 * model, and (under ASan) none touches a freed one. */
static void reloads_under_load_answer_every_request(void **s)
{
    (void)s;
    char at[64];
    struct server *busy = start_v1(NULL, false, at, sizeof at);
    struct hammer h[2] = {{at, 150, 0}, {at, 150, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, hammer_requests, &h[i]);
    struct errbuf err;
    for (int i = 0; i < 8; i++)
        assert_int_equal(server_reload(busy, &err), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(h[0].ok + h[1].ok, 300);
    server_stop(busy);
}

struct stopper {
    struct server *server;
};

static void *stop_server(void *arg)
{
    struct stopper *st = arg;
    server_stop(st->server);
    return NULL;
}

/* server_stop lets a request in flight finish and be answered. */
static void stop_answers_the_request_in_flight(void **s)
{
    (void)s;
    char at[64];
    struct server *stopping = start_v1(NULL, false, at, sizeof at);
    int fd = test_http_connect(stopping);
    size_t items = SERVER_BATCH_MAX, len = 0;
    size_t item_len = strlen(first_request);
    char *body = malloc(items * (item_len + 1) + 2);
    body[len++] = '[';
    for (size_t i = 0; i < items; i++) {
        if (i)
            body[len++] = ',';
        memcpy(body + len, first_request, item_len);
        len += item_len;
    }
    body[len++] = ']';
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /v1/predictions HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n", len);
    test_http_send(fd, head, (size_t)n);
    test_http_send(fd, body, len);
    free(body);
    usleep(20000);
    struct stopper st = {stopping};
    pthread_t t;
    pthread_create(&t, NULL, stop_server, &st);
    size_t size = 8 << 20;
    char *answer = malloc(size);
    bool closed;
    test_http_read(fd, answer, size, 10000, false, &closed);
    pthread_join(t, NULL);
    close(fd);
    if (strncmp(answer, "HTTP/1.1 200", 12) != 0)
        fail_msg("in flight at stop: %.200s", answer);
    json_t *j = json_loads(test_http_body(answer), 0, NULL);
    assert_int_equal(json_array_size(j), SERVER_BATCH_MAX);
    json_decref(j);
    free(answer);
}

/* ------------------------------------------------------------ API keys */

static const char acme_key[] = "acme-0123456789abcdef-secret";
static const char beta_key[] = "beta-fedcba9876543210-secret";
static const char key_refused[] =
    "{\"detail\": \"a valid API key is required (Authorization: Bearer "
    "<key>)\"}";

/* Writes work/<file> holding key's line under `name`; returns the path
 * (static). */
static const char *write_keys(const char *file, const char *key,
                              const char *name)
{
    static char path[4200];
    char line[APIKEY_LINE_SIZE], text[APIKEY_LINE_SIZE + 64];
    struct errbuf err;
    assert_int_equal(apikey_line(key, strlen(key), name, line, sizeof line,
                                 &err), 0);
    snprintf(text, sizeof text, "# test keys\n%s\n", line);
    free(test_write_file(work, file, text));
    snprintf(path, sizeof path, "%s/%s", work, file);
    return path;
}

/* http_as without a request id. */
static void http_key(const char *at, const char *method, const char *path,
                     const char *key, const char *body, struct reply *r)
{
    http_as(at, method, path, NULL, key, body, r);
}

static void assert_key_refused(const struct reply *r)
{
    assert_int_equal(r->status, 401);
    char v[128];
    assert_int_equal(header_value(r, "WWW-Authenticate", v, sizeof v), 0);
    assert_string_equal(v, "Bearer");
    assert_int_equal(header_value(r, "Content-Type", v, sizeof v), 0);
    assert_string_equal(v, "application/json");
    assert_string_equal(r->body, key_refused);
}

static void with_keys_v1_needs_a_bearer_key_and_health_stays_open(void **s)
{
    (void)s;
    char at[64];
    const char *keys = write_keys("keys.txt", acme_key, "acme");
    struct server *k = start_v1(keys, false, at, sizeof at);
    struct reply r;
    /* no key, a wrong key, a key one character off, another scheme: the
     * same 401 */
    http_key(at, "POST", "/v1/prediction", NULL, first_request, &r);
    assert_key_refused(&r);
    reply_free(&r);
    http_key(at, "POST", "/v1/prediction", "not-the-key-0123456789", first_request,
             &r);
    assert_key_refused(&r);
    reply_free(&r);
    char off[sizeof acme_key];
    memcpy(off, acme_key, sizeof acme_key);
    off[sizeof acme_key - 2] ^= 1;
    http_key(at, "POST", "/v1/prediction", off, first_request, &r);
    assert_key_refused(&r);
    reply_free(&r);
    char basic[256];
    snprintf(basic, sizeof basic, "Content-Type: application/json\n"
                                  "Authorization: Basic %s", acme_key);
    http_at(at, "POST", "/v1/prediction", basic, first_request,
            strlen(first_request), &r);
    assert_key_refused(&r);
    reply_free(&r);
    /* before the Content-Type and the method are looked at */
    http_at(at, "POST", "/v1/prediction", "Content-Type: text/plain", "x", 1,
            &r);
    assert_key_refused(&r);
    reply_free(&r);
    http_key(at, "GET", "/v1/prediction", NULL, NULL, &r);
    assert_key_refused(&r);
    reply_free(&r);
    http_key(at, "GET", "/v1/model", NULL, NULL, &r);
    assert_key_refused(&r);
    reply_free(&r);
    http_key(at, "GET", "/v1/nothing-here", NULL, NULL, &r);
    assert_key_refused(&r);
    reply_free(&r);

    /* the right key: the whole answer as without keys */
    http_key(at, "POST", "/v1/prediction", acme_key, first_request, &r);
    assert_int_equal(r.status, 200);
    char expected[4096];
    expected_answer(v1, first_request, expected, sizeof expected);
    assert_string_equal(r.body, expected);
    reply_free(&r);
    char batch[2048];
    snprintf(batch, sizeof batch, "[%s, %s]", first_request, second_request);
    http_key(at, "POST", "/v1/predictions", acme_key, batch, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    http_key(at, "GET", "/v1/meta", acme_key, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    /* open without a key */
    static const char *const open[] = {"/healthz", "/readyz", "/openapi.json",
                                       "/docs"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
        http_key(at, "GET", open[i], NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        reply_free(&r);
    }
    /* /openapi.json says which routes need the key on this server */
    http_key(at, "GET", "/openapi.json", NULL, NULL, &r);
    json_t *doc = reply_json(&r), *paths = json_object_get(doc, "paths");
    json_t *bearer = json_pack("[{s:[]}]", "bearer"), *none = json_array();
    assert_true(json_equal(json_object_get(json_object_get(json_object_get(
                               paths, "/v1/prediction"), "post"), "security"),
                           bearer));
    assert_true(json_equal(json_object_get(json_object_get(json_object_get(
                               paths, "/metrics"), "get"), "security"),
                           none));
    assert_non_null(json_object_get(json_object_get(json_object_get(
        doc, "components"), "securitySchemes"), "bearer"));
    json_decref(bearer);
    json_decref(none);
    json_decref(doc);
    reply_free(&r);

    http_key(at, "GET", "/metrics", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(metric(r.body, "incomescore_http_requests_total{route="
                               "\"/v1/prediction\",status=\"401\"}") == 6);
    assert_true(metric(r.body, "incomescore_http_requests_total{route="
                               "\"/v1/model\",status=\"401\"}") == 1);
    assert_true(metric(r.body, "incomescore_http_requests_total{route="
                               "\"other\",status=\"401\"}") == 1);
    assert_true(metric(r.body, "incomescore_api_key_requests_total{key="
                               "\"acme\"}") == 3);
    assert_true(metric(r.body, "incomescore_api_keys_required") == 1);
    assert_true(metric(r.body, "incomescore_api_keys_loaded") == 1);
    reply_free(&r);
    server_stop(k);

    /* the start is logged with the count, never a hash */
    assert_true(log_has("\"event\": \"api_keys\"", "\"required\": true, "
                                                   "\"keys\": 1"));
    char hex[SHA256_HEX_SIZE];
    sha256_hex(acme_key, strlen(acme_key), hex);
    assert_false(log_has(hex, NULL));
    /* the shared server has no key file: open, and says so */
    assert_true(log_has("\"event\": \"api_keys\"", "\"required\": false"));
    http("GET", "/metrics", NULL, NULL, 0, &r);
    assert_true(metric(r.body, "incomescore_api_keys_required") == 0);
    reply_free(&r);
}

static void protect_all_leaves_only_health_and_readiness_open(void **s)
{
    (void)s;
    char at[64];
    const char *keys = write_keys("keys-all.txt", acme_key, "acme");
    struct server *k = start_v1(keys, true, at, sizeof at);
    struct reply r;
    static const char *const open[] = {"/healthz", "/readyz"};
    for (size_t i = 0; i < 2; i++) {
        http_key(at, "GET", open[i], NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        reply_free(&r);
    }
    static const char *const closed[] = {"/metrics", "/openapi.json", "/docs",
                                         "/", "/nowhere", "/v1/prediction"};
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
        http_key(at, "GET", closed[i], NULL, NULL, &r);
        assert_key_refused(&r);
        reply_free(&r);
    }
    http_key(at, "GET", "/metrics", acme_key, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(metric(r.body, "incomescore_http_requests_total{route="
                               "\"/metrics\",status=\"401\"}") == 1);
    reply_free(&r);
    http_key(at, "GET", "/", acme_key, NULL, &r);
    assert_int_equal(r.status, 200); /* the page, with a key */
    reply_free(&r);
    server_stop(k);
}

static void keys_are_reloaded_and_a_bad_file_keeps_the_old_ones(void **s)
{
    (void)s;
    char at[64];
    const char *keys = write_keys("keys-reload.txt", acme_key, "acme");
    struct server *k = start_v1(keys, false, at, sizeof at);
    struct reply r;
    http_key(at, "GET", "/v1/model", acme_key, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    /* acme's key is replaced by beta's; SIGHUP's path reads the file */
    write_keys("keys-reload.txt", beta_key, "beta");
    struct errbuf err;
    assert_int_equal(server_reload(k, &err), 0);
    http_key(at, "GET", "/v1/model", acme_key, NULL, &r);
    assert_key_refused(&r);
    reply_free(&r);
    http_key(at, "GET", "/v1/model", beta_key, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_true(log_has("\"event\": \"api_keys_reload\"", "keys-reload.txt"));

    /* a broken file, then an empty one: refused, beta's key still works */
    free(test_write_file(work, "keys-reload.txt",
                         "# keys\nsha256:abc beta\n"));
    assert_int_equal(server_reload_keys(k, &err), -1);
    assert_non_null(strstr(err.msg, "keys-reload.txt line 2: expected "
                                    "'sha256:<64 hex digits> name'"));
    assert_true(log_has("\"event\": \"api_keys_refused\"", "line 2"));
    free(test_write_file(work, "keys-reload.txt", ""));
    assert_int_equal(server_reload(k, &err), 0); /* the model's outcome */
    http_key(at, "GET", "/v1/model", beta_key, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    http_key(at, "GET", "/metrics", NULL, NULL, &r);
    /* counts by name outlive the key file that named them */
    assert_true(metric(r.body, "incomescore_api_key_requests_total{key="
                               "\"acme\"}") == 1);
    assert_true(metric(r.body, "incomescore_api_key_requests_total{key="
                               "\"beta\"}") == 2);
    assert_true(metric(r.body, "incomescore_api_keys_reload_failures_total")
                == 2);
    reply_free(&r);
    /* a server without keys has nothing to reload */
    assert_int_equal(server_reload_keys(server, &err), 1);
    server_stop(k);
}

static void a_bad_key_file_refuses_to_start(void **s)
{
    (void)s;
    char bad[4200];
    struct errbuf err;
    free(test_write_file(work, "keys-bad.txt", "\n\n" "plain-key alice\n"));
    snprintf(bad, sizeof bad, "%s/keys-bad.txt", work);
    struct server_config cfg = {.model_dir = v1_dir,
                                .audit_sink = AUDIT_OFF,
                                .log_stream = server_log,
                                .api_keys_path = bad};
    struct server *k = NULL;
    assert_int_equal(server_start(&k, &cfg, &err), -1);
    assert_null(k);
    assert_non_null(strstr(err.msg, "keys-bad.txt line 3: expected "
                                    "'sha256:<64 hex digits> name'"));
    free(test_write_file(work, "keys-bad.txt", "# nothing yet\n"));
    assert_int_equal(server_start(&k, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "no keys"));
    snprintf(bad, sizeof bad, "%s/no-such-keys.txt", work);
    assert_int_equal(server_start(&k, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "no-such-keys.txt"));
}

/* ------------------------------------------------------------- audit */

/* A server of v0001 auditing to the SQLite file db (acknowledgement,
 * queue and wait as given, 0: the defaults) with the key file keys (NULL: none); its URL
 * into at. The caller's strings must outlive it. */
static struct server *start_audited(const char *db, enum audit_ack ack,
                                    size_t queue, int wait_ms,
                                    const char *keys, char *at, size_t size)
{
    struct server_config cfg = {.model_dir = v1_dir,
                                .watch_interval_ms = -1,
                                .audit_sink = AUDIT_SQLITE,
                                .audit_ack = ack,
                                .audit_path = db,
                                .audit_queue = queue,
                                .audit_wait_ms = wait_ms,
                                .log_stream = server_log,
                                .api_keys_path = keys};
    return start_at(&cfg, at, size);
}

/* http_as with POST. */
static void post_as(const char *at, const char *path, const char *id,
                    const char *key, const char *body, struct reply *r)
{
    http_as(at, "POST", path, id, key, body, r);
}

/* The request ids of db's decisions in the order written, one a line,
 * each with its api_key ("-" for NULL) after a space. */
static void audit_rows(const char *db_path, char *out, size_t size)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY,
                                     NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT request_id, api_key FROM "
                                            "decisions ORDER BY id",
                                        -1, &st, NULL), SQLITE_OK);
    size_t len = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *key = sqlite3_column_text(st, 1);
        int n = snprintf(out + len, size - len, "%s %s\n",
                         sqlite3_column_text(st, 0), key ? (const char *)key
                                                         : "-");
        assert_true(n > 0 && (size_t)n < size - len);
        len += (size_t)n;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* /metrics of at polled (5 ms apart, 3 s at most) until `name` reads
 * `value`; the value last read. */
static double metric_until(const char *at, const char *name, double value)
{
    double v = -1;
    for (int i = 0; i < 600; i++) {
        struct reply r;
        http_at(at, "GET", "/metrics", NULL, NULL, 0, &r);
        v = metric(r.body, name);
        reply_free(&r);
        if (v == value)
            break;
        usleep(5000);
    }
    return v;
}

/* With two named keys, each decision's row names the key that asked for
 * it, a batch's items each; a refused key leaves no row. (Without keys
 * the column is NULL: every_decision_is_in_the_audit_log.) */
static void each_decision_names_its_api_key_in_the_audit_log(void **s)
{
    (void)s;
    char keys[4200], db_path[4200], at[64], text[512];
    char acme_line[APIKEY_LINE_SIZE], beta_line[APIKEY_LINE_SIZE];
    struct errbuf err;
    assert_int_equal(apikey_line(acme_key, strlen(acme_key), "acme",
                                 acme_line, sizeof acme_line, &err), 0);
    assert_int_equal(apikey_line(beta_key, strlen(beta_key), "beta",
                                 beta_line, sizeof beta_line, &err), 0);
    snprintf(text, sizeof text, "%s\n%s\n", acme_line, beta_line);
    free(test_write_file(work, "keys-audit.txt", text));
    snprintf(keys, sizeof keys, "%s/keys-audit.txt", work);
    snprintf(db_path, sizeof db_path, "%s/audit-keys.sqlite3", work);
    struct server *a = start_audited(db_path, AUDIT_ACK_COMMITTED, 0, 0, keys, at,
                                      sizeof at);

    char batch[2048];
    snprintf(batch, sizeof batch, "[%s, {\"edad\": 17}, %s]", first_request,
             second_request);
    struct reply r;
    post_as(at, "/v1/prediction", "by-acme", acme_key, first_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    post_as(at, "/v1/prediction", "by-beta", beta_key, second_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    post_as(at, "/v1/predictions", "batch-beta", beta_key, batch, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    post_as(at, "/v1/prediction", "by-nobody", "not-a-key-0123456789",
            first_request, &r);
    assert_int_equal(r.status, 401);
    reply_free(&r);
    server_stop(a); /* writes everything queued */

    char rows[1024];
    audit_rows(db_path, rows, sizeof rows);
    assert_string_equal(rows, "by-acme acme\n"
                              "by-beta beta\n"
                              "batch-beta/0 beta\n"
                              "batch-beta/2 beta\n");
    unlink(db_path);
}

/* On queue acknowledgement (on commit nothing is answered while the
 * writer is stalled: commit_ack_... in test_audit.c), the writer stalled
 * for real — a second connection holds the
 * database's write lock, so no batch commits and every queued record
 * keeps its slot (audit.c) — a queue of two takes exactly two decisions,
 * whatever the writer has already taken: the counts below do not depend
 * on timing. A batch needing more room than is left is refused whole
 * (nothing of it is logged), and so is one larger than the whole queue.
 * Once the lock is gone the log catches up, and its rows are exactly the
 * decisions answered 200. The lock is held for well under the writer's
 * busy timeout (5 s), so no batch fails and none is retried. */
static void a_full_audit_queue_is_503_and_logs_no_decision(void **s)
{
    (void)s;
    char db_path[4200], at[64], batch[2048], triple[2048];
    snprintf(db_path, sizeof db_path, "%s/audit-full.sqlite3", work);
    struct server *a = start_audited(db_path, AUDIT_ACK_QUEUED, 2, 50, NULL, at,
                                      sizeof at);
    snprintf(batch, sizeof batch, "[%s, %s]", first_request, second_request);
    snprintf(triple, sizeof triple, "[%s, %s, %s]", first_request,
             second_request, first_request);
    sqlite3 *blocker;
    assert_int_equal(sqlite3_open(db_path, &blocker), SQLITE_OK);
    sqlite3_busy_timeout(blocker, 2000);
    assert_int_equal(sqlite3_exec(blocker, "BEGIN EXCLUSIVE", NULL, NULL,
                                  NULL), SQLITE_OK);

    static const char refused[] = "{\"detail\": \"audit log unavailable\"}";
    char expected[4096], v[128];
    expected_answer(v1, first_request, expected, sizeof expected);
    struct reply r;
    post_as(at, "/v1/prediction", "full-1", NULL, first_request, &r);
    assert_int_equal(r.status, 200); /* one slot of two taken */
    assert_string_equal(r.body, expected);
    reply_free(&r);
    post_as(at, "/v1/predictions", "full-batch", NULL, batch, &r);
    assert_int_equal(r.status, 503); /* needs two slots, one is left */
    assert_string_equal(r.body, refused);
    assert_int_equal(header_value(&r, "Content-Type", v, sizeof v), 0);
    assert_string_equal(v, "application/json");
    assert_int_equal(header_value(&r, "X-Request-Id", v, sizeof v), 0);
    assert_string_equal(v, "full-batch");
    reply_free(&r);
    post_as(at, "/v1/prediction", "full-2", NULL, first_request, &r);
    assert_int_equal(r.status, 200); /* the slot the batch did not take */
    reply_free(&r);
    post_as(at, "/v1/prediction", "full-3", NULL, first_request, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, refused);
    assert_int_equal(header_value(&r, "X-Request-Id", v, sizeof v), 0);
    assert_string_equal(v, "full-3");
    reply_free(&r);
    post_as(at, "/v1/prediction", NULL, NULL, first_request, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, refused);
    char made[128]; /* an id the server made: 16 hex digits */
    assert_int_equal(header_value(&r, "X-Request-Id", made, sizeof made), 0);
    assert_int_equal(strlen(made), 16);
    assert_int_equal(strspn(made, "0123456789abcdef"), 16);
    reply_free(&r);

    http_at(at, "GET", "/metrics", NULL, NULL, 0, &r);
    const char *t = r.body;
    assert_true(metric(t, "incomescore_audit_records_total{outcome="
                          "\"queued\"}") == 2);
    assert_true(metric(t, "incomescore_audit_records_total{outcome="
                          "\"written\"}") == 0);
    /* records: the batch's two, then one each */
    assert_true(metric(t, "incomescore_audit_records_total{outcome="
                          "\"refused\"}") == 4);
    assert_true(metric(t, "incomescore_audit_queue_depth") == 2);
    assert_true(metric(t, "incomescore_audit_waiting") == 0); /* all gave up */
    assert_true(metric(t, "incomescore_audit_unavailable_total") == 4);
    assert_true(metric(t, "incomescore_http_requests_total{route="
                          "\"/v1/prediction\",status=\"503\"}") == 2);
    assert_true(metric(t, "incomescore_http_requests_total{route="
                          "\"/v1/predictions\",status=\"503\"}") == 1);
    assert_true(metric(t, "incomescore_score_count") == 2); /* answered */
    reply_free(&r);

    assert_int_equal(sqlite3_exec(blocker, "ROLLBACK", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(blocker);
    assert_true(metric_until(at, "incomescore_audit_records_total{outcome="
                                 "\"written\"}", 2) == 2);
    post_as(at, "/v1/prediction", "full-4", NULL, first_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* a batch fits again once its two slots are free */
    assert_true(metric_until(at, "incomescore_audit_queue_depth", 0) == 0);
    post_as(at, "/v1/predictions", "full-batch-2", NULL, batch, &r);
    assert_int_equal(r.status, 200);
    json_t *answers = reply_json(&r);
    assert_int_equal(json_array_size(answers), 2);
    json_decref(answers);
    reply_free(&r);
    /* three decisions never fit a queue of two, however idle */
    post_as(at, "/v1/predictions", "full-batch-3", NULL, triple, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, refused);
    reply_free(&r);
    server_stop(a); /* writes everything queued */

    /* Every 200 has its row, no 503 has one (full-batch, full-3, the
     * server's id, full-batch-3). */
    char rows[1024];
    audit_rows(db_path, rows, sizeof rows);
    assert_string_equal(rows, "full-1 -\n"
                              "full-2 -\n"
                              "full-4 -\n"
                              "full-batch-2/0 -\n"
                              "full-batch-2/1 -\n");
    assert_null(strstr(rows, made));
    unlink(db_path);
}

/* On commit acknowledgement (the default) a decision's row is in the
 * database when its answer arrives: read right after each 200, it is
 * there, a batch's items too. With the writer stalled (a second
 * connection holds the write lock) the answer waits audit_wait_ms and
 * is 503; its record, queued, is written once the stall ends and
 * counted unconfirmed: the log may hold a decision answered 503, never
 * miss one answered 200. */
static void a_decision_is_answered_once_its_record_is_committed(void **s)
{
    (void)s;
    char db_path[4200], at[64], batch[2048], rows[1024];
    snprintf(db_path, sizeof db_path, "%s/audit-commit.sqlite3", work);
    struct server *a = start_audited(db_path, AUDIT_ACK_COMMITTED, 0, 50,
                                     NULL, at, sizeof at);
    snprintf(batch, sizeof batch, "[%s, %s]", first_request, second_request);
    struct reply r;
    post_as(at, "/v1/prediction", "commit-1", NULL, first_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    audit_rows(db_path, rows, sizeof rows);
    assert_string_equal(rows, "commit-1 -\n");
    post_as(at, "/v1/predictions", "commit-batch", NULL, batch, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    audit_rows(db_path, rows, sizeof rows);
    assert_string_equal(rows, "commit-1 -\ncommit-batch/0 -\n"
                              "commit-batch/1 -\n");

    sqlite3 *blocker;
    assert_int_equal(sqlite3_open(db_path, &blocker), SQLITE_OK);
    assert_int_equal(sqlite3_exec(blocker, "BEGIN EXCLUSIVE", NULL, NULL,
                                  NULL), SQLITE_OK);
    post_as(at, "/v1/prediction", "commit-late", NULL, first_request, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, "{\"detail\": \"audit log unavailable\"}");
    reply_free(&r);
    http_at(at, "GET", "/metrics", NULL, NULL, 0, &r);
    assert_true(metric(r.body, "incomescore_audit_records_total{outcome="
                               "\"unconfirmed\"}") == 1);
    assert_true(metric(r.body, "incomescore_audit_unavailable_total") == 1);
    assert_true(metric(r.body, "incomescore_score_count") == 3);
    reply_free(&r);
    assert_int_equal(sqlite3_exec(blocker, "ROLLBACK", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(blocker);
    /* The held record is written once the stall ends, but not at once:
     * after a long stall SQLite's busy handler looks at the lock only
     * every 100 ms, and a decision sent meanwhile would outwait its
     * 50 ms (seen under ThreadSanitizer on a loaded machine). So the
     * next decision goes once the record is in (10 s at most). */
    for (int i = 0; i < 1000 && !strstr(rows, "commit-late"); i++) {
        usleep(10000);
        audit_rows(db_path, rows, sizeof rows);
    }
    post_as(at, "/v1/prediction", "commit-2", NULL, first_request, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    server_stop(a);
    audit_rows(db_path, rows, sizeof rows);
    assert_string_equal(rows, "commit-1 -\ncommit-batch/0 -\n"
                              "commit-batch/1 -\ncommit-late -\n"
                              "commit-2 -\n");
    unlink(db_path);
}

/* A real full disk: the audit database on a 1 MB tmpfs mounted for
 * the test (as root, as CI runs it; unmounted by the teardown even when
 * the test fails), filled to the last byte by a file. The decision that
 * meets the full disk is answered 503, so is every one after it, and
 * /readyz is 503 with the reason; the record that failed is held, and
 * once the filler is deleted it is written, /readyz is ready again and
 * decisions are answered. Every 200 has its row, and so does the held
 * record: no row is lost. */
static char tmpfs_dir[4200];

static int unmount_tmpfs(void **s)
{
    (void)s;
    if (tmpfs_dir[0]) {
        umount2(tmpfs_dir, MNT_DETACH);
        rmdir(tmpfs_dir);
        tmpfs_dir[0] = '\0';
    }
    return 0;
}

static void a_full_disk_is_503_and_not_ready_until_space_returns(void **s)
{
    (void)s;
    char db_path[4300], filler[4300], at[64], id[32], expected[4096];
    snprintf(tmpfs_dir, sizeof tmpfs_dir, "%s/tmpfs", work);
    assert_int_equal(mkdir(tmpfs_dir, 0700), 0);
    if (mount("tmpfs", tmpfs_dir, "tmpfs", 0, "size=1m") != 0)
        fail_msg("cannot mount a 1 MB tmpfs on %s: %s (this test needs "
                 "root, as CI runs it)", tmpfs_dir, strerror(errno));
    snprintf(db_path, sizeof db_path, "%s/audit.sqlite3", tmpfs_dir);
    snprintf(filler, sizeof filler, "%s/filler", tmpfs_dir);
    struct server *a = start_audited(db_path, AUDIT_ACK_COMMITTED, 0, 0,
                                     NULL, at, sizeof at);
    expected_answer(v1, first_request, expected, sizeof expected);
    static const char refused[] = "{\"detail\": \"audit log unavailable\"}";

    enum { MAX_POSTS = 200 };
    static char answered[MAX_POSTS + 8][32];
    int n_answered = 0;
    struct reply r;
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "before-%d", i);
        post_as(at, "/v1/prediction", id, NULL, first_request, &r);
        assert_int_equal(r.status, 200);
        snprintf(answered[n_answered++], sizeof answered[0], "%s", id);
        reply_free(&r);
    }

    /* The disk fills up. */
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    static char block[4096];
    while (write(fd, block, sizeof block) > 0)
        ;
    assert_int_equal(errno, ENOSPC);
    close(fd);

    char first_refused[32] = "";
    for (int i = 0; i < MAX_POSTS && !first_refused[0]; i++) {
        snprintf(id, sizeof id, "full-%d", i);
        post_as(at, "/v1/prediction", id, NULL, first_request, &r);
        if (r.status == 200) {
            assert_string_equal(r.body, expected);
            snprintf(answered[n_answered++], sizeof answered[0], "%s", id);
        } else {
            assert_int_equal(r.status, 503);
            assert_string_equal(r.body, refused);
            snprintf(first_refused, sizeof first_refused, "%s", id);
        }
        reply_free(&r);
    }
    assert_true(first_refused[0]); /* the disk really was full */
    http_at(at, "GET", "/readyz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body,
                        "{\"status\": \"audit log unavailable\", \"reason\": "
                        "\"cannot write decisions: database or disk is "
                        "full\"}");
    reply_free(&r);
    post_as(at, "/v1/prediction", "while-full", NULL, first_request, &r);
    assert_int_equal(r.status, 503); /* refused at once, never queued */
    assert_string_equal(r.body, refused);
    reply_free(&r);
    http_at(at, "GET", "/metrics", NULL, NULL, 0, &r);
    assert_true(metric(r.body, "incomescore_audit_failing") == 1);
    assert_true(metric(r.body, "incomescore_audit_records_total{outcome="
                               "\"failed_write\"}") == 0);
    reply_free(&r);

    /* Space comes back: the held record is written, the server is ready
     * and answers again. */
    assert_int_equal(unlink(filler), 0);
    assert_true(metric_until(at, "incomescore_audit_failing", 0) == 0);
    http_at(at, "GET", "/readyz", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    post_as(at, "/v1/prediction", "after", NULL, first_request, &r);
    assert_int_equal(r.status, 200);
    snprintf(answered[n_answered++], sizeof answered[0], "after");
    reply_free(&r);
    http_at(at, "GET", "/metrics", NULL, NULL, 0, &r);
    double queued = metric(r.body, "incomescore_audit_records_total{outcome="
                                   "\"queued\"}");
    assert_true(metric(r.body, "incomescore_audit_records_total{outcome="
                               "\"written\"}") == queued);
    assert_true(metric(r.body, "incomescore_audit_records_total{outcome="
                               "\"failed_write\"}") == 0);
    reply_free(&r);
    server_stop(a);

    /* Every answered decision has its row, the held one too, in order. */
    char rows[16384], want[16384];
    audit_rows(db_path, rows, sizeof rows);
    size_t len = 0;
    for (int i = 0; i < n_answered; i++) {
        if (strcmp(answered[i], "after") == 0)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s -\n",
                                    first_refused);
        len += (size_t)snprintf(want + len, sizeof want - len, "%s -\n",
                                answered[i]);
    }
    assert_string_equal(rows, want);
    assert_true(queued == n_answered + 1);
    unmount_tmpfs(NULL);
}

/* Last: stops the server, then reads the audit log it wrote. */
static void every_decision_is_in_the_audit_log(void **s)
{
    (void)s;
    struct reply one, batch;
    http("POST", "/v1/prediction",
         "Content-Type: application/json\nX-Request-Id: audit-one",
         second_request, strlen(second_request), &one);
    assert_int_equal(one.status, 200);
    char body[2048];
    snprintf(body, sizeof body, "[%s, {\"edad\": 17}, %s]", first_request,
             second_request);
    http("POST", "/v1/predictions",
         "Content-Type: application/json\nX-Request-Id: audit-batch", body,
         strlen(body), &batch);
    assert_int_equal(batch.status, 200);
    struct reply unnamed;
    http("POST", "/v1/prediction", "Content-Type: application/json",
         first_request, strlen(first_request), &unnamed);
    assert_int_equal(unnamed.status, 200);
    char made[64];
    assert_int_equal(header_value(&unnamed, "X-Request-Id", made, sizeof made),
                     0);
    reply_free(&unnamed);
    server_stop(server);
    server = NULL;

    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(audit_path, &db, SQLITE_OPEN_READONLY,
                                     NULL), SQLITE_OK);
    sqlite3_stmt *st;
    /* An id the server made carries its row's time_ms in its first 11
     * hex digits: README's lookup (by time, then id) finds it. */
    char ms_hex[12];
    snprintf(ms_hex, sizeof ms_hex, "%.11s", made);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM decisions"
                                        " WHERE time_ms = ?1 AND"
                                        " request_id = ?2",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, strtoll(ms_hex, NULL, 16));
    sqlite3_bind_text(st, 2, made, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT request_id, model_version, "
                                        "status, inputs, outputs, api_key "
                                        "FROM decisions WHERE request_id "
                                        "LIKE 'audit-%' ORDER BY id",
                                        -1, &st, NULL), SQLITE_OK);
    json_t *answers = json_loads(batch.body, 0, NULL);
    static const char *const ids[] = {"audit-one", "audit-batch/0",
                                      "audit-batch/2"};
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(rows < 3);
        assert_string_equal((const char *)sqlite3_column_text(st, 0),
                            ids[rows]);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), "v0001");
        assert_int_equal(sqlite3_column_int(st, 2), 200);
        /* a server without keys names none */
        assert_int_equal(sqlite3_column_type(st, 5), SQLITE_NULL);
        const char *inputs = (const char *)sqlite3_column_text(st, 3);
        const char *outputs = (const char *)sqlite3_column_text(st, 4);
        if (rows == 0) {
            assert_string_equal(inputs, second_request);
            assert_string_equal(outputs, one.body);
        } else {
            json_t *in = json_loads(inputs, 0, NULL);
            json_t *want = json_loads(rows == 1 ? first_request
                                                : second_request, 0, NULL);
            assert_true(json_equal(in, want));
            json_decref(in);
            json_decref(want);
            json_t *out = json_loads(outputs, 0, NULL);
            assert_true(json_equal(out, json_array_get(answers,
                                                       rows == 1 ? 0 : 2)));
            json_decref(out);
        }
        rows++;
    }
    assert_int_equal(rows, 3);
    json_decref(answers);
    sqlite3_finalize(st);
    sqlite3_close(db);
    reply_free(&one);
    reply_free(&batch);
}

int suite_server(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthz_answers_ok),
        cmocka_unit_test(the_original_requests_score_as_in_process),
        cmocka_unit_test(explain_adds_the_models_explanation),
        cmocka_unit_test(each_validation_rule_is_422_naming_the_field),
        cmocka_unit_test(malformed_json_is_422_json_invalid),
        cmocka_unit_test(lax_coercions_are_scored_as_pydantic_reads_them),
        cmocka_unit_test(an_oversized_body_is_413_before_it_is_read),
        cmocka_unit_test(
            a_body_of_another_content_type_is_422_model_attributes_type),
        cmocka_unit_test(other_methods_are_405_with_allow),
        cmocka_unit_test(a_batch_answers_in_order_with_a_bad_item_in_place),
        cmocka_unit_test(a_batch_over_10000_requests_is_413),
        cmocka_unit_test(readyz_model_and_meta_describe_the_live_version),
        cmocka_unit_test(segment_texts_come_from_the_bundle_served),
        cmocka_unit_test(openapi_docs_and_the_root_redirect),
        cmocka_unit_test(the_page_is_served_with_cache_and_security_headers),
        cmocka_unit_test(the_built_in_page_is_web_index_html),
        cmocka_unit_test(the_training_report_is_served),
        cmocka_unit_test(meta_checks_are_the_words_of_the_422s),
        cmocka_unit_test(the_request_id_is_echoed_or_generated),
        cmocka_unit_test(metrics_count_requests_scores_and_the_model),
        cmocka_unit_test(hostile_bodies_are_refused_cleanly),
        cmocka_unit_test(stalled_clients_time_out_and_others_are_served),
        cmocka_unit_test(a_promoted_version_is_served_after_reload),
        cmocka_unit_test(a_broken_bundle_is_refused_and_the_old_one_keeps_serving),
        cmocka_unit_test(a_broken_live_is_logged_once_counted_and_said_on_reload),
        cmocka_unit_test(without_a_live_version_the_server_is_not_ready),
        cmocka_unit_test(reloads_under_load_answer_every_request),
        cmocka_unit_test(stop_answers_the_request_in_flight),
        cmocka_unit_test(with_keys_v1_needs_a_bearer_key_and_health_stays_open),
        cmocka_unit_test(protect_all_leaves_only_health_and_readiness_open),
        cmocka_unit_test(keys_are_reloaded_and_a_bad_file_keeps_the_old_ones),
        cmocka_unit_test(a_bad_key_file_refuses_to_start),
        cmocka_unit_test(each_decision_names_its_api_key_in_the_audit_log),
        cmocka_unit_test(a_full_audit_queue_is_503_and_logs_no_decision),
        cmocka_unit_test(a_decision_is_answered_once_its_record_is_committed),
        cmocka_unit_test_teardown(
            a_full_disk_is_503_and_not_ready_until_space_returns,
            unmount_tmpfs),
        cmocka_unit_test(every_decision_is_in_the_audit_log),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("server", tests, setup, teardown);
}
