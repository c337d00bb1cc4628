/*
 * curp.h — making a person's two official identifiers the way the
 * authorities do: the CURP by RENAPO's rules (Instructivo normativo para
 * la asignación de la CURP) and the NSS by IMSS's, each with its check
 * digit.
 *
 * Why by the rules and not at random: the demo documents must look real
 * to someone who studies them, and the ETL reads a birth date out of the
 * CURP when dob is missing (etl/document.h, curp_birth_date), so the
 * CURP has to agree with the person's name, sex, birth date and state.
 * This side only writes; reading and checking a CURP is the ETL's (it
 * does not check the digit, so the computation has one home, here).
 *
 * Both identifiers sit in one file because they are made alike: fixed
 * fields from the person, a few drawn digits, and a check digit.
 */
#ifndef INCOMESCORE_DEMO_CURP_H
#define INCOMESCORE_DEMO_CURP_H

#include "base/dates.h"

/* What a CURP is made of. */
struct curp_facts {
    const char *given;          /* upper case, as RENAPO writes names */
    const char *paterno;
    const char *materno;        /* NULL: the person has one surname */
    date_t dob;                 /* born in 1900..2099 */
    char sex;                   /* 'H' or 'M' */
    const char *state;          /* RENAPO's two-letter code, "NE" abroad */
    int homonym;                /* the differentiator's value, 0..9 */
};

/* The 18-character CURP of `f`, NUL-terminated, into out:
 *   1-4   the first letter and first inner vowel of the paternal surname,
 *         the first letter of the maternal one and of the given name
 *         (particles like DE LA skipped, a leading MARIA or JOSE of a
 *         compound given name skipped, X where a letter is missing, and
 *         the second letter X where the four spell a word on RENAPO's
 *         list);
 *   5-10  the birth date, YYMMDD;  11 the sex;  12-13 the state;
 *   14-16 the first inner consonants of the two surnames and the name;
 *   17    the differentiator: homonym as a digit before 2000, as a letter
 *         (A, B, ...) from 2000 on, which is how a CURP tells the century;
 *   18    curp_check_digit. */
void curp_make(const struct curp_facts *f, char out[19]);

/* RENAPO's check digit of the first 17 characters: each is worth its
 * place in "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ" (Ñ counts although
 * CURPs write X, so O is 25), weighted 18 down to 2; the digit is what
 * brings the sum to a multiple of 10. The 17 must be digits and upper-case
 * letters. */
char curp_check_digit(const char *curp17);

/* The 11-digit NSS, NUL-terminated, into out: the IMSS subdelegation
 * (0..99), the last two digits of the year of first registration and of
 * the year of birth, a sequence (0..9999), and a Luhn check digit. */
void nss_make(int subdelegation, int registered_year, int birth_year,
              int sequence, char out[12]);

#endif
