/*
 * test_history.c — hand-written validation documents pin each feature of
 * SPEC §3, and each way a document is unusable (SPEC §1).
 */
#include "test.h"

#include <bson/bson.h>
#include <stdio.h>
#include <string.h>

#include "etl/history.h"
#include "etl/document.h"

/* The day every document here is scored on. */
#define T "2023-10-15"
/* A document with the given history and defaults for the rest: born
 * 1985-03-12, 845 weeks, checked 2023-08-15. */
#define DOC(jobs)                                                            \
    "{\"_id\": \"t1\", \"curp\": \"GOMJ850312HNLRRN09\", \"dob\": "          \
    "\"1985-03-12\", \"createdAt\": \"2023-08-15T10:20:30Z\", "              \
    "\"semanasCotizadas\": 845, \"historialLaboral\": [" jobs "]}"
#define JOB(patron, estado, alta, baja, wage)                                \
    "{\"nombrePatron\": \"" patron "\", \"entidadFederativa\": \"" estado    \
    "\", \"fechaAlta\": \"" alta "\", \"fechaBaja\": \"" baja "\", "         \
    "\"salarioBaseCotizacion\": " wage "}"

static int map(const char *json, struct document *v,
               enum reject_reason *reason, struct errbuf *err)
{
    bson_t doc;
    bson_error_t berr;
    if (!bson_init_from_json(&doc, json, -1, &berr))
        fail_msg("test document is not JSON: %s\n%s", berr.message, json);
    int rc = document_from_bson(&doc, test_refdata(), v, reason, err);
    bson_destroy(&doc);
    return rc;
}

/* The features of an accepted validation, as of T. */
static struct person person_at_t(const struct document *v)
{
    date_t t;
    date_parse_iso(T, &t);
    struct person p;
    person_from_document(test_refdata(), v, t, &p);
    return p;
}

/* The features of a document that must be accepted, as of T. */
static struct person person_of(const char *json)
{
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    if (map(json, &v, &reason, &err) < 0)
        fail_msg("rejected: %s", err.msg);
    struct person p = person_at_t(&v);
    document_free(&v);
    return p;
}

/* person_of the document doc with its one "%s" replaced by value. */
static struct person person_with(const char *doc, const char *value)
{
    const char *hole = strstr(doc, "%s");
    assert_non_null(hole);
    char json[1024];
    int n = snprintf(json, sizeof json, "%.*s%s%s", (int)(hole - doc), doc,
                     value, hole + 2);
    assert_true(n > 0 && (size_t)n < sizeof json);
    return person_of(json);
}

/* Features of the one current job at ACME in Nuevo León since 2019-03-15
 * at $1,234.56 a day, with 845 weeks: however the document spells it. */
static void assert_acme_features(const struct person *p)
{
    assert_true(p->applicant.ingreso == 37550.99); /* 1234.56 × 30.4165 */
    assert_int_equal(p->applicant.antiguedad_laboral_meses, 55);
    assert_int_equal(p->applicant.semanas_cotizadas, 845);
    assert_int_equal(p->applicant.lugar_actual, 18);
}

static void assert_rejected(const char *json, enum reject_reason want,
                            const char *detail)
{
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    int rc = map(json, &v, &reason, &err);
    document_free(&v);
    if (rc != -1)
        fail_msg("accepted: %s", json);
    if (reason != want || strcmp(err.msg, detail) != 0)
        fail_msg("got %s: %s\nwant %s: %s", reject_reason_names[reason],
                 err.msg, reject_reason_names[want], detail);
}

/* ---- features ------------------------------------------------------------ */

static void current_job_gives_income_seniority_and_no_unemployment(void **s)
{
    (void)s;
    struct person p = person_of(
        DOC(JOB("ACME", "NUEVO LEON", "03/15/2019", "Vigente", "\"$1,234.56\"") ","
            JOB("OLD", "NUEVO LEON", "01/10/2015", "02/28/2019", "\"$845.20\"")));
    assert_acme_features(&p);
    assert_int_equal(p.applicant.tiempo_desempleado, 0);
    assert_int_equal(p.applicant.edad, 38);
    assert_int_equal(p.jubilado, 0);
    assert_true(p.features[F_INGRESO] == 37550.99);
}

static void two_current_jobs_sum_income_and_date_seniority_from_earliest(void **s)
{
    (void)s;
    struct person p = person_of(
        DOC(JOB("B", "JALISCO", "06/01/2022", "VIGENTE", "500") ","
            JOB("A", "JALISCO", "01/20/2020", "vigente", "\"$1,000.00\"")));
    /* 500 × 30.4165 = 15208.25; 1000 × 30.4165 = 30416.5 */
    assert_true(p.applicant.ingreso == 45624.75);
    /* from 2020-01-20 to 2023-10-15: 45 months, minus 1 (15 < 20) */
    assert_int_equal(p.applicant.antiguedad_laboral_meses, 44);
}

static void unemployed_months_run_from_the_latest_end(void **s)
{
    (void)s;
    struct person p = person_of(
        DOC(JOB("A", "PUEBLA", "01/01/2015", "06/30/2018", "300") ","
            JOB("B", "PUEBLA", "07/15/2018", "03/20/2023", "400") ","
            JOB("C", "PUEBLA", "01/01/2010", "12/31/2014", "200")));
    assert_int_equal(p.applicant.tiempo_desempleado, 6); /* 03-20 → 10-15 */
    assert_int_equal(p.applicant.antiguedad_laboral_meses, 0);
    assert_true(p.applicant.ingreso == 0);
    assert_true(p.applicant.crecimiento_ingreso == 0); /* no current job */
    assert_int_equal(p.applicant.lugar_actual, 20);
}

static void empty_history_is_not_unemployment(void **s)
{
    (void)s;
    struct person p = person_of(DOC(""));
    assert_int_equal(p.applicant.tiempo_desempleado, 0);
    assert_int_equal(p.applicant.antiguedad_laboral_meses, 0);
    assert_true(p.applicant.ingreso == 0);
    assert_int_equal(p.applicant.trabajos_ultimos_5, 0);
    assert_int_equal(p.applicant.lugar_actual, STATE_UNKNOWN);
    assert_true(p.features[F_DECIL_INGRESO_ENIGH] == 6);
}

static void unsorted_history_gives_the_same_features(void **s)
{
    (void)s;
    struct person a = person_of(
        DOC(JOB("A", "SONORA", "01/01/2021", "12/31/2021", "400") ","
            JOB("B", "SONORA", "02/01/2022", "Vigente", "600") ","
            JOB("C", "SINALOA", "01/01/2018", "12/31/2020", "300")));
    struct person b = person_of(
        DOC(JOB("B", "SONORA", "02/01/2022", "Vigente", "600") ","
            JOB("C", "SINALOA", "01/01/2018", "12/31/2020", "300") ","
            JOB("A", "SONORA", "01/01/2021", "12/31/2021", "400")));
    assert_memory_equal(a.features, b.features, sizeof a.features);
    assert_true(a.applicant.crecimiento_ingreso == 50); /* 400 → 600 */
    assert_int_equal(a.applicant.trabajos_ultimos_5, 3);
}

static void five_year_window_edges(void **s)
{
    (void)s;
    /* T - 5×365 days = 2018-10-16 (2020 is a leap year). */
    struct person p = person_of(
        DOC(JOB("ENDS ON EDGE", "COLIMA", "01/01/2010", "10/16/2018", "300") ","
            JOB("ENDS DAY BEFORE", "COLIMA", "01/01/2010", "10/15/2018", "300") ","
            JOB("CURRENT", "COLIMA", "01/01/2020", "Vigente", "300") ","
            JOB("STARTS AFTER T", "COLIMA", "10/16/2023", "Vigente", "300")));
    assert_int_equal(p.applicant.trabajos_ultimos_5, 2);
}

static void same_employer_twice_counts_once(void **s)
{
    (void)s;
    struct person p = person_of(
        DOC(JOB("Grupo  Bimbo", "JALISCO", "01/01/2020", "12/31/2020", "300") ","
            JOB("GRUPO BIMBO ", "JALISCO", "01/01/2021", "Vigente", "350")));
    assert_int_equal(p.applicant.trabajos_ultimos_5, 1);
}

static void growth_needs_two_jobs_started_in_three_years(void **s)
{
    (void)s;
    static const struct {
        const char *why, *jobs;
        double growth;
    } cases[] = {
        {"only one job started in 2020 or later: growth 0",
         JOB("A", "JALISCO", "01/01/2019", "12/31/2019", "100") ","
         JOB("B", "JALISCO", "01/01/2020", "Vigente", "300"), 0},
        {"2020-01-01 is T.year - 3: counted; 300 -> 399.99 is 33.33%",
         JOB("B", "JALISCO", "01/01/2020", "12/31/2021", "300") ","
         JOB("C", "JALISCO", "01/01/2022", "Vigente", "399.99"), 33.33},
        {"an earliest wage of 0: growth 0, not infinity",
         JOB("B", "JALISCO", "01/01/2021", "12/31/2021", "0") ","
         JOB("C", "JALISCO", "01/01/2022", "Vigente", "400"), 0},
        {"falling wages give a negative growth",
         JOB("B", "JALISCO", "01/01/2021", "12/31/2021", "400") ","
         JOB("C", "JALISCO", "01/01/2022", "Vigente", "300"), -25},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct person p = person_with(DOC("%s"), cases[i].jobs);
        if (p.applicant.crecimiento_ingreso != cases[i].growth)
            fail_msg("%s: got %.17g", cases[i].why,
                     p.applicant.crecimiento_ingreso);
    }
}

#define RETIREE(jobs, weeks)                                                 \
    "{\"curp\": \"PEPJ500101HDFRRN05\", \"createdAt\": \"2023-08-15\", "     \
    "\"semanasCotizadas\": " weeks ", \"historialLaboral\": [" jobs "]}"

static void retiree_needs_65_years_1500_weeks_and_no_job(void **s)
{
    (void)s;
    struct person p = person_of(
        RETIREE(JOB("A", "DISTRITO FEDERAL", "01/01/1980", "12/31/2000", "200") ","
                JOB("B", "DISTRITO FEDERAL", "01/01/2001", "12/31/2005", "400") ","
                JOB("C", "DISTRITO FEDERAL", "01/01/2006", "06/30/2015", "600"),
                "\"1500\""));
    assert_int_equal(p.applicant.edad, 73);
    assert_int_equal(p.jubilado, 1);
    /* jobs ending 2005 or later: (12166.6 + 18249.9) / 2 = 15208.25 */
    assert_true(p.applicant.ingreso == 15208.25);
    assert_int_equal(p.applicant.lugar_actual, 8);

    struct person few_weeks = person_of(
        RETIREE(JOB("C", "DISTRITO FEDERAL", "01/01/2006", "06/30/2015", "600"),
                "1499"));
    assert_int_equal(few_weeks.jubilado, 0);
    assert_true(few_weeks.applicant.ingreso == 0);

    struct person working = person_of(
        RETIREE(JOB("C", "DISTRITO FEDERAL", "01/01/2006", "Vigente", "600"),
                "2000"));
    assert_int_equal(working.jubilado, 0);
    assert_true(working.applicant.ingreso == 18249.9);
}

static void retiree_without_jobs_has_no_income(void **s)
{
    (void)s;
    struct person p = person_of(RETIREE("", "1600"));
    assert_int_equal(p.jubilado, 1);
    assert_true(p.applicant.ingreso == 0);
}

/* Each spelling, put in the one "%s" of doc, must give the 55 months
 * of seniority of a current job since 2019-03-15. */
static void assert_each_spelling_gives_55_months(const char *doc,
                                                 const char *const *spellings,
                                                 size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct person p = person_with(doc, spellings[i]);
        if (p.applicant.antiguedad_laboral_meses != 55)
            fail_msg("'%s': %d months, expected 55", spellings[i],
                     p.applicant.antiguedad_laboral_meses);
    }
}

static void every_job_date_format(void **s)
{
    (void)s;
    /* Each spelling of 2019-03-15 gives 55 months of seniority. */
    static const char *const altas[] = {"03/15/2019", "2019-03-15",
                                        "03-15-2019", "15/03/2019"};
    assert_each_spelling_gives_55_months(
        DOC(JOB("A", "JALISCO", "%s", "Vigente", "300")), altas, 4);
    /* An Extended JSON date works too. */
    struct person ext = person_of(
        "{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": {\"$date\": "
        "\"2023-08-15T00:00:00Z\"}, \"semanasCotizadas\": 1, "
        "\"historialLaboral\": [{\"fechaAlta\": {\"$date\": "
        "\"2019-03-15T00:00:00Z\"}, \"fechaBaja\": \"Vigente\", "
        "\"salarioBaseCotizacion\": 1}]}");
    assert_int_equal(ext.applicant.antiguedad_laboral_meses, 55);
}

static void vigente_in_any_case_or_spacing(void **s)
{
    (void)s;
    static const char *const spellings[] = {"Vigente", "VIGENTE", "vigente",
                                            " Vigente ", "\\tVIGENTE"};
    assert_each_spelling_gives_55_months(
        DOC(JOB("A", "JALISCO", "03/15/2019", "%s", "300")), spellings, 5);
    assert_true(baja_is_current("  vIgEnTe\t"));
    assert_false(baja_is_current("Vigentes"));
    assert_false(baja_is_current("No vigente"));
}

static void assert_wage(const char *text, double want)
{
    double w;
    if (wage_parse(text, &w) != 0)
        fail_msg("'%s' was not read as a wage", text);
    if (w != want)
        fail_msg("'%s' read as %.17g, expected %.17g", text, w, want);
}

static void wage_strings_with_dollar_and_thousands(void **s)
{
    (void)s;
    assert_wage("$1,234.56", 1234.56);
    assert_wage("$ 12,345,678.90", 12345678.90);
    assert_wage("850", 850);
    double w;
    assert_int_equal(wage_parse("N/D", &w), -1);
    assert_int_equal(wage_parse("", &w), -1);
    assert_int_equal(wage_parse("$-5.00", &w), -1);
    assert_true(monthly_wage(350) == 10645.77); /* Python: round(10645.775, 2) */
}

static void assert_curp_born(const char *curp, int year, int month, int day)
{
    date_t d, want;
    assert_int_equal(curp_birth_date(curp, &d), 0);
    date_from_ymd(year, month, day, &want);
    assert_int_equal(d, want);
}

static void birth_date_from_dob_or_curp_with_its_century(void **s)
{
    (void)s;
    date_t d;
    /* character 17 a digit: born before 2000 */
    assert_curp_born("GOMJ850312HNLRRN09", 1985, 3, 12);
    /* a letter: 2000 on */
    assert_curp_born("GOMJ050312HNLRRNA9", 2005, 3, 12);
    assert_int_equal(curp_birth_date("GOMJ851312HNLRRN09", &d), -1);
    assert_int_equal(curp_birth_date("GOMJ85031", &d), -1);

    /* no dob: the CURP's date */
    struct person p = person_of(
        "{\"curp\": \"GOMJ050312HNLRRNA9\", \"createdAt\": \"2023-08-15\", "
        "\"semanasCotizadas\": 10}");
    assert_int_equal(p.applicant.edad, 18);
    /* dob as YYMMDD: century from the CURP */
    p = person_of("{\"curp\": \"GOMJ050312HNLRRNA9\", \"dob\": \"050312\", "
                  "\"createdAt\": \"2023-08-15\", \"semanasCotizadas\": 10}");
    assert_int_equal(p.applicant.edad, 18);
    /* an unreadable dob falls back to the CURP */
    p = person_of("{\"curp\": \"GOMJ850312HNLRRN09\", \"dob\": \"ayer\", "
                  "\"createdAt\": \"2023-08-15\", \"semanasCotizadas\": 10}");
    assert_int_equal(p.applicant.edad, 38);
    /* dob wins over the CURP when both are dates */
    p = person_of("{\"curp\": \"GOMJ850312HNLRRN09\", \"dob\": \"1990-10-16\", "
                  "\"createdAt\": \"2023-08-15\", \"semanasCotizadas\": 10}");
    assert_int_equal(p.applicant.edad, 32);
}

static void state_names_as_imss_writes_them(void **s)
{
    (void)s;
    static const struct { const char *name; int state; } cases[] = {
        {"DISTRITO FEDERAL", 8}, {"ESTADO DE MEXICO", 14}, {"MEXICO", 14},
        {"COAHUILA", 4}, {"MICHOACAN", 15}, {"VERACRUZ", 29},
        {"QUERÉTARO", 21}, {"ATLANTIDA", STATE_UNKNOWN}, {"", STATE_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct person p = person_with(
            DOC(JOB("A", "%s", "03/15/2019", "Vigente", "300")), cases[i].name);
        if (p.applicant.lugar_actual != cases[i].state)
            fail_msg("'%s' → %d, expected %d", cases[i].name,
                     p.applicant.lugar_actual, cases[i].state);
    }
}

static void lugar_actual_prefers_the_latest_current_job(void **s)
{
    (void)s;
    struct person p = person_of(
        DOC(JOB("A", "JALISCO", "01/01/2018", "Vigente", "300") ","
            JOB("B", "SONORA", "01/01/2021", "Vigente", "300") ","
            JOB("C", "YUCATAN", "01/01/2022", "12/31/2022", "300") ","
            JOB("D", "", "01/01/2023", "Vigente", "300")));
    assert_int_equal(p.applicant.lugar_actual, 25); /* Sonora */
    struct person ended = person_of(
        DOC(JOB("A", "JALISCO", "01/01/2018", "12/31/2019", "300") ","
            JOB("C", "YUCATAN", "01/01/2020", "12/31/2022", "300") ","
            JOB("B", "SONORA", "01/01/2021", "06/30/2021", "300")));
    assert_int_equal(ended.applicant.lugar_actual, 30); /* Yucatán */
}

/* ---- unusable documents ------------------------------------------------- */

static void every_kind_of_unusable_document_has_its_reason(void **s)
{
    (void)s;
    assert_rejected("{\"createdAt\": \"2023-08-15\", \"semanasCotizadas\": 1}",
                    REJECT_CURP, "curp is missing");
    assert_rejected("{\"curp\": \"ABC\", \"createdAt\": \"2023-08-15\"}",
                    REJECT_CURP, "curp is not 18 letters and digits");
    assert_rejected("{\"curp\": 42}", REJECT_CURP, "curp is not a string");
    assert_rejected("{\"curp\": \"GOMJXX0312HNLRRN09\", \"createdAt\": \"2023-08-15\"}",
                    REJECT_DOB,
                    "dob is missing and the CURP carries no birth date");
    assert_rejected("{\"curp\": \"GOMJXX0312HNLRRN09\", \"dob\": \"31/31/1985\"}",
                    REJECT_DOB,
                    "dob '31/31/1985' is not a date and the CURP carries no "
                    "birth date");
    assert_rejected("{\"curp\": \"GOMJ850312HNLRRN09\", \"semanasCotizadas\": 1}",
                    REJECT_CREATED_AT, "createdAt is missing");
    assert_rejected("{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": \"ayer\"}",
                    REJECT_CREATED_AT, "createdAt 'ayer' is not a date");
    assert_rejected("{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": \"2023-08-15\"}",
                    REJECT_SEMANAS, "semanasCotizadas is missing");
    assert_rejected("{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": "
                    "\"2023-08-15\", \"semanasCotizadas\": \"muchas\"}",
                    REJECT_SEMANAS, "semanasCotizadas 'muchas' is not a number");
    assert_rejected("{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": "
                    "\"2023-08-15\", \"semanasCotizadas\": -3}",
                    REJECT_SEMANAS, "semanasCotizadas -3 is out of range");
    assert_rejected(DOC("5"), REJECT_HISTORY,
                    "historialLaboral[0] is not an object");
    assert_rejected("{\"curp\": \"GOMJ850312HNLRRN09\", \"createdAt\": "
                    "\"2023-08-15\", \"semanasCotizadas\": 1, "
                    "\"historialLaboral\": \"none\"}",
                    REJECT_HISTORY, "historialLaboral is not an array");
    assert_rejected(DOC(JOB("A", "JALISCO", "13/45/2020", "Vigente", "300")),
                    REJECT_JOB_DATE,
                    "historialLaboral[0].fechaAlta '13/45/2020' is not a date");
    assert_rejected(DOC(JOB("A", "JALISCO", "01/01/2020", "Vigente", "300") ","
                        JOB("A", "JALISCO", "01/01/2019", "pronto", "300")),
                    REJECT_JOB_DATE,
                    "historialLaboral[1].fechaBaja 'pronto' is not a date");
    assert_rejected(DOC("{\"fechaBaja\": \"Vigente\"}"), REJECT_JOB_DATE,
                    "historialLaboral[0].fechaAlta is missing");
    assert_rejected(DOC(JOB("A", "JALISCO", "01/01/2020", "Vigente", "\"N/D\"")),
                    REJECT_WAGE,
                    "historialLaboral[0].salarioBaseCotizacion 'N/D' is not "
                    "a wage");
    assert_rejected(DOC(JOB("A", "JALISCO", "01/01/2020", "Vigente", "-1")),
                    REJECT_WAGE,
                    "historialLaboral[0].salarioBaseCotizacion -1 is not a "
                    "wage");
}

/* A live collection sends native BSON types rather than Extended JSON
 * text: int32 weeks, datetime createdAt and dates, double wages. The same
 * mapping must read them. */
static void native_bson_types_as_a_live_collection_sends_them(void **s)
{
    (void)s;
    date_t alta, created;
    date_from_ymd(2019, 3, 15, &alta);
    date_from_ymd(2023, 8, 15, &created);
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "64db52a2f1e2b3c4d5e6f708");
    bson_t *doc = BCON_NEW(
        "_id", BCON_OID(&oid), "curp", BCON_UTF8("GOMJ850312HNLRRN09"),
        "createdAt", BCON_DATE_TIME((int64_t)created * 86400000),
        "semanasCotizadas", BCON_INT32(845),
        "historialLaboral", "[",
            "{", "nombrePatron", BCON_UTF8("ACME"),
                 "entidadFederativa", BCON_UTF8("NUEVO LEÓN"),
                 "fechaAlta", BCON_DATE_TIME((int64_t)alta * 86400000),
                 "fechaBaja", BCON_UTF8("Vigente"),
                 "salarioBaseCotizacion", BCON_DOUBLE(1234.56), "}",
        "]");
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    int rc = document_from_bson(doc, test_refdata(), &v, &reason, &err);
    bson_destroy(doc);
    if (rc < 0)
        fail_msg("rejected: %s", err.msg);
    assert_string_equal(v.id, "64db52a2f1e2b3c4d5e6f708");
    assert_true(v.created_at == (int64_t)created * 86400000);
    struct person p = person_at_t(&v);
    document_free(&v);
    assert_acme_features(&p);
}

static void reject_keeps_the_document_id(void **s)
{
    (void)s;
    struct document v;
    document_init(&v);
    enum reject_reason reason;
    struct errbuf err;
    assert_int_equal(map("{\"_id\": {\"$oid\": \"64db52a2f1e2b3c4d5e6f708\"}}",
                         &v, &reason, &err), -1);
    assert_string_equal(v.id, "64db52a2f1e2b3c4d5e6f708");
    assert_int_equal(map("{\"transactionId\": \"tx-9\"}", &v, &reason, &err), -1);
    assert_string_equal(v.id, "tx-9");
    document_free(&v);
}

int suite_history(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(current_job_gives_income_seniority_and_no_unemployment),
        cmocka_unit_test(two_current_jobs_sum_income_and_date_seniority_from_earliest),
        cmocka_unit_test(unemployed_months_run_from_the_latest_end),
        cmocka_unit_test(empty_history_is_not_unemployment),
        cmocka_unit_test(unsorted_history_gives_the_same_features),
        cmocka_unit_test(five_year_window_edges),
        cmocka_unit_test(same_employer_twice_counts_once),
        cmocka_unit_test(growth_needs_two_jobs_started_in_three_years),
        cmocka_unit_test(retiree_needs_65_years_1500_weeks_and_no_job),
        cmocka_unit_test(retiree_without_jobs_has_no_income),
        cmocka_unit_test(every_job_date_format),
        cmocka_unit_test(vigente_in_any_case_or_spacing),
        cmocka_unit_test(wage_strings_with_dollar_and_thousands),
        cmocka_unit_test(birth_date_from_dob_or_curp_with_its_century),
        cmocka_unit_test(state_names_as_imss_writes_them),
        cmocka_unit_test(lugar_actual_prefers_the_latest_current_job),
        cmocka_unit_test(every_kind_of_unusable_document_has_its_reason),
        cmocka_unit_test(native_bson_types_as_a_live_collection_sends_them),
        cmocka_unit_test(reject_keeps_the_document_id),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
