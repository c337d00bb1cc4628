/*
 * test_numeric.c — rounding as Python rounds, shortest formatting, strict
 * number parsing.
 */
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/numeric.h"

static void round_decimals_matches_python_round(void **state)
{
    (void)state;
    /* Values from Python 3: round(x, 2). */
    assert_true(round_decimals(0.125, 2) == 0.12);   /* exact tie: to even */
    assert_true(round_decimals(0.375, 2) == 0.38);   /* exact tie: to even */
    assert_true(round_decimals(-0.125, 2) == -0.12);
    assert_true(round_decimals(2.675, 2) == 2.67);   /* binary is below .675 */
    assert_true(round_decimals(-2.675, 2) == -2.67);
    assert_true(round_decimals(1.005, 2) == 1.0);
    assert_true(round_decimals(0.285, 2) == 0.28);
    assert_true(round_decimals(1.115, 2) == 1.11);
    assert_true(round_decimals(1234.56 * 30.4165, 2) == 37550.99);
    assert_true(round_decimals(350.0 * 30.4165, 2) == 10645.77);
    assert_true(round_decimals(678.174999, 2) == 678.17);
    assert_true(round_decimals(678.175001, 2) == 678.18);
}

static void round_decimals_passes_through_what_it_cannot_round(void **state)
{
    (void)state;
    assert_true(isnan(round_decimals(NAN, 2)));
    assert_true(round_decimals(INFINITY, 2) == INFINITY);
    assert_true(round_decimals(1e300, 2) == 1e300);
    assert_true(round_decimals(2.5, 0) == 2.0);
    assert_true(round_decimals(3.5, 0) == 4.0);
}

static void format_double_is_shortest_round_trip(void **state)
{
    (void)state;
    char buf[32];
    format_double(buf, sizeof buf, 0.1);
    assert_string_equal(buf, "0.1");
    format_double(buf, sizeof buf, 0.1 + 0.2);
    assert_string_equal(buf, "0.30000000000000004");
    format_double(buf, sizeof buf, 45000);
    assert_string_equal(buf, "45000");
    format_double(buf, sizeof buf, -12.5);
    assert_string_equal(buf, "-12.5");
    format_double(buf, sizeof buf, (45000.0 - 17588.0) / 17588.0 * 100.0);
    assert_true(strtod(buf, NULL) == (45000.0 - 17588.0) / 17588.0 * 100.0);
}

static void parse_double_accepts_only_a_whole_finite_number(void **state)
{
    (void)state;
    double v;
    assert_int_equal(parse_double("12", &v), 0);
    assert_true(v == 12);
    assert_int_equal(parse_double("  -3.25 ", &v), 0);
    assert_true(v == -3.25);
    assert_int_equal(parse_double("1e3", &v), 0);
    assert_true(v == 1000);
    const char *bad[] = {"", "  ", "abc", "12abc", "1,000", "nan", "inf",
                         "-inf", "0x10", "1e999", "$12"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_double(bad[i], &v), -1);
}

static void parse_int_accepts_whole_numbers_only(void **state)
{
    (void)state;
    int n;
    assert_int_equal(parse_int("32", &n), 0);
    assert_int_equal(n, 32);
    assert_int_equal(parse_int("12.0", &n), 0);
    assert_int_equal(n, 12);
    assert_int_equal(parse_int("-7", &n), 0);
    assert_int_equal(n, -7);
    assert_int_equal(parse_int("12.5", &n), -1);
    assert_int_equal(parse_int("3000000000", &n), -1);
    assert_int_equal(parse_int("x", &n), -1);
}

int suite_numeric(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_decimals_matches_python_round),
        cmocka_unit_test(round_decimals_passes_through_what_it_cannot_round),
        cmocka_unit_test(format_double_is_shortest_round_trip),
        cmocka_unit_test(parse_double_accepts_only_a_whole_finite_number),
        cmocka_unit_test(parse_int_accepts_whole_numbers_only),
    };
    return RUN_SUITE("numeric", tests, count);
}
