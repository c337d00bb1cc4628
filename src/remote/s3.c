/*
 * s3.c — the S3 client of s3.h on libcurl. libcurl signs (SigV4); this
 * file builds the URLs, adds the headers S3 needs that libcurl 7.88 does
 * not (x-amz-content-sha256, the session token), and turns S3's error
 * documents into messages that name the object and S3's code.
 *
 * Two things the signature depends on are done here because libcurl
 * 7.88 takes them as given: the query string is written already in
 * SigV4's canonical form (names sorted, values percent-encoded), and the
 * path is percent-encoded once, as S3 expects. A PUT's payload hash is
 * computed here and sent in x-amz-content-sha256, which libcurl signs
 * with the other x-amz-* headers.
 */
#include "remote/s3.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/sha256.h"
#include "base/text.h"

#define S3_DEFAULT_REGION "us-east-1"
#define S3_CONNECT_TIMEOUT_S 10L
/* A transfer that moves less than a byte a second for this long is
 * given up: no total timeout, so a large model on a slow link still
 * arrives. */
#define S3_STALL_S 30L
/* The SHA-256 of nothing: the payload hash of a GET, HEAD or LIST. */
#define EMPTY_SHA256                                                         \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct s3 {
    CURL *curl;
    char endpoint[512]; /* "" for AWS's virtual-hosted addresses */
    char region[64];
    char sigv4[96];     /* "aws:amz:REGION:s3" */
    char *access_key, *secret, *token; /* token may be NULL */
};

bool s3_is_url(const char *text)
{
    return text && strncmp(text, "s3://", 5) == 0;
}

int s3_parse_url(const char *url, struct s3_location *loc,
                 struct errbuf *err)
{
    if (!s3_is_url(url))
        return err_set(err, "'%s' is not an s3://BUCKET/PREFIX address", url);
    const char *b = url + 5, *slash = strchr(b, '/');
    size_t blen = slash ? (size_t)(slash - b) : strlen(b);
    if (blen < 3 || blen >= S3_BUCKET_SIZE)
        return err_set(err, "'%s': a bucket name is 3 to 63 characters", url);
    for (size_t i = 0; i < blen; i++) {
        char c = b[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '.' || c == '_'))
            return err_set(err, "'%s': a bucket name has lower-case "
                                "letters, digits, '-', '.' and '_' only",
                           url);
    }
    memcpy(loc->bucket, b, blen);
    loc->bucket[blen] = '\0';
    const char *p = slash ? slash + 1 : "";
    while (*p == '/')
        p++;
    size_t plen = strlen(p);
    while (plen && p[plen - 1] == '/')
        plen--;
    if (plen >= S3_KEY_SIZE - 256)
        return err_set(err, "'%s': the prefix is too long", url);
    memcpy(loc->prefix, p, plen);
    loc->prefix[plen] = '\0';
    return 0;
}

int s3_key(char key[S3_KEY_SIZE], const char *prefix, const char *name,
           struct errbuf *err)
{
    int n = snprintf(key, S3_KEY_SIZE, "%s%s%s", prefix, *prefix ? "/" : "",
                     name);
    if (n < 0 || n >= S3_KEY_SIZE)
        return err_set(err, "object key %s/%s is too long", prefix, name);
    return 0;
}

static char *env_copy(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? strdup(v) : NULL;
}

static void free_secret(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void s3_close(struct s3 *s)
{
    if (!s)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    free(s->access_key);
    free_secret(s->secret);
    free_secret(s->token);
    free(s);
}

int s3_open(struct s3 **out, struct errbuf *err)
{
    *out = NULL;
    struct s3 *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, "out of memory");
    const char *endpoint = getenv(S3_ENDPOINT_ENV);
    if (!endpoint || !*endpoint)
        endpoint = getenv("AWS_ENDPOINT_URL");
    if (endpoint && *endpoint) {
        if (strncmp(endpoint, "http://", 7) != 0 &&
            strncmp(endpoint, "https://", 8) != 0) {
            s3_close(s);
            return err_set(err, "the S3 endpoint '%s' is not an http:// or "
                                "https:// URL", endpoint);
        }
        snprintf(s->endpoint, sizeof s->endpoint, "%s", endpoint);
        size_t n = strlen(s->endpoint);
        while (n && s->endpoint[n - 1] == '/')
            s->endpoint[--n] = '\0';
    }
    const char *region = getenv("AWS_REGION");
    if (!region || !*region)
        region = getenv("AWS_DEFAULT_REGION");
    snprintf(s->region, sizeof s->region, "%s",
             region && *region ? region : S3_DEFAULT_REGION);
    snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%s:s3", s->region);
    s->access_key = env_copy("AWS_ACCESS_KEY_ID");
    s->secret = env_copy("AWS_SECRET_ACCESS_KEY");
    s->token = env_copy("AWS_SESSION_TOKEN");
    if (!s->access_key || !s->secret) {
        const char *which = s->access_key ? "AWS_SECRET_ACCESS_KEY"
                                          : "AWS_ACCESS_KEY_ID";
        s3_close(s);
        return err_set(err, "no S3 credentials: %s is not set", which);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
        !(s->curl = curl_easy_init())) {
        s3_close(s);
        return err_set(err, "cannot start libcurl");
    }
    *out = s;
    return 0;
}

/* s percent-encoded into t: every byte but RFC 3986's unreserved ones,
 * and '/' too unless keep_slash (a key's path keeps its slashes; a
 * query value does not), as SigV4's canonical form wants. */
static void url_encode(struct text *t, const char *s, bool keep_slash)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~' || (keep_slash && c == '/'))
            text_put(t, (const char *)&c, 1);
        else
            text_printf(t, "%%%02X", c);
    }
}

/* The URL of bucket/key ("" key: the bucket itself, for a listing). */
static void object_url(const struct s3 *s, struct text *t, const char *bucket,
                       const char *key)
{
    if (*s->endpoint)
        text_printf(t, "%s/%s/", s->endpoint, bucket);
    else
        text_printf(t, "https://%s.s3.%s.amazonaws.com/", bucket, s->region);
    url_encode(t, key, true);
}

int s3_xml_text(const char *xml, size_t len, const char *tag, char *out,
                size_t size, size_t *next)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *end = xml + len;
    const char *a = memmem(xml, len, open, strlen(open));
    if (!a)
        return -1;
    a += strlen(open);
    const char *b = memmem(a, (size_t)(end - a), close, strlen(close));
    if (!b)
        return -1;
    size_t o = 0;
    for (const char *p = a; p < b; o++) {
        if (o + 1 >= size)
            return -1;
        char c = *p;
        if (c == '&') {
            const char *semi = memchr(p, ';', (size_t)(b - p));
            if (!semi)
                return -1;
            size_t n = (size_t)(semi - p) + 1;
            if (n == 5 && !memcmp(p, "&amp;", 5)) c = '&';
            else if (n == 4 && !memcmp(p, "&lt;", 4)) c = '<';
            else if (n == 4 && !memcmp(p, "&gt;", 4)) c = '>';
            else if (n == 6 && !memcmp(p, "&quot;", 6)) c = '"';
            else if (n == 6 && !memcmp(p, "&apos;", 6)) c = '\'';
            else if (p[1] == '#') {
                long v = p[2] == 'x' ? strtol(p + 3, NULL, 16)
                                     : strtol(p + 2, NULL, 10);
                if (v <= 0 || v > 127) /* S3 escapes control bytes only */
                    return -1;
                c = (char)v;
            } else {
                return -1;
            }
            p += n;
        } else {
            p++;
        }
        out[o] = c;
    }
    out[o] = '\0';
    if (next)
        *next = (size_t)(b + strlen(close) - xml);
    return 0;
}

struct upload {
    const char *p;
    size_t left;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

static size_t write_text(char *data, size_t size, size_t n, void *arg)
{
    struct text *t = arg;
    text_put(t, data, size * n);
    return t->failed ? 0 : size * n;
}

static size_t read_etag(char *line, size_t size, size_t n, void *arg)
{
    char *etag = arg;
    size_t len = size * n;
    if (len > 5 && strncasecmp(line, "etag:", 5) == 0) {
        const char *v = line + 5;
        size_t vl = len - 5;
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
                      v[vl - 1] == ' '))
            vl--;
        if (vl < S3_ETAG_SIZE) {
            memcpy(etag, v, vl);
            etag[vl] = '\0';
        }
    }
    return len;
}

/* One request. method: GET, PUT, HEAD; what names the object in messages
 * (s3://bucket/key); query ("" or canonical) is appended to the URL.
 * The answer's body goes to *resp (also on an error status, to read its
 * <Code>), its status to *status. Returns -1 only when no answer came. */
struct request {
    const char *method;
    const char *bucket, *key, *query;
    const void *data;      /* PUT's payload */
    size_t len;
    const char *if_none_match;
};

static int perform(struct s3 *s, const struct request *rq, struct text *resp,
                   long *status, char *etag, struct errbuf *err)
{
    CURL *c = s->curl;
    curl_easy_reset(c);
    struct text url = {0};
    object_url(s, &url, rq->bucket, rq->key);
    if (*rq->query)
        text_printf(&url, "?%s", rq->query);
    char payload_hash[SHA256_HEX_SIZE] = EMPTY_SHA256;
    if (rq->data)
        sha256_hex(rq->data, rq->len, payload_hash);
    struct curl_slist *headers = NULL;
    char line[S3_ETAG_SIZE + 64];
    snprintf(line, sizeof line, "x-amz-content-sha256: %s", payload_hash);
    headers = curl_slist_append(headers, line);
    headers = curl_slist_append(headers, "Expect:");
    struct text token = {0};
    if (s->token) {
        text_printf(&token, "x-amz-security-token: %s", s->token);
        headers = curl_slist_append(headers, token.p);
    }
    if (rq->if_none_match && *rq->if_none_match) {
        snprintf(line, sizeof line, "If-None-Match: %s", rq->if_none_match);
        headers = curl_slist_append(headers, line);
    }
    if (url.failed || token.failed || !headers) {
        free(url.p);
        free_secret(token.p);
        curl_slist_free_all(headers);
        return err_set(err, "out of memory");
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    struct upload up = {rq->data, rq->len};
    char etag_buf[S3_ETAG_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url.p);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, S3_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, S3_STALL_S);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
    curl_easy_setopt(c, CURLOPT_USERNAME, s->access_key);
    curl_easy_setopt(c, CURLOPT_PASSWORD, s->secret);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_text);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_etag);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, etag_buf);
    if (strcmp(rq->method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->len);
    } else if (strcmp(rq->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    /* the options point at these: none may outlive the transfer */
    curl_easy_reset(c);
    curl_slist_free_all(headers);
    free_secret(token.p);
    free(url.p);
    if (rc != CURLE_OK)
        return err_set(err, "s3://%s/%s: %s failed: %s", rq->bucket, rq->key,
                       rq->method, *curl_err ? curl_err
                                             : curl_easy_strerror(rc));
    if (resp->failed)
        return err_set(err, "s3://%s/%s: out of memory", rq->bucket, rq->key);
    if (etag)
        snprintf(etag, S3_ETAG_SIZE, "%s", etag_buf);
    return 0;
}

/* An error status as a message: the object, the status, S3's <Code> and
 * <Message> when it sent an error document. */
static int s3_failure(const struct request *rq, long status,
                      const struct text *resp, bool *missing,
                      struct errbuf *err)
{
    char code[64] = "", message[256] = "";
    if (resp->p) {
        s3_xml_text(resp->p, resp->len, "Code", code, sizeof code, NULL);
        s3_xml_text(resp->p, resp->len, "Message", message, sizeof message,
                    NULL);
    }
    if (!*code && status == 404 && strcmp(rq->method, "HEAD") != 0)
        snprintf(code, sizeof code, "NotFound");
    if (missing)
        *missing = strcmp(code, "NoSuchKey") == 0 ||
                   (status == 404 && strcmp(rq->method, "HEAD") == 0);
    return err_set(err, "s3://%s/%s: %s answered %ld%s%s%s%s%s", rq->bucket,
                   rq->key, rq->method, status, *code ? " " : "", code,
                   *message ? " (" : "", message, *message ? ")" : "");
}

int s3_get(struct s3 *s, const char *bucket, const char *key,
           const char *if_none_match, char **body, size_t *len, char *etag,
           bool *missing, struct errbuf *err)
{
    if (missing)
        *missing = false;
    struct request rq = {"GET", bucket, key, "", NULL, 0, if_none_match};
    struct text resp = {0};
    long status = 0;
    if (perform(s, &rq, &resp, &status, etag, err) < 0) {
        free(resp.p);
        return -1;
    }
    if (status == 304) {
        free(resp.p);
        return 1;
    }
    if (status != 200) {
        s3_failure(&rq, status, &resp, missing, err);
        free(resp.p);
        return -1;
    }
    if (!resp.p) { /* an empty object */
        resp.p = calloc(1, 1);
        if (!resp.p)
            return err_set(err, "out of memory");
    }
    if (len)
        *len = resp.len;
    if (body)
        *body = resp.p;
    else
        free(resp.p);
    return 0;
}

int s3_get_file(struct s3 *s, const char *bucket, const char *key,
                const char *path, struct errbuf *err)
{
    char *body;
    size_t len;
    if (s3_get(s, bucket, key, NULL, &body, &len, NULL, NULL, err) != 0)
        return -1;
    /* atomically and fsync'ed: a pulled version is renamed into a
     * registry and may be served after a crash, so its files must be on
     * disk before it appears, not only in the page cache */
    int rc = atomic_write_file(path, body, len, err);
    free(body);
    if (rc < 0)
        return err_prefix(err, "cannot write the copy of s3://%s/%s",
                          bucket, key);
    return 0;
}

int s3_put(struct s3 *s, const char *bucket, const char *key,
           const void *data, size_t len, struct errbuf *err)
{
    struct request rq = {"PUT", bucket, key, "", data ? data : "", len, NULL};
    struct text resp = {0};
    long status = 0;
    int rc = perform(s, &rq, &resp, &status, NULL, err);
    if (rc == 0 && status != 200)
        rc = s3_failure(&rq, status, &resp, NULL, err);
    free(resp.p);
    return rc;
}

int s3_put_file(struct s3 *s, const char *bucket, const char *key,
                const char *path, struct errbuf *err)
{
    size_t len;
    char *data = file_read_all(path, &len, err);
    if (!data)
        return -1;
    int rc = s3_put(s, bucket, key, data, len, err);
    free(data);
    return rc;
}

int s3_head(struct s3 *s, const char *bucket, const char *key, char *etag,
            struct errbuf *err)
{
    struct request rq = {"HEAD", bucket, key, "", NULL, 0, NULL};
    struct text resp = {0};
    long status = 0;
    int rc = perform(s, &rq, &resp, &status, etag, err);
    if (rc == 0 && status == 404)
        rc = 1;
    else if (rc == 0 && status != 200)
        rc = s3_failure(&rq, status, &resp, NULL, err);
    free(resp.p);
    return rc;
}

int s3_list(struct s3 *s, const char *bucket, const char *prefix,
            s3_key_fn *fn, void *arg, struct errbuf *err)
{
    char token[S3_KEY_SIZE] = "", key[S3_KEY_SIZE];
    for (;;) {
        /* SigV4's canonical query: names in order, values encoded */
        struct text q = {0};
        if (*token) {
            text_puts(&q, "continuation-token=");
            url_encode(&q, token, false);
            text_puts(&q, "&");
        }
        text_puts(&q, "list-type=2&prefix=");
        url_encode(&q, prefix, false);
        if (q.failed) {
            free(q.p);
            return err_set(err, "out of memory");
        }
        struct request rq = {"GET", bucket, "", q.p, NULL, 0, NULL};
        struct text resp = {0};
        long status = 0;
        int rc = perform(s, &rq, &resp, &status, NULL, err);
        free(q.p);
        if (rc == 0 && status != 200) {
            rq.key = prefix; /* name what was listed */
            rc = s3_failure(&rq, status, &resp, NULL, err);
        }
        size_t at = 0, next;
        while (rc == 0 && resp.p &&
               s3_xml_text(resp.p + at, resp.len - at, "Key", key, sizeof key,
                           &next) == 0) {
            at += next;
            rc = fn(key, arg, err);
        }
        char truncated[8] = "";
        if (rc == 0 && resp.p)
            s3_xml_text(resp.p, resp.len, "IsTruncated", truncated,
                        sizeof truncated, NULL);
        bool more = rc == 0 && strcmp(truncated, "true") == 0 &&
                    s3_xml_text(resp.p, resp.len, "NextContinuationToken",
                                token, sizeof token, NULL) == 0;
        free(resp.p);
        if (rc < 0 || !more)
            return rc;
    }
}
