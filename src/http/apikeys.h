/*
 * apikeys.h — API keys for `serve`: the key file, matching the key a
 * client presents, and the line an operator puts in the file.
 *
 * The file holds hashes, never keys, so a copy of it (a backup, a config
 * repository, a support ticket) lets nobody call the API. One line per
 * key:
 *
 *     # who holds it after the hash; comments and blank lines are fine
 *     sha256:<64 hex digits> <name>
 *
 * The hash is SHA-256 of the key's bytes, as `serve --hash-key` prints it
 * (upper- or lower-case hex). The name says who holds the key, for logs
 * and metrics: 1 to 63 letters, digits, '.', '_', '-' or '@', starting
 * with a letter or a digit, so that it goes into a Prometheus label or a
 * JSON log line as is. Several keys may share a name (a client rotating
 * its key holds two for a while); the same key twice is an error. A `#`
 * after the name starts a comment.
 *
 * Keys are not salted or stretched: they are long random strings
 * (APIKEY_MIN_LEN characters at least), not passwords, so a plain
 * SHA-256 is what keeps them out of the file and costs a microsecond per
 * request.
 */
#ifndef INCOMESCORE_APIKEYS_H
#define INCOMESCORE_APIKEYS_H

#include <stddef.h>

#include "base/errbuf.h"

#define APIKEY_NAME_SIZE 64 /* a name's 1-63 characters and a NUL */
#define APIKEY_MIN_LEN 16   /* `openssl rand -hex 32` makes 64 */
#define APIKEY_MAX_LEN 512
#define APIKEYS_MAX 1000    /* every request compares against all of them */
#define APIKEY_LINE_SIZE (7 + 64 + 1 + APIKEY_NAME_SIZE) /* with its NUL */

struct apikeys;

/* Reads and checks a key file. Every malformed line is refused with its
 * number ("keys.txt line 3: expected 'sha256:<64 hex digits> name'"); a
 * file with no key at all is refused too, since it would lock every client
 * out. NULL *out and -1 on any error: a file is taken whole or not at all. */
int apikeys_load(struct apikeys **out, const char *path, struct errbuf *err);

/* The same from text already in memory (len bytes); `label` names it in
 * messages, as the path does for apikeys_load. */
int apikeys_parse(struct apikeys **out, const char *label, const char *text,
                  size_t len, struct errbuf *err);

void apikeys_free(struct apikeys *keys);

size_t apikeys_count(const struct apikeys *keys);

/* The name of key i (0 <= i < apikeys_count). */
const char *apikeys_name(const struct apikeys *keys, size_t i);

/* The index of the key whose hash is SHA-256(key[0..len)), or -1 (also
 * for an empty key). The presented key's hash is compared with every
 * stored hash in constant time and the result picked without a branch,
 * so the time taken says neither whether nor which key matched. */
int apikeys_find(const struct apikeys *keys, const char *key, size_t len);

/* The token of an Authorization header value "Bearer <token>" (scheme in
 * any case, surrounding blanks ignored) and its length in *len; NULL when
 * value is NULL, another scheme, or has no token. */
const char *apikey_bearer(const char *value, size_t *len);

/* The key file line for key: "sha256:<64 hex digits> <name>" into out
 * (APIKEY_LINE_SIZE is enough). Refuses a key shorter than APIKEY_MIN_LEN
 * or longer than APIKEY_MAX_LEN, a key with anything but visible ASCII
 * (it travels in an HTTP header), and a name the file would refuse. */
int apikey_line(const char *key, size_t len, const char *name, char *out,
                size_t size, struct errbuf *err);

#endif
