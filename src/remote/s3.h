/*
 * s3.h — a small S3 client: GET, PUT, HEAD and LIST (v2) of objects,
 * signed with AWS Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4,
 * "aws:amz:REGION:s3"). Enough for the model registry in a bucket
 * (remote.h); it speaks to AWS S3, to Google Cloud Storage's
 * S3-compatible endpoint with HMAC keys, and to MinIO or s3rver.
 *
 * Settings come from the environment, as the AWS tools read them:
 *   INCOMESCORE_S3_ENDPOINT, else AWS_ENDPOINT_URL: the service's base URL
 *       (https://storage.googleapis.com, http://127.0.0.1:9000). Given,
 *       objects are addressed path-style (ENDPOINT/BUCKET/KEY), which
 *       every S3 look-alike understands; absent, AWS's virtual-hosted
 *       https://BUCKET.s3.REGION.amazonaws.com/KEY.
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  required
 *   AWS_SESSION_TOKEN   temporary credentials: sent as x-amz-security-token
 *   AWS_REGION          default us-east-1 (AWS_DEFAULT_REGION read too)
 *
 * The secret and the token are handed to libcurl and never formatted
 * into a message, a log line or a URL. Every failure names the object
 * (s3://bucket/key) and, when S3 answered with an error document, its
 * <Code> (NoSuchBucket, NoSuchKey, AccessDenied, SignatureDoesNotMatch,
 * ...), the HTTP status otherwise.
 *
 * A handle is for one thread at a time (it keeps one curl handle, so
 * connections are reused from one request to the next).
 */
#ifndef INCOMESCORE_S3_H
#define INCOMESCORE_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errbuf.h"

#define S3_ENDPOINT_ENV "INCOMESCORE_S3_ENDPOINT"
#define S3_BUCKET_SIZE 64  /* S3's limit is 63 characters */
#define S3_KEY_SIZE 1024   /* S3's limit is 1024 bytes */
#define S3_ETAG_SIZE 128

/* s3://bucket/prefix, split: prefix without a leading or trailing '/'
 * ("" for the bucket's root). */
struct s3_location {
    char bucket[S3_BUCKET_SIZE];
    char prefix[S3_KEY_SIZE];
};

/* Whether text starts with "s3://". */
bool s3_is_url(const char *text);

/* Splits url into *loc; -1 with the reason when it is not
 * s3://BUCKET[/PREFIX] with a bucket name S3 accepts. */
int s3_parse_url(const char *url, struct s3_location *loc,
                 struct errbuf *err);

struct s3;

/* A client from the environment (above); -1 naming the variable that is
 * missing. */
int s3_open(struct s3 **out, struct errbuf *err);
void s3_close(struct s3 *s);

/* GET bucket/key into *body (malloc'd, NUL-terminated, *len bytes; NULL
 * allowed when only the ETag matters) and its ETag into etag (may be NULL,
 * else S3_ETAG_SIZE bytes). With if_none_match (an ETag; NULL or "" for
 * none) an unchanged object is one cheap 304: returns 1, body untouched.
 * Returns 0 when read, -1 with the reason; *missing (may be NULL) is set
 * when the reason is that the key does not exist (NoSuchKey). */
int s3_get(struct s3 *s, const char *bucket, const char *key,
           const char *if_none_match, char **body, size_t *len, char *etag,
           bool *missing, struct errbuf *err);

/* GET bucket/key into the file at path, written as every file is
 * (atomic_write_file: fsync'ed, then renamed into place). */
int s3_get_file(struct s3 *s, const char *bucket, const char *key,
                const char *path, struct errbuf *err);

/* PUT len bytes at data as bucket/key. */
int s3_put(struct s3 *s, const char *bucket, const char *key,
           const void *data, size_t len, struct errbuf *err);

/* PUT the file at path as bucket/key. */
int s3_put_file(struct s3 *s, const char *bucket, const char *key,
                const char *path, struct errbuf *err);

/* HEAD bucket/key: 0 when it exists (its ETag to etag, may be NULL),
 * 1 when it does not, -1 with the reason. */
int s3_head(struct s3 *s, const char *bucket, const char *key, char *etag,
            struct errbuf *err);

/* Every key under prefix (all pages of ListObjectsV2), in S3's order
 * (byte order), to fn with arg; fn returns 0 to go on, -1 (with err set)
 * to stop, which s3_list returns. */
typedef int s3_key_fn(const char *key, void *arg, struct errbuf *err);
int s3_list(struct s3 *s, const char *bucket, const char *prefix,
            s3_key_fn *fn, void *arg, struct errbuf *err);

/* The text of the first <tag>...</tag> in xml (len bytes) into out
 * (size bytes), with XML's five entities decoded; -1 when absent or too
 * long. For S3's small answers (an error's <Code>, a listing's keys):
 * no namespaces, no CDATA, which S3 never sends there. *next (may be
 * NULL) gets the offset just past the closing tag, to read the next. */
int s3_xml_text(const char *xml, size_t len, const char *tag, char *out,
                size_t size, size_t *next);

/* The object key `name` under prefix ("prefix/name", or name when prefix
 * is ""), into key (S3_KEY_SIZE bytes); -1 when too long. */
int s3_key(char key[S3_KEY_SIZE], const char *prefix, const char *name,
           struct errbuf *err);

#endif
