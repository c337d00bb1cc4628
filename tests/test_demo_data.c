/*
 * test_demo_data.c — the project's PRNG reproduces xoshiro256** exactly,
 * and the synthetic documents are what SPEC §1 and the demo-data contract
 * say: reproducible bytes, one JSON object per line with the §1 fields,
 * CURPs that pass RENAPO's check digit and agree with the birth date, the
 * quirks of real exports, duplicates apart from each other, and a small
 * share of unusable documents of every kind.
 *
 * The corpus tests share one survey: setup writes 20,000 documents once,
 * reads every line back with jansson and the project's date parsers, and
 * counts what it finds; each test then checks its own part of the counts.
 * The checks here are written from the spec, not from the generator (the
 * CURP check digit is recomputed independently and pinned on RENAPO's own
 * example).
 */
#include "test.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dates.h"
#include "demo/demo_data.h"
#include "base/prng.h"
#include "score/refdata.h"

/* ------------------------------------------------------------------ */
/* PRNG                                                                 */
/* ------------------------------------------------------------------ */

static void prng_first_outputs_match_the_xoshiro256ss_reference(void **state)
{
    (void)state;
    /* The reference C code of xoshiro256** with its state filled by four
     * splitmix64 outputs of the seed, computed once and pinned. */
    static const uint64_t seed0[] = {0x99ec5f36cb75f2b4u, 0xbf6e1f784956452au,
                                     0x1a5f849d4933e6e0u, 0x6aa594f1262d2d2cu};
    static const uint64_t seed42[] = {0x15780b2e0c2ec716u, 0x6104d9866d113a7eu,
                                      0xae17533239e499a1u, 0xecb8ad4703b360a1u};
    struct prng p;
    prng_seed(&p, 0);
    for (int i = 0; i < 4; i++)
        assert_true(prng_next(&p) == seed0[i]);
    prng_seed(&p, 42);
    for (int i = 0; i < 4; i++)
        assert_true(prng_next(&p) == seed42[i]);
}

static void prng_same_seed_same_stream_and_a_copy_forks_it(void **state)
{
    (void)state;
    struct prng a, b;
    prng_seed(&a, 7);
    prng_seed(&b, 7);
    for (int i = 0; i < 100; i++)
        prng_next(&a), prng_next(&b);
    struct prng fork = a;
    for (int i = 0; i < 100; i++) {
        uint64_t x = prng_next(&a);
        assert_true(x == prng_next(&b));
        assert_true(x == prng_next(&fork));
    }
}

static void prng_range_hits_both_bounds_and_never_leaves_them(void **state)
{
    (void)state;
    struct prng p;
    prng_seed(&p, 1);
    int seen[7] = {0};
    for (int i = 0; i < 20000; i++) {
        int x = prng_range(&p, -3, 3);
        assert_in_range(x + 3, 0, 6);
        seen[x + 3]++;
    }
    for (int v = 0; v < 7; v++) /* ~2857 each */
        assert_in_range(seen[v], 2500, 3200);
    assert_int_equal(prng_range(&p, 5, 5), 5);
    assert_int_equal(prng_range(&p, 9, 2), 9); /* hi < lo: lo */
    bool low = false, high = false;
    for (int i = 0; i < 100000 && !(low && high); i++) {
        int x = prng_range(&p, 0, 1);
        low |= x == 0;
        high |= x == 1;
    }
    assert_true(low && high);
    for (int i = 0; i < 1000; i++) { /* the whole int range, no overflow */
        int x = prng_range(&p, -2147483647 - 1, 2147483647);
        (void)x;
    }
}

static void prng_uniform_is_in_0_1_and_centred(void **state)
{
    (void)state;
    struct prng p;
    prng_seed(&p, 2);
    double sum = 0, lo = 1, hi = 0;
    for (int i = 0; i < 100000; i++) {
        double u = prng_uniform(&p);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    assert_true(sum / 100000 > 0.49 && sum / 100000 < 0.51);
    assert_true(lo < 0.001 && hi > 0.999);
}

static void prng_normal_has_mean_0_and_sd_1_and_lognormal_its_median(void **state)
{
    (void)state;
    struct prng p;
    prng_seed(&p, 3);
    double sum = 0, sq = 0;
    int below = 0;
    for (int i = 0; i < 100000; i++) {
        double z = prng_normal(&p);
        sum += z;
        sq += z * z;
        below += prng_lognormal(&p, 2.0, 0.5) < 7.38905609893065; /* e^2 */
    }
    double mean = sum / 100000, var = sq / 100000 - mean * mean;
    assert_true(mean > -0.02 && mean < 0.02);
    assert_true(var > 0.97 && var < 1.03);
    assert_in_range(below, 49000, 51000);
}

/* ------------------------------------------------------------------ */
/* Writing documents                                                    */
/* ------------------------------------------------------------------ */

#define CORPUS_COUNT 20000
#define AS_OF_YEAR 2024 /* 2024-06-30: fixed, so the tests never depend on today */

struct fixture;
static char *write_corpus(const struct refdata *rd, long count, uint64_t seed,
                          size_t *len, struct demo_stats *st);

static const struct refdata *fixture_refdata(void **state);

static void same_seed_gives_identical_bytes(void **state)
{
    const struct refdata *rd = fixture_refdata(state);
    size_t la, lb;
    char *a = write_corpus(rd, 2000, 11, &la, NULL);
    char *b = write_corpus(rd, 2000, 11, &lb, NULL);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

static void different_seed_gives_different_documents(void **state)
{
    const struct refdata *rd = fixture_refdata(state);
    size_t la, lb;
    char *a = write_corpus(rd, 200, 11, &la, NULL);
    char *b = write_corpus(rd, 200, 12, &lb, NULL);
    /* not one line in common */
    char *line = a;
    while (line < a + la) {
        char *nl = memchr(line, '\n', (size_t)(a + la - line));
        assert_non_null(nl);
        assert_null(memmem(b, lb, line, (size_t)(nl - line)));
        line = nl + 1;
    }
    free(a);
    free(b);
}

static long count_lines(const char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') {
            assert_true(i > 0 && s[i - 1] != '\n'); /* no empty line */
            n++;
        }
    assert_true(len == 0 || s[len - 1] == '\n');
    return n;
}

static void writes_exactly_count_lines(void **state)
{
    const struct refdata *rd = fixture_refdata(state);
    static const long counts[] = {1, 2, 7, 1500};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        size_t len;
        struct demo_stats st;
        char *s = write_corpus(rd, counts[i], 5, &len, &st);
        assert_int_equal(count_lines(s, len), counts[i]);
        assert_int_equal(st.documents, counts[i]);
        assert_int_equal(st.persons + st.duplicates, counts[i]);
        free(s);
    }
}

static void a_shorter_file_is_the_start_of_a_longer_one(void **state)
{
    const struct refdata *rd = fixture_refdata(state);
    size_t ls, ll;
    char *s = write_corpus(rd, 3000, 9, &ls, NULL);
    char *l = write_corpus(rd, 6000, 9, &ll, NULL);
    assert_true(ls < ll);
    assert_memory_equal(s, l, ls);
    free(s);
    free(l);
}

static void bad_options_are_refused_with_the_option_named(void **state)
{
    const struct refdata *rd = fixture_refdata(state);
    struct errbuf err;
    date_t as_of;
    date_from_ymd(2024, 6, 30, &as_of);
    struct demo_options opt = {0, 1, as_of};
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(demo_data_write(rd, &opt, f, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "count"));
    opt.count = 10;
    date_from_ymd(1850, 1, 1, &opt.as_of);
    assert_int_equal(demo_data_write(rd, &opt, f, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "as-of 1850-01-01"));
    fclose(f);
}

static void a_failed_write_is_reported(void **state)
{
    const struct refdata *rd = fixture_refdata(state);
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    struct errbuf err;
    date_t as_of;
    date_from_ymd(2024, 6, 30, &as_of);
    struct demo_options opt = {3000, 1, as_of};
    assert_int_equal(demo_data_write(rd, &opt, f, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "writing"));
    fclose(f);
}

/* ------------------------------------------------------------------ */
/* The survey of a 20,000-document corpus                               */
/* ------------------------------------------------------------------ */

/* RENAPO's codes of the states of birth, and NE for born abroad. */
static const char renapo_states[] =
    "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR "
    "SP SL SR TC TS TL VZ YN ZS NE ";

/* RENAPO's check digit, from the spec: the 17 characters valued by their
 * place in 0-9, A-N, Ñ, O-Z, weighted 18 down to 2. */
static char renapo_check_digit(const char *c)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = c[i] >= '0' && c[i] <= '9' ? c[i] - '0'
              : c[i] <= 'N' ? c[i] - 'A' + 10 : c[i] - 'A' + 11;
        sum += v * (18 - i);
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_consonant(char c)
{
    return is_upper(c) && !strchr("AEIOU", c);
}

/* The CURP's shape and its birth date (century from character 17). */
static bool curp_well_formed(const char *c, date_t *birth)
{
    if (strlen(c) != 18)
        return false;
    for (int i = 0; i < 4; i++)
        if (!is_upper(c[i]))
            return false;
    for (int i = 4; i < 10; i++)
        if (!is_digit(c[i]))
            return false;
    char code[4] = {c[11], c[12], ' ', '\0'};
    if ((c[10] != 'H' && c[10] != 'M') || !strstr(renapo_states, code) ||
        !is_consonant(c[13]) || !is_consonant(c[14]) || !is_consonant(c[15]) ||
        !(is_digit(c[16]) || is_upper(c[16])) || !is_digit(c[17]))
        return false;
    int yy = (c[4] - '0') * 10 + c[5] - '0';
    int mm = (c[6] - '0') * 10 + c[7] - '0';
    int dd = (c[8] - '0') * 10 + c[9] - '0';
    return date_from_ymd((is_digit(c[16]) ? 1900 : 2000) + yy, mm, dd,
                         birth) == 0;
}

static void renapo_check_digit_matches_renapos_example(void **state)
{
    (void)state;
    /* the example CURP of RENAPO's instructivo */
    assert_int_equal(renapo_check_digit("HEGG560427MVZRRL04"), '4');
    date_t b, want;
    assert_true(curp_well_formed("HEGG560427MVZRRL04", &b));
    date_from_ymd(1956, 4, 27, &want);
    assert_int_equal(b, want);
}

/* A daily wage as SPEC §1 allows it: a number, or "$1,234.56". */
static bool wage_readable(const json_t *w, double *out)
{
    if (json_is_number(w)) {
        *out = json_number_value(w);
        return *out > 0;
    }
    if (!json_is_string(w))
        return false;
    const char *s = json_string_value(w);
    char digits[32];
    size_t n = 0;
    if (*s == '$')
        s++;
    for (; *s && n + 1 < sizeof digits; s++)
        if (*s != ',')
            digits[n++] = *s;
    digits[n] = '\0';
    char *end;
    *out = strtod(digits, &end);
    return n > 0 && *end == '\0' && *out > 0;
}

static bool says_vigente(const char *s)
{
    while (*s == ' ')
        s++;
    if (strncasecmp(s, "vigente", 7) != 0)
        return false;
    for (s += 7; *s == ' '; s++)
        ;
    return *s == '\0';
}

struct sighting {
    char curp[19];
    long line;
    int64_t created;
};

/* What a survey can find wrong, one test each. */
enum flaw {
    F_STRUCTURE,   /* not JSON, a §1 field missing or of the wrong type */
    F_CURP,        /* check digit, dob disagreeing, age out of 18..80 */
    F_DEFECTS,     /* an unusable document broken in more than one way */
    F_DATES,       /* job dates out of order or after the check */
    F_ENTIDAD,     /* a state spelling state_match does not know */
    F_WEEKS,       /* semanasCotizadas below the history's weeks */
    F_DUPLICATES,  /* a CURP too often, or twice with one createdAt */
    FLAW_KINDS
};

struct survey {
    long lines;
    long flaws[FLAW_KINDS];
    char first_flaw[FLAW_KINDS][400];
    /* kinds of unusable documents as the spec sees them */
    long unusable[DEMO_UNUSABLE_KINDS];
    long unusable_total;
    /* CURPs of usable documents */
    long curps_checked;
    /* quirks */
    long distrito_federal, dollar_comma_wages, number_wages, dob_yymmdd,
        dob_absent, created_rfc1123, created_iso, created_date, dmy_dates,
        unsorted, two_current, retirees, semanas_strings, accented_entidad,
        entidad_absent, born_abroad, employers_with_quotes;
    char vigente[8][16];
    int vigente_count;
    /* duplicates */
    struct sighting *seen;
    long seen_count;
    long people, people_seen_twice, adjacent_duplicates;
};

struct fixture {
    struct refdata rd;
    struct demo_stats stats;
    struct survey sv;
    date_t as_of;
};

static const struct refdata *fixture_refdata(void **state)
{
    return &((struct fixture *)*state)->rd;
}

static void flaw(struct survey *sv, enum flaw kind, long line,
                 const char *what, const char *detail)
{
    if (sv->flaws[kind]++ == 0)
        snprintf(sv->first_flaw[kind], sizeof sv->first_flaw[kind],
                 "line %ld: %s%s%s", line, what, detail ? ": " : "",
                 detail ? detail : "");
}

static void assert_no_flaws(const struct survey *sv, enum flaw kind)
{
    if (sv->flaws[kind])
        fail_msg("%ld documents; the first, %s", sv->flaws[kind],
                 sv->first_flaw[kind]);
}

static bool timestamp_of(const json_t *v, int64_t *ms, int *style)
{
    const json_t *s = v;
    *style = -1;
    if (json_is_object(v)) {
        s = json_object_get(v, "$date");
        *style = 2;
    }
    if (!json_is_string(s) || timestamp_parse(json_string_value(s), ms) < 0)
        return false;
    if (*style < 0)
        *style = strchr(json_string_value(s), ',') ? 0 : 1;
    return true;
}

/* Weeks covered by at least one job, concurrent jobs once. Computed
 * another way than demo_data.c does (a sweep over start and end events,
 * counting days while any job is open), so the check does not share its
 * mistakes. */
struct job_event {
    date_t day;
    int delta; /* +1 a job starts, -1 it ends */
};

static int by_day(const void *a, const void *b)
{
    const struct job_event *x = a, *y = b;
    return x->day != y->day ? (x->day > y->day) - (x->day < y->day)
                            : x->delta - y->delta;
}

static long covered_weeks(const date_t *alta, const date_t *baja, int n)
{
    struct job_event ev[2 * 64];
    int m = 0;
    for (int i = 0; i < n && m + 2 <= (int)(sizeof ev / sizeof ev[0]); i++)
        if (baja[i] > alta[i]) {
            ev[m++] = (struct job_event){alta[i], +1};
            ev[m++] = (struct job_event){baja[i], -1};
        }
    qsort(ev, (size_t)m, sizeof ev[0], by_day);
    long days = 0;
    int open = 0;
    for (int i = 0; i < m; i++) {
        if (open > 0)
            days += ev[i].day - ev[i - 1].day;
        open += ev[i].delta;
    }
    return days / 7;
}

static void survey_document(struct fixture *fx, const json_t *d, long line)
{
    struct survey *sv = &fx->sv;
    const struct refdata *rd = &fx->rd;
    if (!json_is_object(d)) {
        flaw(sv, F_STRUCTURE, line, "not a JSON object", NULL);
        return;
    }
    const json_t *id = json_object_get(d, "_id");
    const json_t *oid = json_object_get(id, "$oid");
    if (!json_is_string(oid) || strlen(json_string_value(oid)) != 24 ||
        strspn(json_string_value(oid), "0123456789abcdef") != 24)
        flaw(sv, F_STRUCTURE, line, "_id is not {\"$oid\": 24 hex digits}", NULL);
    const json_t *tx = json_object_get(d, "transactionId");
    if (!json_is_string(tx) || strlen(json_string_value(tx)) != 36)
        flaw(sv, F_STRUCTURE, line, "transactionId is not a UUID", NULL);
    const json_t *sem = json_object_get(d, "semanasCotizadas");
    long semanas = -1;
    if (json_is_integer(sem)) {
        semanas = (long)json_integer_value(sem);
    } else if (json_is_string(sem) && *json_string_value(sem) &&
               strspn(json_string_value(sem), "0123456789") ==
                   strlen(json_string_value(sem))) {
        semanas = atol(json_string_value(sem));
        sv->semanas_strings++;
    }
    if (semanas < 0)
        flaw(sv, F_STRUCTURE, line, "semanasCotizadas is not a whole number", NULL);
    long descontadas = (long)json_integer_value(json_object_get(d, "semanasDescontadas"));
    if (!json_is_integer(json_object_get(d, "semanasDescontadas")) ||
        !json_is_integer(json_object_get(d, "semanasReintegradas")))
        flaw(sv, F_STRUCTURE, line, "semanasDescontadas/Reintegradas not integers", NULL);

    /* what, if anything, makes it unusable */
    int kinds = 0, kind = -1;
    const json_t *curp = json_object_get(d, "curp");
    const json_t *dob = json_object_get(d, "dob");
    date_t birth = 0;
    if (!curp) {
        kinds++, kind = DEMO_NO_CURP;
    } else if (!json_is_string(curp) ||
               !curp_well_formed(json_string_value(curp), &birth)) {
        if (dob)
            flaw(sv, F_DEFECTS, line, "malformed CURP but a dob", json_string_value(curp));
        kinds++, kind = DEMO_BAD_CURP_NO_DOB;
    }
    int64_t created;
    int created_style;
    if (!timestamp_of(json_object_get(d, "createdAt"), &created, &created_style))
        kinds++, kind = DEMO_BAD_CREATED_AT;
    const json_t *hist = json_object_get(d, "historialLaboral");
    size_t njobs = json_is_array(hist) ? json_array_size(hist) : 0;
    if (!json_is_array(hist))
        kinds++, kind = DEMO_HISTORY_NOT_ARRAY;
    if (njobs > 15) {
        flaw(sv, F_STRUCTURE, line, "more than 15 jobs", NULL);
        njobs = 15;
    }

    date_t alta[16], baja[16];
    bool current[16];
    int bad_dates = 0, bad_wages = 0, ncurrent = 0;
    for (size_t i = 0; i < njobs && i < 16; i++) {
        const json_t *j = json_array_get(hist, i);
        const json_t *fa = json_object_get(j, "fechaAlta");
        const json_t *fb = json_object_get(j, "fechaBaja");
        const json_t *w = json_object_get(j, "salarioBaseCotizacion");
        const json_t *patron = json_object_get(j, "nombrePatron");
        const json_t *ent = json_object_get(j, "entidadFederativa");
        if (!json_is_string(patron) || !*json_string_value(patron))
            flaw(sv, F_STRUCTURE, line, "a job without nombrePatron", NULL);
        else if (strchr(json_string_value(patron), '"'))
            sv->employers_with_quotes++;
        if (!json_is_string(fa) || date_parse_job(json_string_value(fa), &alta[i]) < 0)
            bad_dates++;
        else if (json_string_value(fa)[2] == '/' && atoi(json_string_value(fa)) > 12)
            sv->dmy_dates++;
        current[i] = json_is_string(fb) && says_vigente(json_string_value(fb));
        if (current[i]) {
            ncurrent++;
            bool known = false;
            for (int k = 0; k < sv->vigente_count; k++)
                known |= strcmp(sv->vigente[k], json_string_value(fb)) == 0;
            if (!known && sv->vigente_count < 8)
                snprintf(sv->vigente[sv->vigente_count++], sizeof sv->vigente[0],
                         "%s", json_string_value(fb));
        } else if (!json_is_string(fb) ||
                   date_parse_job(json_string_value(fb), &baja[i]) < 0) {
            flaw(sv, F_STRUCTURE, line, "fechaBaja neither a date nor Vigente", NULL);
        }
        double wage;
        if (!wage_readable(w, &wage))
            bad_wages++;
        else if (json_is_number(w))
            sv->number_wages++;
        else if (strchr(json_string_value(w), ','))
            sv->dollar_comma_wages++;
        if (!ent) {
            sv->entidad_absent++;
        } else {
            const char *e = json_string_value(ent);
            if (!e || state_match(rd, e) == STATE_UNKNOWN)
                flaw(sv, F_ENTIDAD, line, "entidadFederativa names no state", e);
            else if (strcmp(e, "DISTRITO FEDERAL") == 0)
                sv->distrito_federal++;
            for (const char *c = e; c && *c; c++)
                if ((unsigned char)*c >= 0x80) {
                    sv->accented_entidad++;
                    break;
                }
        }
    }
    if (bad_dates)
        kinds++, kind = DEMO_BAD_JOB_DATE;
    if (bad_wages)
        kinds++, kind = DEMO_BAD_WAGE;
    if (bad_dates > 1 || bad_wages > 1)
        flaw(sv, F_DEFECTS, line, "more than one broken job", NULL);
    if (!dob)
        sv->dob_absent++;
    if (kinds > 1)
        flaw(sv, F_DEFECTS, line, "more than one defect", NULL);
    if (kind >= 0) {
        sv->unusable[kind]++;
        sv->unusable_total++;
        return;
    }

    /* a usable document: everything must agree */
    const char *c = json_string_value(curp);
    sv->curps_checked++;
    if (c[17] != renapo_check_digit(c))
        flaw(sv, F_CURP, line, "CURP check digit", c);
    if (c[11] == 'N' && c[12] == 'E')
        sv->born_abroad++;
    if (dob) {
        const char *s = json_string_value(dob);
        date_t b;
        if (s && strlen(s) == 6) {
            sv->dob_yymmdd++;
            if (memcmp(s, c + 4, 6) != 0)
                flaw(sv, F_CURP, line, "dob YYMMDD differs from the CURP", s);
        } else if (!s || date_parse_iso(s, &b) < 0 || b != birth) {
            flaw(sv, F_CURP, line, "dob differs from the CURP", s);
        }
    }
    int age = date_full_years(birth, fx->as_of);
    if (age < 18 || age > 80)
        flaw(sv, F_CURP, line, "age outside 18..80", c);
    date_t created_day = timestamp_date(created);
    if (created_day > fx->as_of || created_day < fx->as_of - 550)
        flaw(sv, F_DATES, line, "createdAt outside the 18 months before as-of", NULL);
    sv->created_rfc1123 += created_style == 0;
    sv->created_iso += created_style == 1;
    sv->created_date += created_style == 2;
    if (dob && strlen(json_string_value(dob)) != 6 && strlen(json_string_value(dob)) != 10)
        flaw(sv, F_STRUCTURE, line, "dob neither YYYY-MM-DD nor YYMMDD", NULL);

    bool up = true, down = true;
    for (size_t i = 0; i < njobs; i++) {
        if (current[i])
            baja[i] = created_day;
        else if (baja[i] <= alta[i])
            flaw(sv, F_DATES, line, "fechaBaja not after fechaAlta", NULL);
        if (alta[i] > created_day || baja[i] > created_day)
            flaw(sv, F_DATES, line, "a job date after createdAt", NULL);
        if (i > 0) {
            up &= alta[i] >= alta[i - 1];
            down &= alta[i] <= alta[i - 1];
        }
    }
    if (njobs >= 3 && !up && !down)
        sv->unsorted++;
    sv->two_current += ncurrent >= 2;
    /* weeks: at least what the listed jobs cover (a day's slack for the
     * check's local date), less the weeks discounted */
    long covered = covered_weeks(alta, baja, (int)njobs);
    if (semanas >= 0 && semanas + descontadas + 1 < covered)
        flaw(sv, F_WEEKS, line, "semanasCotizadas below the weeks the history covers",
                  NULL);
    if (njobs > 0 && ncurrent == 0 && age >= 65 && semanas >= 1500)
        sv->retirees++;

    struct sighting *s = &sv->seen[sv->seen_count++];
    memcpy(s->curp, c, 19);
    s->line = line;
    s->created = created;
}

static int compare_sightings(const void *a, const void *b)
{
    const struct sighting *x = a, *y = b;
    int c = strcmp(x->curp, y->curp);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void survey_duplicates(struct survey *sv)
{
    qsort(sv->seen, (size_t)sv->seen_count, sizeof sv->seen[0],
          compare_sightings);
    for (long i = 0; i < sv->seen_count;) {
        long k = i + 1;
        while (k < sv->seen_count && strcmp(sv->seen[k].curp, sv->seen[i].curp) == 0)
            k++;
        sv->people++;
        if (k - i > 1)
            sv->people_seen_twice++;
        if (k - i > 3)
            flaw(sv, F_DUPLICATES, sv->seen[i].line, "a CURP in more than 3 documents",
                      sv->seen[i].curp);
        for (long m = i + 1; m < k; m++) {
            if (sv->seen[m].line == sv->seen[m - 1].line + 1)
                sv->adjacent_duplicates++;
            for (long q = i; q < m; q++)
                if (sv->seen[q].created == sv->seen[m].created)
                    flaw(sv, F_DUPLICATES, sv->seen[m].line,
                              "two documents of a CURP with one createdAt",
                              sv->seen[m].curp);
        }
        i = k;
    }
}

static char *write_corpus(const struct refdata *rd, long count, uint64_t seed,
                          size_t *len, struct demo_stats *st)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    struct demo_options opt = {count, seed, 0};
    date_from_ymd(AS_OF_YEAR, 6, 30, &opt.as_of);
    struct errbuf err;
    int rc = demo_data_write(rd, &opt, f, st, &err);
    fclose(f);
    if (rc < 0)
        fail_msg("%s", err.msg);
    return buf;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct errbuf err;
    if (!fx || refdata_load(&fx->rd, INCOMESCORE_DATADIR, ITAEE_DEFAULT_YEAR,
                            &err) < 0) {
        print_error("%s\n", fx ? err.msg : "out of memory");
        free(fx);
        return -1;
    }
    date_from_ymd(AS_OF_YEAR, 6, 30, &fx->as_of);
    fx->sv.seen = calloc(CORPUS_COUNT, sizeof *fx->sv.seen);

    /* the corpus, and what is in it */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct demo_options opt = {CORPUS_COUNT, 2024, fx->as_of};
    int rc = f && fx->sv.seen ? demo_data_write(&fx->rd, &opt, f, &fx->stats, &err)
                              : err_set(&err, "out of memory");
    if (f)
        fclose(f);
    if (rc < 0) {
        print_error("%s\n", err.msg);
        free(buf);
        return -1;
    }
    *state = fx;
    long line = 0;
    for (char *p = buf; p < buf + len;) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (!nl)
            nl = buf + len;
        line++;
        json_error_t jerr;
        json_t *d = json_loadb(p, (size_t)(nl - p), 0, &jerr);
        if (!d)
            flaw(&fx->sv, F_STRUCTURE, line, "not JSON", jerr.text);
        else
            survey_document(fx, d, line);
        json_decref(d);
        p = nl + 1;
    }
    fx->sv.lines = line;
    survey_duplicates(&fx->sv);
    free(buf);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    refdata_free(&fx->rd);
    free(fx->sv.seen);
    free(fx);
    return 0;
}

static const struct survey *corpus(void **state)
{
    return &((struct fixture *)*state)->sv;
}

static void every_line_is_a_json_object_with_the_spec_fields(void **state)
{
    const struct survey *sv = corpus(state);
    assert_int_equal(sv->lines, CORPUS_COUNT);
    assert_no_flaws(sv, F_STRUCTURE);
}

static void usable_curps_pass_the_check_digit_and_agree_with_dob(void **state)
{
    const struct survey *sv = corpus(state);
    /* checked on every usable document */
    assert_true(sv->curps_checked + sv->unusable_total == CORPUS_COUNT);
    assert_no_flaws(sv, F_CURP);
}

static void job_dates_are_ordered_and_never_after_the_check(void **state)
{
    assert_no_flaws(corpus(state), F_DATES);
}

static void every_entidad_federativa_names_a_state(void **state)
{
    assert_no_flaws(corpus(state), F_ENTIDAD);
}

static void semanas_cotizadas_cover_the_history(void **state)
{
    assert_no_flaws(corpus(state), F_WEEKS);
}

static void each_unusable_document_is_broken_one_way(void **state)
{
    assert_no_flaws(corpus(state), F_DEFECTS);
}

static void unusable_documents_are_what_the_stats_say(void **state)
{
    struct fixture *fx = *state;
    const struct survey *sv = &fx->sv;
    for (int k = 0; k < DEMO_UNUSABLE_KINDS; k++) {
        if (sv->unusable[k] != fx->stats.unusable[k])
            fail_msg("%s: %ld found, %ld written", demo_unusable_names[k],
                     sv->unusable[k], fx->stats.unusable[k]);
        if (sv->unusable[k] == 0)
            fail_msg("no document is unusable by '%s'", demo_unusable_names[k]);
    }
    assert_int_equal(sv->unusable_total, fx->stats.unusable_total);
}

static void unusable_share_is_between_0_2_and_1_percent(void **state)
{
    const struct survey *sv = corpus(state);
    assert_in_range(sv->unusable_total, CORPUS_COUNT * 2 / 1000,
                    CORPUS_COUNT * 10 / 1000);
}

static void quirks_of_real_exports_all_occur(void **state)
{
    const struct survey *sv = corpus(state);
    struct {
        const char *what;
        long n;
    } quirks[] = {
        {"DISTRITO FEDERAL", sv->distrito_federal},
        {"\"$1,234.56\" wages", sv->dollar_comma_wages},
        {"wages as numbers", sv->number_wages},
        {"dob as YYMMDD", sv->dob_yymmdd},
        {"dob absent", sv->dob_absent},
        {"createdAt RFC 1123", sv->created_rfc1123},
        {"createdAt ISO string", sv->created_iso},
        {"createdAt {\"$date\"}", sv->created_date},
        {"DD/MM/YYYY job dates", sv->dmy_dates},
        {"unsorted histories", sv->unsorted},
        {"two current jobs", sv->two_current},
        {"retirees", sv->retirees},
        {"semanasCotizadas as a string", sv->semanas_strings},
        {"entidadFederativa with accents", sv->accented_entidad},
        {"entidadFederativa absent", sv->entidad_absent},
        {"born abroad (NE)", sv->born_abroad},
        {"employer names with quotes", sv->employers_with_quotes},
        {"people with two or more documents", sv->people_seen_twice},
    };
    for (size_t i = 0; i < sizeof quirks / sizeof quirks[0]; i++)
        if (quirks[i].n == 0)
            fail_msg("never seen: %s", quirks[i].what);
    if (sv->vigente_count < 2)
        fail_msg("Vigente spelled only one way");
}

static void about_3_percent_of_people_have_duplicates_never_adjacent(void **state)
{
    struct fixture *fx = *state;
    const struct survey *sv = &fx->sv;
    assert_no_flaws(sv, F_DUPLICATES);
    assert_int_equal(sv->adjacent_duplicates, 0);
    double share = (double)sv->people_seen_twice / (double)sv->people;
    if (share < 0.02 || share > 0.04)
        fail_msg("%.2f%% of people have more than one document", 100 * share);
    /* every usable document of a person counts once in people */
    assert_true(sv->people <= fx->stats.persons);
}

static void population_has_retirees_unemployed_and_two_job_holders(void **state)
{
    struct fixture *fx = *state;
    const struct demo_stats *st = &fx->stats;
    /* shares of documents, from the generator's own counts */
    assert_in_range(st->retirees * 1000 / st->documents, 30, 90);
    assert_in_range(st->no_current * 1000 / st->documents, 100, 250);
    assert_in_range(st->two_current * 1000 / st->documents, 30, 90);
    assert_in_range(st->empty_history * 1000 / st->documents, 5, 30);
    assert_in_range(st->jobs / st->documents, 3, 8);
}

int suite_demo_data(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prng_first_outputs_match_the_xoshiro256ss_reference),
        cmocka_unit_test(prng_same_seed_same_stream_and_a_copy_forks_it),
        cmocka_unit_test(prng_range_hits_both_bounds_and_never_leaves_them),
        cmocka_unit_test(prng_uniform_is_in_0_1_and_centred),
        cmocka_unit_test(prng_normal_has_mean_0_and_sd_1_and_lognormal_its_median),
        cmocka_unit_test(renapo_check_digit_matches_renapos_example),
        cmocka_unit_test(same_seed_gives_identical_bytes),
        cmocka_unit_test(different_seed_gives_different_documents),
        cmocka_unit_test(writes_exactly_count_lines),
        cmocka_unit_test(a_shorter_file_is_the_start_of_a_longer_one),
        cmocka_unit_test(bad_options_are_refused_with_the_option_named),
        cmocka_unit_test(a_failed_write_is_reported),
        cmocka_unit_test(every_line_is_a_json_object_with_the_spec_fields),
        cmocka_unit_test(usable_curps_pass_the_check_digit_and_agree_with_dob),
        cmocka_unit_test(job_dates_are_ordered_and_never_after_the_check),
        cmocka_unit_test(every_entidad_federativa_names_a_state),
        cmocka_unit_test(semanas_cotizadas_cover_the_history),
        cmocka_unit_test(each_unusable_document_is_broken_one_way),
        cmocka_unit_test(unusable_documents_are_what_the_stats_say),
        cmocka_unit_test(unusable_share_is_between_0_2_and_1_percent),
        cmocka_unit_test(quirks_of_real_exports_all_occur),
        cmocka_unit_test(about_3_percent_of_people_have_duplicates_never_adjacent),
        cmocka_unit_test(population_has_retirees_unemployed_and_two_job_holders),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("demo_data", tests, setup, teardown);
}
