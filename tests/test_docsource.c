/*
 * test_docsource.c — the document source (etl/docsource.h) on its own: a
 * JSON-lines file gives one raw document per line with its line number,
 * blank lines are skipped and counted, a line over DOC_MAX_BYTES is
 * skipped unread and reported as too large, a truncated last line is
 * still handed over (and refused when parsed), and raw_doc_to_bson turns
 * Extended JSON into BSON types or refuses the document with its reason.
 * test_etl checks the same through whole ETL runs; here each raw document
 * is checked as the source gives it.
 */
#include "test.h"

#include <bson/bson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl/docsource.h"

struct source {
    char *dir;
    struct doc_source *s;
};

/* Opens a source on a file holding exactly `len` bytes of `text`. */
static void open_bytes(struct source *src, const char *text, size_t len)
{
    src->dir = test_mkdtemp();
    assert_non_null(src->dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/docs.jsonl", src->dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    struct errbuf err;
    if (doc_source_open(&src->s, path, NULL, &err) < 0)
        fail_msg("%s", err.msg);
}

static void open_text(struct source *src, const char *text)
{
    open_bytes(src, text, strlen(text));
}

static void close_source(struct source *src)
{
    doc_source_close(src->s);
    test_rmtree(src->dir);
    free(src->dir);
}

/* The next document must be JSON text `want` from line `line`. */
static void assert_next_json(struct source *src, long line, const char *want)
{
    struct raw_doc doc;
    struct errbuf err;
    int rc = doc_source_next(src->s, &doc, &err);
    if (rc != 1)
        fail_msg("line %ld: doc_source_next gave %d", line, rc);
    assert_int_equal(doc.kind, RAW_JSON);
    assert_int_equal(doc.where, line);
    assert_int_equal(doc.len, strlen(want));
    assert_memory_equal(doc.data, want, doc.len);
}

static void assert_end(struct source *src)
{
    struct raw_doc doc;
    struct errbuf err;
    assert_int_equal(doc_source_next(src->s, &doc, &err), 0);
    assert_int_equal(doc_source_next(src->s, &doc, &err), 0); /* stays */
}

/* raw_doc_to_bson on JSON text: the reason and message of a refusal. */
static int parse_text(const char *text, size_t len, bson_t *out,
                      enum reject_reason *reason, struct errbuf *err)
{
    struct raw_doc doc = {.kind = RAW_JSON, .where = 1,
                          .data = (const uint8_t *)text, .len = len};
    return raw_doc_to_bson(&doc, out, reason, err);
}

/* Refused as not JSON with a message starting with `message`; len 0:
 * the text's strlen. */
static void assert_refused(const char *text, size_t len, const char *message)
{
    if (!len)
        len = strlen(text);
    bson_t b;
    enum reject_reason reason = REJECT_REASON_COUNT;
    struct errbuf err;
    assert_int_equal(parse_text(text, len, &b, &reason, &err), -1);
    assert_int_equal(reason, REJECT_NOT_JSON);
    if (strncmp(err.msg, message, strlen(message)) != 0)
        fail_msg("message '%s', expected '%s...'", err.msg, message);
}

/* ---- lines ---------------------------------------------------------------- */

static void each_line_is_a_document_with_its_line_number(void **s)
{
    (void)s;
    struct source src;
    open_text(&src, "{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}\n");
    assert_true(doc_source_is_file(src.s));
    assert_next_json(&src, 1, "{\"a\": 1}");
    assert_next_json(&src, 2, "{\"b\": 2}");
    assert_next_json(&src, 3, "{\"c\": 3}");
    assert_end(&src);
    assert_int_equal(doc_source_blank_lines(src.s), 0);
    close_source(&src);
}

static void blank_lines_are_skipped_and_counted_but_keep_their_number(void **s)
{
    (void)s;
    struct source src;
    /* lines 1, 3, 4 and 6 are blank: empty, blanks and a tab, a lone CR */
    open_text(&src, "\n{\"a\": 1}\n  \t \n\r\n{\"b\": 2}\n\n");
    assert_next_json(&src, 2, "{\"a\": 1}");
    assert_next_json(&src, 5, "{\"b\": 2}");
    assert_end(&src);
    assert_int_equal(doc_source_blank_lines(src.s), 4);
    close_source(&src);
}

static void a_crlf_line_ends_before_its_cr(void **s)
{
    (void)s;
    struct source src;
    open_text(&src, "{\"a\": 1}\r\n{\"b\": \"x\r\"}\r\n");
    assert_next_json(&src, 1, "{\"a\": 1}");
    assert_next_json(&src, 2, "{\"b\": \"x\r\"}"); /* only the last CR */
    assert_end(&src);
    close_source(&src);
}

static void an_empty_file_has_no_documents(void **s)
{
    (void)s;
    struct source src;
    open_text(&src, "");
    assert_end(&src);
    assert_int_equal(doc_source_blank_lines(src.s), 0);
    close_source(&src);
}

static void a_truncated_last_line_is_handed_over_and_refused(void **s)
{
    (void)s;
    struct source src;
    const char *cut = "{\"curp\": \"PEPJ900101HJCRRN01\", \"creat";
    char text[256];
    snprintf(text, sizeof text, "{\"a\": 1}\n%s", cut);
    open_text(&src, text);
    assert_next_json(&src, 1, "{\"a\": 1}");
    assert_next_json(&src, 2, cut);
    assert_end(&src);
    close_source(&src);
    /* the message after the colon is libbson's own */
    assert_refused(cut, 0, "not valid JSON: ");
}

static void a_last_line_without_newline_is_whole(void **s)
{
    (void)s;
    struct source src;
    open_text(&src, "{\"a\": 1}\n{\"b\": 2}");
    assert_next_json(&src, 1, "{\"a\": 1}");
    assert_next_json(&src, 2, "{\"b\": 2}");
    assert_end(&src);
    close_source(&src);
}

/* ---- the size limit ----------------------------------------------------- */

/* A JSON line of exactly `len` bytes: {"p": "xxx...x"}. */
static char *line_of(size_t len)
{
    char *line = malloc(len + 1);
    assert_non_null(line);
    memset(line, 'x', len);
    memcpy(line, "{\"p\": \"", 7);
    memcpy(line + len - 2, "\"}", 2);
    line[len] = '\0';
    return line;
}

static void a_line_over_the_limit_is_skipped_unread_and_reported(void **s)
{
    (void)s;
    /* one byte over, exactly at the limit, then a small one */
    size_t over = DOC_MAX_BYTES + 1, at = DOC_MAX_BYTES;
    char *text = malloc(over + at + 64);
    assert_non_null(text);
    char *big = line_of(over), *fits = line_of(at);
    size_t n = 0;
    memcpy(text + n, big, over);
    n += over;
    text[n++] = '\n';
    memcpy(text + n, fits, at);
    n += at;
    text[n++] = '\n';
    n += (size_t)sprintf(text + n, "{\"a\": 1}\n");
    struct source src;
    open_bytes(&src, text, n);
    free(text);

    struct raw_doc doc;
    struct errbuf err;
    assert_int_equal(doc_source_next(src.s, &doc, &err), 1);
    assert_int_equal(doc.kind, RAW_UNREADABLE);
    assert_int_equal(doc.where, 1);
    assert_int_equal(doc.reason, REJECT_TOO_LARGE);
    assert_null(doc.data);
    assert_int_equal(doc.len, 0);
    bson_t b;
    enum reject_reason reason;
    assert_int_equal(raw_doc_to_bson(&doc, &b, &reason, &err), -1);
    assert_int_equal(reason, REJECT_TOO_LARGE);
    assert_string_equal(err.msg, "document larger than 16 MiB");

    /* the line at the limit, read across many chunks, comes whole */
    assert_int_equal(doc_source_next(src.s, &doc, &err), 1);
    assert_int_equal(doc.kind, RAW_JSON);
    assert_int_equal(doc.where, 2);
    assert_int_equal(doc.len, at);
    assert_memory_equal(doc.data, fits, at);
    assert_next_json(&src, 3, "{\"a\": 1}");
    assert_end(&src);
    close_source(&src);
    free(big);
    free(fits);
}

/* ---- parsing -------------------------------------------------------------- */

static void extended_json_becomes_bson_types(void **s)
{
    (void)s;
    const char *text =
        "  {\"_id\": {\"$oid\": \"64db52a2f1e2b3c4d5e6f708\"}, "
        "\"createdAt\": {\"$date\": \"2023-08-15T00:00:00Z\"}, "
        "\"semanasCotizadas\": {\"$numberLong\": \"845\"}, "
        "\"salario\": {\"$numberDouble\": \"1234.5\"}, "
        "\"curp\": \"GOMJ850312HNLRRN09\"}";
    bson_t b;
    enum reject_reason reason;
    struct errbuf err;
    if (parse_text(text, strlen(text), &b, &reason, &err) < 0)
        fail_msg("%s", err.msg);
    bson_iter_t it;
    char oid[25];
    assert_true(bson_iter_init_find(&it, &b, "_id") && BSON_ITER_HOLDS_OID(&it));
    bson_oid_to_string(bson_iter_oid(&it), oid);
    assert_string_equal(oid, "64db52a2f1e2b3c4d5e6f708");
    assert_true(bson_iter_init_find(&it, &b, "createdAt") &&
                BSON_ITER_HOLDS_DATE_TIME(&it));
    assert_true(bson_iter_date_time(&it) == 1692057600000LL);
    assert_true(bson_iter_init_find(&it, &b, "semanasCotizadas") &&
                BSON_ITER_HOLDS_INT64(&it));
    assert_int_equal(bson_iter_int64(&it), 845);
    assert_true(bson_iter_init_find(&it, &b, "salario") &&
                BSON_ITER_HOLDS_DOUBLE(&it));
    assert_true(bson_iter_double(&it) == 1234.5);
    assert_true(bson_iter_init_find(&it, &b, "curp") &&
                BSON_ITER_HOLDS_UTF8(&it));
    assert_string_equal(bson_iter_utf8(&it, NULL), "GOMJ850312HNLRRN09");
    bson_destroy(&b);
}

static void what_is_not_a_json_object_is_refused_with_its_reason(void **s)
{
    (void)s;
    assert_refused("[1, 2, 3]", 0, "not a JSON object");
    assert_refused("  \"text\"", 0, "not a JSON object");
    static const char nul[] = "{\"curp\": \"A\0B\"}";
    assert_refused(nul, sizeof nul - 1, "a NUL byte inside the document");
    /* after the colon: libbson's own words */
    assert_refused("{\"curp\": \"\xff\xfe\"}", 0, "not valid JSON: ");
    assert_refused("{\"curp\": }", 0, "not valid JSON: ");
}

/* What a MongoDB cursor hands over is BSON already: used as it is, unless
 * its bytes are not a BSON document. */
static void bson_bytes_are_used_as_they_are(void **s)
{
    (void)s;
    bson_t *src = BCON_NEW("curp", BCON_UTF8("GOMJ850312HNLRRN09"),
                           "semanasCotizadas", BCON_INT32(845));
    struct raw_doc doc = {.kind = RAW_BSON, .where = 7,
                          .data = bson_get_data(src), .len = src->len};
    bson_t b;
    enum reject_reason reason;
    struct errbuf err;
    assert_int_equal(raw_doc_to_bson(&doc, &b, &reason, &err), 0);
    assert_true(bson_equal(&b, src));
    bson_destroy(&b);

    uint8_t corrupt[16] = {99, 0, 0, 0}; /* says 99 bytes, has 16 */
    doc.data = corrupt;
    doc.len = sizeof corrupt;
    assert_int_equal(raw_doc_to_bson(&doc, &b, &reason, &err), -1);
    assert_int_equal(reason, REJECT_NOT_JSON);
    assert_string_equal(err.msg, "corrupt BSON document");
    bson_destroy(src);
}

/* ---- opening -------------------------------------------------------------- */

static void a_missing_file_is_named(void **s)
{
    (void)s;
    struct doc_source *src = (struct doc_source *)1;
    struct errbuf err;
    assert_int_equal(doc_source_open(&src, "/nonexistent/docs.jsonl", NULL,
                                     &err), -1);
    assert_null(src);
    assert_string_equal(err.msg,
                        "/nonexistent/docs.jsonl: No such file or directory");
}

/* Opening a MongoDB source makes a client and a cursor but connects only
 * on the first read, so this needs no server. */
static void a_mongodb_uri_is_no_file(void **s)
{
    (void)s;
    struct doc_source *src;
    struct errbuf err;
    if (doc_source_open(&src, "mongodb://127.0.0.1:1/", NULL, &err) < 0)
        fail_msg("%s", err.msg);
    assert_false(doc_source_is_file(src));
    doc_source_close(src);
}

int suite_docsource(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_line_is_a_document_with_its_line_number),
        cmocka_unit_test(blank_lines_are_skipped_and_counted_but_keep_their_number),
        cmocka_unit_test(a_crlf_line_ends_before_its_cr),
        cmocka_unit_test(an_empty_file_has_no_documents),
        cmocka_unit_test(a_truncated_last_line_is_handed_over_and_refused),
        cmocka_unit_test(a_last_line_without_newline_is_whole),
        cmocka_unit_test(a_line_over_the_limit_is_skipped_unread_and_reported),
        cmocka_unit_test(extended_json_becomes_bson_types),
        cmocka_unit_test(what_is_not_a_json_object_is_refused_with_its_reason),
        cmocka_unit_test(bson_bytes_are_used_as_they_are),
        cmocka_unit_test(a_missing_file_is_named),
        cmocka_unit_test(a_mongodb_uri_is_no_file),
    };
    return RUN_SUITE("docsource", tests, count);
}
