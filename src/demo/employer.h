/*
 * employer.h — the names of the employers in a synthetic career, as they
 * stand in an IMSS record's nombrePatron.
 *
 * A quarter of jobs are at a few large employers (chains and staffing
 * firms turn up in many real histories), some at a person (IMSS writes
 * surnames first), the rest at small firms named from a trade and a
 * theme, a place, a family or an acronym, with the company suffix spelled
 * several ways; now and then a fonda with a nickname in quotes, and the
 * data-entry noise of real records (a doubled blank, a trailing one,
 * rarely a tab). The words are demo_tables.c's.
 */
#ifndef INCOMESCORE_DEMO_EMPLOYER_H
#define INCOMESCORE_DEMO_EMPLOYER_H

#include <stddef.h>

#include "base/prng.h"

/* Room for an employer's name, its NUL included; longer names are cut. */
#define EMPLOYER_MAX 128

/* Draws the name of an employer in state `state` (an index) from r into
 * out, NUL-terminated, and returns its length. */
size_t employer_name(struct prng *r, int state, char out[EMPLOYER_MAX]);

#endif
