/*
 * test_apikeys.c — the key file as an operator writes it and gets it
 * wrong, matching as a client presents keys, the Authorization header,
 * and the line `serve --hash-key` prints.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/apikeys.h"
#include "base/sha256.h"

static const char alice_key[] = "3f8a1c0d9e7b6a5f4e3d2c1b0a998877";
static const char bob_key[] = "bob-key-0123456789abcdef";

/* "sha256:<hash of key> name" */
static void key_line(char *out, size_t size, const char *key,
                     const char *name)
{
    char hex[SHA256_HEX_SIZE];
    sha256_hex(key, strlen(key), hex);
    snprintf(out, size, "sha256:%s %s", hex, name);
}

static struct apikeys *parse_ok(const char *text)
{
    struct apikeys *k;
    struct errbuf err;
    if (apikeys_parse(&k, "keys.txt", text, strlen(text), &err) < 0)
        fail_msg("%s", err.msg);
    return k;
}

/* The message for text, which must be refused. */
static void parse_refused(const char *text, char *msg, size_t size)
{
    struct apikeys *k = (struct apikeys *)1;
    struct errbuf err;
    assert_int_equal(apikeys_parse(&k, "keys.txt", text, strlen(text), &err),
                     -1);
    assert_null(k);
    snprintf(msg, size, "%s", err.msg);
}

static struct apikeys *two_keys(void)
{
    char a[160], b[160], text[512];
    key_line(a, sizeof a, alice_key, "alice");
    key_line(b, sizeof b, bob_key, "bob@acme.mx");
    snprintf(text, sizeof text, "%s\n%s\n", a, b);
    return parse_ok(text);
}

/* ------------------------------------------------------------- the file */

static void a_good_file_loads_every_key_with_its_name(void **s)
{
    (void)s;
    char a[160], b[160], c[160], text[1024];
    key_line(a, sizeof a, alice_key, "alice");
    key_line(b, sizeof b, bob_key, "bob@acme.mx");
    key_line(c, sizeof c, "rotated-key-for-alice-0001", "alice");
    /* upper-case hex, as some tools print it */
    for (char *p = b + 7; *p && *p != ' '; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    snprintf(text, sizeof text,
             "# incomescore API keys\n"
             "\n"
             "%s\n"
             "   \t\n"
             "  %s   # rotated 2024-06\r\n"
             "\t# a comment after blanks\n"
             "%s", /* no newline at the end */
             a, b, c);
    struct apikeys *k = parse_ok(text);
    assert_int_equal(apikeys_count(k), 3);
    assert_string_equal(apikeys_name(k, 0), "alice");
    assert_string_equal(apikeys_name(k, 1), "bob@acme.mx");
    assert_string_equal(apikeys_name(k, 2), "alice"); /* a name may repeat */
    assert_int_equal(apikeys_find(k, bob_key, strlen(bob_key)), 1);
    apikeys_free(k);
}

static void a_file_is_read_from_disk(void **s)
{
    (void)s;
    char *dir = test_mkdtemp();
    char line[160], text[200];
    key_line(line, sizeof line, alice_key, "alice");
    snprintf(text, sizeof text, "%s\n", line);
    char *path = test_write_file(dir, "keys.txt", text);
    struct apikeys *k;
    struct errbuf err;
    assert_int_equal(apikeys_load(&k, path, &err), 0);
    assert_int_equal(apikeys_count(k), 1);
    apikeys_free(k);
    free(path);
    test_rmtree(dir);
    free(dir);
}

static void each_malformed_line_is_refused_with_its_number(void **s)
{
    (void)s;
    char good[160];
    key_line(good, sizeof good, alice_key, "alice");
    const char *hash = good + 7; /* 64 digits, then " alice" */
    struct {
        const char *line;
        const char *message; /* after "keys.txt line 3: " */
    } cases[] = {
        /* a plain key pasted instead of its hash */
        {alice_key, "expected 'sha256:<64 hex digits> name'"},
        {"md5:0123 alice", "expected 'sha256:<64 hex digits> name'"},
        {"sha256: alice", "expected 'sha256:<64 hex digits> name': the hash "
                          "has 0 digits"},
        {NULL, "expected 'sha256:<64 hex digits> name': the hash has 63 "
               "digits"},
        {NULL, "expected 'sha256:<64 hex digits> name': 'g' in the hash is "
               "not a hex digit"},
        {NULL, "expected 'sha256:<64 hex digits> name': no name after the "
               "hash (who holds the key)"},
        {NULL, "expected 'sha256:<64 hex digits> name': no name after the "
               "hash (who holds the key)"},
        {NULL, "name 'al\"ice' must be 1-63 letters, digits, '.', '_', '-' "
               "or '@', starting with a letter or a digit"},
        {NULL, "name '_alice' must be 1-63 letters"},
        {NULL, "expected 'sha256:<64 hex digits> name': more after the name "
               "('bob')"},
    };
    char made[8][256];
    snprintf(made[0], sizeof made[0], "sha256:%.63s alice", hash);
    snprintf(made[1], sizeof made[1], "sha256:g%.63s alice", hash + 1);
    snprintf(made[2], sizeof made[2], "sha256:%.64s", hash);
    snprintf(made[3], sizeof made[3], "sha256:%.64s   # who?", hash);
    snprintf(made[4], sizeof made[4], "sha256:%.64s al\"ice", hash);
    snprintf(made[5], sizeof made[5], "sha256:%.64s _alice", hash);
    snprintf(made[6], sizeof made[6], "sha256:%.64s alice bob", hash);
    for (size_t i = 3; i < sizeof cases / sizeof cases[0]; i++)
        cases[i].line = made[i - 3];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char bad[160], text[1024], msg[ERRBUF_SIZE], want[512];
        /* a different good key on line 2, so only line 3 is wrong */
        key_line(bad, sizeof bad, bob_key, "bob");
        snprintf(text, sizeof text, "# keys\n%s\n%s\n%s\n", bad, cases[i].line,
                 good);
        parse_refused(text, msg, sizeof msg);
        snprintf(want, sizeof want, "keys.txt line 3: %s", cases[i].message);
        if (strncmp(msg, want, strlen(want)) != 0)
            fail_msg("case %zu: '%s', wanted '%s'", i, msg, want);
    }
}

static void the_same_key_twice_is_refused(void **s)
{
    (void)s;
    char a[160], b[160], text[512], msg[ERRBUF_SIZE];
    key_line(a, sizeof a, alice_key, "alice");
    key_line(b, sizeof b, alice_key, "mallory");
    snprintf(text, sizeof text, "%s\n\n%s\n", a, b);
    parse_refused(text, msg, sizeof msg);
    assert_string_equal(msg, "keys.txt line 3: the same key as line 1");
}

static void a_nul_byte_is_refused(void **s)
{
    (void)s;
    char a[160], text[256];
    key_line(a, sizeof a, alice_key, "alice");
    size_t n = (size_t)snprintf(text, sizeof text, "%s\n", a);
    text[20] = '\0';
    struct apikeys *k;
    struct errbuf err;
    assert_int_equal(apikeys_parse(&k, "keys.txt", text, n, &err), -1);
    assert_string_equal(err.msg, "keys.txt line 1: a NUL byte; this is not "
                                 "a key file");
}

static void an_empty_file_is_refused(void **s)
{
    (void)s;
    const char *const empties[] = {"", "\n\n", "# no keys yet\n  # none\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        char msg[ERRBUF_SIZE];
        parse_refused(empties[i], msg, sizeof msg);
        assert_non_null(strstr(msg, "keys.txt: no keys"));
    }
}

static void an_unreadable_file_is_refused(void **s)
{
    (void)s;
    struct apikeys *k;
    struct errbuf err;
    assert_int_equal(apikeys_load(&k, "/nonexistent/keys.txt", &err), -1);
    assert_null(k);
    assert_non_null(strstr(err.msg, "/nonexistent/keys.txt"));
}

static void more_than_the_maximum_of_keys_is_refused(void **s)
{
    (void)s;
    size_t size = (size_t)(APIKEYS_MAX + 1) * 80 + 1, len = 0;
    char *text = malloc(size);
    for (int i = 0; i <= APIKEYS_MAX; i++) {
        char key[32], line[160];
        snprintf(key, sizeof key, "key-number-%08d", i);
        key_line(line, sizeof line, key, "k");
        len += (size_t)snprintf(text + len, size - len, "%s\n", line);
    }
    char msg[ERRBUF_SIZE];
    parse_refused(text, msg, sizeof msg);
    char want[64];
    snprintf(want, sizeof want, "keys.txt line %d: more than %d keys",
             APIKEYS_MAX + 1, APIKEYS_MAX);
    assert_string_equal(msg, want);
    free(text);
}

/* ------------------------------------------------------------- matching */

static void the_right_key_is_accepted_with_its_name(void **s)
{
    (void)s;
    struct apikeys *k = two_keys();
    int i = apikeys_find(k, alice_key, strlen(alice_key));
    assert_int_equal(i, 0);
    assert_string_equal(apikeys_name(k, (size_t)i), "alice");
    i = apikeys_find(k, bob_key, strlen(bob_key));
    assert_int_equal(i, 1);
    assert_string_equal(apikeys_name(k, (size_t)i), "bob@acme.mx");
    apikeys_free(k);
}

static void a_wrong_key_is_refused(void **s)
{
    (void)s;
    struct apikeys *k = two_keys();
    const char *wrong = "not-a-key-anyone-holds-0000";
    assert_int_equal(apikeys_find(k, wrong, strlen(wrong)), -1);
    /* the hash itself, as someone who read the file might send it */
    char line[160];
    key_line(line, sizeof line, alice_key, "alice");
    assert_int_equal(apikeys_find(k, line + 7, 64), -1);
    apikeys_free(k);
}

static void a_key_differing_in_its_last_character_is_refused(void **s)
{
    (void)s;
    struct apikeys *k = two_keys();
    char near[sizeof alice_key];
    memcpy(near, alice_key, sizeof alice_key);
    near[sizeof alice_key - 2] ^= 1;
    assert_int_equal(apikeys_find(k, near, strlen(near)), -1);
    /* a prefix and an extension of the key too */
    assert_int_equal(apikeys_find(k, alice_key, strlen(alice_key) - 1), -1);
    char longer[64];
    snprintf(longer, sizeof longer, "%sx", alice_key);
    assert_int_equal(apikeys_find(k, longer, strlen(longer)), -1);
    apikeys_free(k);
}

static void an_empty_key_is_refused(void **s)
{
    (void)s;
    struct apikeys *k = two_keys();
    assert_int_equal(apikeys_find(k, "", 0), -1);
    assert_int_equal(apikeys_find(k, NULL, 0), -1);
    assert_int_equal(apikeys_find(NULL, alice_key, strlen(alice_key)), -1);
    apikeys_free(k);
}

static void the_bearer_token_is_read_from_the_header(void **s)
{
    (void)s;
    size_t len = 0;
    const char *t = apikey_bearer("Bearer abc.def", &len);
    assert_non_null(t);
    assert_int_equal(len, 7);
    assert_memory_equal(t, "abc.def", 7);
    t = apikey_bearer("  bearer \t xyz  ", &len);
    assert_non_null(t);
    assert_int_equal(len, 3);
    assert_memory_equal(t, "xyz", 3);
    assert_null(apikey_bearer(NULL, &len));
    assert_null(apikey_bearer("", &len));
    assert_null(apikey_bearer("Bearer", &len));
    assert_null(apikey_bearer("Bearer   ", &len));
    assert_null(apikey_bearer("Bearerabc", &len));
    assert_null(apikey_bearer("Basic YWxpY2U6c2VjcmV0", &len));
    assert_null(apikey_bearer("abc", &len));
}

/* -------------------------------------------------------------- hash-key */

static void the_hash_key_line_is_sha256_hex_and_the_name(void **s)
{
    (void)s;
    char line[APIKEY_LINE_SIZE], want[160];
    struct errbuf err;
    assert_int_equal(apikey_line(alice_key, strlen(alice_key), "client", line,
                                 sizeof line, &err), 0);
    key_line(want, sizeof want, alice_key, "client");
    assert_string_equal(line, want);
    assert_int_equal(strlen(line), 7 + 64 + 1 + strlen("client"));
    for (size_t i = 7; i < 71; i++)
        assert_non_null(strchr("0123456789abcdef", line[i]));
    /* the line is one the file takes, and it matches its key */
    struct apikeys *k = parse_ok(line);
    assert_int_equal(apikeys_find(k, alice_key, strlen(alice_key)), 0);
    assert_string_equal(apikeys_name(k, 0), "client");
    apikeys_free(k);
    /* the longest name fits APIKEY_LINE_SIZE */
    char name[APIKEY_NAME_SIZE];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_int_equal(apikey_line(alice_key, strlen(alice_key), name, line,
                                 sizeof line, &err), 0);
}

static void hash_key_refuses_weak_keys_and_bad_names(void **s)
{
    (void)s;
    char line[APIKEY_LINE_SIZE];
    struct errbuf err;
    assert_int_equal(apikey_line("short", 5, "client", line, sizeof line,
                                 &err), -1);
    assert_non_null(strstr(err.msg, "at least 16"));
    const char *spaced = "a key with spaces in it";
    assert_int_equal(apikey_line(spaced, strlen(spaced), "client", line,
                                 sizeof line, &err), -1);
    assert_non_null(strstr(err.msg, "character 2 of the key"));
    char big[APIKEY_MAX_LEN + 2];
    memset(big, 'k', sizeof big);
    assert_int_equal(apikey_line(big, sizeof big, "client", line, sizeof line,
                                 &err), -1);
    assert_int_equal(apikey_line(alice_key, strlen(alice_key), "", line,
                                 sizeof line, &err), -1);
    assert_int_equal(apikey_line(alice_key, strlen(alice_key), "two words",
                                 line, sizeof line, &err), -1);
    assert_non_null(strstr(err.msg, "name 'two words'"));
}

int suite_apikeys(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_file_loads_every_key_with_its_name),
        cmocka_unit_test(a_file_is_read_from_disk),
        cmocka_unit_test(each_malformed_line_is_refused_with_its_number),
        cmocka_unit_test(the_same_key_twice_is_refused),
        cmocka_unit_test(a_nul_byte_is_refused),
        cmocka_unit_test(an_empty_file_is_refused),
        cmocka_unit_test(an_unreadable_file_is_refused),
        cmocka_unit_test(more_than_the_maximum_of_keys_is_refused),
        cmocka_unit_test(the_right_key_is_accepted_with_its_name),
        cmocka_unit_test(a_wrong_key_is_refused),
        cmocka_unit_test(a_key_differing_in_its_last_character_is_refused),
        cmocka_unit_test(an_empty_key_is_refused),
        cmocka_unit_test(the_bearer_token_is_read_from_the_header),
        cmocka_unit_test(the_hash_key_line_is_sha256_hex_and_the_name),
        cmocka_unit_test(hash_key_refuses_weak_keys_and_bad_names),
    };
    return RUN_SUITE("apikeys", tests, count);
}
