/*
 * test_document.c — the document mapping (etl/document.h) on hand-built
 * BSON, the native types a live MongoDB collection sends: every reason a
 * document is refused with its exact message (all but a corrupt embedded
 * job, which libbson will not build, and running out of memory), and
 * every form of each field that is accepted, read into the record as it
 * should be.
 *
 * test_history drives the same mapping from Extended JSON text and checks
 * the features that follow; here the record itself is checked. The
 * reasons REJECT_NOT_JSON and REJECT_TOO_LARGE belong to the source
 * (test_docsource).
 */
#include "test.h"

#include <bson/bson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "etl/document.h"

#define CURP "GOMJ850312HNLRRN09"           /* born 1985-03-12 */
#define CURP_NO_DATE "GOMJXX0312HNLRRN09"   /* carries no birth date */
#define DAY_MS 86400000LL
#define CREATED_MS 1692057600000LL          /* 2023-08-15T00:00:00Z */
#define ALTA_MS 1552608000000LL             /* 2019-03-15T00:00:00Z */

/* bson_value_t literals */
#define UTF8(s) {.value_type = BSON_TYPE_UTF8,                               \
                 .value.v_utf8 = {(char *)(s), sizeof(s) - 1}}
#define INT32(n) {.value_type = BSON_TYPE_INT32, .value.v_int32 = (n)}
#define INT64(n) {.value_type = BSON_TYPE_INT64, .value.v_int64 = (n)}
#define DOUBLE(x) {.value_type = BSON_TYPE_DOUBLE, .value.v_double = (x)}
#define BOOL(b) {.value_type = BSON_TYPE_BOOL, .value.v_bool = (b)}
#define DATE(ms) {.value_type = BSON_TYPE_DATE_TIME, .value.v_datetime = (ms)}
#define NULL_VALUE {.value_type = BSON_TYPE_NULL}

/* A change to the base document: the field `key` (top level or of its one
 * job) set to `value`, or left out. "historialLaboral[1]" appends a
 * second element to the history. */
struct edit {
    const char *key;
    bool drop;
    bson_value_t value;
};
#define SET(k, v) {.key = (k), .value = v}
#define DROP(k) {.key = (k), .drop = true}
#define MAX_EDITS 3

static const struct edit *edit_of(const struct edit *edits, const char *key)
{
    for (int i = 0; i < MAX_EDITS && edits && edits[i].key; i++)
        if (strcmp(edits[i].key, key) == 0)
            return &edits[i];
    return NULL;
}

/* Appends key: the edit's value, nothing if dropped, else `normal` (when
 * not NULL: a field absent from the base document stays absent). */
static void put(bson_t *doc, const char *key, const bson_value_t *normal,
                const struct edit *edits)
{
    const struct edit *e = edit_of(edits, key);
    if (e && !e->drop)
        bson_append_value(doc, key, -1, &e->value);
    else if (!e && normal)
        bson_append_value(doc, key, -1, normal);
}

/* The base document: _id "t1", CURP, checked 2023-08-15, 845 weeks, one
 * current job at ACME in Nuevo León since 2019-03-15 at 1234.56 a day;
 * no dob. Then the edits. */
static bson_t *document_with(const struct edit *edits)
{
    static const bson_value_t id = UTF8("t1"), curp = UTF8(CURP),
                              created = DATE(CREATED_MS), weeks = INT32(845),
                              patron = UTF8("ACME"),
                              estado = UTF8("NUEVO LEÓN"),
                              alta = DATE(ALTA_MS), baja = UTF8("Vigente"),
                              wage = DOUBLE(1234.56);
    bson_t *doc = bson_new();
    put(doc, "_id", &id, edits);
    put(doc, "transactionId", NULL, edits);
    put(doc, "curp", &curp, edits);
    put(doc, "dob", NULL, edits);
    put(doc, "createdAt", &created, edits);
    put(doc, "semanasCotizadas", &weeks, edits);
    const struct edit *history = edit_of(edits, "historialLaboral");
    if (history) {
        put(doc, "historialLaboral", NULL, edits);
        return doc;
    }
    bson_t arr, job;
    bson_append_array_begin(doc, "historialLaboral", -1, &arr);
    bson_append_document_begin(&arr, "0", -1, &job);
    put(&job, "nombrePatron", &patron, edits);
    put(&job, "entidadFederativa", &estado, edits);
    put(&job, "fechaAlta", &alta, edits);
    put(&job, "fechaBaja", &baja, edits);
    put(&job, "salarioBaseCotizacion", &wage, edits);
    bson_append_document_end(&arr, &job);
    const struct edit *second = edit_of(edits, "historialLaboral[1]");
    if (second)
        bson_append_value(&arr, "1", -1, &second->value);
    bson_append_array_end(doc, &arr);
    return doc;
}

/* Maps the edited document into v (caller's, initialized). */
static int map(const struct edit *edits, struct document *v,
               enum reject_reason *reason, struct errbuf *err)
{
    bson_t *doc = document_with(edits);
    int rc = document_from_bson(doc, test_refdata(), v, reason, err);
    bson_destroy(doc);
    return rc;
}

/* The record of a document that must be accepted. */
static struct document accepted(const struct edit *edits)
{
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    if (map(edits, &v, &reason, &err) < 0)
        fail_msg("refused (%s): %s", reject_reason_names[reason], err.msg);
    return v;
}

static date_t ymd(int y, int m, int d)
{
    date_t out;
    assert_int_equal(date_from_ymd(y, m, d, &out), 0);
    return out;
}

/* ---- every refusal ------------------------------------------------------ */

static const struct refusal {
    struct edit edits[MAX_EDITS];
    enum reject_reason reason;
    const char *message;
} refusals[] = {
    {{DROP("curp")}, REJECT_CURP, "curp is missing"},
    {{SET("curp", NULL_VALUE)}, REJECT_CURP, "curp is missing"},
    {{SET("curp", INT32(42))}, REJECT_CURP, "curp is not a string"},
    {{SET("curp", UTF8("GOMJ850312HNLRRN0"))}, REJECT_CURP,
     "curp is not 18 letters and digits"},
    {{SET("curp", UTF8("GOMJ850312HNLRRN0-"))}, REJECT_CURP,
     "curp is not 18 letters and digits"},
    {{SET("curp", UTF8(CURP " X"))}, REJECT_CURP,
     "curp is not 18 letters and digits"},

    {{SET("curp", UTF8(CURP_NO_DATE))}, REJECT_DOB,
     "dob is missing and the CURP carries no birth date"},
    {{SET("curp", UTF8(CURP_NO_DATE)), SET("dob", INT32(850312))}, REJECT_DOB,
     "dob is not a string and the CURP carries no birth date"},
    {{SET("curp", UTF8(CURP_NO_DATE)), SET("dob", UTF8("31/31/1985"))},
     REJECT_DOB,
     "dob '31/31/1985' is not a date and the CURP carries no birth date"},

    {{DROP("createdAt")}, REJECT_CREATED_AT, "createdAt is missing"},
    {{SET("createdAt", NULL_VALUE)}, REJECT_CREATED_AT, "createdAt is missing"},
    {{SET("createdAt", INT64(CREATED_MS))}, REJECT_CREATED_AT,
     "createdAt is not a date"},
    {{SET("createdAt", UTF8("ayer"))}, REJECT_CREATED_AT,
     "createdAt 'ayer' is not a date"},
    /* a quoted value is cut at 40 characters */
    {{SET("createdAt", UTF8("2023-08-15 but written by a very talkative clerk"))},
     REJECT_CREATED_AT,
     "createdAt '2023-08-15 but written by a very talkati...' is not a date"},

    {{DROP("semanasCotizadas")}, REJECT_SEMANAS, "semanasCotizadas is missing"},
    {{SET("semanasCotizadas", INT32(-3))}, REJECT_SEMANAS,
     "semanasCotizadas -3 is out of range"},
    {{SET("semanasCotizadas", INT64(1000001))}, REJECT_SEMANAS,
     "semanasCotizadas 1000001 is out of range"},
    {{SET("semanasCotizadas", DOUBLE(845.5))}, REJECT_SEMANAS,
     "semanasCotizadas 845.5 is not a whole number of weeks"},
    {{SET("semanasCotizadas", DOUBLE(-1))}, REJECT_SEMANAS,
     "semanasCotizadas -1 is not a whole number of weeks"},
    {{SET("semanasCotizadas", UTF8("muchas"))}, REJECT_SEMANAS,
     "semanasCotizadas 'muchas' is not a number"},
    {{SET("semanasCotizadas", BOOL(true))}, REJECT_SEMANAS,
     "semanasCotizadas is not a number"},

    {{SET("historialLaboral", UTF8("none"))}, REJECT_HISTORY,
     "historialLaboral is not an array"},
    {{SET("historialLaboral[1]", INT32(5))}, REJECT_HISTORY,
     "historialLaboral[1] is not an object"},

    {{DROP("fechaAlta")}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaAlta is missing"},
    {{SET("fechaAlta", INT32(20190315))}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaAlta is not a date"},
    {{SET("fechaAlta", UTF8("13/45/2020"))}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaAlta '13/45/2020' is not a date"},
    {{DROP("fechaBaja")}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaBaja is missing"},
    {{SET("fechaBaja", NULL_VALUE)}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaBaja is missing"},
    {{SET("fechaBaja", BOOL(true))}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaBaja is not a date"},
    {{SET("fechaBaja", UTF8("pronto"))}, REJECT_JOB_DATE,
     "historialLaboral[0].fechaBaja 'pronto' is not a date"},

    {{DROP("salarioBaseCotizacion")}, REJECT_WAGE,
     "historialLaboral[0].salarioBaseCotizacion is missing"},
    {{SET("salarioBaseCotizacion", BOOL(true))}, REJECT_WAGE,
     "historialLaboral[0].salarioBaseCotizacion is not a number"},
    {{SET("salarioBaseCotizacion", UTF8("N/D"))}, REJECT_WAGE,
     "historialLaboral[0].salarioBaseCotizacion 'N/D' is not a wage"},
    {{SET("salarioBaseCotizacion", DOUBLE(-1))}, REJECT_WAGE,
     "historialLaboral[0].salarioBaseCotizacion -1 is not a wage"},
    {{SET("salarioBaseCotizacion", INT32(-5))}, REJECT_WAGE,
     "historialLaboral[0].salarioBaseCotizacion -5 is not a wage"},
    {{SET("salarioBaseCotizacion", DOUBLE(INFINITY))}, REJECT_WAGE,
     "historialLaboral[0].salarioBaseCotizacion inf is not a wage"},
};

static void every_refusal_has_its_reason_and_message(void **s)
{
    (void)s;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *c = &refusals[i];
        struct document v;
        document_init(&v);
        enum reject_reason reason = REJECT_REASON_COUNT;
        struct errbuf err = {{0}};
        int rc = map(c->edits, &v, &reason, &err);
        document_free(&v);
        if (rc != -1 || reason != c->reason || strcmp(err.msg, c->message))
            fail_msg("case %zu: rc %d, %s: %s\nexpected %s: %s", i, rc,
                     reason < REJECT_REASON_COUNT ? reject_reason_names[reason]
                                                  : "(none)",
                     err.msg, reject_reason_names[c->reason], c->message);
    }
}

/* A NaN wage is refused too; %g may spell it "nan" or "-nan". */
static void a_nan_wage_is_refused(void **s)
{
    (void)s;
    const struct edit edits[MAX_EDITS] = {
        SET("salarioBaseCotizacion", DOUBLE(NAN))};
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    assert_int_equal(map(edits, &v, &reason, &err), -1);
    document_free(&v);
    assert_int_equal(reason, REJECT_WAGE);
    assert_non_null(strstr(err.msg, "nan is not a wage"));
}

/* The summary's column of each reason. */
static void reasons_have_their_summary_names(void **s)
{
    (void)s;
    static const char *const names[REJECT_REASON_COUNT] = {
        "not_json", "too_large", "curp", "dob", "created_at",
        "semanas_cotizadas", "historial_laboral", "job_date", "wage"};
    for (int i = 0; i < REJECT_REASON_COUNT; i++)
        assert_string_equal(reject_reason_names[i], names[i]);
}

static void a_refused_document_keeps_its_id(void **s)
{
    (void)s;
    const struct edit edits[MAX_EDITS] = {DROP("curp")};
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    assert_int_equal(map(edits, &v, &reason, &err), -1);
    assert_string_equal(v.id, "t1");
    document_free(&v);
}

/* ---- every accepted form -------------------------------------------------- */

static void the_base_document_is_read_whole(void **s)
{
    (void)s;
    struct document v = accepted(NULL);
    assert_string_equal(v.id, "t1");
    assert_string_equal(v.curp, CURP);
    assert_int_equal(v.dob, ymd(1985, 3, 12)); /* from the CURP */
    assert_true(v.created_at == CREATED_MS);
    assert_int_equal(v.semanas_cotizadas, 845);
    assert_int_equal(v.job_count, 1);
    const struct job *j = &v.jobs[0];
    assert_int_equal(j->alta, ymd(2019, 3, 15));
    assert_true(j->current);
    assert_true(j->daily_wage == 1234.56);
    assert_int_equal(j->state, 18); /* Nuevo León */
    assert_true(j->employer != 0);
    document_free(&v);
}

static void the_id_is_an_oid_a_string_a_number_or_the_transaction_id(void **s)
{
    (void)s;
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "64db52a2f1e2b3c4d5e6f708");
    static const struct {
        struct edit edits[MAX_EDITS];
        const char *id;
    } cases[] = {
        {{SET("_id", INT32(42))}, "42"},
        {{SET("_id", INT64(9007199254740993LL))}, "9007199254740993"},
        {{DROP("_id"), SET("transactionId", UTF8("tx-9"))}, "tx-9"},
        {{DROP("_id")}, ""},
        {{SET("_id", BOOL(true))}, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct document v = accepted(cases[i].edits);
        if (strcmp(v.id, cases[i].id) != 0)
            fail_msg("case %zu: id '%s', expected '%s'", i, v.id, cases[i].id);
        document_free(&v);
    }
    struct edit with_oid[MAX_EDITS] = {
        {.key = "_id", .value = {.value_type = BSON_TYPE_OID}}};
    bson_oid_copy(&oid, &with_oid[0].value.value.v_oid);
    struct document v = accepted(with_oid);
    assert_string_equal(v.id, "64db52a2f1e2b3c4d5e6f708");
    document_free(&v);
}

static void the_curp_is_trimmed_and_upper_cased(void **s)
{
    (void)s;
    const struct edit edits[MAX_EDITS] = {
        SET("curp", UTF8("  gomj850312hnlrrn09\t"))};
    struct document v = accepted(edits);
    assert_string_equal(v.curp, CURP);
    document_free(&v);
}

static void dob_as_a_date_iso_text_or_yymmdd_else_the_curp_s(void **s)
{
    (void)s;
    static const struct {
        struct edit edits[MAX_EDITS];
        int y, m, d;
    } cases[] = {
        {{SET("dob", DATE(-DAY_MS))}, 1969, 12, 31},
        {{SET("dob", UTF8("1990-10-16"))}, 1990, 10, 16},
        /* YYMMDD: the century of the CURP's, here a 2000s one */
        {{SET("curp", UTF8("GOMJ050312HNLRRNA9")), SET("dob", UTF8("060101"))},
         2006, 1, 1},
        {{SET("dob", UTF8("ayer"))}, 1985, 3, 12},
        {{SET("dob", INT32(19850312))}, 1985, 3, 12},
        {{SET("dob", NULL_VALUE)}, 1985, 3, 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct document v = accepted(cases[i].edits);
        if (v.dob != ymd(cases[i].y, cases[i].m, cases[i].d))
            fail_msg("case %zu: dob is day %d, expected %d-%02d-%02d", i,
                     (int)v.dob, cases[i].y, cases[i].m, cases[i].d);
        document_free(&v);
    }
}

static void created_at_as_a_date_or_text(void **s)
{
    (void)s;
    const struct edit text[MAX_EDITS] = {
        SET("createdAt", UTF8("2023-08-15T00:00:00Z"))};
    struct document v = accepted(text);
    assert_true(v.created_at == CREATED_MS);
    document_free(&v);
}

static void weeks_as_any_whole_number(void **s)
{
    (void)s;
    static const struct edit cases[][MAX_EDITS] = {
        {SET("semanasCotizadas", INT64(845))},
        {SET("semanasCotizadas", DOUBLE(845.0))},
        {SET("semanasCotizadas", UTF8("845"))},
        {SET("semanasCotizadas", INT32(0))},
    };
    static const int want[] = {845, 845, 845, 0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct document v = accepted(cases[i]);
        assert_int_equal(v.semanas_cotizadas, want[i]);
        document_free(&v);
    }
    const struct edit most[MAX_EDITS] = {
        SET("semanasCotizadas", INT32(1000000))};
    struct document v = accepted(most);
    assert_int_equal(v.semanas_cotizadas, 1000000);
    document_free(&v);
}

static void wages_as_any_number_or_text(void **s)
{
    (void)s;
    static const struct edit cases[][MAX_EDITS] = {
        {SET("salarioBaseCotizacion", INT32(850))},
        {SET("salarioBaseCotizacion", INT64(850))},
        {SET("salarioBaseCotizacion", DOUBLE(850.25))},
        {SET("salarioBaseCotizacion", UTF8("$1,234.56"))},
        {SET("salarioBaseCotizacion", DOUBLE(0))},
    };
    static const double want[] = {850, 850, 850.25, 1234.56, 0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct document v = accepted(cases[i]);
        if (v.jobs[0].daily_wage != want[i])
            fail_msg("case %zu: wage %.17g, expected %.17g", i,
                     v.jobs[0].daily_wage, want[i]);
        document_free(&v);
    }
}

static void a_job_ends_on_a_date_or_is_current(void **s)
{
    (void)s;
    const struct edit ended[MAX_EDITS] = {
        SET("fechaBaja", DATE(CREATED_MS - DAY_MS))};
    struct document v = accepted(ended);
    assert_false(v.jobs[0].current);
    assert_int_equal(v.jobs[0].baja, ymd(2023, 8, 14));
    document_free(&v);
    const struct edit text[MAX_EDITS] = {SET("fechaBaja", UTF8("06/30/2021"))};
    v = accepted(text);
    assert_false(v.jobs[0].current);
    assert_int_equal(v.jobs[0].baja, ymd(2021, 6, 30));
    document_free(&v);
    const struct edit vigente[MAX_EDITS] = {
        SET("fechaBaja", UTF8(" VIGENTE\t"))};
    v = accepted(vigente);
    assert_true(v.jobs[0].current);
    document_free(&v);
}

/* FNV-1a of the name, trimmed, blanks collapsed, upper-cased: one
 * employer however it is spelt, and the hash of "" when there is none. */
static void employer_is_a_hash_of_the_normalized_name(void **s)
{
    (void)s;
    static const struct edit spellings[][MAX_EDITS] = {
        {SET("nombrePatron", UTF8("GRUPO BIMBO"))},
        {SET("nombrePatron", UTF8("  Grupo   bimbo "))},
        {SET("nombrePatron", UTF8("grupo\tBIMBO"))},
    };
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        struct document v = accepted(spellings[i]);
        assert_true(v.jobs[0].employer == 5274846196214345075ULL);
        document_free(&v);
    }
    static const struct edit none[][MAX_EDITS] = {
        {DROP("nombrePatron")},
        {SET("nombrePatron", NULL_VALUE)},
        {SET("nombrePatron", INT32(7))},
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        struct document v = accepted(none[i]);
        assert_true(v.jobs[0].employer == 1469598103934665603ULL);
        document_free(&v);
    }
}

static void an_unknown_or_absent_state_is_unknown(void **s)
{
    (void)s;
    static const struct edit cases[][MAX_EDITS] = {
        {DROP("entidadFederativa")},
        {SET("entidadFederativa", NULL_VALUE)},
        {SET("entidadFederativa", UTF8("ATLANTIDA"))},
        {SET("entidadFederativa", INT32(18))},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct document v = accepted(cases[i]);
        assert_int_equal(v.jobs[0].state, STATE_UNKNOWN);
        document_free(&v);
    }
}

static void no_history_is_an_empty_one(void **s)
{
    (void)s;
    static const struct edit cases[][MAX_EDITS] = {
        {DROP("historialLaboral")},
        {SET("historialLaboral", NULL_VALUE)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct document v = accepted(cases[i]);
        assert_int_equal(v.job_count, 0);
        document_free(&v);
    }
}

/* One record reused from document to document, as the ETL's workers do:
 * a long history grows it, a shorter one after it leaves no stale job. */
static void a_record_is_reused_across_documents(void **s)
{
    (void)s;
    enum { JOBS = 40 };
    bson_t *doc = bson_new();
    BSON_APPEND_UTF8(doc, "curp", CURP);
    BSON_APPEND_DATE_TIME(doc, "createdAt", CREATED_MS);
    BSON_APPEND_INT32(doc, "semanasCotizadas", 845);
    bson_t arr;
    bson_append_array_begin(doc, "historialLaboral", -1, &arr);
    for (int i = 0; i < JOBS; i++) {
        char key[16];
        bson_t job;
        snprintf(key, sizeof key, "%d", i);
        bson_append_document_begin(&arr, key, -1, &job);
        BSON_APPEND_DATE_TIME(&job, "fechaAlta", ALTA_MS + i * DAY_MS);
        BSON_APPEND_UTF8(&job, "fechaBaja", "Vigente");
        BSON_APPEND_INT32(&job, "salarioBaseCotizacion", 100 + i);
        bson_append_document_end(&arr, &job);
    }
    bson_append_array_end(doc, &arr);

    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    assert_int_equal(document_from_bson(doc, test_refdata(), &v, &reason,
                                        &err), 0);
    bson_destroy(doc);
    assert_int_equal(v.job_count, JOBS);
    for (int i = 0; i < JOBS; i++) {
        assert_int_equal(v.jobs[i].alta, ymd(2019, 3, 15) + i);
        assert_true(v.jobs[i].daily_wage == 100 + i);
    }
    doc = document_with(NULL);
    assert_int_equal(document_from_bson(doc, test_refdata(), &v, &reason,
                                        &err), 0);
    bson_destroy(doc);
    assert_int_equal(v.job_count, 1);
    assert_true(v.jobs[0].daily_wage == 1234.56);
    assert_string_equal(v.id, "t1");
    document_free(&v);
}

int suite_document(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_refusal_has_its_reason_and_message),
        cmocka_unit_test(a_nan_wage_is_refused),
        cmocka_unit_test(reasons_have_their_summary_names),
        cmocka_unit_test(a_refused_document_keeps_its_id),
        cmocka_unit_test(the_base_document_is_read_whole),
        cmocka_unit_test(the_id_is_an_oid_a_string_a_number_or_the_transaction_id),
        cmocka_unit_test(the_curp_is_trimmed_and_upper_cased),
        cmocka_unit_test(dob_as_a_date_iso_text_or_yymmdd_else_the_curp_s),
        cmocka_unit_test(created_at_as_a_date_or_text),
        cmocka_unit_test(weeks_as_any_whole_number),
        cmocka_unit_test(wages_as_any_number_or_text),
        cmocka_unit_test(a_job_ends_on_a_date_or_is_current),
        cmocka_unit_test(employer_is_a_hash_of_the_normalized_name),
        cmocka_unit_test(an_unknown_or_absent_state_is_unknown),
        cmocka_unit_test(no_history_is_an_empty_one),
        cmocka_unit_test(a_record_is_reused_across_documents),
    };
    return RUN_SUITE("document", tests, count);
}
