/*
 * sha256.h — content hashes for lineage: which dataset, rules and
 * reference tables a model was built from, and whether a bundle's files
 * are the ones it was saved with. OpenSSL's libcrypto does the hashing.
 */
#ifndef INCOMESCORE_SHA256_H
#define INCOMESCORE_SHA256_H

#include <stddef.h>

#include "base/errbuf.h"

#define SHA256_HEX_SIZE 65 /* 64 hex digits and a NUL */

void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE]);

/* The hash of a file's contents, streamed. */
int sha256_file(const char *path, char hex[SHA256_HEX_SIZE],
                struct errbuf *err);

#endif
