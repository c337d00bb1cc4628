/*
 * test_dates.c — the date spellings of SPEC §1 and the month/year
 * arithmetic of SPEC §3.
 */
#include "test.h"

#include <string.h>

#include "base/dates.h"

static date_t ymd(int y, int m, int d)
{
    date_t out;
    if (date_from_ymd(y, m, d, &out) < 0)
        fail_msg("%04d-%02d-%02d is not a date", y, m, d);
    return out;
}

static void days_count_from_1970(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1970, 1, 2), 1);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2000, 3, 1) - ymd(2000, 2, 28), 2); /* leap 2000 */
    assert_int_equal(ymd(1900, 3, 1) - ymd(1900, 2, 28), 1); /* not leap */
    assert_int_equal(ymd(2023, 8, 15), 19584);
    for (date_t d = ymd(1899, 12, 25); d < ymd(2101, 1, 5); d += 17) {
        struct ymd v = date_to_ymd(d);
        assert_int_equal(ymd(v.year, v.month, v.day), d);
    }
}

static void impossible_days_are_refused(void **state)
{
    (void)state;
    date_t d;
    assert_int_equal(date_from_ymd(2023, 2, 29, &d), -1);
    assert_int_equal(date_from_ymd(2024, 2, 29, &d), 0);
    assert_int_equal(date_from_ymd(2023, 13, 1, &d), -1);
    assert_int_equal(date_from_ymd(2023, 4, 31, &d), -1);
    assert_int_equal(date_from_ymd(2023, 0, 10, &d), -1);
    assert_int_equal(date_from_ymd(999, 1, 1, &d), -1);
}

static void job_dates_in_every_spelling(void **state)
{
    (void)state;
    date_t d;
    assert_int_equal(date_parse_job("03/15/2019", &d), 0);
    assert_int_equal(d, ymd(2019, 3, 15));
    assert_int_equal(date_parse_job("2019-03-15", &d), 0);
    assert_int_equal(d, ymd(2019, 3, 15));
    assert_int_equal(date_parse_job("03-15-2019", &d), 0);
    assert_int_equal(d, ymd(2019, 3, 15));
    assert_int_equal(date_parse_job(" 3/5/2019 ", &d), 0);
    assert_int_equal(d, ymd(2019, 3, 5));
}

static void first_number_above_12_is_the_day(void **state)
{
    (void)state;
    date_t d;
    assert_int_equal(date_parse_job("15/03/2019", &d), 0);
    assert_int_equal(d, ymd(2019, 3, 15));
    assert_int_equal(date_parse_job("13-01-2020", &d), 0);
    assert_int_equal(d, ymd(2020, 1, 13));
    /* 12 or less: month first, as IMSS writes */
    assert_int_equal(date_parse_job("12/01/2020", &d), 0);
    assert_int_equal(d, ymd(2020, 12, 1));
}

static void unreadable_job_dates_are_refused(void **state)
{
    (void)state;
    date_t d;
    const char *bad[] = {"13/45/2020", "02/30/2021", "", "Vigente",
                         "2019/03/15", "03/15/19", "03.15.2019",
                         "03/15/2019 10:00", "2019-3-15x", "00/10/2020"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (date_parse_job(bad[i], &d) == 0)
            fail_msg("'%s' was read as a date", bad[i]);
}

static void timestamps_rfc1123_and_iso8601(void **state)
{
    (void)state;
    int64_t ms, base = (int64_t)ymd(2023, 8, 15) * 86400000 +
                       (10 * 3600 + 20 * 60 + 30) * 1000LL;
    assert_int_equal(timestamp_parse("Tue, 15 Aug 2023 10:20:30 GMT", &ms), 0);
    assert_true(ms == base);
    assert_int_equal(timestamp_parse("15 Aug 2023 10:20:30 +0000", &ms), 0);
    assert_true(ms == base);
    assert_int_equal(timestamp_parse("2023-08-15T10:20:30.000Z", &ms), 0);
    assert_true(ms == base);
    assert_int_equal(timestamp_parse("2023-08-15T10:20:30.5Z", &ms), 0);
    assert_true(ms == base + 500);
    assert_int_equal(timestamp_parse("2023-08-15T04:20:30-06:00", &ms), 0);
    assert_true(ms == base);
    assert_int_equal(timestamp_parse("2023-08-15 10:20:30", &ms), 0);
    assert_true(ms == base);
    assert_int_equal(timestamp_parse("2023-08-15", &ms), 0);
    assert_true(ms == (int64_t)ymd(2023, 8, 15) * 86400000);
    const char *bad[] = {"", "yesterday", "Tue, 32 Aug 2023 10:20:30 GMT",
                         "Tue, 15 Agu 2023 10:20:30 GMT", "2023-08-15T25:00:00Z",
                         "2023-08-15T10:20:30Q", "15/08/2023"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (timestamp_parse(bad[i], &ms) == 0)
            fail_msg("'%s' was read as a timestamp", bad[i]);
}

static void timestamp_date_is_the_utc_day(void **state)
{
    (void)state;
    assert_int_equal(timestamp_date(0), 0);
    assert_int_equal(timestamp_date(86399999), 0);
    assert_int_equal(timestamp_date(86400000), 1);
    assert_int_equal(timestamp_date(-1), -1);
}

static void full_months_subtract_one_before_the_day(void **state)
{
    (void)state;
    date_t t = ymd(2023, 10, 15);
    assert_int_equal(date_full_months(ymd(2023, 10, 15), t), 0);
    assert_int_equal(date_full_months(ymd(2023, 9, 15), t), 1);
    assert_int_equal(date_full_months(ymd(2023, 9, 16), t), 0);
    assert_int_equal(date_full_months(ymd(2019, 3, 15), t), 55);
    assert_int_equal(date_full_months(ymd(2019, 3, 16), t), 54);
    assert_int_equal(date_full_months(ymd(2023, 1, 31), ymd(2023, 2, 28)), 0);
    assert_int_equal(date_full_months(ymd(2023, 1, 31), ymd(2023, 3, 1)), 1);
    assert_int_equal(date_full_months(ymd(2023, 11, 1), t), -1);
}

static void full_years_count_birthdays(void **state)
{
    (void)state;
    date_t t = ymd(2023, 10, 15);
    assert_int_equal(date_full_years(ymd(1985, 10, 15), t), 38);
    assert_int_equal(date_full_years(ymd(1985, 10, 16), t), 37);
    assert_int_equal(date_full_years(ymd(1985, 11, 1), t), 37);
    assert_int_equal(date_full_years(ymd(2000, 2, 29), ymd(2023, 2, 28)), 22);
    assert_int_equal(date_full_years(ymd(2000, 2, 29), ymd(2023, 3, 1)), 23);
}

static void iso_format_and_strict_parse(void **state)
{
    (void)state;
    char buf[11];
    date_format_iso(ymd(2023, 8, 5), buf);
    assert_string_equal(buf, "2023-08-05");
    date_t d;
    assert_int_equal(date_parse_iso("2023-08-05", &d), 0);
    assert_int_equal(d, ymd(2023, 8, 5));
    assert_int_equal(date_parse_iso("2023-8-05", &d), -1);
    assert_int_equal(date_parse_iso("2023-08-05 ", &d), -1);
}

int suite_dates(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_count_from_1970),
        cmocka_unit_test(impossible_days_are_refused),
        cmocka_unit_test(job_dates_in_every_spelling),
        cmocka_unit_test(first_number_above_12_is_the_day),
        cmocka_unit_test(unreadable_job_dates_are_refused),
        cmocka_unit_test(timestamps_rfc1123_and_iso8601),
        cmocka_unit_test(timestamp_date_is_the_utc_day),
        cmocka_unit_test(full_months_subtract_one_before_the_day),
        cmocka_unit_test(full_years_count_birthdays),
        cmocka_unit_test(iso_format_and_strict_parse),
    };
    return RUN_SUITE("dates", tests, count);
}
