/* Unit tests of the Web Mercator tile arithmetic (src/tiles/tile_math.c)
 * against independent formulas and published values:
 *   - latitude of a tile row by the Gudermannian in its exp form,
 *     2 atan(e^t) - pi/2, where the code uses atan(sinh t);
 *   - the row of a latitude from y = ln(tan(pi/4 + phi/2)), where the code
 *     uses asinh(tan phi);
 *   - values from the OSM wiki's slippy-map page (66.51326044311186 is the
 *     northern edge of row 1 at zoom 2; 85.0511287798066 the world's edge)
 *     and EPSG:3857's half width pi * 6378137 = 20037508.342789244 m. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>

#include "fp_tiles.h"

static double lat_of_row(double y, int z)
{
    double t = M_PI * (1 - 2 * y / ldexp(1.0, z));
    return (2 * atan(exp(t)) - M_PI / 2) * 180 / M_PI;
}

static void test_tile_bounds(void **state)
{
    (void)state;
    double b[4];
    fp_tile_bounds_lonlat(0, 0, 0, b);
    assert_float_equal(b[0], -180, 1e-12);
    assert_float_equal(b[2], 180, 1e-12);
    assert_float_equal(b[3], 85.0511287798066, 1e-10);
    assert_float_equal(b[1], -85.0511287798066, 1e-10);
    fp_tile_bounds_lonlat(2, 1, 1, b);                 /* OSM wiki: row 1 of zoom 2 */
    assert_float_equal(b[0], -90, 1e-12);
    assert_float_equal(b[2], 0, 1e-12);
    assert_float_equal(b[3], 66.51326044311186, 1e-10);
    assert_float_equal(b[1], 0, 1e-10);
    /* Every tile of zoom 0..8 (a sample of x), against the exp form. */
    for (int z = 0; z <= 8; z++) {
        int n = 1 << z;
        for (int y = 0; y < n; y++) {
            int x = (y * 7) % n;
            fp_tile_bounds_lonlat(z, x, y, b);
            assert_float_equal(b[0], x * 360.0 / n - 180, 1e-9);
            assert_float_equal(b[2], (x + 1) * 360.0 / n - 180, 1e-9);
            assert_float_equal(b[3], lat_of_row(y, z), 1e-9);
            assert_float_equal(b[1], lat_of_row(y + 1, z), 1e-9);
        }
    }
    fp_tile_bounds_merc(0, 0, 0, b);
    assert_float_equal(b[0], -20037508.342789244, 1e-6);
    assert_float_equal(b[3], 20037508.342789244, 1e-6);
    fp_tile_bounds_merc(1, 1, 0, b);
    assert_float_equal(b[0], 0, 1e-6);
    assert_float_equal(b[1], 0, 1e-6);
    assert_float_equal(b[2], 20037508.342789244, 1e-6);
}

static void expect_tile(double lon, double lat, int z, int want_x, int want_y)
{
    int x, y;
    fp_tile_from_lonlat(lon, lat, z, &x, &y);
    if (x != want_x || y != want_y)
        fail_msg("(%.10f, %.10f) at z%d: got %d/%d, want %d/%d", lon, lat, z, x, y, want_x, want_y);
}

static void test_lonlat_to_tile(void **state)
{
    (void)state;
    /* Independent: y from ln(tan(pi/4 + phi/2)), at several zooms. */
    const double pts[][2] = { { 36.8172, -1.2864 }, { -0.1276, 51.5072 }, { 139.6917, 35.6895 }, { -70.6693, -33.4489 },
                              { 178.4419, -18.1416 }, { -179.9, 65.5 }, { 0, 0 }, { 12.5, 85.0 }, { -45, -84.9 } };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        for (int z = 0; z <= 18; z += 3) {
            double n = ldexp(1.0, z), phi = pts[i][1] * M_PI / 180;
            int wx = (int)floor((pts[i][0] + 180) / 360 * n);
            int wy = (int)floor((1 - log(tan(M_PI / 4 + phi / 2)) / M_PI) / 2 * n);
            expect_tile(pts[i][0], pts[i][1], z, wx, wy);
        }
    /* The edges: +-85.0511 and beyond clamp to the first/last row; lon
     * -180 is column 0 and +180 the last column (not one past it). */
    for (int z = 0; z <= 10; z++) {
        int last = (1 << z) - 1;
        expect_tile(-180, 85.0511, z, 0, 0);
        expect_tile(180, -85.0511, z, last, last);
        expect_tile(180, 89.9, z, last, 0);
        expect_tile(-180, -90, z, 0, last);
        expect_tile(179.999999, 0.000001, z, last, z ? (1 << (z - 1)) - 1 : 0);
    }
    expect_tile(0, 0, 1, 1, 1);                        /* the centre belongs to the south-east tile */
}

static void test_mercator_round_trip(void **state)
{
    (void)state;
    double x, y, lon, lat;
    fp_merc_from_lonlat(180, FP_MERC_MAX_LAT, &x, &y);
    assert_float_equal(x, 20037508.342789244, 1e-6);
    assert_float_equal(y, 20037508.342789244, 1e-3);
    /* echo "-1.2864 36.8172" | cs2cs -f %.4f EPSG:4326 EPSG:3857: 4098471.9564 -143213.4255 */
    fp_merc_from_lonlat(36.8172, -1.2864, &x, &y);
    assert_float_equal(x, 4098471.9564, 1e-3);
    assert_float_equal(y, -143213.4255, 1e-3);
    fp_lonlat_from_merc(x, y, &lon, &lat);
    assert_float_equal(lon, 36.8172, 1e-9);
    assert_float_equal(lat, -1.2864, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tile_bounds),
        cmocka_unit_test(test_lonlat_to_tile),
        cmocka_unit_test(test_mercator_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
