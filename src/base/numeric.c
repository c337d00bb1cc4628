/*
 * numeric.c — Python-compatible rounding, shortest round-trip formatting
 * and strict number parsing (see numeric.h).
 */
#include "base/numeric.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_table[] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                     1e5, 1e6, 1e7, 1e8, 1e9};

double round_decimals(double x, int decimals)
{
    if (!isfinite(x) || decimals < 0 || decimals > 9)
        return x;
    double scale = pow10_table[decimals];
    double y = x * scale;
    if (fabs(y) >= 1e15)
        return x; /* no fractional digits left to round at this magnitude */
    double fl = floor(y);
    double frac = y - fl;
    /* x*scale carries at most one rounding error; only near a tie can that
     * error change the answer, so only there is the exact (slow) path
     * needed. */
    if (fabs(frac - 0.5) > 1e-7) {
        double r = frac < 0.5 ? fl : fl + 1.0;
        return r / scale;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return strtod(buf, NULL);
}

int format_double(char *buf, size_t size, double x)
{
    /* Most features are whole numbers; printf's float path is the ETL's
     * largest single cost, so skip it for them. */
    if (x == (double)(long long)x && fabs(x) < 1e15)
        return snprintf(buf, size, "%lld", (long long)x);
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return n;
}

int parse_double(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p == 'x' || *p == 'X' || *p == 'n' || *p == 'N' ||
            *p == 'i' || *p == 'I')
            return -1; /* hex, nan, inf: not how a decimal figure is written */
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int parse_int(const char *s, int *out)
{
    double v;
    if (parse_double(s, &v) < 0 || v != floor(v) || v < INT_MIN || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}
