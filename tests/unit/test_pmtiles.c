/* Unit tests of the PMTiles tile ids (src/tiles/pmtiles.c) against the
 * table of spec/v3/spec.md section 4.1 (github.com/protomaps/PMTiles):
 * 0/0/0 -> 0, 1/0/0 -> 1, 1/0/1 -> 2, 1/1/1 -> 3, 1/1/0 -> 4, 2/0/0 -> 5,
 * 12/3423/1763 -> 19078479; and two properties of any Hilbert numbering:
 * the ids of a zoom are a permutation of [(4^z-1)/3, (4^(z+1)-1)/3), and
 * consecutive ids are edge-neighbours (the curve never jumps). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fp_error.h"
#include "tiles/tiles_internal.h"

static void test_spec_table(void **state)
{
    (void)state;
    assert_int_equal(fpi_pmtiles_tile_id(0, 0, 0), 0);
    assert_int_equal(fpi_pmtiles_tile_id(1, 0, 0), 1);
    assert_int_equal(fpi_pmtiles_tile_id(1, 0, 1), 2);
    assert_int_equal(fpi_pmtiles_tile_id(1, 1, 1), 3);
    assert_int_equal(fpi_pmtiles_tile_id(1, 1, 0), 4);
    assert_int_equal(fpi_pmtiles_tile_id(2, 0, 0), 5);
    assert_int_equal(fpi_pmtiles_tile_id(12, 3423, 1763), 19078479);
}

static void test_curve(void **state)
{
    (void)state;
    for (int z = 1; z <= 6; z++) {
        uint32_t n = 1u << z;
        uint64_t base = (((uint64_t)1 << (2 * z)) - 1) / 3;
        int *x = calloc(n * n, sizeof *x), *y = calloc(n * n, sizeof *y), *seen = calloc(n * n, sizeof *seen);
        for (uint32_t tx = 0; tx < n; tx++)
            for (uint32_t ty = 0; ty < n; ty++) {
                uint64_t id = fpi_pmtiles_tile_id(z, tx, ty);
                assert_true(id >= base && id < base + (uint64_t)n * n);
                uint64_t k = id - base;
                assert_int_equal(seen[k], 0);
                seen[k] = 1;
                x[k] = (int)tx;
                y[k] = (int)ty;
            }
        for (uint64_t k = 1; k < (uint64_t)n * n; k++) assert_int_equal(abs(x[k] - x[k - 1]) + abs(y[k] - y[k - 1]), 1);
        free(x);
        free(y);
        free(seen);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_table),
        cmocka_unit_test(test_curve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
