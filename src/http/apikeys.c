/*
 * apikeys.c — the key file, key matching and hash lines (see apikeys.h).
 */
#include "http/apikeys.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fileio.h"
#include "base/sha256.h"

#define HASH_PREFIX "sha256:"
#define HASH_PREFIX_LEN (sizeof HASH_PREFIX - 1)
#define HASH_DIGITS 64
#define EXPECTED "expected 'sha256:<64 hex digits> name'"

struct apikey {
    char hex[SHA256_HEX_SIZE]; /* lower case, as sha256_hex writes it */
    char name[APIKEY_NAME_SIZE];
    int line;
};

struct apikeys {
    struct apikey *keys;
    size_t count;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A name goes into Prometheus labels and JSON logs unescaped, hence the
 * small alphabet; a leading letter or digit leaves names like "_other"
 * free for the server's own use. */
static bool name_valid(const char *name, size_t n)
{
    if (n == 0 || n >= APIKEY_NAME_SIZE || !is_alnum(name[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_alnum(name[i]) && name[i] != '.' && name[i] != '_' &&
            name[i] != '-' && name[i] != '@')
            return false;
    return true;
}

#define NAME_RULE "1-63 letters, digits, '.', '_', '-' or '@', starting " \
                  "with a letter or a digit"

/* One line that is neither blank nor a comment: into *key, or -1 with
 * err naming what is wrong (the caller puts "<file> line N: " first). */
static int parse_line(const char *p, const char *end, struct apikey *key,
                      struct errbuf *err)
{
    if ((size_t)(end - p) < HASH_PREFIX_LEN ||
        strncasecmp(p, HASH_PREFIX, HASH_PREFIX_LEN) != 0)
        return err_set(err, EXPECTED);
    p += HASH_PREFIX_LEN;
    const char *hash = p;
    while (p < end && !is_blank(*p))
        p++;
    size_t digits = (size_t)(p - hash);
    for (size_t i = 0; i < digits; i++)
        if (hex_value(hash[i]) < 0)
            return err_set(err, EXPECTED ": '%c' in the hash is not a hex "
                                "digit", hash[i]);
    if (digits != HASH_DIGITS)
        return err_set(err, EXPECTED ": the hash has %zu digits", digits);
    for (size_t i = 0; i < HASH_DIGITS; i++)
        key->hex[i] = "0123456789abcdef"[hex_value(hash[i])];
    key->hex[HASH_DIGITS] = '\0';

    while (p < end && is_blank(*p))
        p++;
    const char *name = p;
    while (p < end && !is_blank(*p))
        p++;
    size_t n = (size_t)(p - name);
    if (n == 0 || name[0] == '#')
        return err_set(err, EXPECTED ": no name after the hash (who holds "
                            "the key)");
    if (!name_valid(name, n))
        return err_set(err, "name '%.*s' must be " NAME_RULE,
                       (int)(n < 80 ? n : 80), name);
    memcpy(key->name, name, n);
    key->name[n] = '\0';

    while (p < end && is_blank(*p))
        p++;
    if (p < end && *p != '#')
        return err_set(err, EXPECTED ": more after the name ('%.*s')",
                       (int)(end - p < 40 ? end - p : 40), p);
    return 0;
}

int apikeys_parse(struct apikeys **out, const char *label, const char *text,
                  size_t len, struct errbuf *err)
{
    *out = NULL;
    struct apikeys *k = calloc(1, sizeof *k);
    if (!k)
        return err_set(err, "out of memory");
    size_t cap = 0;
    int line = 0;
    const char *p = text, *stop = text + len;
    while (p < stop) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *end = nl ? nl : stop;
        const char *next = nl ? nl + 1 : stop;
        if (end > p && end[-1] == '\r')
            end--;
        while (p < end && is_blank(*p))
            p++;
        if (p == end || *p == '#') {
            p = next;
            continue;
        }
        if (memchr(p, '\0', (size_t)(end - p))) {
            err_set(err, "%s line %d: a NUL byte; this is not a key file",
                    label, line);
            goto fail;
        }
        if (k->count == APIKEYS_MAX) {
            err_set(err, "%s line %d: more than %d keys", label, line,
                    APIKEYS_MAX);
            goto fail;
        }
        if (k->count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct apikey *grown = realloc(k->keys, ncap * sizeof *grown);
            if (!grown) {
                err_set(err, "out of memory");
                goto fail;
            }
            k->keys = grown;
            cap = ncap;
        }
        struct apikey *key = &k->keys[k->count];
        if (parse_line(p, end, key, err) < 0) {
            err_prefix(err, "%s line %d", label, line);
            goto fail;
        }
        key->line = line;
        for (size_t i = 0; i < k->count; i++)
            if (strcmp(k->keys[i].hex, key->hex) == 0) {
                err_set(err, "%s line %d: the same key as line %d", label,
                        line, k->keys[i].line);
                goto fail;
            }
        k->count++;
        p = next;
    }
    if (k->count == 0) {
        err_set(err, "%s: no keys; a key file without any would refuse "
                     "every client (to serve without keys, give none)",
                label);
        goto fail;
    }
    *out = k;
    return 0;

fail:
    apikeys_free(k);
    return -1;
}

int apikeys_load(struct apikeys **out, const char *path, struct errbuf *err)
{
    *out = NULL;
    size_t len;
    char *text = file_read_limited(path, FILE_CAP_KEYS, &len, err);
    if (!text)
        return -1;
    int rc = apikeys_parse(out, path, text, len, err);
    free(text);
    return rc;
}

void apikeys_free(struct apikeys *keys)
{
    if (!keys)
        return;
    free(keys->keys);
    free(keys);
}

size_t apikeys_count(const struct apikeys *keys)
{
    return keys ? keys->count : 0;
}

const char *apikeys_name(const struct apikeys *keys, size_t i)
{
    return keys->keys[i].name;
}

int apikeys_find(const struct apikeys *keys, const char *key, size_t len)
{
    if (!keys || !key || len == 0)
        return -1;
    char hex[SHA256_HEX_SIZE];
    sha256_hex(key, len, hex);
    /* Every entry is compared, and the matching index is kept with a
     * mask rather than an early return or a branch. */
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < keys->count; i++) {
        size_t same =
            (size_t)(CRYPTO_memcmp(hex, keys->keys[i].hex, HASH_DIGITS) == 0);
        size_t mask = (size_t)0 - same;
        found = (found & ~mask) | (i & mask);
    }
    return found == SIZE_MAX ? -1 : (int)found;
}

const char *apikey_bearer(const char *value, size_t *len)
{
    if (!value)
        return NULL;
    while (is_blank(*value))
        value++;
    if (strncasecmp(value, "Bearer", 6) != 0 || !is_blank(value[6]))
        return NULL;
    const char *token = value + 6;
    while (is_blank(*token))
        token++;
    size_t n = strlen(token);
    while (n && is_blank(token[n - 1]))
        n--;
    if (n == 0)
        return NULL;
    *len = n;
    return token;
}

int apikey_line(const char *key, size_t len, const char *name, char *out,
                size_t size, struct errbuf *err)
{
    if (len < APIKEY_MIN_LEN)
        return err_set(err, "the key has %zu characters; a key needs at "
                            "least %d (make one with: openssl rand -hex 32)",
                       len, APIKEY_MIN_LEN);
    if (len > APIKEY_MAX_LEN)
        return err_set(err, "the key has %zu characters; at most %d",
                       len, APIKEY_MAX_LEN);
    for (size_t i = 0; i < len; i++)
        if (key[i] <= 0x20 || key[i] >= 0x7f)
            return err_set(err, "character %zu of the key is not visible "
                                "ASCII; a key travels in an HTTP header, so "
                                "it has no blanks, control characters or "
                                "non-ASCII letters", i + 1);
    if (!name_valid(name, strlen(name)))
        return err_set(err, "name '%.80s' must be " NAME_RULE, name);
    char hex[SHA256_HEX_SIZE];
    sha256_hex(key, len, hex);
    int n = snprintf(out, size, HASH_PREFIX "%s %s", hex, name);
    if (n < 0 || (size_t)n >= size)
        return err_set(err, "no room for the key line");
    return 0;
}
