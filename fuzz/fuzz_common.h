/*
 * fuzz_common.h — what the libFuzzer targets in fuzz/ share: the shipped
 * reference data (data/, as the binary finds it), loaded once, and a copy
 * of the input that ends exactly where the input ends, so that a parser
 * reading one byte past `len` is caught by ASan instead of reading the
 * fuzzer's spare bytes.
 */
#ifndef INCOMESCORE_FUZZ_COMMON_H
#define INCOMESCORE_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/paths.h"
#include "score/refdata.h"

/* The tables request and document mapping use; a failure to load them is
 * the build's fault, not the input's: abort loudly. */
static inline const struct refdata *fuzz_refdata(void)
{
    static struct refdata rd;
    static int loaded;
    if (!loaded) {
        struct errbuf err = {0};
        if (refdata_load(&rd, paths_data_dir(), ITAEE_DEFAULT_YEAR, &err) < 0) {
            fprintf(stderr, "fuzz: cannot load reference data: %s\n", err.msg);
            abort();
        }
        loaded = 1;
    }
    return &rd;
}

/* A malloc'd copy of exactly len bytes (no NUL after it); free it. */
static inline char *fuzz_exact_copy(const uint8_t *data, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    if (len)
        memcpy(copy, data, len);
    return copy;
}

#endif
