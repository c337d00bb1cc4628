/*
 * dates.c — parsing the date and timestamp spellings of the validation
 * documents, and the month/year arithmetic of SPEC §3 (see dates.h).
 *
 * Day counts use Howard Hinnant's days_from_civil, exact over the whole
 * proleptic Gregorian calendar, so no time zone or libc locale is involved.
 */
#include "base/dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int date_from_ymd(int year, int month, int day, date_t *out)
{
    if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return -1;
    int y = month <= 2 ? year - 1 : year;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153u * (unsigned)(month > 2 ? month - 3 : month + 9) + 2) / 5 +
                   (unsigned)day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (date_t)(era * 146097 + (int)doe - 719468);
    return 0;
}

struct ymd date_to_ymd(date_t d)
{
    int z = d + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    struct ymd r;
    r.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.year = r.month <= 2 ? y + 1 : y;
    return r;
}

/* Reads exactly `width` digits (or 1..width when width is negative). */
static const char *read_digits(const char *s, int width, int *out)
{
    int max = width < 0 ? -width : width, n = 0, v = 0;
    while (n < max && isdigit((unsigned char)s[n])) {
        v = v * 10 + (s[n] - '0');
        n++;
    }
    if (n == 0 || (width > 0 && n != width))
        return NULL;
    *out = v;
    return s + n;
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static bool only_blanks(const char *s)
{
    return *skip_blanks(s) == '\0';
}

int date_parse_iso(const char *s, date_t *out)
{
    int y, m, d;
    if (!(s = read_digits(s, 4, &y)) || *s++ != '-' ||
        !(s = read_digits(s, 2, &m)) || *s++ != '-' ||
        !(s = read_digits(s, 2, &d)) || *s)
        return -1;
    return date_from_ymd(y, m, d, out);
}

int date_parse_job(const char *s, date_t *out)
{
    int a, b, c;
    s = skip_blanks(s);
    const char *p = read_digits(s, -4, &a);
    if (!p)
        return -1;
    size_t first_len = (size_t)(p - s);
    char sep = *p;
    if (sep != '/' && sep != '-')
        return -1;
    if (!(p = read_digits(p + 1, -2, &b)) || *p != sep ||
        !(p = read_digits(p + 1, -4, &c)) || !only_blanks(p))
        return -1;
    if (first_len == 4) /* YYYY-MM-DD (or YYYY/MM/DD) */
        return sep == '-' ? date_from_ymd(a, b, c, out) : -1;
    if (first_len > 2 || c < 1000)
        return -1;
    if (a > 12) /* the day comes first: DD/MM/YYYY */
        return date_from_ymd(c, b, a, out);
    return date_from_ymd(c, a, b, out);
}

static int month_from_name(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (strncasecmp(s, names + 3 * m, 3) == 0)
            return m + 1;
    return 0;
}

/* A zone suffix: Z, GMT, UTC, +HH:MM, +HHMM, -HH; 0 offset when absent. */
static int parse_zone(const char *s, int *offset_minutes)
{
    s = skip_blanks(s);
    *offset_minutes = 0;
    if (!*s)
        return 0;
    if ((s[0] == 'Z' || s[0] == 'z') && only_blanks(s + 1))
        return 0;
    if ((strncasecmp(s, "GMT", 3) == 0 || strncasecmp(s, "UTC", 3) == 0) &&
        only_blanks(s + 3))
        return 0;
    if (*s != '+' && *s != '-')
        return -1;
    int sign = *s == '-' ? -1 : 1, h, m = 0;
    const char *p = read_digits(s + 1, 2, &h);
    if (!p)
        return -1;
    if (*p == ':')
        p++;
    if (isdigit((unsigned char)*p) && !(p = read_digits(p, 2, &m)))
        return -1;
    if (!only_blanks(p) || h > 23 || m > 59)
        return -1;
    *offset_minutes = sign * (h * 60 + m);
    return 0;
}

static int64_t to_ms(date_t d, int h, int mi, int sec, int ms, int zone_min)
{
    return ((int64_t)d * 86400 + h * 3600 + mi * 60 + sec - zone_min * 60) *
               1000 + ms;
}

/* "Tue, 15 Aug 2023 10:20:30 GMT"; the weekday is optional and not
 * checked against the date (exports get it wrong more often than not). */
static int parse_rfc1123(const char *s, int64_t *out)
{
    s = skip_blanks(s);
    if (isalpha((unsigned char)s[0])) {
        const char *comma = strchr(s, ',');
        if (!comma || comma - s > 9)
            return -1;
        s = skip_blanks(comma + 1);
    }
    int day, year, h, mi, sec, zone;
    if (!(s = read_digits(s, -2, &day)) || *s++ != ' ')
        return -1;
    int month = month_from_name(s);
    if (!month || s[3] != ' ')
        return -1;
    s += 4;
    date_t d;
    if (!(s = read_digits(s, 4, &year)) || *s++ != ' ' ||
        !(s = read_digits(s, 2, &h)) || *s++ != ':' ||
        !(s = read_digits(s, 2, &mi)) || *s++ != ':' ||
        !(s = read_digits(s, 2, &sec)) || parse_zone(s, &zone) < 0 ||
        date_from_ymd(year, month, day, &d) < 0 || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    *out = to_ms(d, h, mi, sec, 0, zone);
    return 0;
}

static int parse_iso8601(const char *s, int64_t *out)
{
    s = skip_blanks(s);
    int y, mo, dd, h = 0, mi = 0, sec = 0, ms = 0, zone = 0;
    date_t d;
    if (!(s = read_digits(s, 4, &y)) || *s++ != '-' ||
        !(s = read_digits(s, 2, &mo)) || *s++ != '-' ||
        !(s = read_digits(s, 2, &dd)) || date_from_ymd(y, mo, dd, &d) < 0)
        return -1;
    if (*s == 'T' || *s == 't' || (*s == ' ' && isdigit((unsigned char)s[1]))) {
        s++;
        if (!(s = read_digits(s, 2, &h)) || *s++ != ':' ||
            !(s = read_digits(s, 2, &mi)))
            return -1;
        if (*s == ':' && !(s = read_digits(s + 1, 2, &sec)))
            return -1;
        if (*s == '.' || *s == ',') {
            s++;
            int digits = 0;
            while (isdigit((unsigned char)*s)) {
                if (digits < 3)
                    ms = ms * 10 + (*s - '0');
                digits++;
                s++;
            }
            if (digits == 0)
                return -1;
            for (; digits < 3; digits++)
                ms *= 10;
        }
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
    }
    if (parse_zone(s, &zone) < 0)
        return -1;
    *out = to_ms(d, h, mi, sec, ms, zone);
    return 0;
}

int timestamp_parse(const char *s, int64_t *ms)
{
    if (!s)
        return -1;
    const char *t = skip_blanks(s);
    if (isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
        isdigit((unsigned char)t[2]) && isdigit((unsigned char)t[3]) &&
        t[4] == '-')
        return parse_iso8601(t, ms);
    return parse_rfc1123(t, ms);
}

date_t timestamp_date(int64_t ms)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    return (date_t)days;
}

int date_full_months(date_t a, date_t t)
{
    struct ymd x = date_to_ymd(a), y = date_to_ymd(t);
    return (y.year - x.year) * 12 + (y.month - x.month) - (y.day < x.day);
}

int date_full_years(date_t a, date_t t)
{
    struct ymd x = date_to_ymd(a), y = date_to_ymd(t);
    bool before_birthday = y.month < x.month ||
                           (y.month == x.month && y.day < x.day);
    return y.year - x.year - before_birthday;
}

date_t date_today(void)
{
    return (date_t)(time(NULL) / 86400);
}

void date_format_iso(date_t d, char *buf)
{
    struct ymd v = date_to_ymd(d);
    unsigned y = (unsigned)v.year % 10000u, m = (unsigned)v.month % 100u,
             dd = (unsigned)v.day % 100u;
    snprintf(buf, 11, "%04u-%02u-%02u", y, m, dd);
}

void timestamp_format_iso(time_t t, char *buf)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, TIMESTAMP_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
