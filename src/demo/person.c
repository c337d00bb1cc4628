/*
 * person.c — a synthetic person and their career (see person.h).
 *
 * demo_person_generate draws everything about a person from their one
 * stream, in a fixed order: archetype, sex, names, age, states, the days
 * of the checks, the career, the wage level, NSS, CURP, discounted weeks,
 * a retiree's weeks from before the listed jobs. Moving a draw, or adding
 * one, changes every person and so every file (draw.h).
 */
#include "demo/person.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/prng.h"
#include "demo/curp.h"
#include "demo/demo_tables.h"
#include "demo/draw.h"

#define WINDOW_DAYS 548            /* createdAt: the 18 months before as_of */
/* 1982-01-01: IMSS's itemized records begin about then; earlier work
 * only counts in semanasCotizadas (and its wages, in new pesos, would
 * round to nothing). */
#define IMSS_RECORDS_FROM 4383

static int clamp_int(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

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

/* The person's CURP, by RENAPO's rules from what was drawn about them. */
static void person_curp(struct demo_person *p, struct prng *r,
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
static void person_nss(struct demo_person *p, struct prng *r, int first_year)
{
    int subdelegation = 10 * prng_range(r, 0, 9);
    subdelegation += prng_range(r, 1, 9);
    int sequence = 0;
    for (int i = 0; i < 4; i++)
        sequence = 10 * sequence + prng_range(r, 0, 9);
    nss_make(subdelegation, first_year, date_to_ymd(p->dob).year, sequence,
             p->nss);
}

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

static void person_career(struct demo_person *p, struct prng *r,
                          date_t d_min, date_t d_max)
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
static int covered_weeks(const struct demo_person *p, date_t day)
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

int demo_person_semanas(const struct demo_person *p, date_t day)
{
    return covered_weeks(p, day) + p->extra_weeks - p->descontadas +
           p->reintegradas;
}

void demo_person_generate(struct demo_person *p,
                          const struct demo_generator *g, uint64_t id)
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
                   : b < 0.65 ? p->home_state
                   : pick_state(&r, demo_birth_weights);

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
        int weeks = demo_person_semanas(p, p->created_day[0]);
        if (weeks < 1500)
            p->extra_weeks += 1500 - weeks + prng_range(&r, 0, 300);
    }
}

/* ------------------------------------------------------------------ */
/* Wages                                                                */
/* ------------------------------------------------------------------ */

void demo_generator_init(struct demo_generator *g, const struct refdata *rd,
                         uint64_t seed, date_t as_of)
{
    *g = (struct demo_generator){rd, seed, as_of, {0}};
    for (int s = 0; s < STATE_COUNT; s++) {
        /* IMSS wages vary less between states than household incomes:
         * the state's liquidez, pulled 40% towards the national one */
        double liquidez = rd->enigh[s].liquidez;
        double national = rd->enigh_national.liquidez > 0
                              ? rd->enigh_national.liquidez : liquidez;
        g->median_wage[s] = 0.8 / 30.4 * pow(liquidez, 0.6) * pow(national, 0.4);
    }
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

long demo_job_wage_cents(const struct demo_generator *g,
                         const struct demo_person *p,
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
    double floor = demo_minimum_wage(d.year);
    double ceiling = demo_wage_ceiling(d.year);
    w = w < floor ? floor : w > ceiling ? ceiling : w;
    return lround(w * 100);
}
