/*
 * person.h — one synthetic person: who they are, their career, the days
 * they were checked, and the wage of each job.
 *
 * How a person is made. An archetype first (one current job, two current
 * jobs, unemployed, retired, no history), then an age, a birth date and a
 * career built backwards from its end (the latest check, the day the
 * last job ended, the retirement): job, gap, job, ... until the career's
 * start or fifteen jobs. Tenures and gaps are lognormal and grow with age;
 * a person works mostly in one state, sometimes moved once, sometimes took
 * a job elsewhere. A document shows the career as of its createdAt
 * (demo_writer.c): later jobs are not there yet and jobs that ended later
 * are still "Vigente", so a person's two documents differ the way
 * re-checks do.
 *
 * Wages. The daily wage (SBC) of a job is a person-level lognormal around
 * a state median — 0.8 × ENIGH liquidez / 30.4, its spread between states
 * pulled 40% towards the national figure because IMSS wages vary less
 * between states than household incomes do — rising with age, carried to
 * the job's year by a nominal wage index, and kept between that year's
 * minimum wage and 25 UMA, IMSS's ceiling. The brief's starting point was
 * 0.6 × liquidez; with 0.6 most 2025 wages sat on the minimum-wage floor.
 *
 * Everything about person k is drawn from their own PRNG stream (draw.h),
 * so demo_person_generate rebuilds the same person from (run, k) alone.
 */
#ifndef INCOMESCORE_DEMO_PERSON_H
#define INCOMESCORE_DEMO_PERSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/dates.h"
#include "demo/employer.h"
#include "score/refdata.h"

#define MAX_JOBS 15
#define ONGOING INT32_MAX          /* baja of a job still held at the end */
#define DAY_MS 86400000LL          /* created_ms in a day */

/* What every document of one run shares. */
struct demo_generator {
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

/* The jobs are newest first, as the career was built, except that a
 * second current job sits last. */
struct demo_person {
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
    int ncopies;                /* documents of this person: 1..3 */
    int64_t created_ms[3];      /* by copy, increasing */
    date_t created_day[3];      /* the local (UTC-6) day of each check */
    int emit_order[3];          /* copies in the order they are written */
    int njobs;
    struct demo_job jobs[MAX_JOBS];
};

/* Fills g for a run: the state wage medians come from rd's ENIGH
 * figures. rd must outlive g. */
void demo_generator_init(struct demo_generator *g, const struct refdata *rd,
                         uint64_t seed, date_t as_of);

/* Rebuilds person number `id` of the run into p. */
void demo_person_generate(struct demo_person *p,
                          const struct demo_generator *g, uint64_t id);

/* semanasCotizadas as of `day`: the weeks covered by the jobs begun by
 * then (concurrent jobs count once), the weeks not itemized, less the
 * discounted and plus the reinstated ones. May be below 0; a document
 * writes 0. */
int demo_person_semanas(const struct demo_person *p, date_t day);

/* The daily wage of job j of p on `day` (its end, or the check's date
 * while it runs), in cents. */
long demo_job_wage_cents(const struct demo_generator *g,
                         const struct demo_person *p,
                         const struct demo_job *j, date_t day);

#endif
