/*
 * demo_data.c — synthetic validation documents (see demo_data.h).
 *
 * How a file is made. People are numbered 0, 1, 2, ...; everything about
 * person k (name, CURP, birth date, career, the dates of their checks) is
 * drawn from a PRNG stream seeded by (seed, k), so a person can be rebuilt
 * from their number alone. About 3% of people are checked two or three
 * times: their first document is written when they are drawn, the others
 * are queued (a small heap ordered by due position) to come out a few
 * thousand lines later — never next to each other, and not in createdAt
 * order, so "keep the last line" is not "keep the latest check". Memory
 * is one person and that queue, whatever the count.
 *
 * How a person is made. An archetype first (one current job, two current
 * jobs, unemployed, retired, no history), then an age, a birth date and a
 * career built backwards from its end (the latest check, the day the
 * last job ended, the retirement): job, gap, job, ... until the career's
 * start or fifteen jobs. Tenures and gaps are lognormal and grow with age;
 * a person works mostly in one state, sometimes moved once, sometimes took
 * a job elsewhere. A document shows the career as of its createdAt: later
 * jobs are not there yet and jobs that ended later are still "Vigente", so
 * a person's two documents differ the way re-checks do.
 *
 * Wages. The daily wage (SBC) of a job is a person-level lognormal around
 * a state median — 0.8 × ENIGH liquidez / 30.4, its spread between states
 * pulled 40% towards the national figure because IMSS wages vary less
 * between states than household incomes do — rising with age, carried to
 * the job's year by a nominal wage index, and kept between that year's
 * minimum wage and 25 UMA, IMSS's ceiling. The brief's starting point was
 * 0.6 × liquidez; with 0.6 most 2025 wages sat on the minimum-wage floor.
 *
 * Formatting is by hand into a 1 MiB buffer flushed with fwrite: a million
 * documents are about a gigabyte, and printf would dominate the run.
 * Strings go through base/text.h's json_quote in the style these files
 * have always had: \n, \t, ... for control characters, every other byte
 * as it is.
 */
#include "demo/demo_data.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/prng.h"
#include "base/text.h"
#include "demo/curp.h"
#include "demo/employer.h"
#include "demo/demo_tables.h"
#include "demo/draw.h"

#define MAX_JOBS 15
#define ONGOING INT32_MAX          /* baja of a job still held at the end */
#define WINDOW_DAYS 548            /* createdAt: the 18 months before as_of */
#define DUP_DELAY_MIN 2            /* a duplicate comes out this many ... */
#define DUP_DELAY_MAX 4000         /* ... to this many documents later */
#define UNUSABLE_RATE 0.005
#define OUT_BUFSIZE (1u << 20)
#define DOC_MAX (64u * 1024)       /* far above the largest document */
#define DAY_MS 86400000LL
/* 1982-01-01: IMSS's itemized records begin about then; earlier work
 * only counts in semanasCotizadas (and its wages, in new pesos, would
 * round to nothing). */
#define IMSS_RECORDS_FROM 4383

const char *const demo_unusable_names[DEMO_UNUSABLE_KINDS] = {
    "no curp", "curp malformed and no dob", "fechaAlta not a date",
    "wage unreadable", "historialLaboral not an array",
    "createdAt unreadable",
};

static int clamp_int(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* ------------------------------------------------------------------ */
/* Calendar helpers (on top of dates.h)                                 */
/* ------------------------------------------------------------------ */

/* The same month and day `years` later (Feb 29 becomes Feb 28). */
static date_t add_years(date_t d, int years)
{
    struct ymd t = date_to_ymd(d);
    date_t out;
    if (date_from_ymd(t.year + years, t.month, t.day, &out) < 0)
        date_from_ymd(t.year + years, t.month, t.day - 1, &out);
    return out;
}

static double years_between(date_t a, date_t b)
{
    return (double)(b - a) / 365.2425;
}

/* Nominal wages of `year` relative to 2023: about 6.5% a year since the
 * peso's 1995 crisis, much faster inflation before it. */
static double wage_index(double year)
{
    if (year >= 1995)
        return exp(0.065 * (year - 2023));
    return exp(0.065 * (1995 - 2023) + 0.25 * (year - 1995));
}

/* Log-wage gain with experience: steep early, flat from the mid-forties,
 * slightly down near retirement; 0 at 35. */
static double age_profile(double age)
{
    double a = age < 18 ? 18 : age;
    double g = 0.032 * (a < 45 ? a - 18 : 27) - (a > 55 ? 0.01 * (a - 55) : 0);
    return g - 0.032 * 17;
}

/* ------------------------------------------------------------------ */
/* A person                                                             */
/* ------------------------------------------------------------------ */

/* What every document of one run shares. */
struct generator {
    const struct refdata *rd;
    uint64_t seed;
    date_t as_of;
    double median_wage[STATE_COUNT]; /* 2023 daily pesos at age 35 */
};

enum archetype {
    A_EMPLOYED,      /* one current job */
    A_TWO_CURRENT,   /* two concurrent current jobs */
    A_UNEMPLOYED,    /* jobs, none current */
    A_RETIREE,       /* 65+, 1500+ weeks, no current job */
    A_EMPTY,         /* no history */
};

struct demo_job {
    date_t alta, baja;          /* baja ONGOING: held at the latest check */
    int state;                  /* index */
    bool state_omitted;         /* the export leaves entidadFederativa out */
    double wage_noise;          /* log-wage deviation of this job */
    char employer[EMPLOYER_MAX];
    size_t employer_len;
};

struct person {
    uint64_t id;
    enum archetype archetype;
    char sex;                   /* 'H' or 'M', as in the CURP */
    const char *given, *paterno, *materno; /* materno NULL: only one */
    date_t dob;
    int birth_state;            /* index, or STATE_UNKNOWN: born abroad */
    int home_state;
    char curp[19];
    char nss[12];
    double wage_level;          /* log of the 2023 daily wage at age 35 */
    int extra_weeks;            /* contributions not itemized */
    int descontadas, reintegradas;
    int ncopies;
    int64_t created_ms[3];      /* by copy, increasing */
    date_t created_day[3];      /* the local (UTC-6) day of each check */
    int emit_order[3];          /* copies in the order they are written */
    int njobs;
    struct demo_job jobs[MAX_JOBS];
};

/* The person's CURP, by RENAPO's rules from what was drawn about them. */
static void person_curp(struct person *p, struct prng *r,
                        const struct refdata *rd)
{
    /* The differentiator tells homonyms apart and carries the century:
     * almost always 0 (or A from 2000 on), now and then the next ones. */
    int homonym = chance(r, 0.92) ? 0 : prng_range(r, 1, 5);
    struct curp_facts f = {
        .given = p->given, .paterno = p->paterno, .materno = p->materno,
        .dob = p->dob, .sex = p->sex,
        .state = p->birth_state == STATE_UNKNOWN
                     ? "NE" : rd->states[p->birth_state].curp,
        .homonym = homonym,
    };
    curp_make(&f, p->curp);
}

/* The person's NSS: a subdelegation and a sequence drawn, the years from
 * the person. */
static void person_nss(struct person *p, struct prng *r, int first_year)
{
    int subdelegation = 10 * prng_range(r, 0, 9);
    subdelegation += prng_range(r, 1, 9);
    int sequence = 0;
    for (int i = 0; i < 4; i++)
        sequence = 10 * sequence + prng_range(r, 0, 9);
    nss_make(subdelegation, first_year, date_to_ymd(p->dob).year, sequence,
             p->nss);
}

/* ---- the person and their career ------------------------------------ */

/* Age bands of insured workers, years and relative weights. */
static int draw_age(struct prng *r, enum archetype a)
{
    static const int lo[] = {18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75};
    static const int hi[] = {19, 24, 29, 34, 39, 44, 49, 54, 59, 64, 69, 74, 80};
    static const double w[] = {4, 13, 15, 14, 13, 11, 9, 7, 5, 4, 2.5, 1.2, 0.6};
    if (a == A_RETIREE) {
        double u = prng_uniform(r);
        return u < 0.5 ? prng_range(r, 65, 69)
             : u < 0.85 ? prng_range(r, 70, 74) : prng_range(r, 75, 80);
    }
    if (a == A_EMPTY)
        return chance(r, 0.8) ? prng_range(r, 18, 24) : prng_range(r, 25, 45);
    double total = 0;
    for (size_t i = 0; i < COUNT_OF(w); i++)
        total += w[i];
    double x = prng_uniform(r) * total;
    size_t band = 0;
    while (band + 1 < COUNT_OF(w) && x >= w[band])
        x -= w[band++];
    return prng_range(r, lo[band], hi[band]);
}

static int compare_dates(const void *a, const void *b)
{
    date_t x = *(const date_t *)a, y = *(const date_t *)b;
    return (x > y) - (x < y);
}

/* Days a job lasts, lognormal around a median that grows with the age at
 * which it ends: about 8 months at 20, 2 years at 30, 5 from 45. */
static int draw_tenure(struct prng *r, double age, bool retiree)
{
    double median_years = 0.15 * (age - 16);
    median_years = median_years < 0.6 ? 0.6 : median_years > 5 ? 5 : median_years;
    if (retiree)
        median_years *= 1.5;
    double days = prng_lognormal(r, log(median_years * 365), 0.95);
    return clamp_int((int)days, 3, 40 * 365);
}

static int draw_gap(struct prng *r, bool retiree)
{
    double u = prng_uniform(r);
    if (u < 0.05)
        return -prng_range(r, 1, 30); /* the next job started first */
    if (u < (retiree ? 0.6 : 0.38))
        return prng_range(r, 1, 20);
    if (retiree || u < 0.82)
        return clamp_int((int)prng_lognormal(r, log(retiree ? 60 : 90), 0.8),
                         1, 3 * 365);
    return clamp_int((int)prng_lognormal(r, log(500), 0.8), 30, 12 * 365);
}

static void person_career(struct person *p, struct prng *r, date_t d_min,
                          date_t d_max)
{
    p->njobs = 0;
    p->extra_weeks = 0;
    if (p->archetype == A_EMPTY)
        return;
    bool retiree = p->archetype == A_RETIREE;
    double start_age = 16 + prng_lognormal(r, log(retiree ? 3.0 : 3.5), 0.5);
    date_t earliest = add_years(p->dob, 16);
    date_t start = p->dob + (date_t)(start_age * 365.2425);
    if (start < earliest)
        start = earliest;

    date_t end;
    bool ongoing = false;
    switch (p->archetype) {
    case A_UNEMPLOYED:
        end = d_max - clamp_int((int)prng_lognormal(r, log(240), 1.0), 20,
                                15 * 365);
        if (end < earliest + 30) /* out of work since before they could work */
            end = earliest + 30 + prng_range(r, 0, d_max - earliest - 31);
        break;
    case A_RETIREE:
        end = add_years(p->dob, prng_range(r, 58, 65)) + prng_range(r, 0, 364);
        if (end > d_min - 30)
            end = d_min - 30 - prng_range(r, 0, 365);
        break;
    default:
        end = d_max;
        ongoing = true;
        break;
    }
    if (end - start < 60) {
        /* too young for the career drawn: a first job, recently */
        start = end - prng_range(r, 60, 400);
        if (start < earliest)
            start = earliest;
    }

    int limit = p->archetype == A_TWO_CURRENT ? MAX_JOBS - 1 : MAX_JOBS;
    date_t cursor = end;
    while (p->njobs < limit) {
        double age = years_between(p->dob, cursor);
        date_t alta = cursor - draw_tenure(r, age, retiree);
        if (alta < start)
            alta = start;
        if (cursor - alta < 3)
            break;
        struct demo_job *j = &p->jobs[p->njobs++];
        j->alta = alta;
        j->baja = ongoing ? ONGOING : cursor;
        ongoing = false;
        if (alta == start)
            break;
        cursor = alta - draw_gap(r, retiree);
        if (cursor - start < 3)
            break;
    }
    if (p->njobs == limit && p->jobs[p->njobs - 1].alta > start)
        p->extra_weeks = (int)((p->jobs[p->njobs - 1].alta - start) * 0.7 / 7);
    while (p->njobs > 1 && p->jobs[p->njobs - 1].baja < IMSS_RECORDS_FROM) {
        struct demo_job *old = &p->jobs[--p->njobs];
        p->extra_weeks += (old->baja - old->alta) / 7;
    }

    if (p->archetype == A_TWO_CURRENT && p->njobs > 0) {
        /* a second employer on top of the main job, usually recent */
        struct demo_job *j = &p->jobs[p->njobs++];
        int tenure = clamp_int((int)prng_lognormal(r, log(300), 0.9), 20,
                               d_max - start - 1 > 20 ? d_max - start - 1 : 20);
        j->alta = d_max - tenure;
        j->baja = ONGOING;
    }

    /* where: home, with one earlier move now and then, and the odd job
     * somewhere else */
    int moved_from = STATE_UNKNOWN;
    date_t move_day = 0;
    if (chance(r, 0.15)) {
        moved_from = pick_state(r, demo_worker_weights);
        move_day = start + (date_t)(prng_uniform(r) * (end - start));
    }
    for (int i = 0; i < p->njobs; i++) {
        struct demo_job *j = &p->jobs[i];
        j->state = p->home_state;
        if (moved_from != STATE_UNKNOWN && j->alta < move_day &&
            j->baja != ONGOING)
            j->state = moved_from;
        if (i > 0 && j->baja != ONGOING && chance(r, 0.04))
            j->state = pick_state(r, demo_worker_weights);
        j->state_omitted = chance(r, 0.03);
        j->wage_noise = 0.12 * prng_normal(r);
        j->employer_len = employer_name(r, j->state, j->employer);
    }
    /* rehired by an earlier employer */
    if (p->njobs >= 3 && chance(r, 0.08)) {
        int later = prng_range(r, 0, p->njobs - 3);
        int earlier = prng_range(r, later + 2, p->njobs - 1);
        struct demo_job *a = &p->jobs[later], *b = &p->jobs[earlier];
        memcpy(a->employer, b->employer, b->employer_len + 1);
        a->employer_len = b->employer_len;
        a->state = b->state;
    }
}

/* Weeks of contributions up to `day`: the days covered by at least one
 * job (concurrent jobs count once), over 7. */
static int covered_weeks(const struct person *p, date_t day)
{
    date_t alta[MAX_JOBS], baja[MAX_JOBS];
    int n = 0;
    for (int i = 0; i < p->njobs; i++) {
        if (p->jobs[i].alta > day)
            continue;
        alta[n] = p->jobs[i].alta;
        baja[n] = p->jobs[i].baja > day ? day : p->jobs[i].baja;
        n++;
    }
    /* jobs are few: insertion-sort the intervals by start */
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && alta[k] < alta[k - 1]; k--) {
            date_t t = alta[k]; alta[k] = alta[k - 1]; alta[k - 1] = t;
            t = baja[k]; baja[k] = baja[k - 1]; baja[k - 1] = t;
        }
    long days = 0;
    date_t covered_to = INT32_MIN;
    for (int i = 0; i < n; i++) {
        date_t from = alta[i] > covered_to ? alta[i] : covered_to;
        if (baja[i] > from)
            days += baja[i] - from;
        if (baja[i] > covered_to)
            covered_to = baja[i];
    }
    return (int)(days / 7);
}

static void person_generate(struct person *p, const struct generator *g,
                            uint64_t id)
{
    date_t as_of = g->as_of;
    struct prng r;
    prng_seed(&r, stream_seed(g->seed, id, 0));
    memset(p, 0, sizeof *p);
    p->id = id;

    double u = prng_uniform(&r);
    p->archetype = u < 0.055 ? A_RETIREE
                 : u < 0.070 ? A_EMPTY
                 : u < 0.130 ? A_TWO_CURRENT
                 : u < 0.255 ? A_UNEMPLOYED : A_EMPLOYED;
    p->sex = chance(&r, p->archetype == A_RETIREE ? 0.62 : 0.58) ? 'H' : 'M';
    p->given = p->sex == 'H' ? pick_common(&r, &demo_male_names)
                             : pick_common(&r, &demo_female_names);
    p->paterno = pick_common(&r, &demo_surnames);
    p->materno = chance(&r, 0.985) ? pick_common(&r, &demo_surnames)
                                   : NULL;

    int age = draw_age(&r, p->archetype);
    p->dob = add_years(as_of, -age) - prng_range(&r, 0, 364);
    p->home_state = pick_state(&r, demo_worker_weights);
    double b = prng_uniform(&r);
    p->birth_state = b < 0.007 ? STATE_UNKNOWN
                   : b < 0.65 ? p->home_state : pick_state(&r, demo_birth_weights);

    /* the checks: 97% of people once, the rest two or three times */
    double c = prng_uniform(&r);
    p->ncopies = c < 0.022 ? 2 : c < 0.030 ? 3 : 1;
    date_t days[3];
    for (int k = 0; k < p->ncopies; k++) {
        bool fresh;
        do {
            days[k] = as_of - prng_range(&r, 1, WINDOW_DAYS);
            fresh = true;
            for (int m = 0; m < k; m++)
                fresh = fresh && days[m] != days[k];
        } while (!fresh);
    }
    qsort(days, (size_t)p->ncopies, sizeof days[0], compare_dates);
    for (int k = 0; k < p->ncopies; k++) {
        /* office hours in Mexico (UTC-6), 08:00 to 20:59 */
        int64_t local_s = (int64_t)prng_range(&r, 8 * 3600, 21 * 3600 - 1);
        p->created_day[k] = days[k];
        p->created_ms[k] = (int64_t)days[k] * DAY_MS + (local_s + 6 * 3600) * 1000 +
                           prng_range(&r, 0, 999);
        p->emit_order[k] = k;
    }
    for (int k = p->ncopies - 1; k > 0; k--) {
        int m = prng_range(&r, 0, k);
        int t = p->emit_order[k];
        p->emit_order[k] = p->emit_order[m];
        p->emit_order[m] = t;
    }

    person_career(p, &r, p->created_day[0], p->created_day[p->ncopies - 1]);
    p->wage_level = prng_normal(&r) * 0.45;

    date_t first_alta = as_of - prng_range(&r, 0, 3 * 365);
    for (int i = 0; i < p->njobs; i++)
        if (p->jobs[i].alta < first_alta)
            first_alta = p->jobs[i].alta;
    int first_year = date_to_ymd(first_alta).year;
    person_nss(p, &r, first_year);
    person_curp(p, &r, g->rd);

    if (chance(&r, 0.08)) {
        p->descontadas = prng_range(&r, 1, 80);
        if (chance(&r, 0.3))
            p->reintegradas = chance(&r, 0.5) ? p->descontadas
                                              : prng_range(&r, 1, p->descontadas);
    }
    if (p->archetype == A_RETIREE) {
        /* a pension needs 1500 weeks (Ley 73 needs 500, but the lender's
         * rule is 1500); what the listed jobs lack came before them */
        int weeks = covered_weeks(p, p->created_day[0]) + p->extra_weeks -
                    p->descontadas + p->reintegradas;
        if (weeks < 1500)
            p->extra_weeks += 1500 - weeks + prng_range(&r, 0, 300);
    }
}

/* The daily wage of job j on `day` (its end, or the check's date while
 * it runs), in cents. */
static long job_wage_cents(const struct generator *g, const struct person *p,
                           const struct demo_job *j, date_t day)
{
    struct ymd d = date_to_ymd(day);
    double year = d.year + (d.month - 1) / 12.0;
    double w = g->median_wage[j->state] *
               exp(p->wage_level + age_profile(years_between(p->dob, day)) +
                   j->wage_noise) *
               wage_index(year);
    if (j != &p->jobs[0] && j->baja == ONGOING)
        w *= 0.7; /* the second current job is the smaller one */
    double floor = demo_minimum_wage(d.year), ceiling = demo_wage_ceiling(d.year);
    w = w < floor ? floor : w > ceiling ? ceiling : w;
    return lround(w * 100);
}

/* ------------------------------------------------------------------ */
/* Writing JSON                                                         */
/* ------------------------------------------------------------------ */

struct writer {
    char *buf;
    size_t len;
    FILE *out;
};

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static void put(struct writer *w, const char *s, size_t n)
{
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_str(struct writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_char(struct writer *w, char c)
{
    w->buf[w->len++] = c;
}

static void put_uint(struct writer *w, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        w->buf[w->len++] = tmp[--n];
}

static void put_digits(struct writer *w, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        w->buf[w->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    w->len += (size_t)width;
}

/* The buffer holds DOC_MAX past OUT_BUFSIZE, far above a document, so
 * the worst case of a string always fits. */
static void put_json(struct writer *w, const char *s, size_t n)
{
    w->len += json_quote(w->buf + w->len, JSON_QUOTE_MAX(n), s, n,
                         JSON_QUOTE_SHORT_ESCAPES);
}

static void put_hex(struct writer *w, uint64_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--)
        w->buf[w->len++] = hex[(v >> (4 * i)) & 15];
}

static int flush_writer(struct writer *w, struct errbuf *err)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->out) != w->len)
        return err_set(err, "writing the documents failed: %s",
                       strerror(errno ? errno : EIO));
    w->len = 0;
    return 0;
}

/* ---- how one document spells things ------------------------------- */

enum date_style { D_MDY_SLASH, D_ISO, D_DMY_WHEN_UNAMBIGUOUS, D_MDY_DASH };
enum order_style { O_NEWEST_FIRST, O_OLDEST_FIRST, O_SHUFFLED };

struct doc_style {
    enum date_style dates;
    enum order_style order;
    int vigente;              /* index into vigente_spellings */
    bool wage_numbers;        /* wages as JSON numbers, not "$1,234.56" */
    int dob;                  /* 0 ISO, 1 YYMMDD, 2 absent */
    int created;              /* 0 RFC 1123, 1 ISO string, 2 {"$date"} */
    bool semanas_string;
    int entidad;              /* 0 IMSS plain, 1 with accents, 2 official */
    int unusable;             /* an enum demo_unusable, or -1 */
};

static void draw_style(struct prng *r, struct doc_style *s)
{
    double u = prng_uniform(r);
    s->dates = u < 0.78 ? D_MDY_SLASH : u < 0.88 ? D_ISO
             : u < 0.96 ? D_DMY_WHEN_UNAMBIGUOUS : D_MDY_DASH;
    u = prng_uniform(r);
    s->order = u < 0.45 ? O_NEWEST_FIRST : u < 0.6 ? O_OLDEST_FIRST : O_SHUFFLED;
    s->vigente = (int)pick_weighted(r, &demo_vigente_spellings);
    s->wage_numbers = chance(r, 0.18);
    u = prng_uniform(r);
    s->dob = u < 0.82 ? 0 : u < 0.9 ? 1 : 2;
    u = prng_uniform(r);
    s->created = u < 0.35 ? 0 : u < 0.7 ? 1 : 2;
    s->semanas_string = chance(r, 0.3);
    u = prng_uniform(r);
    s->entidad = u < 0.88 ? 0 : u < 0.96 ? 1 : 2;
    s->unusable = chance(r, UNUSABLE_RATE)
                      ? prng_range(r, 0, DEMO_UNUSABLE_KINDS - 1) : -1;
}

static void put_job_date(struct writer *w, date_t d, enum date_style style)
{
    struct ymd t = date_to_ymd(d);
    put_char(w, '"');
    switch (style) {
    case D_ISO:
        put_digits(w, t.year, 4); put_char(w, '-');
        put_digits(w, t.month, 2); put_char(w, '-');
        put_digits(w, t.day, 2);
        break;
    case D_DMY_WHEN_UNAMBIGUOUS:
        /* only where the day is above 12: below, it would read as a month */
        if (t.day > 12) {
            put_digits(w, t.day, 2); put_char(w, '/');
            put_digits(w, t.month, 2); put_char(w, '/');
            put_digits(w, t.year, 4);
            break;
        }
        __attribute__((fallthrough));
    case D_MDY_SLASH:
    case D_MDY_DASH: {
        char sep = style == D_MDY_DASH ? '-' : '/';
        put_digits(w, t.month, 2); put_char(w, sep);
        put_digits(w, t.day, 2); put_char(w, sep);
        put_digits(w, t.year, 4);
        break;
    }
    }
    put_char(w, '"');
}

static void put_wage(struct writer *w, long cents, bool number)
{
    long whole = cents / 100, frac = cents % 100;
    if (number) {
        /* as a double prints: 312.5, 300.0 */
        put_uint(w, (unsigned long)whole);
        put_char(w, '.');
        if (frac % 10 == 0)
            put_char(w, (char)('0' + frac / 10));
        else
            put_digits(w, (int)frac, 2);
        return;
    }
    PUT_LIT(w, "\"$");
    if (whole >= 1000) {
        put_uint(w, (unsigned long)(whole / 1000));
        put_char(w, ',');
        put_digits(w, (int)(whole % 1000), 3);
    } else {
        put_uint(w, (unsigned long)whole);
    }
    put_char(w, '.');
    put_digits(w, (int)frac, 2);
    put_char(w, '"');
}

static void put_iso_timestamp(struct writer *w, int64_t ms)
{
    int64_t day = ms >= 0 ? ms / DAY_MS : (ms - DAY_MS + 1) / DAY_MS;
    int64_t in_day = ms - day * DAY_MS;
    struct ymd t = date_to_ymd((date_t)day);
    put_digits(w, t.year, 4); put_char(w, '-');
    put_digits(w, t.month, 2); put_char(w, '-');
    put_digits(w, t.day, 2); put_char(w, 'T');
    put_digits(w, (int)(in_day / 3600000), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 60000 % 60), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 1000 % 60), 2); put_char(w, '.');
    put_digits(w, (int)(in_day % 1000), 3); put_char(w, 'Z');
}

static void put_rfc1123(struct writer *w, int64_t ms)
{
    static const char days[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = ms / DAY_MS, in_day = ms % DAY_MS; /* createdAt is after 1970 */
    struct ymd t = date_to_ymd((date_t)day);
    put(w, days[day % 7], 3);
    PUT_LIT(w, ", ");
    put_digits(w, t.day, 2); put_char(w, ' ');
    put(w, months[t.month - 1], 3); put_char(w, ' ');
    put_digits(w, t.year, 4); put_char(w, ' ');
    put_digits(w, (int)(in_day / 3600000), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 60000 % 60), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 1000 % 60), 2);
    PUT_LIT(w, " GMT");
}

static void put_entidad(struct writer *w, const struct refdata *rd,
                        const struct doc_style *s, struct prng *r, int state,
                        date_t alta)
{
    const struct imss_spelling *sp = &demo_imss_states[state];
    const char *text = sp->plain;
    if (state == STATE_CDMX) {
        /* the Federal District became Ciudad de México in 2016 */
        if (alta >= 16801 /* 2016-01-01 */ && chance(r, 0.5))
            text = s->entidad == 1 ? sp->accented : sp->longer;
    } else if (state == STATE_MEXICO) {
        if (chance(r, 0.5))
            text = s->entidad == 1 ? sp->accented : sp->longer;
    } else if (s->entidad == 1 && sp->accented) {
        text = sp->accented;
    } else if (sp->longer && chance(r, 0.1)) {
        text = sp->longer;
    }
    if (s->entidad == 2)
        text = rd->states[state].name;
    put_json(w, text, strlen(text));
}

/* ---- one document ------------------------------------------------- */

struct view_job {
    const struct demo_job *job;
    bool current;
};

static void write_document(struct writer *w, const struct generator *g,
                           const struct person *p, int copy,
                           struct demo_stats *st)
{
    const struct refdata *rd = g->rd;
    uint64_t seed = g->seed;
    struct prng r;
    prng_seed(&r, stream_seed(seed, p->id, (uint64_t)copy + 1));
    struct doc_style s;
    draw_style(&r, &s);
    date_t day = p->created_day[copy];
    int64_t created = p->created_ms[copy];

    /* the history as this check saw it */
    struct view_job v[MAX_JOBS];
    int n = 0, current = 0;
    for (int i = 0; i < p->njobs; i++) {
        if (p->jobs[i].alta > day)
            continue;
        v[n].job = &p->jobs[i];
        v[n].current = p->jobs[i].baja > day;
        current += v[n].current;
        n++;
    }
    if (s.order == O_OLDEST_FIRST) {
        for (int i = 0; i < n / 2; i++) {
            struct view_job t = v[i]; v[i] = v[n - 1 - i]; v[n - 1 - i] = t;
        }
    } else if (s.order == O_SHUFFLED) {
        for (int i = n - 1; i > 0; i--) {
            int k = prng_range(&r, 0, i);
            struct view_job t = v[i]; v[i] = v[k]; v[k] = t;
        }
    }
    /* (newest first is the order the career was built in, except that a
     * second current job sits last: real exports are not tidy either) */

    int kind = s.unusable;
    if ((kind == DEMO_BAD_JOB_DATE || kind == DEMO_BAD_WAGE) && n == 0)
        kind = DEMO_NO_CURP;
    int broken_job = n ? prng_range(&r, 0, n - 1) : -1;

    /* _id: an ObjectId as MongoDB makes them — the insert's second, a
     * per-process value (a handful of app servers), a counter */
    PUT_LIT(w, "{\"_id\":{\"$oid\":\"");
    put_hex(w, (uint64_t)(created / 1000), 8);
    put_hex(w, stream_seed(seed, (uint64_t)prng_range(&r, 0, 5), 99), 10);
    put_hex(w, prng_next(&r), 6);
    PUT_LIT(w, "\"},\"transactionId\":\"");
    uint64_t a = prng_next(&r), b = prng_next(&r);
    put_hex(w, a >> 32, 8); put_char(w, '-');
    put_hex(w, a >> 16, 4); put_char(w, '-');
    put_hex(w, 0x4000 | (a & 0x0fff), 4); put_char(w, '-');
    put_hex(w, 0x8000 | (b >> 50), 4); put_char(w, '-');
    put_hex(w, b, 12);
    put_char(w, '"');

    int dob_style = s.dob;
    if (kind != DEMO_NO_CURP) {
        PUT_LIT(w, ",\"curp\":\"");
        if (kind == DEMO_BAD_CURP_NO_DOB) {
            char bad[19];
            memcpy(bad, p->curp, sizeof bad);
            int how = prng_range(&r, 0, 2);
            if (how == 0) {
                bad[prng_range(&r, 8, 16)] = '\0';      /* cut short */
            } else if (how == 1) {
                bad[6] = '1'; bad[7] = '3';            /* month 13 */
            } else {
                bad[4] = 'O'; bad[8] = 'O';            /* O for 0 */
            }
            put_str(w, bad);
            dob_style = 2;
        } else {
            put(w, p->curp, 18);
        }
        put_char(w, '"');
    }
    PUT_LIT(w, ",\"nss\":\"");
    put(w, p->nss, 11);
    PUT_LIT(w, "\",\"nombre\":");
    {
        char name[160];
        int len = snprintf(name, sizeof name, "%s %s%s%s", p->given,
                           p->paterno, p->materno ? " " : "",
                           p->materno ? p->materno : "");
        put_json(w, name, (size_t)len);
    }
    if (dob_style != 2) {
        struct ymd t = date_to_ymd(p->dob);
        PUT_LIT(w, ",\"dob\":\"");
        if (dob_style == 0) {
            put_digits(w, t.year, 4); put_char(w, '-');
            put_digits(w, t.month, 2); put_char(w, '-');
            put_digits(w, t.day, 2);
        } else {
            put_digits(w, t.year % 100, 2);
            put_digits(w, t.month, 2);
            put_digits(w, t.day, 2);
        }
        put_char(w, '"');
    }

    int weeks = covered_weeks(p, day) + p->extra_weeks - p->descontadas +
                p->reintegradas;
    if (weeks < 0)
        weeks = 0;
    PUT_LIT(w, ",\"semanasCotizadas\":");
    if (s.semanas_string)
        put_char(w, '"');
    put_uint(w, (unsigned long)weeks);
    if (s.semanas_string)
        put_char(w, '"');
    PUT_LIT(w, ",\"semanasDescontadas\":");
    put_uint(w, (unsigned long)p->descontadas);
    PUT_LIT(w, ",\"semanasReintegradas\":");
    put_uint(w, (unsigned long)p->reintegradas);

    PUT_LIT(w, ",\"historialLaboral\":");
    if (kind == DEMO_HISTORY_NOT_ARRAY) {
        static const char *const not_arrays[] = {
            "\"SIN INFORMACION\"", "\"NO DISPONIBLE\"", "{}", "\"\""};
        put_str(w, not_arrays[prng_range(&r, 0, 3)]);
    } else {
        put_char(w, '[');
        for (int i = 0; i < n; i++) {
            const struct demo_job *j = v[i].job;
            if (i)
                put_char(w, ',');
            PUT_LIT(w, "{\"nombrePatron\":");
            put_json(w, j->employer, j->employer_len);
            if (!j->state_omitted) {
                PUT_LIT(w, ",\"entidadFederativa\":");
                put_entidad(w, rd, &s, &r, j->state, j->alta);
            }
            PUT_LIT(w, ",\"fechaAlta\":");
            if (kind == DEMO_BAD_JOB_DATE && i == broken_job) {
                static const char *const bad_dates[] = {
                    "\"13/45/", "\"00/00/", "\"31/02/", "\"15/15/"};
                put_str(w, bad_dates[prng_range(&r, 0, 3)]);
                put_digits(w, date_to_ymd(j->alta).year, 4);
                put_char(w, '"');
            } else {
                put_job_date(w, j->alta, s.dates);
            }
            PUT_LIT(w, ",\"fechaBaja\":");
            if (v[i].current) {
                put_char(w, '"');
                put_str(w, demo_vigente_spellings.v[s.vigente].text);
                put_char(w, '"');
            } else {
                put_job_date(w, j->baja, s.dates);
            }
            PUT_LIT(w, ",\"salarioBaseCotizacion\":");
            if (kind == DEMO_BAD_WAGE && i == broken_job) {
                static const char *const bad_wages[] = {
                    "\"N/D\"", "\"\"", "\"$ -\"", "\"NA\""};
                put_str(w, bad_wages[prng_range(&r, 0, 3)]);
            } else {
                put_wage(w, job_wage_cents(g, p, j, v[i].current ? day : j->baja),
                         s.wage_numbers);
            }
            put_char(w, '}');
        }
        put_char(w, ']');
    }

    PUT_LIT(w, ",\"createdAt\":");
    if (kind == DEMO_BAD_CREATED_AT) {
        static const char *const bad_created[] = {
            "\"Invalid Date\"", "\"\"", "\"N/A\"", "\"0000-00-00 00:00:00\""};
        put_str(w, bad_created[prng_range(&r, 0, 3)]);
    } else if (s.created == 0) {
        put_char(w, '"');
        put_rfc1123(w, created);
        put_char(w, '"');
    } else if (s.created == 1) {
        put_char(w, '"');
        put_iso_timestamp(w, created);
        put_char(w, '"');
    } else {
        PUT_LIT(w, "{\"$date\":\"");
        put_iso_timestamp(w, created);
        PUT_LIT(w, "\"}");
    }
    PUT_LIT(w, "}\n");

    st->documents++;
    if (kind >= 0) {
        st->unusable[kind]++;
        st->unusable_total++;
    }
    if (kind != DEMO_HISTORY_NOT_ARRAY)
        st->jobs += n;
    if (n == 0)
        st->empty_history++;
    else if (current == 0)
        st->no_current++;
    if (current >= 2)
        st->two_current++;
    if (current == 0 && date_full_years(p->dob, g->as_of) >= 65 &&
        weeks >= 1500)
        st->retirees++;
}

/* ------------------------------------------------------------------ */
/* The queue of duplicates still to write                               */
/* ------------------------------------------------------------------ */

struct pending {
    long due;           /* the position it should come out at, or later */
    uint64_t person;
    int copy;
};

struct pending_heap {
    struct pending *v;
    size_t n, cap;
};

static bool pending_before(const struct pending *a, const struct pending *b)
{
    return a->due < b->due || (a->due == b->due && a->person < b->person);
}

static int heap_push(struct pending_heap *h, struct pending e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        struct pending *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -1;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0 && pending_before(&e, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = e;
    return 0;
}

static struct pending heap_pop(struct pending_heap *h)
{
    struct pending top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && pending_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!pending_before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

/* ------------------------------------------------------------------ */
/* The file                                                             */
/* ------------------------------------------------------------------ */

static int check_options(const struct demo_options *opt, struct errbuf *err)
{
    if (opt->count <= 0)
        return err_set(err, "count %ld: at least one document", opt->count);
    int year = date_to_ymd(opt->as_of).year;
    if (year < DEMO_AS_OF_FIRST_YEAR || year > DEMO_AS_OF_LAST_YEAR) {
        char day[16];
        date_format_iso(opt->as_of, day);
        return err_set(err, "as-of %s is outside %d..%d (CURPs encode births "
                       "in 1900..2099)", day, DEMO_AS_OF_FIRST_YEAR,
                       DEMO_AS_OF_LAST_YEAR);
    }
    return 0;
}

int demo_data_write(const struct refdata *rd, const struct demo_options *opt,
                    FILE *out, struct demo_stats *stats, struct errbuf *err)
{
    struct demo_stats local;
    struct demo_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (check_options(opt, err) < 0)
        return -1;

    struct writer w = {malloc(OUT_BUFSIZE + DOC_MAX), 0, out};
    struct person *p = malloc(sizeof *p);
    struct pending_heap heap = {NULL, 0, 0};
    int rc = 0;
    if (!w.buf || !p) {
        rc = err_set(err, "out of memory");
        goto done;
    }

    struct generator g = {rd, opt->seed, opt->as_of, {0}};
    for (int s = 0; s < STATE_COUNT; s++) {
        /* IMSS wages vary less between states than household incomes:
         * the state's liquidez, pulled 40% towards the national one */
        double liquidez = rd->enigh[s].liquidez;
        double national = rd->enigh_national.liquidez > 0
                              ? rd->enigh_national.liquidez : liquidez;
        g.median_wage[s] = 0.8 / 30.4 * pow(liquidez, 0.6) * pow(national, 0.4);
    }
    struct prng sched;
    prng_seed(&sched, stream_seed(opt->seed, UINT64_MAX, 0));
    uint64_t next_person = 0, last_person = UINT64_MAX;
    for (long i = 0; i < opt->count; i++) {
        if (heap.n && heap.v[0].due <= i && heap.v[0].person != last_person) {
            struct pending e = heap_pop(&heap);
            person_generate(p, &g, e.person);
            write_document(&w, &g, p, e.copy, st);
            st->duplicates++;
        } else {
            person_generate(p, &g, next_person++);
            write_document(&w, &g, p, p->emit_order[0], st);
            st->persons++;
            for (int k = 1; k < p->ncopies; k++) {
                struct pending e = {
                    i + prng_range(&sched, DUP_DELAY_MIN, DUP_DELAY_MAX),
                    p->id, p->emit_order[k]};
                if (heap_push(&heap, e) < 0) {
                    rc = err_set(err, "out of memory");
                    goto done;
                }
            }
        }
        last_person = p->id;
        if (w.len >= OUT_BUFSIZE && (rc = flush_writer(&w, err)) < 0)
            goto done;
    }
    if ((rc = flush_writer(&w, err)) == 0 && fflush(out) != 0)
        rc = err_set(err, "writing the documents failed: %s", strerror(errno));
done:
    free(heap.v);
    free(p);
    free(w.buf);
    return rc;
}
