/* Unit tests of the vector tile encoder (src/tiles/mvt.c, mvt_style.c).
 *
 * A temporary store gets the default regions, a CSV of points written here
 * (Nairobi, 40 projects on one spot in Lagos, a seeded scatter over Europe
 * and Africa, points on the antimeridian, the poles and tile corners), the
 * WKT lines and polygons of tests/fixtures/export/shapes.csv (a polygon with
 * a hole, lines across the antimeridian), and the default style's
 * aggregation. Tiles are decoded with protobuf-c's own unpack and checked
 * against expectations computed here independently: the spherical Mercator
 * formula for where a point lands, SQL counts for the number of point
 * projects, fp_classify on the aggregation's values for the fill colours,
 * the spec's rules for commands, winding and zigzag; GDAL's MVT driver
 * (ogrinfo) must read a tile with the same layers and feature counts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "store/store_internal.h"   /* TEMP: until its SQL moves into src/store/ */
#include "footprint.h"
#include "tiles/mvt.h"
#include "vector_tile.pb-c.h"

#define MAXZ 5                       /* the scene's zooms: 0..MAXZ (1,365 tiles) */
#define LAGOS_N 40                   /* projects on one spot: 25 "5g", 15 "cloud" */

static char tmpdir[64];
static fp_store *store;
static fp_style *style;
static fp_mvt_scene *scene;
static fp_choropleth *choropleth;   /* the default style's, as fp_tiles resolves it */
static sqlite3 *db;

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
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

static int write_points_csv(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    static const char *const cats[] = { "5g", "smart_city", "surveillance", "data_centre", "cable", "cloud" };
    fprintf(f, "id,company,category,name,year,status,source,country,lon,lat\n");
    fprintf(f, "N1,Huawei,smart_city,Nairobi Safe City,2015,active,https://example.org/n1,Kenya,36.8172,-1.2864\n");
    for (int i = 0; i < LAGOS_N; i++)
        fprintf(f, "L%d,ZTE,%s,Lagos %d,2019,,,NGA,3.3792,6.5244\n", i, i < 25 ? "5g" : "cloud", i);
    for (int i = 0; i < 1500; i++)
        fprintf(f, "R%d,Co%d,%s,Random %d,%d,,,,%.6f,%.6f\n", i, i % 7, cats[i % 6], i, 2000 + i % 20,
                uniform(-20, 60), uniform(-35, 60));
    return fclose(f);
}

/* Edges: the antimeridian (both signs), latitudes beyond Mercator's limit
 * (clamped), the origin (a corner of every tile at every zoom). Imported
 * after the aggregation, like shapes.csv: points on whole degrees at sea
 * and lines at sea make the aggregate stage call qsort(NULL, 0)
 * (src/aggregate/region_index.c, cells_candidates), which UBSan reports;
 * the tiles read every project anyway. */
static int write_edges_csv(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "id,company,category,name,year,status,source,country,lon,lat\n");
    fprintf(f, "E1,Edge,other,East edge,,,,,180,10\n");
    fprintf(f, "E2,Edge,other,West edge,,,,,-180,-10\n");
    fprintf(f, "E3,Edge,other,North pole,,,,,10,89.9\n");
    fprintf(f, "E4,Edge,other,South pole,,,,,-10,-89.9\n");
    fprintf(f, "E5,Edge,other,Origin,,,,,0,0\n");
    return fclose(f);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/fp_test_mvtXXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    fp_global_init();
    char path[128], csv[128], edges[128], regions[4096];
    snprintf(path, sizeof path, "%s/s.sqlite", tmpdir);
    snprintf(csv, sizeof csv, "%s/points.csv", tmpdir);
    snprintf(edges, sizeof edges, "%s/edges.csv", tmpdir);
    fp_error err = { 0 };
    fp_import_options io = { 0 };
    fp_import_result ir;
    fp_aggregate_options ao = { .by = "country", .group = "category", .snap_km = -1, .threads = 1 };
    fp_aggregate_result ar;
    if (write_points_csv(csv) || write_edges_csv(edges) || fp_store_open(path, FP_STORE_CREATE, &store, &err) ||
        fp_store_load_regions(store, fp_data_path(NULL, "regions.gpkg", regions, sizeof regions), NULL, &err) ||
        fp_import_file(store, csv, &io, &ir, &err) || fp_aggregate(store, &ao, &ar, &err) ||
        fp_import_file(store, FP_DATADIR "/../tests/fixtures/export/shapes.csv", &io, &ir, &err) ||
        fp_import_file(store, edges, &io, &ir, &err) ||
        fp_style_load(NULL, &style, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    db = fpi_store_sqlite(store);
    if (fp_choropleth_new(store, style, NULL, NULL, &choropleth, &err) || !choropleth ||
        fpi_mvt_scene_new(store, style, choropleth, 0, MAXZ, NULL, &scene, &err)) {
        fprintf(stderr, "scene: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fpi_mvt_scene_free(scene);
    fp_choropleth_free(choropleth);
    fp_style_free(style);
    fp_store_close(store);
    fp_global_cleanup();
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ------------------------------------------------------------ helpers --- */

static long sql_long(const char *sql)
{
    sqlite3_stmt *q;
    long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static FpiVectorTile__Tile *tile_of(int z, int x, int y)
{
    unsigned char *data;
    size_t len;
    fp_error err = { 0 };
    assert_int_equal(fpi_mvt_scene_tile(scene, z, x, y, &data, &len, &err), FP_OK);
    if (!data) return NULL;
    FpiVectorTile__Tile *t = fpi_vector_tile__tile__unpack(NULL, len, data);
    assert_non_null(t);
    free(data);
    return t;
}

static const FpiVectorTile__Tile__Layer *layer_of(const FpiVectorTile__Tile *t, const char *name)
{
    for (size_t i = 0; t && i < t->n_layers; i++)
        if (!strcmp(t->layers[i]->name, name)) return t->layers[i];
    return NULL;
}

/* The value of a feature's attribute; NULL if absent. */
static const FpiVectorTile__Tile__Value *attr(const FpiVectorTile__Tile__Layer *l, const FpiVectorTile__Tile__Feature *f,
                                           const char *key)
{
    assert_int_equal(f->n_tags % 2, 0);
    for (size_t i = 0; i + 1 < f->n_tags; i += 2) {
        assert_in_range(f->tags[i], 0, l->n_keys - 1);
        assert_in_range(f->tags[i + 1], 0, l->n_values - 1);
        if (!strcmp(l->keys[f->tags[i]], key)) return l->values[f->tags[i + 1]];
    }
    return NULL;
}

static long long attr_int(const FpiVectorTile__Tile__Layer *l, const FpiVectorTile__Tile__Feature *f, const char *key,
                          long long missing)
{
    const FpiVectorTile__Tile__Value *v = attr(l, f, key);
    if (!v) return missing;
    if (v->has_uint_value) return (long long)v->uint_value;
    if (v->has_sint_value) return v->sint_value;
    if (v->has_int_value) return v->int_value;
    if (v->has_double_value) return (long long)v->double_value;
    fail_msg("attribute %s is not a number", key);
    return missing;
}

static const char *attr_str(const FpiVectorTile__Tile__Layer *l, const FpiVectorTile__Tile__Feature *f, const char *key)
{
    const FpiVectorTile__Tile__Value *v = attr(l, f, key);
    return v ? v->string_value : NULL;
}

/* A decoded geometry: paths of points; closed: ended by ClosePath. */
#define MAX_PATHS 4096
typedef struct decoded {
    int npaths;
    int start[MAX_PATHS + 1];        /* path i: points start[i] .. start[i + 1] - 1 */
    int closed[MAX_PATHS];
    int npoints;
    long *xy;                        /* 2 * npoints */
} decoded;

static int32_t unzigzag(uint32_t v) { return (int32_t)((v >> 1) ^ (~(v & 1) + 1)); }

/* Decodes a feature's commands as the spec (4.3) says, failing the test on
 * anything a strict decoder must refuse. */
static void decode(const FpiVectorTile__Tile__Feature *f, decoded *d)
{
    memset(d, 0, sizeof *d);
    d->xy = malloc(sizeof(long) * (f->n_geometry + 2));
    long cx = 0, cy = 0;
    size_t i = 0;
    int type = f->type;
    while (i < f->n_geometry) {
        uint32_t cmd = f->geometry[i] & 7, count = f->geometry[i] >> 3;
        i++;
        assert_true(cmd == 1 || cmd == 2 || cmd == 7);
        assert_true(count > 0);
        if (cmd == 7) {
            assert_int_equal(count, 1);
            assert_int_equal(type, FPI_VECTOR_TILE__TILE__GEOM_TYPE__POLYGON);
            assert_true(d->npaths > 0 && !d->closed[d->npaths - 1]);
            d->closed[d->npaths - 1] = 1;
            continue;
        }
        assert_true(i + 2 * (size_t)count <= f->n_geometry);
        if (cmd == 1) {
            if (type != FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT) assert_int_equal(count, 1);
            /* A polygon ring must be closed before the next MoveTo. */
            if (type == FPI_VECTOR_TILE__TILE__GEOM_TYPE__POLYGON && d->npaths) assert_true(d->closed[d->npaths - 1]);
            if (type != FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT || !d->npaths) {
                assert_true(d->npaths < MAX_PATHS);
                d->start[d->npaths++] = d->npoints;
            }
        } else {
            assert_true(d->npaths > 0);
            assert_int_not_equal(type, FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT);
            assert_false(d->closed[d->npaths - 1]);
        }
        for (uint32_t k = 0; k < count; k++) {
            cx += unzigzag(f->geometry[i++]);
            cy += unzigzag(f->geometry[i++]);
            d->xy[2 * d->npoints] = cx;
            d->xy[2 * d->npoints + 1] = cy;
            d->npoints++;
        }
    }
    d->start[d->npaths] = d->npoints;
    assert_true(d->npoints > 0);
    if (type == FPI_VECTOR_TILE__TILE__GEOM_TYPE__POLYGON) assert_true(d->closed[d->npaths - 1]);
}

/* Twice the area by the spec's formula (4.3.4.4), tile coordinates y down. */
static long long path_area2(const decoded *d, int p)
{
    long long a = 0;
    int s = d->start[p], e = d->start[p + 1];
    for (int i = s; i < e; i++) {
        int j = i + 1 == e ? s : i + 1;
        a += (long long)d->xy[2 * i] * d->xy[2 * j + 1] - (long long)d->xy[2 * j] * d->xy[2 * i + 1];
    }
    return a;
}

/* Where lon/lat falls in tile units at zoom z, by the spherical Mercator
 * formula of the OSM wiki (not the code under test). */
static void expected_position(double lon, double lat, int z, int *tx, int *ty, double *px, double *py)
{
    double n = ldexp(1.0, z), r = lat * M_PI / 180;
    double wx = (lon + 180) / 360 * n, wy = (1 - log(tan(r) + 1 / cos(r)) / M_PI) / 2 * n;
    *tx = (int)floor(wx);
    *ty = (int)floor(wy);
    *px = (wx - *tx) * 4096;
    *py = (wy - *ty) * 4096;
}

/* -------------------------------------------------------------- tests --- */

static void test_layers_version_extent(void **state)
{
    (void)state;
    FpiVectorTile__Tile *t = tile_of(0, 0, 0);
    assert_non_null(t);
    assert_int_equal(t->n_layers, 2);
    for (size_t i = 0; i < t->n_layers; i++) {
        const FpiVectorTile__Tile__Layer *l = t->layers[i];
        assert_true(!strcmp(l->name, "projects") || !strcmp(l->name, "regions"));
        assert_int_equal(l->version, 2);
        assert_int_equal(l->extent, 4096);
        assert_true(l->n_features > 0);
        for (size_t a = 0; a < l->n_keys; a++)   /* keys unique (spec 4.4) */
            for (size_t b = a + 1; b < l->n_keys; b++) assert_string_not_equal(l->keys[a], l->keys[b]);
        for (size_t k = 0; k < l->n_values; k++) {   /* each value exactly one type */
            const FpiVectorTile__Tile__Value *v = l->values[k];
            int kinds = (v->string_value != NULL) + v->has_float_value + v->has_double_value + v->has_int_value +
                        v->has_uint_value + v->has_sint_value + v->has_bool_value;
            assert_int_equal(kinds, 1);
        }
    }
    assert_non_null(layer_of(t, "projects"));
    assert_non_null(layer_of(t, "regions"));
    fpi_vector_tile__tile__free_unpacked(t, NULL);
}

/* Nairobi (36.8172, -1.2864) at every zoom: single at maxzoom where it is
 * alone on its pixel, with its attributes; at the tile and position of the
 * Mercator formula, within one unit (the encoder floors to the pixel). */
static void test_nairobi_position(void **state)
{
    (void)state;
    long id = sql_long("SELECT id FROM projects WHERE source_key='N1'");
    assert_true(id > 0);
    int tx, ty;
    double px, py;
    expected_position(36.8172, -1.2864, MAXZ, &tx, &ty, &px, &py);
    FpiVectorTile__Tile *t = tile_of(MAXZ, tx, ty);
    const FpiVectorTile__Tile__Layer *l = layer_of(t, "projects");
    assert_non_null(l);
    int found = 0;
    for (size_t i = 0; i < l->n_features; i++) {
        const FpiVectorTile__Tile__Feature *f = l->features[i];
        if (!f->has_id || f->id != (uint64_t)id) continue;
        found++;
        assert_int_equal(f->type, FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT);
        decoded d;
        decode(f, &d);
        assert_int_equal(d.npoints, 1);
        assert_true(fabs(d.xy[0] - px) <= 1.0);
        assert_true(fabs(d.xy[1] - py) <= 1.0);
        free(d.xy);
        assert_int_equal(attr_int(l, f, "id", -1), id);
        assert_int_equal(attr_int(l, f, "point_count", -1), 1);
        assert_int_equal(attr_int(l, f, "year", -1), 2015);
        assert_string_equal(attr_str(l, f, "category"), "smart_city");
        assert_string_equal(attr_str(l, f, "company"), "Huawei");
        assert_string_equal(attr_str(l, f, "status"), "active");
        assert_string_equal(attr_str(l, f, "source"), "https://example.org/n1");
        assert_string_equal(attr_str(l, f, "country_code"), "KEN");
        assert_string_equal(attr_str(l, f, "name"), "Nairobi Safe City");
    }
    assert_int_equal(found, 1);
    fpi_vector_tile__tile__free_unpacked(t, NULL);
}

/* Over every tile of every zoom, the point features' point_count adds up to
 * the point projects (SQL), each point feature lies in its own tile (0..4095),
 * and the 40 Lagos projects are one feature at maxzoom with exact counts. */
static void test_point_counts_add_up(void **state)
{
    (void)state;
    long expected = sql_long("SELECT count(*) FROM projects WHERE geom IS NOT NULL AND GeometryType(geom) = 'POINT'");
    assert_int_equal(expected, 1 + LAGOS_N + 1500 + 5 + 2);   /* + S5, S6 of shapes.csv */
    assert_int_equal(fpi_mvt_scene_point_projects(scene), (size_t)expected);
    for (int z = 0; z <= MAXZ; z++) {
        long sum = 0, features = 0, clusters = 0, lagos = 0;
        int n = 1 << z;
        for (int x = 0; x < n; x++)
            for (int y = 0; y < n; y++) {
                FpiVectorTile__Tile *t = tile_of(z, x, y);
                const FpiVectorTile__Tile__Layer *l = layer_of(t, "projects");
                for (size_t i = 0; l && i < l->n_features; i++) {
                    const FpiVectorTile__Tile__Feature *f = l->features[i];
                    long long count = attr_int(l, f, "point_count", -1);
                    if (f->type != FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT || count < 0) continue;
                    decoded d;
                    decode(f, &d);
                    assert_int_equal(d.npoints, 1);
                    assert_in_range(d.xy[0], 0, 4095);
                    assert_in_range(d.xy[1], 0, 4095);
                    free(d.xy);
                    assert_true(count >= 1);
                    sum += count;
                    features++;
                    if (count > 1) {
                        clusters++;
                        assert_false(f->has_id);
                        assert_non_null(attr_str(l, f, "category"));
                        assert_non_null(attr_str(l, f, "categories"));
                    }
                    if (z == MAXZ && count == LAGOS_N) {
                        lagos++;
                        assert_string_equal(attr_str(l, f, "category"), "5g");
                        assert_string_equal(attr_str(l, f, "categories"), "{\"5g\":25,\"cloud\":15}");
                    }
                }
                if (t) fpi_vector_tile__tile__free_unpacked(t, NULL);
            }
        assert_int_equal(sum, expected);
        if (z < MAXZ) assert_true(clusters > 0 && features < expected);   /* dense: merged */
        if (z == MAXZ) {
            /* Only points on one pixel merge at maxzoom: Lagos. (A pixel
             * is ~300 m at zoom 5; the 1,500 scattered points of this seed
             * never share one.) */
            assert_int_equal(lagos, 1);
            assert_int_equal(clusters, 1);
            assert_int_equal(features, expected - LAGOS_N + 1);
        }
    }
}

/* Every feature of zooms 0..3 decodes strictly; polygon exteriors have
 * positive area, each ring at least 3 points and nonzero area, lines and
 * polygons stay within the buffer. The polygon with a hole (S2) has a
 * negative second ring. */
static void test_geometry_encoding(void **state)
{
    (void)state;
    long s2 = sql_long("SELECT id FROM projects WHERE source_key='S2'");
    int s2_seen = 0;
    for (int z = 0; z <= 3; z++) {
        int n = 1 << z;
        for (int x = 0; x < n; x++)
            for (int y = 0; y < n; y++) {
                FpiVectorTile__Tile *t = tile_of(z, x, y);
                for (size_t li = 0; t && li < t->n_layers; li++) {
                    const FpiVectorTile__Tile__Layer *l = t->layers[li];
                    for (size_t i = 0; i < l->n_features; i++) {
                        const FpiVectorTile__Tile__Feature *f = l->features[i];
                        assert_true(f->has_type);
                        decoded d;
                        decode(f, &d);
                        if (f->type != FPI_VECTOR_TILE__TILE__GEOM_TYPE__POINT)
                            for (int k = 0; k < d.npoints; k++) {
                                assert_in_range(d.xy[2 * k] + 64, 0, 4096 + 128);
                                assert_in_range(d.xy[2 * k + 1] + 64, 0, 4096 + 128);
                            }
                        if (f->type == FPI_VECTOR_TILE__TILE__GEOM_TYPE__POLYGON) {
                            assert_true(path_area2(&d, 0) > 0);   /* first ring: an exterior */
                            for (int p = 0; p < d.npaths; p++) {
                                assert_true(d.start[p + 1] - d.start[p] >= 3);
                                assert_true(path_area2(&d, p) != 0);
                            }
                            if (z == 3 && f->has_id && f->id == (uint64_t)s2 && !strcmp(l->name, "projects")) {
                                s2_seen = 1;
                                assert_int_equal(d.npaths, 2);
                                assert_true(path_area2(&d, 1) < 0);
                            }
                        }
                        if (f->type == FPI_VECTOR_TILE__TILE__GEOM_TYPE__LINESTRING)
                            for (int p = 0; p < d.npaths; p++) assert_true(d.start[p + 1] - d.start[p] >= 2);
                        free(d.xy);
                    }
                }
                if (t) fpi_vector_tile__tile__free_unpacked(t, NULL);
            }
    }
    /* S2: a 4-degree box with a 1-degree hole: at zoom 3 (a degree is ~91
     * units) both rings survive simplification. */
    assert_true(s2_seen);
}

/* The cable S3 (170 10 -> -170 12) crosses the antimeridian: cut there, it
 * is two lines at the world's east and west edges, never a line across the
 * whole map. */
static void test_antimeridian_line(void **state)
{
    (void)state;
    long s3 = sql_long("SELECT id FROM projects WHERE source_key='S3'");
    FpiVectorTile__Tile *t = tile_of(0, 0, 0);
    const FpiVectorTile__Tile__Layer *l = layer_of(t, "projects");
    int found = 0;
    for (size_t i = 0; i < l->n_features; i++) {
        const FpiVectorTile__Tile__Feature *f = l->features[i];
        if (!f->has_id || f->id != (uint64_t)s3) continue;
        found = 1;
        assert_int_equal(f->type, FPI_VECTOR_TILE__TILE__GEOM_TYPE__LINESTRING);
        decoded d;
        decode(f, &d);
        assert_int_equal(d.npaths, 2);
        for (int p = 0; p < d.npaths; p++)
            for (int k = d.start[p] + 1; k < d.start[p + 1]; k++) assert_true(labs(d.xy[2 * k] - d.xy[2 * k - 2]) < 2048);
        free(d.xy);
        assert_null(attr(l, f, "point_count"));
        assert_string_equal(attr_str(l, f, "category"), "cable");
    }
    assert_true(found);
    fpi_vector_tile__tile__free_unpacked(t, NULL);
}

/* Each region's fill is the colour fp_classify gives its value (classes
 * computed here from the aggregation table with the style's spec), class
 * its 1-based index; no data: the no-data colour and no class. */
static void test_region_fill_matches_classes(void **state)
{
    (void)state;
    const fp_choropleth_spec *cs = fp_style_choropleth(style);
    assert_non_null(cs);
    char *sql = sqlite3_mprintf("SELECT \"%w\" FROM \"agg_%w\" WHERE level='%q' AND geom IS NOT NULL", cs->field,
                                cs->aggregation, cs->level);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    sqlite3_free(sql);
    double values[1000];
    size_t n = 0;
    while (sqlite3_step(q) == SQLITE_ROW && n < 1000)
        values[n++] = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    assert_true(n > 200);
    fp_classes classes;
    fp_error err = { 0 };
    assert_int_equal(fp_classify(cs, values, n, &classes, &err), FP_OK);
    assert_true(classes.n >= 2);
    int checked = 0, nodata = 0;
    for (int x = 0; x < 4; x++)
        for (int y = 0; y < 4; y++) {
            FpiVectorTile__Tile *t = tile_of(2, x, y);
            const FpiVectorTile__Tile__Layer *l = layer_of(t, "regions");
            for (size_t i = 0; l && i < l->n_features; i++) {
                const FpiVectorTile__Tile__Feature *f = l->features[i];
                assert_int_equal(f->type, FPI_VECTOR_TILE__TILE__GEOM_TYPE__POLYGON);
                assert_non_null(attr_str(l, f, "code"));
                assert_non_null(attr_str(l, f, "name"));
                const FpiVectorTile__Tile__Value *v = attr(l, f, cs->field);
                double value = !v ? NAN : v->has_double_value ? v->double_value : (double)attr_int(l, f, cs->field, 0);
                int k = fp_classes_index(&classes, value);
                char hex[10];
                fp_rgba_to_hex(k >= 0 ? classes.colors[k] : classes.nodata, hex);
                assert_string_equal(attr_str(l, f, "fill"), hex);
                assert_int_equal(attr_int(l, f, "class", 0), k + 1);
                checked++;
                nodata += k < 0;
            }
            if (t) fpi_vector_tile__tile__free_unpacked(t, NULL);
        }
    fp_classes_clear(&classes);
    assert_true(checked > 200);
    assert_true(nodata > 0);   /* zero_is_nodata: countries without projects */
}

/* Concurrent encoding gives the same bytes as serial encoding. */
typedef struct thread_job { int z; int ok; } thread_job;

static void *encode_zoom(void *arg)
{
    thread_job *j = arg;
    int n = 1 << j->z;
    j->ok = 1;
    for (int x = 0; x < n; x++)
        for (int y = 0; y < n; y++) {
            unsigned char *a, *b;
            size_t la, lb;
            fp_error err;
            if (fpi_mvt_scene_tile(scene, j->z, x, y, &a, &la, &err) || fpi_mvt_scene_tile(scene, j->z, x, y, &b, &lb, &err))
                j->ok = 0;
            else if (la != lb || (la && memcmp(a, b, la))) j->ok = 0;
            free(a);
            free(b);
        }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    /* Reference bytes of zoom 3, serially. */
    unsigned char *ref[64];
    size_t reflen[64];
    fp_error err;
    for (int i = 0; i < 64; i++)
        assert_int_equal(fpi_mvt_scene_tile(scene, 3, i % 8, i / 8, &ref[i], &reflen[i], &err), FP_OK);
    pthread_t th[4];
    thread_job jobs[4] = { { 3, 0 }, { 3, 0 }, { 4, 0 }, { 2, 0 } };
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, encode_zoom, &jobs[i]), 0);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) assert_true(jobs[i].ok);
    for (int i = 0; i < 64; i++) {
        unsigned char *again;
        size_t len;
        assert_int_equal(fpi_mvt_scene_tile(scene, 3, i % 8, i / 8, &again, &len, &err), FP_OK);
        assert_int_equal(len, reflen[i]);
        if (len) assert_memory_equal(again, ref[i], len);
        free(again);
        free(ref[i]);
    }
}

/* Tiles outside the scene or the zoom's grid are refused; a tile over the
 * empty South Pacific has no feature. */
static void test_bad_and_empty_tiles(void **state)
{
    (void)state;
    unsigned char *data = (unsigned char *)"x";
    size_t len = 7;
    fp_error err = { 0 };
    assert_int_equal(fpi_mvt_scene_tile(scene, MAXZ + 1, 0, 0, &data, &len, &err), FP_ERR_USAGE);
    assert_null(data);
    assert_int_equal(fpi_mvt_scene_tile(scene, 2, 4, 0, &data, &len, &err), FP_ERR_USAGE);
    assert_int_equal(fpi_mvt_scene_tile(scene, 2, 0, -1, &data, &len, &err), FP_ERR_USAGE);
    int tx, ty;
    double px, py;
    expected_position(-140, -45, MAXZ, &tx, &ty, &px, &py);
    assert_int_equal(fpi_mvt_scene_tile(scene, MAXZ, tx, ty, &data, &len, &err), FP_OK);
    assert_null(data);
    assert_int_equal(len, 0);
}

static void test_vector_layers_json(void **state)
{
    (void)state;
    char *text = fpi_mvt_vector_layers_json(scene);
    assert_non_null(text);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    free(text);
    assert_non_null(root);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 2);
    int seen = 0;
    for (size_t i = 0; i < json_array_size(root); i++) {
        json_t *l = json_array_get(root, i);
        const char *id = json_string_value(json_object_get(l, "id"));
        json_t *fields = json_object_get(l, "fields");
        assert_non_null(id);
        assert_true(json_is_object(fields));
        assert_int_equal(json_integer_value(json_object_get(l, "minzoom")), 0);
        assert_int_equal(json_integer_value(json_object_get(l, "maxzoom")), MAXZ);
        if (!strcmp(id, "projects")) {
            seen |= 1;
            assert_string_equal(json_string_value(json_object_get(fields, "point_count")), "Number");
            assert_string_equal(json_string_value(json_object_get(fields, "category")), "String");
            assert_string_equal(json_string_value(json_object_get(fields, "id")), "Number");
        } else if (!strcmp(id, "regions")) {
            seen |= 2;
            assert_string_equal(json_string_value(json_object_get(fields, "fill")), "String");
            assert_string_equal(json_string_value(json_object_get(fields, "projects")), "Number");
            assert_string_equal(json_string_value(json_object_get(fields, "class")), "Number");
        }
    }
    assert_int_equal(seen, 3);
    json_decref(root);
}

static json_t *style_layer(json_t *layers, const char *id)
{
    for (size_t i = 0; i < json_array_size(layers); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(layers, i), "id")), id))
            return json_array_get(layers, i);
    return NULL;
}

static void test_maplibre_style(void **state)
{
    (void)state;
    char *text = fpi_mvt_maplibre_style(scene, style, "http://localhost/tiles.json");
    assert_non_null(text);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    free(text);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 8);
    assert_null(json_object_get(root, "glyphs"));
    assert_null(json_object_get(root, "sprite"));
    json_t *src = json_object_get(json_object_get(root, "sources"), "footprint");
    assert_string_equal(json_string_value(json_object_get(src, "type")), "vector");
    assert_string_equal(json_string_value(json_object_get(src, "url")), "http://localhost/tiles.json");
    json_t *layers = json_object_get(root, "layers");
    char hex[10];
    fp_rgba_to_hex(fp_style_map(style)->background, hex);
    json_t *bg = style_layer(layers, "background");
    assert_non_null(bg);
    assert_string_equal(json_string_value(json_object_get(json_object_get(bg, "paint"), "background-color")), hex);
    json_t *regions = style_layer(layers, "regions");
    assert_non_null(regions);
    json_t *fill = json_object_get(json_object_get(regions, "paint"), "fill-color");
    assert_string_equal(json_string_value(json_array_get(fill, 0)), "get");
    assert_string_equal(json_string_value(json_array_get(fill, 1)), "fill");
    assert_non_null(style_layer(layers, "borders"));
    assert_non_null(style_layer(layers, "projects"));
    json_t *clusters = style_layer(layers, "clusters");
    assert_non_null(clusters);
    /* Category colours: a match on the category whose pairs are the
     * style's colours. */
    json_t *color = json_object_get(json_object_get(style_layer(layers, "projects"), "paint"), "circle-color");
    assert_string_equal(json_string_value(json_array_get(color, 0)), "match");
    size_t n = json_array_size(color);
    int cable = 0;
    for (size_t i = 2; i + 1 < n; i += 2)
        if (!strcmp(json_string_value(json_array_get(color, i)), "cable")) {
            fp_rgba_to_hex(fp_style_category_color(style, "cable"), hex);
            assert_string_equal(json_string_value(json_array_get(color, i + 1)), hex);
            cable = 1;
        }
    assert_true(cable);
    for (size_t i = 0; i < json_array_size(layers); i++)
        assert_string_not_equal(json_string_value(json_object_get(json_array_get(layers, i), "type")), "symbol");
    json_decref(root);
}

/* GDAL's MVT driver reads a tile written as z/x/y.pbf with the layers and
 * feature counts we decode (CLIP=NO: GDAL would otherwise drop features
 * lying only in the buffer). */
static void test_gdal_reads_tile(void **state)
{
    (void)state;
    int tx, ty;
    double px, py;
    expected_position(36.8172, -1.2864, 3, &tx, &ty, &px, &py);
    unsigned char *data;
    size_t len;
    fp_error err;
    assert_int_equal(fpi_mvt_scene_tile(scene, 3, tx, ty, &data, &len, &err), FP_OK);
    assert_non_null(data);
    char path[256], cmd[512];
    snprintf(path, sizeof path, "%s/3", tmpdir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/3/%d", tmpdir, tx);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/3/%d/%d.pbf", tmpdir, tx, ty);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    FpiVectorTile__Tile *t = fpi_vector_tile__tile__unpack(NULL, len, data);
    free(data);
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -so -al -oo CLIP=NO '%s' 2>&1", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024], layer[128] = "";
    int layers = 0;
    while (fgets(line, sizeof line, p)) {
        long count;
        if (sscanf(line, "Layer name: %127s", layer) == 1) layers++;
        if (sscanf(line, "Feature Count: %ld", &count) == 1) {
            const FpiVectorTile__Tile__Layer *l = layer_of(t, layer);
            assert_non_null(l);
            assert_int_equal(count, (long)l->n_features);
        }
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(layers, (int)t->n_layers);
    assert_int_equal(layers, 2);
    fpi_vector_tile__tile__free_unpacked(t, NULL);
}

/* A style without a choropleth: the regions layer is plain land in the
 * style's land colour, without value or class. */
static void test_land_without_choropleth(void **state)
{
    (void)state;
    fp_style *points;
    fp_mvt_scene *s;
    fp_error err = { 0 };
    assert_int_equal(fp_style_load("category-points", &points, &err), FP_OK);
    assert_null(fp_style_choropleth(points));
    fp_choropleth *none = (fp_choropleth *)1;
    assert_int_equal(fp_choropleth_new(store, points, NULL, NULL, &none, &err), FP_OK);
    assert_null(none);   /* no choropleth: plain land */
    assert_int_equal(fpi_mvt_scene_new(store, points, NULL, 0, 1, NULL, &s, &err), FP_OK);
    assert_null(fpi_mvt_scene_value_field(s));
    unsigned char *data;
    size_t len;
    assert_int_equal(fpi_mvt_scene_tile(s, 0, 0, 0, &data, &len, &err), FP_OK);
    FpiVectorTile__Tile *t = fpi_vector_tile__tile__unpack(NULL, len, data);
    free(data);
    const FpiVectorTile__Tile__Layer *l = layer_of(t, "regions");
    assert_non_null(l);
    char land[10];
    fp_rgba_to_hex(fp_style_map(points)->land.fill, land);
    for (size_t i = 0; i < l->n_features; i++) {
        assert_string_equal(attr_str(l, l->features[i], "fill"), land);
        assert_null(attr(l, l->features[i], "class"));
    }
    fpi_vector_tile__tile__free_unpacked(t, NULL);
    char *text = fpi_mvt_maplibre_style(s, points, "tiles.json");
    json_t *root = json_loads(text, 0, NULL);
    assert_non_null(root);
    free(text);
    /* category-points draws its points: the project layers are visible. */
    json_t *layout = json_object_get(style_layer(json_object_get(root, "layers"), "projects"), "layout");
    assert_string_equal(json_string_value(json_object_get(layout, "visibility")), "visible");
    json_decref(root);
    fpi_mvt_scene_free(s);
    fp_style_free(points);
}

static void test_bad_zoom_range(void **state)
{
    (void)state;
    fp_mvt_scene *s = (fp_mvt_scene *)1;
    fp_error err = { 0 };
    assert_int_equal(fpi_mvt_scene_new(store, style, choropleth, 3, 2, NULL, &s, &err), FP_ERR_USAGE);
    assert_null(s);
    assert_int_equal(fpi_mvt_scene_new(store, style, choropleth, 0, 23, NULL, &s, &err), FP_ERR_USAGE);
    /* An aggregation the store lacks: the choropleth says which. */
    fp_choropleth *ch = (fp_choropleth *)1;
    assert_int_equal(fp_choropleth_new(store, style, "no_such_aggregation", NULL, &ch, &err), FP_ERR_USAGE);
    assert_null(ch);
    assert_non_null(strstr(err.message, "no_such_aggregation"));
}

/* The choropleth API itself: every region of the level once, each in the
 * class fp_classify gives its value (classes computed here from the table
 * with the style's spec), the legend's title and counts. */
typedef struct walk { const fp_classes *expect; int regions, labels, mismatched; long per_class[16]; } walk;

static int walk_region(void *user, const fp_choropleth_region *r)
{
    walk *w = user;
    int k = fp_classes_index(w->expect, r->value);
    fp_rgba want = k >= 0 ? w->expect->colors[k] : w->expect->nodata;
    if (k != r->class_index || memcmp(&want, &r->fill, sizeof want) || !r->wkb || !r->code) w->mismatched++;
    if (k >= 0) w->per_class[k]++;
    w->regions++;
    w->labels += r->has_label && r->label_lon >= -180 && r->label_lon <= 180 && fabs(r->label_lat) <= 90;
    return 0;
}

static void test_choropleth_api(void **state)
{
    (void)state;
    const fp_choropleth_spec *cs = fp_style_choropleth(style);
    char *sql = sqlite3_mprintf("SELECT \"%w\" FROM \"agg_%w\" WHERE level='%q' AND geom IS NOT NULL", cs->field,
                                cs->aggregation, cs->level ? cs->level : "country");
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    sqlite3_free(sql);
    double values[1000];
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW && n < 1000)
        values[n++] = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    fp_classes expect;
    fp_error err = { 0 };
    assert_int_equal(fp_classify(cs, values, (size_t)n, &expect, &err), FP_OK);
    const fp_classes *got = fp_choropleth_classes(choropleth);
    assert_int_equal(got->n, expect.n);
    for (int i = 0; i <= expect.n; i++) assert_true(got->breaks[i] == expect.breaks[i]);
    assert_string_equal(fp_choropleth_title(choropleth), "Projects per country");
    walk w = { .expect = &expect };
    assert_int_equal(fp_choropleth_each(choropleth, FP_CHOROPLETH_LABELS, walk_region, &w, &err), FP_OK);
    assert_int_equal(w.regions, n);
    assert_int_equal(w.mismatched, 0);
    assert_int_equal(w.labels, n);
    for (int i = 0; i < expect.n; i++) assert_int_equal(w.per_class[i], expect.counts[i]);
    fp_classes_clear(&expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers_version_extent),
        cmocka_unit_test(test_nairobi_position),
        cmocka_unit_test(test_point_counts_add_up),
        cmocka_unit_test(test_geometry_encoding),
        cmocka_unit_test(test_antimeridian_line),
        cmocka_unit_test(test_region_fill_matches_classes),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_bad_and_empty_tiles),
        cmocka_unit_test(test_vector_layers_json),
        cmocka_unit_test(test_maplibre_style),
        cmocka_unit_test(test_gdal_reads_tile),
        cmocka_unit_test(test_land_without_choropleth),
        cmocka_unit_test(test_bad_zoom_range),
        cmocka_unit_test(test_choropleth_api),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
