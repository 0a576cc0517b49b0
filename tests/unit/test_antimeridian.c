/* fpi_cut_antimeridian on lines (src/geom/antimeridian.c): the pieces of
 * lines that cross 180, written by hand. The walk that cuts them meets
 * its edge cases at the seam itself: a vertex on 180 or -180, a stretch
 * along it, a westward step from exactly 180 (which once walked in place:
 * 179.99999999999997 rounded into the next turn), a line that doubles
 * back over itself (GEOS's intersection had merged its legs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <geos_c.h>
#include "geom/geom.h"

/* The cut of WKT in, as WKT with 6 decimals; "(not cut)" when NULL. */
static char *cut_wkt(const char *in)
{
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(h);
    GEOSWKTWriter_setTrim_r(h, w, 1);
    GEOSWKTWriter_setRoundingPrecision_r(h, w, 6);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, in);
    assert_non_null(g);
    GEOSGeometry *cut = fpi_cut_antimeridian(h, g);
    char *out;
    if (cut) {
        char *s = GEOSWKTWriter_write_r(h, w, cut);
        out = strdup(s);
        GEOSFree_r(h, s);
        GEOSGeom_destroy_r(h, cut);
    } else {
        out = strdup("(not cut)");
    }
    GEOSGeom_destroy_r(h, g);
    GEOSWKTReader_destroy_r(h, r);
    GEOSWKTWriter_destroy_r(h, w);
    GEOS_finish_r(h);
    return out;
}

static void expect_cut(const char *in, const char *want)
{
    char *got = cut_wkt(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_eastward_and_westward(void **state)
{
    (void)state;
    /* 170 -> -170 meets 180 halfway: latitude 5 between 0 and 10. */
    expect_cut("LINESTRING (170 0, -170 10)",
               "MULTILINESTRING ((170 0, 180 5), (-180 5, -170 10))");
    expect_cut("LINESTRING (-170 10, 170 0)",
               "MULTILINESTRING ((-170 10, -180 5), (180 5, 170 0))");
}

static void test_vertex_on_the_seam(void **state)
{
    (void)state;
    expect_cut("LINESTRING (170 0, 180 0, -170 0)",
               "MULTILINESTRING ((170 0, 180 0), (-180 0, -170 0))");
    expect_cut("LINESTRING (-170 5, -180 5, 170 5)",
               "MULTILINESTRING ((-170 5, -180 5), (180 5, 170 5))");
    /* Westward from exactly 180 (unwrapped): the step that walked in place. */
    expect_cut("LINESTRING (-176 -18, 180 -18, 178 -18)",
               "MULTILINESTRING ((-176 -18, -180 -18), (180 -18, 178 -18))");
}

static void test_along_the_seam(void **state)
{
    (void)state;
    /* The stretch along 180 stays with the piece that reached it. */
    expect_cut("LINESTRING (170 0, 180 0, 180 10, -170 10)",
               "MULTILINESTRING ((170 0, 180 0, 180 10), (-180 10, -170 10))");
}

static void test_out_and_back(void **state)
{
    (void)state;
    expect_cut("LINESTRING (178 -18, -176 -18, 178 -18)",
               "MULTILINESTRING ((178 -18, 180 -18), (-180 -18, -176 -18, -180 -18), (180 -18, 178 -18))");
    /* Twice across and twice back: five pieces, none merged. */
    expect_cut("LINESTRING (179 0, -179 0, 179 0, -179 0, 179 0)",
               "MULTILINESTRING ((179 0, 180 0), (-180 0, -179 0, -180 0), (180 0, 179 0, 180 0), "
               "(-180 0, -179 0, -180 0), (180 0, 179 0))");
}

static void test_multilinestring_parts_in_order(void **state)
{
    (void)state;
    expect_cut("MULTILINESTRING ((170 0, -170 0), (10 0, 20 0), (-170 1, 170 1))",
               "MULTILINESTRING ((170 0, 180 0), (-180 0, -170 0), (10 0, 20 0), (-170 1, -180 1), (180 1, 170 1))");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eastward_and_westward),
        cmocka_unit_test(test_vertex_on_the_seam),
        cmocka_unit_test(test_along_the_seam),
        cmocka_unit_test(test_out_and_back),
        cmocka_unit_test(test_multilinestring_parts_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
