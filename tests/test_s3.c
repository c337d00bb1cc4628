/*
 * test_s3.c — the S3 client's parts that need no server: s3:// addresses,
 * object keys, the reading of S3's XML answers, the settings from the
 * environment. What needs a server (signing, push, pull, serve) is
 * tests/s3.sh's, against s3rver.
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "remote/s3.h"

static void url_splits_bucket_and_prefix(void **state)
{
    (void)state;
    struct s3_location loc;
    struct errbuf err;
    assert_int_equal(s3_parse_url("s3://models/team/registry/", &loc, &err), 0);
    assert_string_equal(loc.bucket, "models");
    assert_string_equal(loc.prefix, "team/registry");
    assert_int_equal(s3_parse_url("s3://models", &loc, &err), 0);
    assert_string_equal(loc.bucket, "models");
    assert_string_equal(loc.prefix, "");
    assert_int_equal(s3_parse_url("s3://models//x", &loc, &err), 0);
    assert_string_equal(loc.prefix, "x");
}

static void url_refuses_what_s3_would(void **state)
{
    (void)state;
    struct s3_location loc;
    struct errbuf err;
    assert_int_equal(s3_parse_url("gs://models/x", &loc, &err), -1);
    assert_string_equal(err.msg, "'gs://models/x' is not an s3://BUCKET/PREFIX "
                                 "address");
    assert_int_equal(s3_parse_url("s3://ab/x", &loc, &err), -1);
    assert_string_equal(err.msg, "'s3://ab/x': a bucket name is 3 to 63 "
                                 "characters");
    assert_int_equal(s3_parse_url("s3://My_Bucket/x", &loc, &err), -1);
    assert_string_equal(err.msg, "'s3://My_Bucket/x': a bucket name has "
                                 "lower-case letters, digits, '-', '.' and "
                                 "'_' only");
    assert_false(s3_is_url("/var/registry"));
    assert_false(s3_is_url(NULL));
    assert_true(s3_is_url("s3://b"));
}

static void keys_join_prefix_and_name(void **state)
{
    (void)state;
    char key[S3_KEY_SIZE];
    struct errbuf err;
    assert_int_equal(s3_key(key, "team/reg", "LIVE", &err), 0);
    assert_string_equal(key, "team/reg/LIVE");
    assert_int_equal(s3_key(key, "", "LIVE", &err), 0);
    assert_string_equal(key, "LIVE");
}

static void xml_code_and_entities(void **state)
{
    (void)state;
    const char *xml = "<?xml version=\"1.0\"?>\n<Error><Code>AccessDenied"
                      "</Code><Message>a &lt;b&gt; &amp; &quot;c&quot; "
                      "&apos;d&apos; &#x41;&#66;</Message></Error>";
    char out[128];
    assert_int_equal(s3_xml_text(xml, strlen(xml), "Code", out, sizeof out,
                                 NULL), 0);
    assert_string_equal(out, "AccessDenied");
    assert_int_equal(s3_xml_text(xml, strlen(xml), "Message", out,
                                 sizeof out, NULL), 0);
    assert_string_equal(out, "a <b> & \"c\" 'd' AB");
    assert_int_equal(s3_xml_text(xml, strlen(xml), "Key", out, sizeof out,
                                 NULL), -1);
    /* too long for the buffer: refused, not cut */
    assert_int_equal(s3_xml_text(xml, strlen(xml), "Code", out, 5, NULL), -1);
    /* an entity we do not know is no text */
    const char *odd = "<Key>a&nbsp;b</Key>";
    assert_int_equal(s3_xml_text(odd, strlen(odd), "Key", out, sizeof out,
                                 NULL), -1);
}

static void xml_keys_one_after_another(void **state)
{
    (void)state;
    const char *xml = "<ListBucketResult><Contents><Key>p/versions/v0001/a"
                      "</Key></Contents><Contents><Key>p/versions/v0001/"
                      "refdata/b&amp;c.csv</Key></Contents>"
                      "<IsTruncated>false</IsTruncated></ListBucketResult>";
    char out[128];
    size_t at = 0, next;
    size_t len = strlen(xml);
    assert_int_equal(s3_xml_text(xml, len, "Key", out, sizeof out, &next), 0);
    assert_string_equal(out, "p/versions/v0001/a");
    at += next;
    assert_int_equal(s3_xml_text(xml + at, len - at, "Key", out, sizeof out,
                                 &next), 0);
    assert_string_equal(out, "p/versions/v0001/refdata/b&c.csv");
    at += next;
    assert_int_equal(s3_xml_text(xml + at, len - at, "Key", out, sizeof out,
                                 &next), -1);
}

static void credentials_are_required(void **state)
{
    (void)state;
    char *id = getenv("AWS_ACCESS_KEY_ID") ? strdup(getenv("AWS_ACCESS_KEY_ID"))
                                           : NULL;
    char *secret = getenv("AWS_SECRET_ACCESS_KEY")
                       ? strdup(getenv("AWS_SECRET_ACCESS_KEY"))
                       : NULL;
    struct s3 *s;
    struct errbuf err;
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_SECRET_ACCESS_KEY", "x", 1);
    assert_int_equal(s3_open(&s, &err), -1);
    assert_string_equal(err.msg, "no S3 credentials: AWS_ACCESS_KEY_ID is not "
                                 "set");
    setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(s3_open(&s, &err), -1);
    assert_string_equal(err.msg, "no S3 credentials: AWS_SECRET_ACCESS_KEY is "
                                 "not set");
    setenv("AWS_SECRET_ACCESS_KEY", "x", 1);
    setenv(S3_ENDPOINT_ENV, "ftp://example", 1);
    assert_int_equal(s3_open(&s, &err), -1);
    assert_string_equal(err.msg, "the S3 endpoint 'ftp://example' is not an "
                                 "http:// or https:// URL");
    unsetenv(S3_ENDPOINT_ENV);
    assert_int_equal(s3_open(&s, &err), 0);
    s3_close(s);
    if (id)
        setenv("AWS_ACCESS_KEY_ID", id, 1);
    else
        unsetenv("AWS_ACCESS_KEY_ID");
    if (secret)
        setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    else
        unsetenv("AWS_SECRET_ACCESS_KEY");
    free(id);
    free(secret);
}

int suite_s3(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_splits_bucket_and_prefix),
        cmocka_unit_test(url_refuses_what_s3_would),
        cmocka_unit_test(keys_join_prefix_and_name),
        cmocka_unit_test(xml_code_and_entities),
        cmocka_unit_test(xml_keys_one_after_another),
        cmocka_unit_test(credentials_are_required),
    };
    return RUN_SUITE("s3", tests, count);
}
