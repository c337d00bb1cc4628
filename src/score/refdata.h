/*
 * refdata.h — the public statistics every score stands on: the 32 states,
 * INEGI's ENIGH income figures per state and INEGI's ITAEE yearly growth
 * per state. Also the one place a state name, as IMSS or a client writes
 * it, becomes a state.
 *
 * The figures are data, not code: they are loaded at run time from the
 * project's own files in data/ (states.csv, enigh.csv, itaee.csv, each
 * naming its source in its header comment), so a newer survey is a data
 * change. Loading validates everything and refuses a bad file with its
 * name, line and reason.
 *
 * Index vs code. A state's *index* 0–31 is the original API's
 * `lugar_actual` (INEGI order: Aguascalientes = 0, ..., Zacatecas = 31);
 * its *INEGI code* is 1–32 (cve_ent "01".."32").
 */
#ifndef INCOMESCORE_REFDATA_H
#define INCOMESCORE_REFDATA_H

#include "base/errbuf.h"

#define STATE_COUNT 32
#define STATE_UNKNOWN (-1)
#define ENIGH_DECILES 10
#define ITAEE_MAX_YEARS 64
#define ITAEE_DEFAULT_YEAR 2023

struct state_info {
    int index;             /* 0..31, the API's lugar_actual */
    int inegi_code;        /* 1..32 */
    char name[48];         /* official name, UTF-8: "Michoacán de Ocampo" */
    char abbrev[8];        /* usual abbreviation: "MICH" */
    char curp[3];          /* RENAPO's code in a CURP: "MN" */
};

struct enigh_figures {
    double liquidez;                 /* reference monthly income, pesos */
    double deciles[ENIGH_DECILES];   /* d1..d10 thresholds, increasing */
    double gasto_total;              /* monthly expense, pesos */
};

struct state_key; /* a normalized spelling and the state it names */

struct refdata {
    struct state_info states[STATE_COUNT];   /* by index */
    struct enigh_figures enigh[STATE_COUNT]; /* by index */
    struct enigh_figures enigh_national;
    int itaee_first_year, itaee_last_year;
    double itaee[STATE_COUNT][ITAEE_MAX_YEARS]; /* [index][year - first] */
    int itaee_year;                          /* the year features use */
    struct state_key *keys;                  /* sorted, for state_match */
    int key_count;
};

/* Loads states.csv, enigh.csv and itaee.csv from `dir` and checks them:
 * exactly 32 states, indices 0..31 and codes 1..32 each once, ten strictly
 * increasing positive decile thresholds, every number finite, every state
 * present once in each table, `itaee_year` within the file's years, and no
 * spelling that names two states. Returns 0, or -1 with err naming the
 * file, line and reason ("data/enigh.csv line 7: d4 9000 is not above d3
 * 9100"). rd is overwritten: load into a fresh struct and swap it in, so a
 * failed reload never costs the tables in use. On failure rd holds nothing
 * to free. */
int refdata_load(struct refdata *rd, const char *dir, int itaee_year,
                 struct errbuf *err);

void refdata_free(struct refdata *rd);

/* The state a text names, or STATE_UNKNOWN. Matching is case-, accent-,
 * width- and punctuation-insensitive UTF-8 (Latin-1 bytes are accepted too, as
 * old exports write them): "MICHOACAN", "Michoacán de Ocampo",
 * "DISTRITO FEDERAL", "CDMX", "Edo. de México", "ESTADO DE MEXICO",
 * "MEXICO", "COAHUILA", "VERACRUZ", "NL", "Q. Roo", ... A text that is a
 * bare whole number is read as the API's index 0..31 ("18" = Nuevo León);
 * INEGI codes are looked up with state_by_inegi_code(). */
int state_match(const struct refdata *rd, const char *text);

/* Index of the state with INEGI code 1..32, or STATE_UNKNOWN. */
int state_by_inegi_code(const struct refdata *rd, int code);

/* The ITAEE growth (%) of a state in the configured year; 0 for
 * STATE_UNKNOWN (what the original system imputed). */
double refdata_itaee(const struct refdata *rd, int state);

#endif
