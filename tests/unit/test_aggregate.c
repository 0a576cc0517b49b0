/* Unit tests of the aggregate stage's point-in-region index
 * (src/aggregate/region_index.c): its answers must be those of the plain
 * method (prepared GEOS predicates on the full geometries of every region,
 * and the nearest region over full geometries), point for point. Also the
 * geodesic measures against values from PROJ's `geod` and the grid's cell
 * arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fp_store.h"
#include "aggregate/aggregate_internal.h"
#include "aggregate/aggregate_run.h"

static char tmpdir[64];
static fp_store *store;
static fp_region_set *countries;
static fp_region_index *country_index;

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/fp_test_aggXXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    fp_global_init();
    char path[128], regions[4096];
    snprintf(path, sizeof path, "%s/s.sqlite", tmpdir);
    fp_error err = {0};
    if (fp_store_open(path, FP_STORE_CREATE, &store, &err)) { fprintf(stderr, "%s\n", err.message); return -1; }
    if (fp_store_load_regions(store, fp_data_path(NULL, "regions.gpkg", regions, sizeof regions), NULL, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    double extent[4] = { -180, -90, 180, 90 };
    if (fp_store_begin(store, &err) || fpi_region_set_load(store, "country", extent, 2, &countries, &err) ||
        fpi_region_index_new(countries, 2, &country_index, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    fp_store_rollback(store);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fpi_region_index_free(country_index);
    fpi_region_set_free(countries);
    fp_store_close(store);
    fp_global_cleanup();
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* A small seeded generator, so a failure can be replayed. */
static uint64_t rng_state = 88172645463325252ULL;
static double uniform(double lo, double hi)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return lo + (hi - lo) * (double)(rng_state >> 11) / 9007199254740992.0;
}

static const char *code_of(int r)
{
    return r >= 0 ? countries->items[r].code : "(none)";
}

/* 1 (and the two answers printed) when they differ: another region or
 * method, or distances more than tol_km apart (0: bit for bit). */
static int shares_differ(const char *what_a, fp_share a, const char *what_b, fp_share b, double x, double y,
                         double snap_km, double tol_km)
{
    if (a.region == b.region && a.method == b.method &&
        (tol_km > 0 ? fabs(a.distance_km - b.distance_km) <= tol_km : a.distance_km == b.distance_km))
        return 0;
    print_error("(%.12g, %.12g) snap %g: %s %s %s %.9f km, %s %s %s %.9f km\n", x, y, snap_km, what_a,
                code_of(a.region), fp_assign_method_name(a.method), a.distance_km, what_b, code_of(b.region),
                fp_assign_method_name(b.method), b.distance_km);
    return 1;
}

static int compare_at(fp_locator *loc, double x, double y, double snap_km)
{
    return shares_differ("index", fpi_locate_point(loc, x, y, snap_km), "reference",
                         fpi_locate_point_reference(loc, x, y, snap_km), x, y, snap_km, 1e-6);
}

/* Uniform points over the world, without snapping: every answer equal. */
static void test_index_equals_reference_uniform(void **state)
{
    (void)state;
    fp_locator *loc = fpi_locator_new(countries, country_index);
    assert_non_null(loc);
    int bad = 0, inside = 0;
    for (int i = 0; i < 20000; i++) {
        double x = uniform(-180, 180), y = uniform(-90, 90);
        bad += compare_at(loc, x, y, 0);
        inside += fpi_locate_point(loc, x, y, 0).region >= 0;
    }
    assert_int_equal(bad, 0);
    /* Land is about 29% of the globe: a sanity check on the sample. */
    assert_in_range(inside, 20000 * 25 / 100, 20000 * 33 / 100);
    fpi_locator_free(loc);
}

/* Points on cell edges (whole degrees) and on region borders, where the
 * index takes its exact path. */
static void test_index_equals_reference_edges(void **state)
{
    (void)state;
    fp_locator *loc = fpi_locator_new(countries, country_index);
    int bad = 0;
    for (int y = -89; y <= 89; y += 1)
        for (int x = -180; x <= 180; x += 3) bad += compare_at(loc, x, y, 0);
    /* Vertices of a few borders are on both regions' boundaries. */
    bad += compare_at(loc, 180, -16.5, 0);
    bad += compare_at(loc, -180, -16.5, 0);
    bad += compare_at(loc, 0, -90, 0);
    bad += compare_at(loc, 0, 90, 0);
    assert_int_equal(bad, 0);
    fpi_locator_free(loc);
}

static int compare_geos(fp_locator *fast, fp_locator *geos, double x, double y)
{
    return shares_differ("WKB", fpi_locate_point(fast, x, y, 0), "GEOS", fpi_locate_point(geos, x, y, 0), x, y, 0, 0);
}

/* On the borders themselves, where the index reads a piece's WKB for the
 * crossing test (region_index.c, piece_locate) instead of asking GEOS:
 * every 23rd vertex of every country's rings, the midpoint of the edge
 * after it (on the edge or a rounding away from it, where the orientation
 * filter gives way to GEOS), points a hair (1e-13 degrees) either side
 * of the vertex and points 1e-3 degrees west and east of it, on its latitude. Each answer equal to GEOS's on the same pieces.
 * (Against the full geometries, such points can differ: a piece cut at a
 * cell edge has vertices GEOS rounded. Random points do not meet them: the
 * 1M-point bench and the tests above compare with the full geometries.) */
static void test_piece_crossings_equal_geos(void **state)
{
    (void)state;
    fp_locator *loc = fpi_locator_new(countries, country_index), *geos = fpi_locator_new(countries, country_index);
    fpi_locator_set_fast_pieces(geos, 0);
    int bad = 0, tested = 0, boundary = 0;
    for (size_t r = 0; r < countries->n; r++) {
        const unsigned char *p = countries->items[r].wkb, *end = p + countries->items[r].wkb_len;
        uint32_t type, npoly = 1;
        memcpy(&type, p + 1, 4);
        p += 5;
        if (type == 6) { memcpy(&npoly, p, 4); p += 4; }
        for (uint32_t k = 0; k < npoly && p < end; k++) {
            if (type == 6) p += 5;
            uint32_t nrings;
            memcpy(&nrings, p, 4);
            p += 4;
            for (uint32_t q = 0; q < nrings; q++) {
                uint32_t n;
                memcpy(&n, p, 4);
                p += 4;
                for (uint32_t i = (uint32_t)(r % 23); i + 1 < n; i += 23) {
                    double v[4];
                    memcpy(v, p + 16 * (size_t)i, sizeof v);
                    fp_share s = fpi_locate_point(loc, v[0], v[1], 0);
                    boundary += s.method == FP_ASSIGN_BOUNDARY;
                    bad += compare_geos(loc, geos, v[0], v[1]);
                    bad += compare_geos(loc, geos, (v[0] + v[2]) / 2, (v[1] + v[3]) / 2);
                    bad += compare_geos(loc, geos, v[0] + 1e-13, v[1] - 1e-13);
                    bad += compare_geos(loc, geos, v[0] - 1e-13, v[1] + 1e-13);
                    /* The ray through the vertex itself (GEOS's half-open
                     * rule for edges ending on it): a point to each side. */
                    bad += compare_geos(loc, geos, v[0] - 1e-3, v[1]);
                    bad += compare_geos(loc, geos, v[0] + 1e-3, v[1]);
                    tested += 6;
                }
                p += 16 * (size_t)n;
            }
        }
    }
    assert_int_equal(bad, 0);
    assert_true(tested > 10000);
    assert_true(boundary > 1000);         /* vertices are on the boundary: the path is exercised */
    fpi_locator_free(loc);
    fpi_locator_free(geos);
}

/* Near coasts with snapping on: the nearest region and its distance on the
 * ellipsoid must be what the full geometries give. */
static void test_index_equals_reference_snapping(void **state)
{
    (void)state;
    fp_locator *loc = fpi_locator_new(countries, country_index);
    static const double coasts[][2] = { { 103.8, 1.2 }, { 121.5, 31.0 }, { 39.3, -6.8 }, { -9.2, 38.6 },
                                        { 18.4, -34.0 }, { 139.8, 35.4 }, { -74.0, 40.5 }, { 12.3, 45.3 },
                                        { 178.9, -17.8 }, { -175.2, -21.2 }, { 55.5, -20.9 }, { -61.5, 16.2 },
                                        /* across the antimeridian: Fiji, the Aleutians, Wrangel Island */
                                        { 179.95, -16.6 }, { -179.95, -18.4 }, { -179.9, 51.9 }, { 179.9, 71.4 } };
    int bad = 0, snapped = 0;
    for (size_t c = 0; c < sizeof coasts / sizeof coasts[0]; c++)
        for (int i = 0; i < 120; i++) {
            double x = coasts[c][0] + uniform(-0.6, 0.6), y = coasts[c][1] + uniform(-0.6, 0.6);
            if (x > 180) x -= 360;
            if (x < -180) x += 360;
            bad += compare_at(loc, x, y, 25);
            snapped += fpi_locate_point(loc, x, y, 25).method == FP_ASSIGN_SNAPPED;
        }
    /* Points of the 1M benchmark that once came out differently. */
    bad += compare_at(loc, 179.86213, 71.652701, 25);
    bad += compare_at(loc, -179.895112, -18.654222, 25);
    bad += compare_at(loc, -179.922075, 51.984339, 25);
    assert_int_equal(bad, 0);
    assert_true(snapped > 50);            /* the sample does exercise snapping */
    fpi_locator_free(loc);
}

static int compare_lazy(fp_locator *eager, fp_locator *lazy, double x, double y, double snap_km)
{
    return shares_differ("eager", fpi_locate_point(eager, x, y, snap_km), "lazy",
                         fpi_locate_point(lazy, x, y, snap_km), x, y, snap_km, 0);
}

/* The lazy index (fp_point_locator's) gives the eager index's answers, bit
 * for bit, while it builds only the regions around the first look-ups; and
 * once look-ups spread over many cells it completes itself. */
static void test_lazy_index_equals_eager(void **state)
{
    (void)state;
    fp_error err = {0};
    fp_region_index *lazy_index = NULL;
    assert_int_equal(fpi_region_index_new_lazy(countries, &lazy_index, &err), FP_OK);
    fp_locator *eager = fpi_locator_new(countries, country_index), *lazy = fpi_locator_new(countries, lazy_index);
    assert_non_null(eager);
    assert_non_null(lazy);
    assert_int_equal(fpi_region_index_regions_built(lazy_index), 0);
    int bad = 0;
    /* Ten points in western Europe, snapping on: a few regions built. */
    for (int i = 0; i < 10; i++) bad += compare_lazy(eager, lazy, uniform(2, 12), uniform(44, 52), 25);
    size_t few = fpi_region_index_regions_built(lazy_index);
    assert_true(few > 0 && few < countries->n / 4);
    /* Coasts and the antimeridian with snapping, cell edges, then the
     * whole world (past the limit the rest is built in threads). */
    static const double coasts[][2] = { { 103.8, 1.2 }, { -9.2, 38.6 }, { 178.9, -17.8 }, { -175.2, -21.2 },
                                        { 179.95, -16.6 }, { -179.9, 51.9 }, { 179.9, 71.4 } };
    for (size_t c = 0; c < sizeof coasts / sizeof coasts[0]; c++)
        for (int i = 0; i < 40; i++) {
            double x = coasts[c][0] + uniform(-0.6, 0.6), y = coasts[c][1] + uniform(-0.6, 0.6);
            if (x > 180) x -= 360;
            if (x < -180) x += 360;
            bad += compare_lazy(eager, lazy, x, y, 25);
        }
    for (int y = -60; y <= 80; y += 7)
        for (int x = -180; x <= 180; x += 11) bad += compare_lazy(eager, lazy, x, y, 0);
    for (int i = 0; i < 5000; i++) bad += compare_lazy(eager, lazy, uniform(-180, 180), uniform(-90, 90), 25);
    assert_int_equal(bad, 0);
    assert_int_equal(fpi_region_index_regions_built(lazy_index), countries->n);
    fpi_locator_free(lazy);
    fpi_locator_free(eager);
    fpi_region_index_free(lazy_index);
}

/* A region GEOS cannot read: the lazy build fails, and from then on every
 * look-up answers "none" and the index says it failed (callers turn that
 * into an error), instead of answering without the region. */
/* The index kept in the cache folder (region_cache.c) answers as the index
 * it was saved from, bit for bit; a damaged or foreign entry is a miss. */
static void test_index_cache_round_trip(void **state)
{
    (void)state;
    char dir[128], key[65], path[256];
    snprintf(dir, sizeof dir, "%s/cache", tmpdir);
    fpi_region_index_cache_key(countries, key);
    assert_null(fpi_region_index_cache_load(dir, key, countries));            /* nothing saved yet */
    fpi_region_index_cache_save(dir, key, country_index);
    fp_region_index *back = fpi_region_index_cache_load(dir, key, countries);
    assert_non_null(back);
    fp_locator *a = fpi_locator_new(countries, country_index), *b = fpi_locator_new(countries, back);
    assert_non_null(a);
    assert_non_null(b);
    int bad = 0, inside = 0;
    for (int i = 0; i < 20000; i++) {
        double x = uniform(-180, 180), y = uniform(-90, 90);
        fp_share sa = fpi_locate_point(a, x, y, 25), sb = fpi_locate_point(b, x, y, 25);
        bad += shares_differ("saved", sa, "loaded", sb, x, y, 25, 0);
        inside += sa.region >= 0;
    }
    for (int y = -89; y <= 89; y += 2)                                       /* cell edges */
        for (int x = -180; x <= 180; x += 5)
            bad += shares_differ("saved", fpi_locate_point(a, x, y, 0), "loaded", fpi_locate_point(b, x, y, 0), x, y, 0, 0);
    assert_int_equal(bad, 0);
    assert_true(inside > 20000 / 4);
    fpi_locator_free(a);
    fpi_locator_free(b);
    fpi_region_index_free(back);

    /* Another set's key: another entry. */
    fp_region_set fewer = *countries;
    fewer.n = countries->n - 1;
    char other[65];
    fpi_region_index_cache_key(&fewer, other);
    assert_string_not_equal(key, other);
    assert_null(fpi_region_index_cache_load(dir, other, &fewer));
    /* The same bytes read for a set of another size: rejected. */
    GByteArray *bytes = g_byte_array_new();
    assert_int_equal(fpi_region_index_write(country_index, bytes), 0);
    assert_null(fpi_region_index_read(&fewer, bytes->data, bytes->len));
    assert_null(fpi_region_index_read(countries, bytes->data, bytes->len - 1));   /* cut short */
    g_byte_array_free(bytes, TRUE);

    /* One flipped byte in the entry: a miss, not a wrong index. */
    snprintf(path, sizeof path, "%s/index-%s.bin", dir, key);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 5000, SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, 5000, SEEK_SET), 0);
    fputc(c ^ 0x20, f);
    fclose(f);
    assert_null(fpi_region_index_cache_load(dir, key, countries));
}

static void test_lazy_index_failure_is_sticky(void **state)
{
    (void)state;
    fp_region items[2];
    memcpy(items, countries->items, sizeof items);
    unsigned char junk[] = { 1, 6, 0, 0, 0, 9, 9, 9, 9 };   /* a multipolygon of 0x09090909 parts, cut short */
    items[1].wkb = junk;
    items[1].wkb_len = sizeof junk;
    fp_region_set set = *countries;
    set.items = items;
    set.n = 2;
    fp_error err = {0};
    fp_region_index *idx = NULL;
    assert_int_equal(fpi_region_index_new_lazy(&set, &idx, &err), FP_OK);
    fp_locator *loc = fpi_locator_new(&set, idx);
    assert_non_null(loc);
    double x = (items[1].minx + items[1].maxx) / 2, y = (items[1].miny + items[1].maxy) / 2;
    assert_false(fpi_region_index_failed(idx));
    assert_int_equal(fpi_locate_point(loc, x, y, 0).region, -1);
    assert_true(fpi_region_index_failed(idx));
    /* Even where the readable region is. */
    double x0 = (items[0].minx + items[0].maxx) / 2, y0 = (items[0].miny + items[0].maxy) / 2;
    assert_int_equal(fpi_locate_point(loc, x0, y0, 0).region, -1);
    fpi_locator_free(loc);
    fpi_region_index_free(idx);
}

/* Geodesic length and area against PROJ's geod / known constants:
 *   geod +ellps=WGS84 -I <<< "0 0 0 1"   -> 111319.491 m (one degree of the equator)
 *   echo "0 0 1 0" | geod +ellps=WGS84 -I +units=m -> 110574.389 m (a degree of meridian from the equator) */
static void test_geodesic_measures(void **state)
{
    (void)state;
    assert_true(fabs(fpi_geodesic_distance_m(0, 0, 1, 0) - 111319.491) < 0.01);
    assert_true(fabs(fpi_geodesic_distance_m(0, 0, 0, 1) - 110574.389) < 0.01);
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *line = GEOSWKTReader_read_r(h, r, "LINESTRING(0 0, 1 0, 1 1)");
    assert_true(fabs(fpi_geodesic_length_m(h, line) - (111319.491 + 110574.389)) < 0.01);
    /* The whole ellipsoid's surface is 510,065,621.7 km^2: a hemisphere
     * band polygon from the equator to the pole covers a quarter of it
     * per 180 degrees of longitude. */
    GEOSGeometry *quarter = GEOSWKTReader_read_r(h, r, "POLYGON((0 0, 90 0, 180 0, 180 90, 0 90, 0 0))");
    double a = fpi_geodesic_area_m2(h, quarter) / 1e6;
    assert_true(fabs(a - 510065621.7 / 4) < 1.0);
    GEOSGeom_destroy_r(h, line);
    GEOSGeom_destroy_r(h, quarter);
    GEOSWKTReader_destroy_r(h, r);
    GEOS_finish_r(h);
}

/* Measures with edges straight in lon/lat. Expected values: the closed
 * form of a zone of the ellipsoid (an area between parallels and
 * meridians: b^2 dlon [F(lat1) - F(lat0)], written out here), geod's
 * meridian degree, and the geodesic measures of the same shapes densified
 * to 0.001 degree (geodesic edges that short follow the straight lon/lat
 * edge to far below the tolerances). */
static double zone_area_m2(double lon0, double lat0, double lon1, double lat1)
{
    const double a = 6378137.0, f = 1 / 298.257223563, e2 = f * (2 - f), e = sqrt(e2), b2 = a * a * (1 - e2);
    double s1 = sin(lat1 * M_PI / 180), s0 = sin(lat0 * M_PI / 180);
    double f1 = s1 / (1 - e2 * s1 * s1) + log((1 + e * s1) / (1 - e * s1)) / (2 * e);
    double f0 = s0 / (1 - e2 * s0 * s0) + log((1 + e * s0) / (1 - e * s0)) / (2 * e);
    return b2 * (lon1 - lon0) * M_PI / 180 / 2 * (f1 - f0);
}

static double dense_geodesic(GEOSContextHandle_t h, const GEOSGeometry *g, int dim)
{
    GEOSGeometry *d = GEOSDensify_r(h, g, 0.001);
    double m = dim == 1 ? fpi_geodesic_length_m(h, d) : fpi_geodesic_area_m2(h, d);
    GEOSGeom_destroy_r(h, d);
    return m;
}

static void test_lonlat_measures(void **state)
{
    (void)state;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    /* The same box with 4 and 12 vertices: the zone's area, both. */
    GEOSGeometry *box4 = GEOSWKTReader_read_r(h, r, "POLYGON((-120 40, -95 40, -95 55, -120 55, -120 40))");
    GEOSGeometry *box12 = GEOSWKTReader_read_r(h, r, "POLYGON((-120 40, -115 40, -110 40, -105 40, -100 40, -95 40, "
                                                 "-95 55, -100 55, -105 55, -110 55, -115 55, -120 55, -120 40))");
    double zone = zone_area_m2(-120, 40, -95, 55);
    assert_true(fabs(fpi_lonlat_area_m2(h, box4) / zone - 1) < 1e-12);
    assert_true(fabs(fpi_lonlat_area_m2(h, box12) / zone - 1) < 1e-12);
    /* With geodesic edges the two differ by 1% (what was wrong). */
    assert_true(fabs(fpi_geodesic_area_m2(h, box4) / fpi_geodesic_area_m2(h, box12) - 1) > 0.005);
    /* Sloping edges, a hole, a pole-side edge: against the densified
     * geodesic area (which converges to the same surface). */
    GEOSGeometry *slopes = GEOSWKTReader_read_r(h, r, "POLYGON((-10 -30, 40 10, 5 70, -10 -30), (0 0, 10 10, 10 0, 0 0))");
    assert_true(fabs(fpi_lonlat_area_m2(h, slopes) / dense_geodesic(h, slopes, 2) - 1) < 1e-6);
    /* A small square far from the equator: no loss of digits. */
    GEOSGeometry *small = GEOSWKTReader_read_r(h, r, "POLYGON((10 60, 10.0001 60, 10.0001 60.0001, 10 60.0001, 10 60))");
    assert_true(fabs(fpi_lonlat_area_m2(h, small) / zone_area_m2(10, 60, 10.0001, 60.0001) - 1) < 1e-7);
    /* Lengths: a meridian degree is geod's; a parallel arc is N cos(lat)
     * dlon; a sloping line is the densified geodesic length. */
    GEOSGeometry *meridian = GEOSWKTReader_read_r(h, r, "LINESTRING(0 0, 0 1)");
    assert_true(fabs(fpi_lonlat_length_m(h, meridian) - 110574.389) < 0.001);
    GEOSGeometry *parallel = GEOSWKTReader_read_r(h, r, "LINESTRING(-120 49, -95 49)");
    const double a = 6378137.0, e2 = 0.00669437999014132, s49 = sin(49 * M_PI / 180);
    double arc = a / sqrt(1 - e2 * s49 * s49) * cos(49 * M_PI / 180) * 25 * M_PI / 180;
    assert_true(fabs(fpi_lonlat_length_m(h, parallel) / arc - 1) < 1e-12);
    GEOSGeometry *sloping = GEOSWKTReader_read_r(h, r, "MULTILINESTRING((-122.65 48.99, -100 30, 170 -80), (0 0, 1 1))");
    assert_true(fabs(fpi_lonlat_length_m(h, sloping) / dense_geodesic(h, sloping, 1) - 1) < 1e-6);
    GEOSGeometry *all[] = { box4, box12, slopes, small, meridian, parallel, sloping };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) GEOSGeom_destroy_r(h, all[i]);
    GEOSWKTReader_destroy_r(h, r);
    GEOS_finish_r(h);
}

/* Grid cells anchored at lon 0, lat 0 with decimal steps: a point written
 * on the 0.1-degree lattice (read from its text) is in the cell that bears
 * its own coordinates as code (i / 10.0, the double nearest the decimal,
 * formatted), whatever the extent the grid is generated over. A step that
 * does not divide 180 and 90: the cells the world's edge cuts are named by
 * their corner within it and still tile the ellipsoid. */
static void test_grid_decimal_cells(void **state)
{
    (void)state;
    double extents[2][4] = { { -3, -3, 3, 3 }, { -7.77, -7.77, 3, 3 } };
    for (int e = 0; e < 2; e++) {
        fp_region_set *set = NULL;
        fp_error err = {0};
        assert_int_equal(fpi_region_set_load(store, "grid:0.1", extents[e], 1, &set, &err), FP_OK);
        fp_locator *loc = fpi_locator_new(set, NULL);
        int wrong = 0;
        for (int i = -30; i <= 30; i++)
            for (int j = -30; j <= 30; j++) {
                char tx[16], ty[16], code[40];
                snprintf(tx, sizeof tx, "%s%d.%d", i < 0 ? "-" : "", abs(i) / 10, abs(i) % 10);
                snprintf(ty, sizeof ty, "%s%d.%d", j < 0 ? "-" : "", abs(j) / 10, abs(j) % 10);
                /* %.10g drops a ".0": 1.0 is "1", -0.0 does not occur. */
                snprintf(code, sizeof code, "%.10g_%.10g", i / 10.0, j / 10.0);
                int c = fpi_tessellation_locate(loc, strtod(tx, NULL), strtod(ty, NULL));
                if (c < 0 || strcmp(set->items[c].code, code) != 0) wrong++;
            }
        assert_int_equal(0, wrong);
        fpi_locator_free(loc);
        fpi_region_set_free(set);
    }
    fp_region_set *set = NULL;
    fp_error err = {0};
    double world[4] = { -180, -90, 180, 90 };
    assert_int_equal(fpi_region_set_load(store, "grid:0.7", world, 1, &set, &err), FP_OK);
    fp_locator *loc = fpi_locator_new(set, NULL);
    assert_string_equal(set->items[fpi_tessellation_locate(loc, -180, -90)].code, "-180_-90");
    assert_string_equal(set->items[fpi_tessellation_locate(loc, 180, 90)].code, "179.9_89.6");
    assert_string_equal(set->items[fpi_tessellation_locate(loc, 0.7, -0.7)].code, "0.7_-0.7");
    double total = 0;
    for (size_t i = 0; i < set->n; i++) total += set->items[i].area_km2;
    assert_true(fabs(total - 510065621.7) < 1.0);
    fpi_locator_free(loc);
    fpi_region_set_free(set);
}

/* Grid arithmetic: half-open cells, lon 180 and lat 90 in the last ones. */
static void test_grid_cells(void **state)
{
    (void)state;
    fp_region_set *set = NULL;
    fp_error err = {0};
    double extent[4] = { -180, -90, 180, 90 };
    assert_int_equal(fpi_region_set_load(store, "grid:10", extent, 1, &set, &err), FP_OK);
    assert_int_equal(set->n, 36 * 18);
    fp_locator *loc = fpi_locator_new(set, NULL);
    assert_string_equal(set->items[fpi_tessellation_locate(loc, 10, 20)].code, "10_20");
    assert_string_equal(set->items[fpi_tessellation_locate(loc, 9.999999, 19.999999)].code, "0_10");
    assert_string_equal(set->items[fpi_tessellation_locate(loc, 180, 90)].code, "170_80");
    assert_string_equal(set->items[fpi_tessellation_locate(loc, -180, -90)].code, "-180_-90");
    double total = 0;
    for (size_t i = 0; i < set->n; i++) total += set->items[i].area_km2;
    assert_true(fabs(total - 510065621.7) < 1.0);
    fpi_locator_free(loc);
    fpi_region_set_free(set);
}

/* ------------------------------------------- assigning in chunks, stored as they finish --- */

/* A little-endian WKB polygon: the square of side d (degrees) at (x, y). */
static unsigned char *square_wkb(double x, double y, double d, size_t *len)
{
    double c[10] = { x, y, x + d, y, x + d, y + d, x, y + d, x, y };
    *len = 1 + 4 + 4 + 4 + sizeof c;
    unsigned char *w = malloc(*len), *p = w;
    uint32_t type = 3, rings = 1, points = 5;
    *p++ = 1;
    memcpy(p, &type, 4); p += 4;
    memcpy(p, &rings, 4); p += 4;
    memcpy(p, &points, 4); p += 4;
    memcpy(p, c, sizeof c);
    return w;
}

/* 10,000 projects near Europe's borders: points, and every seventh a
 * square of 0.3 degrees (often across a border: several shares). */
static void make_projects(fp_project_table *t)
{
    memset(t, 0, sizeof *t);
    t->n = 10000;
    t->items = calloc(t->n, sizeof *t->items);
    rng_state = 2463534242ULL;
    for (size_t i = 0; i < t->n; i++) {
        fp_project *p = &t->items[i];
        p->id = (long long)i + 1;
        double x = uniform(-10, 30), y = uniform(35, 60);
        if (i % 7 == 3) p->wkb = square_wkb(x, y, 0.3, &p->wkb_len);
        else { p->is_point = 1; p->x = x; p->y = y; }
    }
}

typedef struct chunk_log {
    size_t next;                  /* the first project the next chunk must start at */
    size_t calls, shares;
    int out_of_order, unsorted;
    fp_share_of *all;             /* the shares seen, in the order seen */
} chunk_log;

static fp_status record_chunk(const fp_project_table *t, size_t start, size_t end, const fp_share_of *sh, size_t n,
                              void *user, fp_error *err)
{
    (void)err;
    chunk_log *log = user;
    log->calls++;
    if (start != log->next || end <= start || end > t->n) log->out_of_order = 1;
    log->next = end;
    for (size_t k = 0; k < n; k++) {
        if (sh[k].project < start || sh[k].project >= end) log->out_of_order = 1;
        if (k && (sh[k].project < sh[k - 1].project ||
                  (sh[k].project == sh[k - 1].project && sh[k].share.region < sh[k - 1].share.region)))
            log->unsorted = 1;
        log->all[log->shares++] = sh[k];
    }
    return FP_OK;
}

static fp_status fail_third_chunk(const fp_project_table *t, size_t start, size_t end, const fp_share_of *sh,
                                  size_t n, void *user, fp_error *err)
{
    (void)t; (void)start; (void)end; (void)sh; (void)n;
    return ++*(int *)user == 3 ? fp_error_set(err, FP_ERR_IO, "disk full") : FP_OK;
}

static fp_status slow_first_chunk(const fp_project_table *t, size_t start, size_t end, const fp_share_of *sh,
                                  size_t n, void *user, fp_error *err)
{
    (void)t; (void)start; (void)end; (void)sh; (void)n; (void)err;
    if (++*(int *)user == 1) usleep(200000);
    return FP_OK;
}

/* Assigned on two threads with the chunks stored as they finish: each chunk
 * once, in project order, its shares sorted; the same regions, methods,
 * distances and shares as one thread without a callback. */
static void test_assign_chunks_in_order(void **state)
{
    (void)state;
    fp_project_table ref, t;
    make_projects(&ref);
    make_projects(&t);
    fp_error err = {0};
    assert_int_equal(FP_OK, fpi_projects_assign(&ref, countries, country_index, 25, 1, NULL, NULL, &err));
    chunk_log log = { .all = calloc(ref.nshares + 1, sizeof(fp_share_of)) };
    assert_int_equal(FP_OK, fpi_projects_assign(&t, countries, country_index, 25, 2, record_chunk, &log, &err));
    assert_true(ref.nshares > 1429);                       /* 1,429 squares, some across a border */
    assert_int_equal(0, log.out_of_order);
    assert_int_equal(0, log.unsorted);
    assert_int_equal(t.n, log.next);                       /* every chunk, up to the last project */
    assert_true(log.calls >= 3);
    assert_int_equal(ref.nshares, log.shares);
    assert_int_equal(ref.nshares, t.nshares);
    for (size_t k = 0; k < ref.nshares; k++) {
        assert_int_equal(ref.shares[k].project, t.shares[k].project);
        assert_int_equal(ref.shares[k].project, log.all[k].project);
        assert_int_equal(ref.shares[k].share.region, t.shares[k].share.region);
        assert_true(ref.shares[k].share.share == t.shares[k].share.share);
    }
    size_t assigned = 0;
    for (size_t i = 0; i < t.n; i++) {
        assert_int_equal(ref.items[i].region, t.items[i].region);
        assert_int_equal(ref.items[i].method, t.items[i].method);
        assert_true(ref.items[i].distance_km == t.items[i].distance_km);
        assigned += t.items[i].region >= 0;
    }
    assert_true(assigned > 1000);
    free(log.all);
    fpi_project_table_free(&ref);
    fpi_project_table_free(&t);

    /* A project GEOS cannot read fails its chunk; the threads then stop
     * claiming chunks rather than assign the other 36,000 projects. */
    memset(&t, 0, sizeof t);
    t.n = 40000;
    t.items = calloc(t.n, sizeof *t.items);
    for (size_t i = 0; i < t.n; i++) {
        t.items[i] = (fp_project){ .id = (long long)i + 1, .is_point = 1, .x = 10, .y = 50, .region = -3 };
    }
    /* The bad project opens chunk 1, which the other thread takes while
     * this one stores chunk 0 (slowly: see slow_first_chunk). */
    t.items[4096].is_point = 0;
    t.items[4096].wkb = (unsigned char *)strdup("not a geometry");
    t.items[4096].wkb_len = 14;
    int calls_bad = 0;
    assert_int_not_equal(FP_OK, fpi_projects_assign(&t, countries, country_index, 25, 2, slow_first_chunk, &calls_bad, &err));
    assert_true(calls_bad <= 1);                            /* at most chunk 0 stored: chunk 1 is never done */
    size_t untouched = 0;
    for (size_t i = 0; i < t.n; i++) untouched += t.items[i].region == -3;
    assert_true(untouched >= t.n - 4 * 4096);
    fpi_project_table_free(&t);

    /* A failing callback stops the run with its error. */
    make_projects(&t);
    int calls = 0;
    assert_int_equal(FP_ERR_IO, fpi_projects_assign(&t, countries, country_index, 25, 2, fail_third_chunk, &calls, &err));
    assert_string_equal("disk full", err.message);
    assert_int_equal(3, calls);
    fpi_project_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_equals_reference_uniform),
        cmocka_unit_test(test_index_equals_reference_edges),
        cmocka_unit_test(test_piece_crossings_equal_geos),
        cmocka_unit_test(test_index_equals_reference_snapping),
        cmocka_unit_test(test_lazy_index_equals_eager),
        cmocka_unit_test(test_lazy_index_failure_is_sticky),
        cmocka_unit_test(test_index_cache_round_trip),
        cmocka_unit_test(test_geodesic_measures),
        cmocka_unit_test(test_lonlat_measures),
        cmocka_unit_test(test_grid_cells),
        cmocka_unit_test(test_grid_decimal_cells),
        cmocka_unit_test(test_assign_chunks_in_order),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
