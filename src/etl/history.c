/*
 * history.c — the features of SPEC §3 from an employment history (see
 * history.h). Each function below is one row of the spec's table.
 */
#include "etl/history.h"

#include <stdbool.h>
#include <stdint.h>

#include "base/numeric.h"

#define RETIREE_AGE 65
#define RETIREE_WEEKS 1500
#define RETIREE_INCOME_YEARS 10
#define RECENT_JOBS_DAYS (5 * 365)
#define GROWTH_YEARS 3

double monthly_wage(double daily_wage)
{
    return round_decimals(daily_wage * DAYS_PER_MONTH, 2);
}

static bool has_current_job(const struct document *v)
{
    for (int i = 0; i < v->job_count; i++)
        if (v->jobs[i].current)
            return true;
    return false;
}

static int nonnegative(int n)
{
    return n < 0 ? 0 : n;
}

static int antiguedad(const struct document *v, date_t t)
{
    bool found = false;
    date_t earliest = 0;
    for (int i = 0; i < v->job_count; i++)
        if (v->jobs[i].current && (!found || v->jobs[i].alta < earliest)) {
            earliest = v->jobs[i].alta;
            found = true;
        }
    return found ? nonnegative(date_full_months(earliest, t)) : 0;
}

static int tiempo_desempleado(const struct document *v, date_t t)
{
    if (v->job_count == 0 || has_current_job(v))
        return 0;
    date_t latest = v->jobs[0].baja;
    for (int i = 1; i < v->job_count; i++)
        if (v->jobs[i].baja > latest)
            latest = v->jobs[i].baja;
    return nonnegative(date_full_months(latest, t));
}

static double ingreso_current(const struct document *v)
{
    double sum = 0;
    for (int i = 0; i < v->job_count; i++)
        if (v->jobs[i].current)
            sum += monthly_wage(v->jobs[i].daily_wage);
    return round_decimals(sum, 2);
}

/* A retiree's income: the mean monthly wage of the jobs that ended in the
 * last ten years of the career. Called only without a current job. */
static double ingreso_retiree(const struct document *v)
{
    if (v->job_count == 0)
        return 0;
    int latest_year = date_to_ymd(v->jobs[0].baja).year;
    for (int i = 1; i < v->job_count; i++) {
        int y = date_to_ymd(v->jobs[i].baja).year;
        if (y > latest_year)
            latest_year = y;
    }
    double sum = 0;
    int n = 0;
    for (int i = 0; i < v->job_count; i++)
        if (date_to_ymd(v->jobs[i].baja).year >=
            latest_year - RETIREE_INCOME_YEARS) {
            sum += monthly_wage(v->jobs[i].daily_wage);
            n++;
        }
    return round_decimals(sum / n, 2);
}

static int trabajos_ultimos_5(const struct document *v, date_t t)
{
    uint64_t seen[64];
    int distinct = 0;
    date_t window_start = t - RECENT_JOBS_DAYS;
    for (int i = 0; i < v->job_count; i++) {
        const struct job *j = &v->jobs[i];
        date_t end = j->current ? t : j->baja;
        if (j->alta > t || end < window_start)
            continue;
        bool known = false;
        for (int k = 0; k < distinct && !known; k++)
            known = seen[k] == j->employer;
        if (!known) {
            if (distinct == (int)(sizeof seen / sizeof seen[0]))
                return distinct; /* 64 employers in 5 years: the rules stop at 9 */
            seen[distinct++] = j->employer;
        }
    }
    return distinct;
}

static double crecimiento_ingreso(const struct document *v, date_t t)
{
    if (!has_current_job(v))
        return 0;
    int from_year = date_to_ymd(t).year - GROWTH_YEARS;
    const struct job *earliest = NULL, *latest = NULL;
    int n = 0;
    for (int i = 0; i < v->job_count; i++) {
        const struct job *j = &v->jobs[i];
        if (date_to_ymd(j->alta).year < from_year)
            continue;
        n++;
        if (!earliest || j->alta < earliest->alta)
            earliest = j;
        if (!latest || j->alta >= latest->alta)
            latest = j;
    }
    if (n < 2 || earliest->daily_wage == 0)
        return 0;
    return round_decimals((latest->daily_wage - earliest->daily_wage) /
                              earliest->daily_wage * 100.0,
                          2);
}

static int lugar_actual(const struct document *v)
{
    const struct job *best = NULL;
    for (int i = 0; i < v->job_count; i++) {
        const struct job *j = &v->jobs[i];
        if (j->current && j->state != STATE_UNKNOWN &&
            (!best || j->alta > best->alta))
            best = j;
    }
    if (best)
        return best->state;
    for (int i = 0; i < v->job_count; i++) {
        const struct job *j = &v->jobs[i];
        if (!j->current && j->state != STATE_UNKNOWN &&
            (!best || j->baja > best->baja))
            best = j;
    }
    return best ? best->state : STATE_UNKNOWN;
}

void person_from_document(const struct refdata *rd,
                            const struct document *v, date_t as_of,
                            struct person *p)
{
    struct applicant *a = &p->applicant;
    bool employed = has_current_job(v);
    a->edad = nonnegative(date_full_years(v->dob, as_of));
    a->semanas_cotizadas = v->semanas_cotizadas;
    a->antiguedad_laboral_meses = antiguedad(v, as_of);
    a->tiempo_desempleado = tiempo_desempleado(v, as_of);
    p->jubilado = !employed && a->edad >= RETIREE_AGE &&
                  v->semanas_cotizadas >= RETIREE_WEEKS;
    a->ingreso = p->jubilado ? ingreso_retiree(v) : ingreso_current(v);
    a->trabajos_ultimos_5 = trabajos_ultimos_5(v, as_of);
    a->crecimiento_ingreso = crecimiento_ingreso(v, as_of);
    a->lugar_actual = lugar_actual(v);
    features_from_applicant(rd, a, p->features);
}

void person_variables(const struct person *p, double values[VARIABLE_COUNT])
{
    for (int f = 0; f < FEATURE_COUNT; f++)
        values[f] = p->features[f];
    values[V_JUBILADO] = p->jubilado;
}
