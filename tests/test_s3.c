/*
 * test_s3.c — the S3 client's parts that need no server: s3:// addresses,
 * object keys, the reading of S3's XML answers, the settings from the
 * environment, and how a GET lands in a file (against a one-answer
 * responder on the loopback). What needs a real server (signing, push,
 * pull, serve) is tests/s3.sh's, against s3rver.
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"

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

/* A listener on 127.0.0.1 that answers one request with a 5-byte
 * object, then closes; bounded by a 10 s wait so a client that never
 * comes does not hang the run. */
struct one_answer {
    int fd;
    pthread_t thread;
};

static void *answer_once(void *arg)
{
    struct one_answer *o = arg;
    struct pollfd p = {o->fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1)
        return NULL;
    int c = accept(o->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char buf[8192];
    size_t got = 0;
    while (got < sizeof buf - 1) {
        struct pollfd q = {c, POLLIN, 0};
        if (poll(&q, 1, 10000) != 1)
            break;
        ssize_t n = read(c, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                                 "ETag: \"e\"\r\nConnection: close\r\n\r\n"
                                 "fresh";
    if (write(c, answer, sizeof answer - 1) < 0)
        got = 0;
    close(c);
    return NULL;
}

/* A pulled file goes through the atomic writer (fsync'ed, renamed into
 * place), never written into whatever inode the name had: another name
 * of the old file keeps the old bytes. */
static void get_file_replaces_the_file_atomically(void **state)
{
    (void)state;
    struct one_answer o;
    o.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t alen = sizeof a;
    assert_int_equal(bind(o.fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(o.fd, 1), 0);
    assert_int_equal(getsockname(o.fd, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(pthread_create(&o.thread, NULL, answer_once, &o), 0);

    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d",
             ntohs(a.sin_port));
    setenv(S3_ENDPOINT_ENV, endpoint, 1);
    setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "x", 1);
    struct s3 *s;
    struct errbuf err;
    assert_int_equal(s3_open(&s, &err), 0);

    char *dir = test_mkdtemp();
    char *path = test_write_file(dir, "model.json", "stale");
    char other[4200];
    snprintf(other, sizeof other, "%s/other-name", dir);
    assert_int_equal(link(path, other), 0);
    int rc = s3_get_file(s, "models", "v/model.json", path, &err);
    pthread_join(o.thread, NULL);
    close(o.fd);
    s3_close(s);
    unsetenv(S3_ENDPOINT_ENV);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    if (rc < 0)
        fail_msg("%s", err.msg);
    size_t len;
    char *got = file_read_all(path, &len, &err);
    assert_non_null(got);
    assert_string_equal(got, "fresh");
    free(got);
    got = file_read_all(other, &len, &err);
    assert_non_null(got);
    assert_string_equal(got, "stale");
    free(got);
    free(path);
    test_rmtree(dir);
    free(dir);
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
        cmocka_unit_test(get_file_replaces_the_file_atomically),
    };
    return RUN_SUITE("s3", tests, count);
}
