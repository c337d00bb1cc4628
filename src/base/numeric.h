/*
 * numeric.h — numbers as the users' data writes them, and rounding as the
 * original system rounded.
 *
 * The original system was Python: round(x, 2) rounds the exact binary value
 * of x to the nearest multiple of 0.01, ties to even. round_decimals()
 * reproduces that bit for bit (glibc's printf rounds the same way), with a
 * fast path that only falls back to printf when x*10^d is within a hair of
 * a tie.
 */
#ifndef INCOMESCORE_NUMERIC_H
#define INCOMESCORE_NUMERIC_H

#include <stddef.h>

/* x rounded to `decimals` places (0..9) as Python's round(x, decimals). */
double round_decimals(double x, int decimals);

/* Writes the shortest decimal text that reads back as exactly x
 * ("0.1", not "0.10000000000000001"); returns its length. buf needs 32
 * bytes. x must be finite. */
int format_double(char *buf, size_t size, double x);

/* Parses a whole field as a finite decimal number: surrounding blanks are
 * allowed, anything else (empty, trailing text, hex, inf, nan, overflow)
 * is refused. Returns 0 and sets *out, or -1. */
int parse_double(const char *s, double *out);

/* Like parse_double, for a whole number that fits in an int. A decimal
 * with a zero fraction ("12.0") is accepted as 12. */
int parse_int(const char *s, int *out);

#endif
