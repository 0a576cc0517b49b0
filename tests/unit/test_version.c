/* Unit tests of include/fp_version.h: the numeric version macros agree with
 * the release string, and fp_version_number() is the library's number.
 * Expected values are the release's, 0.1.0, written out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fp_version.h"

static void test_macros(void **state)
{
    (void)state;
    assert_int_equal(0, FP_VERSION_MAJOR);
    assert_int_equal(1, FP_VERSION_MINOR);
    assert_int_equal(0, FP_VERSION_PATCH);
    assert_int_equal(100, FP_VERSION_NUMBER);
    assert_string_equal("0.1.0", FOOTPRINT_VERSION);
    /* What a program tests with #if. */
#if FP_VERSION_NUMBER < FP_COMPUTE_VERSION(0, 1, 0) || FP_VERSION_NUMBER >= FP_COMPUTE_VERSION(0, 1, 1)
    fail_msg("FP_VERSION_NUMBER is not 0.1.0's in #if");
#endif
    assert_int_equal(20304, FP_COMPUTE_VERSION(2, 3, 4));
}

static void test_run_time(void **state)
{
    (void)state;
    assert_int_equal(FP_VERSION_NUMBER, fp_version_number());
    /* fp_version() is the release, then the source in brackets. */
    const char *v = fp_version();
    assert_int_equal(0, strncmp(v, "0.1.0 (", 7));
    assert_int_equal(')', v[strlen(v) - 1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macros),
        cmocka_unit_test(test_run_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
