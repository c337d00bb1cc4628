/*
 * history.h — SPEC §3: an employment history, as of a date T, becomes the
 * applicant's inputs and then the model's features.
 *
 * Ties the spec leaves open, decided here once: jobs with the same
 * fechaAlta keep their document order (for crecimiento_ingreso, the first
 * is the earliest and the last the latest); for lugar_actual the first job
 * in document order wins a tie. Dates after T count as T (a job cannot
 * have negative seniority), and sums of monthly wages are rounded to
 * cents like the wages themselves.
 */
#ifndef INCOMESCORE_HISTORY_H
#define INCOMESCORE_HISTORY_H

#include "base/dates.h"
#include "score/features.h"
#include "score/refdata.h"
#include "etl/document.h"

/* Daily wage × 30.4165, rounded to cents. */
#define DAYS_PER_MONTH 30.4165
double monthly_wage(double daily_wage);

struct person {
    struct applicant applicant;     /* the API's eight inputs */
    int jubilado;
    double features[FEATURE_COUNT];
};

void person_from_document(const struct refdata *rd,
                            const struct document *v, date_t as_of,
                            struct person *p);

/* The rules' inputs: the features plus jubilado. */
void person_variables(const struct person *p, double values[VARIABLE_COUNT]);

#endif
