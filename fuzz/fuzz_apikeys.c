/*
 * fuzz_apikeys.c — the API key file (apikeys_parse, what `serve
 * --api-keys` and INCOMESCORE_API_KEYS read). Any text is refused with a
 * message or gives a key set whose names can be read and in which a
 * lookup of any key (here: the input itself, and the empty key) ends.
 */
#include "fuzz_common.h"
#include "http/apikeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char *text = fuzz_exact_copy(data, len);
    struct apikeys *keys = NULL;
    struct errbuf err = {0};
    if (apikeys_parse(&keys, "fuzz", text, len, &err) == 0) {
        for (size_t i = 0; i < apikeys_count(keys); i++)
            if (!apikeys_name(keys, i))
                abort();
        (void)apikeys_find(keys, text, len);
        (void)apikeys_find(keys, "", 0);
        size_t bearer_len = 0;
        char *value = fuzz_exact_copy(data, len);
        /* apikey_bearer reads a C string: give it one */
        char *z = realloc(value, len + 1);
        if (!z)
            abort();
        z[len] = '\0';
        (void)apikey_bearer(z, &bearer_len);
        free(z);
        apikeys_free(keys);
    } else if (err.msg[0] == '\0') {
        fprintf(stderr, "fuzz_apikeys: refused without a message\n");
        abort();
    }
    free(text);
    return 0;
}
