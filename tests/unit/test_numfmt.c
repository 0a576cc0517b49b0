/* Unit tests of the fast number formatting: every value printed as snprintf
 * prints it ("%lld"; "%.15g", or 16 or 17 digits where 15 do not read back
 * as the same double), on values written by hand and a million drawn
 * at random in the shapes data has (amounts with 0-6 decimals, coordinates,
 * integers, tiny and huge values, random bit patterns). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>

#include "common/numfmt.h"

/* want: "%.15g", or "%.16g"/"%.17g" when fewer digits do not read back
 * as v; and the text must read back as v. */
static void expect_g15(double v)
{
    char want[64], got[64];
    for (int d = 15; d <= 17; d++) {
        snprintf(want, sizeof want, "%.*g", d, v);
        if (strtod(want, NULL) == v) break;
    }
    size_t n = fpi_format_real(v, got);
    if (strcmp(want, got) || n != strlen(want)) fail_msg("%.17g: want '%s', got '%s'", v, want, got);
    if (strtod(got, NULL) != v) fail_msg("%.17g: '%s' reads back as %.17g", v, got, strtod(got, NULL));
}

static void expect_int(long long v)
{
    char want[32], got[32];
    snprintf(want, sizeof want, "%lld", v);
    size_t n = fpi_format_int(v, got);
    if (strcmp(want, got) || n != strlen(want)) fail_msg("%lld: want '%s', got '%s'", v, want, got);
}

static void test_g15_by_hand(void **state)
{
    (void)state;
    const double v[] = { 0.0, -0.0, 1, -1, 454.18, 0.5, 0.1, 0.0001, 0.00011, 0.00009999, 1e-5, 123456789012345.0,
                         999999999999999.0, 1e15, 1e16, 2008, 3.0, 3.25, -36.8219, 101.634129, 4.893609, 1.5e-7,
                         0.30000000000000004, 1.0 / 3, 2.0 / 3, 1e300, -1e-300, 5e-324, 1234567.1234567,
                         99999.999999, 0.000123456, 12345678901234.5, 4503599627370496.0,
                         1234567.891234567, 9007199254740992.0, 9007199254740994.0 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) expect_g15(v[i]);
}

static void test_g15_random(void **state)
{
    (void)state;
    srand(42);
    for (int i = 0; i < 1000000; i++) {
        double v;
        switch (i % 5) {
        case 0: v = (rand() % 10000000) / pow(10, rand() % 7); break;            /* decimals */
        case 1: v = (rand() / (double)RAND_MAX - 0.5) * 360; break;               /* coordinates */
        case 2: v = (double)((long long)rand() * rand()) * ((rand() & 1) ? 1 : -1); break;
        case 3: v = (rand() / (double)RAND_MAX) * pow(10, rand() % 40 - 20); break;
        default: {
            uint64_t bits = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^ (uint64_t)rand();
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v)) v = 1.25;
        }
        }
        expect_g15(v);
    }
}

/* Grouped digits: by hand, then for values of every length the rule
 * itself (the commas out, the digits are printf's "%.0f"; a first group of
 * 1-3 digits, then groups of exactly 3). */
static void test_grouped(void **state)
{
    (void)state;
    static const struct { double v; const char *want; } hand[] = {
        { 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" }, { 9999, "9,999" }, { 10000, "10,000" },
        { 278546024, "278,546,024" }, { 1114184007, "1,114,184,007" }, { -1234567, "-1,234,567" },
        { 999999.6, "1,000,000" }, { 123456789012345, "123,456,789,012,345" },
    };
    char got[40];
    for (size_t i = 0; i < sizeof hand / sizeof hand[0]; i++) {
        fpi_format_grouped(hand[i].v, got, sizeof got);
        if (strcmp(got, hand[i].want)) fail_msg("%.17g: want '%s', got '%s'", hand[i].v, hand[i].want, got);
    }
    srand(11);
    for (int i = 0; i < 100000; i++) {
        double v = floor((double)rand() / RAND_MAX * pow(10, rand() % 15)) * (rand() % 2 ? 1 : -1);
        char plain[40], joined[40];
        snprintf(plain, sizeof plain, "%.0f", v);
        if (!strcmp(plain, "-0")) strcpy(plain, "0");
        fpi_format_grouped(v, got, sizeof got);
        size_t o = 0, group = 0, first = 1;
        for (const char *c = got; *c; c++) {
            if (*c == ',') {
                if ((first && (group < 1 || group > 3)) || (!first && group != 3)) fail_msg("'%s': a group of %zu", got, group);
                first = 0;
                group = 0;
                continue;
            }
            if (*c != '-') group++;
            joined[o++] = *c;
        }
        joined[o] = 0;
        if (!first && group != 3) fail_msg("'%s': a last group of %zu", got, group);
        if (strcmp(joined, plain)) fail_msg("%.17g: '%s' without commas is not '%s'", v, got, plain);
    }
}

static void test_int(void **state)
{
    (void)state;
    const long long v[] = { 0, 1, -1, 9, 10, -10, 2008, 1000000, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) expect_int(v[i]);
    srand(7);
    for (int i = 0; i < 100000; i++) expect_int(((long long)rand() << 32 | rand()) * ((i & 1) ? 1 : -1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g15_by_hand),
        cmocka_unit_test(test_g15_random),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_grouped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
