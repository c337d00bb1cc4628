/*
 * test_etl.c — the ETL end to end on small files: counts always add up,
 * duplicates keep the latest check, bad input of every shape is counted
 * and never stops the run, and the outputs are whole files.
 */
#include "test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etl/etl.h"
#include "base/fileio.h"
#include "base/numeric.h"
#include "base/sha256.h"

struct run {
    char *dir;
    char *dataset, *rejects, *summary;
    struct etl_counts n;
    int rc;
    struct errbuf err;
};

static char *slurp(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return file_read_all(path, NULL, NULL);
}

/* Runs the ETL on `input` (len bytes) as of 2023-10-15. */
static void run_etl(const char *input, size_t len, struct run *r)
{
    memset(r, 0, sizeof *r);
    r->dir = test_mkdtemp();
    char src[4096], out[4096];
    snprintf(src, sizeof src, "%s/docs.jsonl", r->dir);
    snprintf(out, sizeof out, "%s/dataset.csv", r->dir);
    FILE *f = fopen(src, "wb");
    fwrite(input, 1, len, f);
    fclose(f);
    struct etl_options opt = {.source = src, .dataset_path = out,
                              .rd = test_refdata(),
                              .rules = test_rules_shipped(),
                              .rules_path = "rules.json"};
    date_parse_iso("2023-10-15", &opt.as_of);
    r->rc = etl_run(&opt, &r->n, &r->err);
    r->dataset = slurp(r->dir, "dataset.csv");
    r->rejects = slurp(r->dir, "dataset.rejects.jsonl");
    r->summary = slurp(r->dir, "dataset.summary.json");
}

static void run_done(struct run *r)
{
    test_rmtree(r->dir);
    free(r->dir);
    free(r->dataset);
    free(r->rejects);
    free(r->summary);
}

static void assert_counts_add_up(const struct run *r)
{
    assert_int_equal(r->n.read, r->n.written + r->n.duplicates + r->n.rejected);
    json_error_t jerr;
    json_t *s = json_loads(r->summary, 0, &jerr);
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "read")), r->n.read);
    assert_int_equal(json_integer_value(json_object_get(s, "written")),
                     r->n.written);
    assert_int_equal(json_integer_value(json_object_get(s, "duplicates")),
                     r->n.duplicates);
    assert_int_equal(json_integer_value(json_object_get(s, "rejected")),
                     r->n.rejected);
    json_decref(s);
}

#define PERSON(curp, created, wage)                                          \
    "{\"_id\": \"id-" curp "\", \"curp\": \"" curp "\", "               \
    "\"createdAt\": " created ", \"semanasCotizadas\": 845, "                \
    "\"historialLaboral\": [{\"nombrePatron\": \"ACME\", "                   \
    "\"entidadFederativa\": \"NUEVO LEON\", \"fechaAlta\": \"03/15/2019\", " \
    "\"fechaBaja\": \"Vigente\", \"salarioBaseCotizacion\": " wage "}]}\n"

#define HEADER                                                               \
    "ingreso,antiguedad_laboral_meses,tiempo_desempleado,trabajos_ultimos_5," \
    "semanasCotizadas,edad,crecimiento_ingreso,decil_ingreso_ENIGH,"          \
    "liquidez_porcentual,costo_de_vida,crecimiento_gral,target,estado,"       \
    "lugar_actual,jubilado,rules_points\n"

static void dataset_has_the_original_columns_and_one_row_per_person(void **s)
{
    (void)s;
    const char *in = PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "1300");
    struct run r;
    run_etl(in, strlen(in), &r);
    assert_int_equal(r.rc, 0);
    /* 1300 × 30.4165 = 39541.45 a month, 55 months at ACME, one job in 5
     * years, 845 weeks, 38 years old, in Nuevo León (18). The state's
     * four features come from the shipped ENIGH and ITAEE tables, target
     * and points from the shipped rules (test_features and test_rules
     * pin those), so a new survey changes no line here. */
    double v[VARIABLE_COUNT] = {39541.45, 55, 0, 1, 845, 38, 0};
    features_of_state(test_refdata(), 18, v[F_INGRESO],
                      &v[F_DECIL_INGRESO_ENIGH], &v[F_LIQUIDEZ_PORCENTUAL],
                      &v[F_COSTO_DE_VIDA], &v[F_CRECIMIENTO_GRAL]);
    struct rules_result res;
    rules_evaluate(test_rules_shipped(), v, &res);
    char state[4][32], points[32], want[1024];
    for (int i = 0; i < 4; i++) /* decil .. crecimiento_gral, in order */
        format_double(state[i], sizeof state[i], v[F_DECIL_INGRESO_ENIGH + i]);
    format_points(points, sizeof points, res.sum);
    snprintf(want, sizeof want,
             HEADER "39541.45,55,0,1,845,38,0,%s,%s,%s,%s,%.2f,"
             "Nuevo León,18,0,%s\n",
             state[0], state[1], state[2], state[3], res.target, points);
    assert_string_equal(r.dataset, want);
    assert_string_equal(r.rejects, "");
    assert_counts_add_up(&r);
    assert_null(strstr(r.dataset, "GOMJ"));
    assert_null(strstr(r.dataset, "ACME"));
    run_done(&r);
}

static void duplicates_keep_the_latest_check(void **s)
{
    (void)s;
    const char *in =
        PERSON("GOMJ850312HNLRRN09", "\"Tue, 15 Aug 2023 10:20:30 GMT\"", "100")
        PERSON("PEPJ900101HJCRRN01", "\"2023-01-01\"", "200")
        PERSON("GOMJ850312HNLRRN09", "{\"$date\": \"2023-09-01T00:00:00Z\"}", "300")
        PERSON("GOMJ850312HNLRRN09", "\"2023-08-20T00:00:00Z\"", "400");
    struct run r;
    run_etl(in, strlen(in), &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n.read, 4);
    assert_int_equal(r.n.written, 2);
    assert_int_equal(r.n.duplicates, 2);
    /* first row: the September check (wage 300 → 9124.95), in the place of
     * the person's first appearance */
    assert_non_null(strstr(r.dataset, HEADER "9124.95,"));
    assert_non_null(strstr(r.dataset, "\n6083.3,"));
    assert_counts_add_up(&r);
    run_done(&r);
}

static void same_created_at_keeps_the_later_document(void **s)
{
    (void)s;
    const char *in =
        PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "100")
        PERSON("GOMJ850312HNLRRN09", "\"2023-08-15T00:00:00Z\"", "300");
    struct run r;
    run_etl(in, strlen(in), &r);
    assert_non_null(strstr(r.dataset, HEADER "9124.95,"));
    assert_int_equal(r.n.duplicates, 1);
    run_done(&r);
}

static void a_rejected_document_takes_no_part_in_dedupe(void **s)
{
    (void)s;
    const char *in =
        PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "100")
        PERSON("GOMJ850312HNLRRN09", "\"2023-09-15\"", "\"N/D\"");
    struct run r;
    run_etl(in, strlen(in), &r);
    assert_int_equal(r.n.written, 1);
    assert_int_equal(r.n.duplicates, 0);
    assert_int_equal(r.n.rejected, 1);
    assert_non_null(strstr(r.dataset, HEADER "3041.65,"));
    assert_string_equal(r.rejects,
                        "{\"line\":2,\"id\":\"id-GOMJ850312HNLRRN09\","
                        "\"reason\":\"wage\",\"detail\":\"historialLaboral[0]."
                        "salarioBaseCotizacion 'N/D' is not a wage\"}\n");
    assert_counts_add_up(&r);
    run_done(&r);
}

static void hostile_lines_are_counted_and_the_run_goes_on(void **s)
{
    (void)s;
    /* a non-object line, invalid UTF-8, a NUL byte, a blank line, a 10 MB
     * document, and a truncated last line */
    const char *good = PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "100");
    size_t big = 10u << 20;
    size_t cap = big + 4096;
    char *in = malloc(cap);
    size_t n = 0;
    n += (size_t)sprintf(in + n, "[1, 2, 3]\n");
    n += (size_t)sprintf(in + n, "{\"curp\": \"\xff\xfe\"}\n");
    static const char nul_line[] = "{\"curp\": \"A\0B\"}\n";
    memcpy(in + n, nul_line, sizeof nul_line - 1);
    n += sizeof nul_line - 1;
    n += (size_t)sprintf(in + n, "\n%s", good);
    n += (size_t)sprintf(in + n, "{\"pad\": \"");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)sprintf(in + n, "\"}\n");
    n += (size_t)sprintf(in + n, "{\"curp\": \"PEPJ900101HJCRRN01\", \"creat");
    struct run r;
    run_etl(in, n, &r);
    free(in);
    assert_int_equal(r.rc, 0);
    if (r.n.read != 6)
        fail_msg("read %ld; rejects:\n%s", r.n.read, r.rejects);
    assert_int_equal(r.n.written, 1);
    assert_int_equal(r.n.rejected, 5);
    assert_int_equal(r.n.rejected_by_reason[REJECT_NOT_JSON], 4);
    assert_int_equal(r.n.rejected_by_reason[REJECT_CURP], 1); /* the 10 MB one */
    assert_int_equal(r.n.blank_lines, 1);
    assert_counts_add_up(&r);
    assert_non_null(strstr(r.rejects, "{\"line\":1,\"id\":\"\",\"reason\":"
                                      "\"not_json\",\"detail\":\"not a JSON "
                                      "object\"}\n"));
    assert_non_null(strstr(r.rejects, "{\"line\":3,\"id\":\"\",\"reason\":"
                                      "\"not_json\",\"detail\":\"a NUL byte "
                                      "inside the document\"}\n"));
    assert_non_null(strstr(r.rejects, "\"line\":7,"));
    run_done(&r);
}

static void a_document_over_16_mib_is_refused_unread(void **s)
{
    (void)s;
    size_t big = (16u << 20) + 10;
    char *in = malloc(big + 4096);
    size_t n = (size_t)sprintf(in, "{\"pad\": \"");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)sprintf(in + n, "\"}\n%s",
                         PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "100"));
    struct run r;
    run_etl(in, n, &r);
    free(in);
    assert_int_equal(r.n.read, 2);
    assert_int_equal(r.n.rejected_by_reason[REJECT_TOO_LARGE], 1);
    assert_int_equal(r.n.written, 1);
    assert_string_equal(r.rejects,
                        "{\"line\":1,\"id\":\"\",\"reason\":\"too_large\","
                        "\"detail\":\"document larger than 16 MiB\"}\n");
    run_done(&r);
}

static void crlf_exports_read_like_lf(void **s)
{
    (void)s;
    const char *in = "{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": "
                     "\"2023-08-15\", \"semanasCotizadas\": 5}\r\n\r\n";
    struct run r;
    run_etl(in, strlen(in), &r);
    assert_int_equal(r.n.written, 1);
    assert_int_equal(r.n.blank_lines, 1);
    run_done(&r);
}

static void a_missing_source_leaves_no_output(void **s)
{
    (void)s;
    char *dir = test_mkdtemp();
    char out[4096];
    snprintf(out, sizeof out, "%s/dataset.csv", dir);
    struct etl_options opt = {.source = "/nonexistent/docs.jsonl",
                              .dataset_path = out, .rd = test_refdata(),
                              .rules = test_rules_shipped()};
    struct etl_counts n;
    struct errbuf err;
    assert_int_equal(etl_run(&opt, &n, &err), -1);
    assert_string_equal(err.msg,
                        "/nonexistent/docs.jsonl: No such file or directory");
    assert_int_equal(rmdir(dir), 0); /* empty: nothing was left behind */
    free(dir);
}

/* No MongoDB server runs here: this drives libmongoc for real up to
 * server selection, which must fail the run with the driver's reason and
 * leave nothing behind. */
static void an_unreachable_mongodb_fails_cleanly(void **s)
{
    (void)s;
    char *dir = test_mkdtemp();
    char out[4096];
    snprintf(out, sizeof out, "%s/dataset.csv", dir);
    struct etl_options opt = {
        .source = "mongodb://user:secret@127.0.0.1:1/?serverSelectionTimeoutMS=200",
        .dataset_path = out, .rd = test_refdata(),
        .rules = test_rules_shipped()};
    struct etl_counts n;
    struct errbuf err;
    assert_int_equal(etl_run(&opt, &n, &err), -1);
    assert_non_null(strstr(err.msg, "MongoDB: "));
    assert_null(strstr(err.msg, "secret"));
    assert_int_equal(n.read, 0);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

static void a_bad_mongodb_uri_or_query_is_named(void **s)
{
    (void)s;
    struct doc_source *src;
    struct errbuf err;
    assert_int_equal(doc_source_open(&src, "mongodb://", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "mongodb://"));
    struct mongo_options mo = {.query = "{not json"};
    assert_int_equal(doc_source_open(&src, "mongodb://127.0.0.1:1", &mo, &err),
                     -1);
    assert_non_null(strstr(err.msg, "--query: "));
}

static void uri_passwords_never_reach_a_report(void **s)
{
    (void)s;
    assert_string_equal(doc_source_safe_name("mongodb://app:s3cr3t@db.example:27017/x"),
                        "mongodb://app:***@db.example:27017/x");
    assert_string_equal(doc_source_safe_name("mongodb://db.example/x"),
                        "mongodb://db.example/x");
    assert_string_equal(doc_source_safe_name("docs.jsonl"), "docs.jsonl");
}

/* ---- partitions ---------------------------------------------------------- */

/* A document whose _id is a double: it goes to a partition by its
 * position, so a test knows where each lands ((position-1) mod N). */
#define PLACED(curp, created, wage)                                          \
    "{\"_id\": 0.5, \"curp\": \"" curp "\", "                                \
    "\"createdAt\": " created ", \"semanasCotizadas\": 845, "                \
    "\"historialLaboral\": [{\"nombrePatron\": \"ACME\", "                   \
    "\"entidadFederativa\": \"NUEVO LEON\", \"fechaAlta\": \"03/15/2019\", " \
    "\"fechaBaja\": \"Vigente\", \"salarioBaseCotizacion\": " wage "}]}\n"

/* Runs r's docs.jsonl (from run_etl) as `parts` partitions, merged into
 * merged.csv; returns etl_merge's result, counts in *n. */
static int run_partitioned(const struct run *r, int parts,
                           const char *const *order, struct etl_counts *n,
                           struct errbuf *err)
{
    char src[4096], paths[8][4096], out[4096];
    snprintf(src, sizeof src, "%s/docs.jsonl", r->dir);
    const char *given[8];
    for (int k = 1; k <= parts; k++) {
        snprintf(paths[k - 1], sizeof paths[k - 1], "%s/part%d", r->dir, k);
        struct etl_options opt = {.source = src, .dataset_path = paths[k - 1],
                                  .rd = test_refdata(),
                                  .rules = test_rules_shipped(),
                                  .partition = k, .partitions = parts};
        date_parse_iso("2023-10-15", &opt.as_of);
        struct etl_counts part_counts;
        assert_int_equal(etl_run(&opt, &part_counts, err), 0);
        given[k - 1] = paths[k - 1];
    }
    snprintf(out, sizeof out, "%s/merged.csv", r->dir);
    struct etl_options opt = {.dataset_path = out, .rd = test_refdata(),
                              .rules = test_rules_shipped(),
                              .rules_path = "rules.json"};
    if (order) {
        for (int i = 0; order[i]; i++)
            snprintf(paths[i], sizeof paths[i], "%s/%s", r->dir, order[i]);
        int i = 0;
        for (; order[i]; i++)
            given[i] = paths[i];
        parts = i;
    }
    return etl_merge(&opt, given, parts, n, err);
}

static void partitions_merge_to_one_runs_bytes(void **s)
{
    (void)s;
    /* the same person at positions 1, 3 and 6 (partitions 1, 3 and 3 of
     * 3): 1 and 3 tie on createdAt, so the later (3) is kept across
     * partitions; B's first check (2) is in partition 2, its latest (5)
     * too; line 4 is a reject in partition 1 */
    const char *in =
        PLACED("GOMJ850312HNLRRN09", "\"2023-09-01\"", "100")
        PLACED("PEPJ900101HJCRRN01", "\"2023-01-01\"", "200")
        PLACED("GOMJ850312HNLRRN09", "\"2023-09-01\"", "300")
        "{not json\n"
        PLACED("PEPJ900101HJCRRN01", "\"2023-02-01\"", "500")
        PLACED("GOMJ850312HNLRRN09", "\"2023-08-01\"", "600")
        PERSON("ZAZA850312HNLRRN09", "\"2023-08-15\"", "700");
    struct run r;
    run_etl(in, strlen(in), &r);
    assert_int_equal(r.rc, 0);
    struct etl_counts n;
    struct errbuf err;
    assert_int_equal(run_partitioned(&r, 3, NULL, &n, &err), 0);
    char *merged = slurp(r.dir, "merged.csv");
    char *rejects = slurp(r.dir, "merged.rejects.jsonl");
    assert_string_equal(merged, r.dataset);
    assert_string_equal(rejects, r.rejects);
    assert_non_null(strstr(merged, "\n9124.95,")); /* 300 × 30.4165 */
    assert_int_equal(n.read, r.n.read);
    assert_int_equal(n.written, r.n.written);
    assert_int_equal(n.duplicates, r.n.duplicates);
    assert_int_equal(n.rejected, r.n.rejected);
    assert_int_equal(n.rejected_by_reason[REJECT_NOT_JSON], 1);
    free(merged);
    free(rejects);
    /* one partition is one run too */
    assert_int_equal(run_partitioned(&r, 1, NULL, &n, &err), 0);
    merged = slurp(r.dir, "merged.csv");
    assert_string_equal(merged, r.dataset);
    free(merged);
    run_done(&r);
}

static void a_merge_refuses_parts_that_are_not_one_run(void **s)
{
    (void)s;
    const char *in = PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "1300");
    struct run r;
    run_etl(in, strlen(in), &r);
    struct etl_counts n;
    struct errbuf err;
    const char *missing[] = {"part1", "part2", NULL};
    assert_int_equal(run_partitioned(&r, 3, missing, &n, &err), -1);
    assert_string_equal(err.msg, "2 parts given, the run had 3 partitions");
    const char *twice[] = {"part1", "part2", "part2", NULL};
    assert_int_equal(run_partitioned(&r, 3, twice, &n, &err), -1);
    char want[8192];
    snprintf(want, sizeof want, "%s/part2: partition 2/3 given twice", r.dir);
    assert_string_equal(err.msg, want);
    /* a part cut short (its run killed) has no closing line */
    char path[4096];
    snprintf(path, sizeof path, "%s/part3", r.dir);
    FILE *f = fopen(path, "w");
    fputs("incomescore etl part 1\n", f);
    fclose(f);
    struct etl_options opt = {.dataset_path = "unused.csv"};
    const char *parts[] = {path};
    assert_int_equal(etl_merge(&opt, parts, 1, &n, &err), -1);
    snprintf(want, sizeof want, "%s: truncated (no closing line): the "
             "partition's run did not finish", path);
    assert_string_equal(err.msg, want);
    snprintf(path, sizeof path, "%s/docs.jsonl", r.dir);
    assert_int_equal(etl_merge(&opt, parts, 1, &n, &err), -1);
    snprintf(want, sizeof want, "%s: not a part file of `etl --partition`",
             path);
    assert_string_equal(err.msg, want);
    /* nothing written by a refused merge */
    assert_int_equal(access("unused.csv", F_OK), -1);
    run_done(&r);
}

/* Parts whose rows were made with another ITAEE year, or another rules
 * file, are not one run's: refused, naming the parts and the option. */
static void a_merge_refuses_parts_made_with_other_tables(void **s)
{
    (void)s;
    const char *in = PERSON("GOMJ850312HNLRRN09", "\"2023-08-15\"", "1300");
    struct run r;
    run_etl(in, strlen(in), &r);
    char src[4096], p1[4096], p2[4096], out[4096], rules2[4096];
    snprintf(src, sizeof src, "%s/docs.jsonl", r.dir);
    snprintf(p1, sizeof p1, "%s/part1", r.dir);
    snprintf(p2, sizeof p2, "%s/part2", r.dir);
    snprintf(out, sizeof out, "%s/merged.csv", r.dir);
    snprintf(rules2, sizeof rules2, "%s/rules2.json", r.dir);
    struct refdata y2022 = *test_refdata();
    y2022.itaee_year = 2022;
    const struct refdata *years[] = {&y2022, test_refdata()};
    const char *paths[] = {p1, p2};
    struct etl_counts n;
    struct errbuf err;
    for (int k = 1; k <= 2; k++) {
        struct etl_options opt = {.source = src, .dataset_path = paths[k - 1],
                                  .rd = years[k - 1],
                                  .rules = test_rules_shipped(),
                                  .rules_path = test_rules_shipped_path(),
                                  .partition = k, .partitions = 2};
        date_parse_iso("2023-10-15", &opt.as_of);
        assert_int_equal(etl_run(&opt, &n, &err), 0);
    }
    struct etl_options merge = {.dataset_path = out, .rd = &y2022,
                                .rules = test_rules_shipped(),
                                .rules_path = test_rules_shipped_path()};
    assert_int_equal(etl_merge(&merge, paths, 2, &n, &err), -1);
    char want[16384];
    snprintf(want, sizeof want, "%s was made with --itaee-year 2023, %s "
             "with 2022", p2, p1);
    assert_string_equal(err.msg, want);

    /* both parts of 2022; the merge of 2023 */
    struct etl_options again = {.source = src, .dataset_path = p2,
                                .rd = &y2022, .rules = test_rules_shipped(),
                                .rules_path = test_rules_shipped_path(),
                                .partition = 2, .partitions = 2};
    date_parse_iso("2023-10-15", &again.as_of);
    assert_int_equal(etl_run(&again, &n, &err), 0);
    merge.rd = test_refdata();
    assert_int_equal(etl_merge(&merge, paths, 2, &n, &err), -1);
    snprintf(want, sizeof want, "%s was made with --itaee-year 2022, the "
             "merge has 2023", p1);
    assert_string_equal(err.msg, want);

    /* the merge's rules file differs from the parts' */
    merge.rd = &y2022;
    char *text = file_read_all(test_rules_shipped_path(), NULL, NULL);
    assert_non_null(text);
    FILE *f = fopen(rules2, "w");
    fprintf(f, "%s\n", text);
    fclose(f);
    free(text);
    merge.rules_path = rules2;
    assert_int_equal(etl_merge(&merge, paths, 2, &n, &err), -1);
    char sha1[SHA256_HEX_SIZE], sha2[SHA256_HEX_SIZE];
    assert_int_equal(sha256_file(test_rules_shipped_path(), sha1, &err), 0);
    assert_int_equal(sha256_file(rules2, sha2, &err), 0);
    snprintf(want, sizeof want, "%s was made with the rules of SHA-256 %s, "
             "the merge's --rules %s has %s", p1, sha1, rules2, sha2);
    assert_string_equal(err.msg, want);
    assert_int_equal(access(out, F_OK), -1);

    /* the same tables: merged */
    merge.rules_path = test_rules_shipped_path();
    assert_int_equal(etl_merge(&merge, paths, 2, &n, &err), 0);
    assert_int_equal(n.written, 1);
    run_done(&r);
}

static void partition_is_k_of_n(void **s)
{
    (void)s;
    int k, n;
    assert_int_equal(etl_partition_parse("1/1", &k, &n), 0);
    assert_int_equal(k * 10 + n, 11);
    assert_int_equal(etl_partition_parse("3/3", &k, &n), 0);
    assert_int_equal(etl_partition_parse("1024/1024", &k, &n), 0);
    const char *bad[] = {"0/3", "4/3", "1/1025", "1/", "/3", "1/3x", "x",
                         "-1/3", "1/-3", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(etl_partition_parse(bad[i], &k, &n), -1);
}

static void sibling_paths_replace_the_csv_suffix(void **s)
{
    (void)s;
    char *p = etl_sibling_path("out/data.csv", ".summary.json");
    assert_string_equal(p, "out/data.summary.json");
    free(p);
    p = etl_sibling_path("data", ".rejects.jsonl");
    assert_string_equal(p, "data.rejects.jsonl");
    free(p);
}

int suite_etl(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(dataset_has_the_original_columns_and_one_row_per_person),
        cmocka_unit_test(duplicates_keep_the_latest_check),
        cmocka_unit_test(same_created_at_keeps_the_later_document),
        cmocka_unit_test(a_rejected_document_takes_no_part_in_dedupe),
        cmocka_unit_test(hostile_lines_are_counted_and_the_run_goes_on),
        cmocka_unit_test(a_document_over_16_mib_is_refused_unread),
        cmocka_unit_test(crlf_exports_read_like_lf),
        cmocka_unit_test(a_missing_source_leaves_no_output),
        cmocka_unit_test(an_unreachable_mongodb_fails_cleanly),
        cmocka_unit_test(a_bad_mongodb_uri_or_query_is_named),
        cmocka_unit_test(uri_passwords_never_reach_a_report),
        cmocka_unit_test(sibling_paths_replace_the_csv_suffix),
        cmocka_unit_test(partitions_merge_to_one_runs_bytes),
        cmocka_unit_test(a_merge_refuses_parts_that_are_not_one_run),
        cmocka_unit_test(a_merge_refuses_parts_made_with_other_tables),
        cmocka_unit_test(partition_is_k_of_n),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("etl", tests, NULL, NULL);
}
