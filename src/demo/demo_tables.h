/*
 * demo_tables.h — the fixed tables the synthetic documents are drawn
 * from: where people work and were born, how IMSS spells each state,
 * Mexican given names and surnames, the words employer names are made of,
 * how exports spell "Vigente", and the minimum wage and IMSS's wage
 * ceiling by year.
 *
 * Data, not logic: the files that draw say how a table is used (person.c,
 * employer.c, demo_writer.c); this is where the population is tuned. The
 * weights are tuning for the generator, not reference data — the tables
 * the ETL and the scorer read are in data/ (score/refdata.h), and the one
 * fact the generator shares with them, a state's CURP code, is read from
 * there. RENAPO's rules for building a CURP are in curp.c: they are part
 * of an algorithm, not of the population.
 *
 * Tables indexed by state follow refdata's state order (STATE_COUNT
 * entries). Lists of words are ordered by how common they are where a
 * pick favours the front (draw.h's pick_common).
 */
#ifndef INCOMESCORE_DEMO_TABLES_H
#define INCOMESCORE_DEMO_TABLES_H

#include <stddef.h>

#include "score/refdata.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The state indexes with rules of their own in how IMSS spells them. */
#define STATE_CDMX 8
#define STATE_MEXICO 14

/* A list of words and its length. */
struct demo_words {
    const char *const *v;
    size_t n;
};

/* Texts drawn in proportion to their weights. */
struct weighted_text {
    const char *text;
    int weight;
};
struct demo_weighted {
    const struct weighted_text *v;
    size_t n;
};

/* The state as IMSS writes it, upper case: plain, with accents, and a
 * longer official-ish form. NULL: same as plain. CDMX and México have
 * their own rules (demo_writer.c's put_entidad). */
struct imss_spelling {
    const char *plain, *accented, *longer;
};

/* Where people with an IMSS record work and where they were born, by
 * state index: relative weights. */
extern const double demo_worker_weights[STATE_COUNT];
extern const double demo_birth_weights[STATE_COUNT];

extern const struct imss_spelling demo_imss_states[STATE_COUNT];

/* Names as RENAPO writes them: upper case, no accents, Ñ kept; the most
 * common first. */
extern const struct demo_words demo_male_names;
extern const struct demo_words demo_female_names;
extern const struct demo_words demo_surnames;

/* The makings of employer names: large employers whole (most common
 * first), and the trades, themes and nicknames small ones are built from
 * (any equally), with the company suffixes by weight. */
extern const struct demo_words demo_large_employers;
extern const struct demo_words demo_employer_trades;
extern const struct demo_words demo_employer_themes;
extern const struct demo_words demo_business_nicknames;
extern const struct demo_weighted demo_company_suffixes;

/* How a current job's fechaBaja is spelled, by weight. */
extern const struct demo_weighted demo_vigente_spellings;

/* Mexico's general daily minimum wage in `year`, pesos of that year
 * (CONASAMI, 1988..2026; extrapolated outside). */
double demo_minimum_wage(int year);

/* IMSS's ceiling on the daily wage in `year`, pesos of that year: 25 UMA
 * from 2016, 25 minimum wages before. */
double demo_wage_ceiling(int year);

#endif
