/*
 * dates.h — calendar dates and timestamps as the validation documents
 * write them, and the date arithmetic of SPEC §3.
 *
 * A date is a count of days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before 1970): comparisons are integer comparisons and
 * "T - 5×365 days" is a subtraction. A timestamp is milliseconds since the
 * epoch, UTC.
 */
#ifndef INCOMESCORE_DATES_H
#define INCOMESCORE_DATES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef int32_t date_t;

struct ymd {
    int year, month, day;
};

/* The date of a year, month and day; -1 if there is no such day
 * (2023-02-29, month 13) or the year is outside 1000..9999. */
int date_from_ymd(int year, int month, int day, date_t *out);
struct ymd date_to_ymd(date_t d);

/* "YYYY-MM-DD", exactly. */
int date_parse_iso(const char *s, date_t *out);

/* A job date as IMSS exports write them: MM/DD/YYYY; also YYYY-MM-DD and
 * MM-DD-YYYY; when the first number is above 12 it is the day
 * (DD/MM/YYYY). Surrounding blanks are allowed; anything else is -1. */
int date_parse_job(const char *s, date_t *out);

/* A timestamp: RFC 1123 ("Tue, 15 Aug 2023 10:20:30 GMT") or ISO 8601
 * ("2023-08-15T10:20:30.000Z", "2023-08-15T10:20:30+00:00",
 * "2023-08-15 10:20:30", "2023-08-15"). No zone means UTC. */
int timestamp_parse(const char *s, int64_t *ms);

/* The UTC date a timestamp falls on. */
date_t timestamp_date(int64_t ms);

/* Full months from a to t: (t.year - a.year) * 12 + (t.month - a.month),
 * minus 1 when t.day < a.day (SPEC §3). Negative when a is after t. */
int date_full_months(date_t a, date_t t);

/* Full years from a to t (an age): birthdays counted by month and day. */
int date_full_years(date_t a, date_t t);

/* Today's date, UTC. */
date_t date_today(void);

/* "YYYY-MM-DD" into buf (11 bytes at least). */
void date_format_iso(date_t d, char *buf);

/* A moment, UTC, as the project's records write it:
 * "2024-07-01T06:00:00Z" into buf (21 bytes at least). */
#define TIMESTAMP_ISO_SIZE 21
void timestamp_format_iso(time_t t, char *buf);

#endif
