/* Unit tests of the store (open, create, in-place upgrade, refusals) and of
 * the R*Tree bulk loader (src/store/store.c, src/store/rtree_bulk.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <float.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "fp_store.h"
#include "store/store_internal.h"

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/fp_test_storeXXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    fp_global_init();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fp_global_cleanup();
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void db_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* One integer (or text) from a query on a plain handle. */
static sqlite3_int64 query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        print_error("prepare failed: %s: %s\n", sql, sqlite3_errmsg(db));
        fail();
    }
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    sqlite3_int64 v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static char *query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        print_error("prepare failed: %s: %s\n", sql, sqlite3_errmsg(db));
        fail();
    }
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(q, 0);
    char *v = t ? strdup((const char *)t) : NULL;
    sqlite3_finalize(q);
    return v;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        print_error("%s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        fail();
    }
}

/* ---------------------------------------------------------------- store */

static void test_create_new(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "new.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    fp_status st = fp_store_open(path, FP_STORE_CREATE, &s, &err);
    if (st != FP_OK) print_error("%s\n", err.message);
    assert_int_equal(st, FP_OK);
    assert_non_null(s);
    assert_string_equal(fp_store_path(s), path);
    assert_int_equal(fp_store_schema_version(s), FP_SCHEMA_VERSION);
    assert_int_equal(fp_store_opened_version(s), 0);
    assert_int_equal(fp_store_count(s, "regions"), 0);
    assert_int_equal(fp_store_count(s, "projects"), 0);
    assert_int_equal(fp_store_count(s, "imports"), 0);
    assert_int_equal(fp_store_count(s, "rejects"), 0);
    assert_int_equal(fp_store_count(s, "meta"), -1);           /* not a counted table */
    assert_int_equal(fp_store_count(s, "projects; DROP TABLE x"), -1);
    sqlite3 *db = fpi_store_sqlite(s);
    assert_non_null(db);
    /* The v2 columns exist and SpatiaLite registered both geometry columns. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('projects') "
                                   "WHERE name IN ('geocode_method','geocode_ref','geocode_precision')"), 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM geometry_columns "
                                   "WHERE f_table_name IN ('regions','projects')"), 2);
    fp_store_close(s);

    /* Opened again: nothing to upgrade. */
    s = NULL;
    assert_int_equal(fp_store_open(path, 0, &s, &err), FP_OK);
    assert_int_equal(fp_store_opened_version(s), FP_SCHEMA_VERSION);
    assert_int_equal(fp_store_schema_version(s), FP_SCHEMA_VERSION);
    fp_store_close(s);
    fp_store_close(NULL);
}

/* A bulk import's transaction checks no foreign keys; after its commit or
 * rollback the connection checks them again (a project naming no import
 * is refused). */
static void test_bulk_transaction_foreign_keys(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "bulk_fk.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    sqlite3 *db = fpi_store_sqlite(s);
    assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
    static const char *orphan = "INSERT INTO projects(import_id, dataset, source_key) VALUES(999, 'd', 'k')";
    for (int commit = 0; commit < 2; commit++) {
        assert_int_equal(fp_store_begin_bulk(s, &err), FP_OK);
        assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 0);
        if (commit) {
            assert_int_equal(fp_store_commit(s, &err), FP_OK);
        } else {
            fp_store_rollback(s);
        }
        assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
        assert_int_not_equal(sqlite3_exec(db, orphan, NULL, NULL, NULL), SQLITE_OK);
    }
    /* An ordinary transaction keeps them. */
    assert_int_equal(fp_store_begin(s, &err), FP_OK);
    assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
    fp_store_rollback(s);
    assert_int_equal(fp_store_count(s, "projects"), 0);
    fp_store_close(s);
}

/* v3 -> v4 on a store with an aggregation: its population becomes BIGINT
 * (OGR then reads it as Integer64) with its values, and it gets a spatial
 * index; the projects get their typed copies. */
static void test_upgrade_v3_aggregation(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "v3.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_store_open_at(NULL, path, FP_STORE_CREATE, 3, &s, &err), FP_OK);
    sqlite3 *db = fpi_store_sqlite(s);
    exec_ok(db, "INSERT INTO imports(id, file, checksum, dataset) VALUES(1, 'p.csv', 'abc', 'd')");
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key, geom) VALUES(5, 1, 'd', 'l',"
                " GeomFromText('LINESTRING(0 0, 1 1)', 4326))");
    exec_ok(db, "CREATE TABLE agg_x(id INTEGER PRIMARY KEY, code TEXT, population INTEGER, projects INTEGER NOT NULL)");
    exec_ok(db, "SELECT AddGeometryColumn('agg_x', 'geom', 4326, 'MULTIPOLYGON', 'XY')");
    exec_ok(db, "INSERT INTO agg_x(code, population, projects, geom) VALUES('Asia', 4501210011, 3,"
                " GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))', 4326)), ('x', NULL, 0, NULL)");
    exec_ok(db, "INSERT INTO aggregations(name, level, spec, result_table, assign_table)"
                " VALUES('x', 'continent', 'continent', 'agg_x', 'agg_x_assign')");
    fp_store_close(s);

    s = NULL;
    assert_int_equal(fp_store_open(path, 0, &s, &err), FP_OK);
    db = fpi_store_sqlite(s);
    assert_int_equal(fp_store_opened_version(s), 3);
    char *type = query_text(db, "SELECT type FROM pragma_table_info('agg_x') WHERE name = 'population'");
    assert_string_equal(type, "BIGINT");
    free(type);
    char *v = query_text(db, "SELECT population FROM agg_x WHERE code = 'Asia'");
    assert_string_equal(v, "4501210011");
    free(v);
    assert_int_equal(query_int(db, "SELECT count(*) FROM agg_x WHERE code = 'x' AND population IS NULL"), 1);
    assert_int_equal(query_int(db, "SELECT spatial_index_enabled FROM geometry_columns WHERE f_table_name = 'agg_x'"), 1);
    char *ok = query_text(db, "SELECT rtreecheck('idx_agg_x_geom')");
    assert_string_equal(ok, "ok");
    free(ok);
    assert_int_equal(query_int(db, "SELECT count(*) FROM idx_agg_x_geom"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_line WHERE id = 5"), 1);
    fp_store_close(s);
}

static void test_upgrade_in_place(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "v1.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    fp_status st = fpi_store_open_at(NULL, path, FP_STORE_CREATE, 1, &s, &err);
    if (st != FP_OK) print_error("%s\n", err.message);
    assert_int_equal(st, FP_OK);
    assert_int_equal(fp_store_schema_version(s), 1);
    assert_int_equal(fp_store_opened_version(s), 0);
    sqlite3 *db = fpi_store_sqlite(s);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('projects') "
                                   "WHERE name = 'geocode_method'"), 0);
    exec_ok(db, "INSERT INTO imports(id, file, checksum, dataset) VALUES(1, 'p.csv', 'abc', 'd')");
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key, geom) "
                "VALUES(10, 1, 'd', 'k1', MakePoint(36.8, -1.3, 4326))");
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key, place) "
                "VALUES(11, 1, 'd', 'k2', 'Nairobi')");
    fp_store_close(s);

    /* Read-only cannot upgrade. */
    s = NULL;
    st = fp_store_open(path, FP_STORE_READONLY, &s, &err);
    assert_int_equal(st, FP_ERR_STATE);
    assert_null(s);

    s = NULL;
    st = fp_store_open(path, 0, &s, &err);
    if (st != FP_OK) print_error("%s\n", err.message);
    assert_int_equal(st, FP_OK);
    assert_int_equal(fp_store_opened_version(s), 1);
    assert_int_equal(fp_store_schema_version(s), FP_SCHEMA_VERSION);
    assert_int_equal(fp_store_count(s, "projects"), 2);
    assert_int_equal(fp_store_count(s, "imports"), 1);
    db = fpi_store_sqlite(s);
    char *method = query_text(db, "SELECT geocode_method FROM projects WHERE id = 10");
    assert_non_null(method);
    assert_string_equal(method, "input");
    free(method);
    char *precision = query_text(db, "SELECT geocode_precision FROM projects WHERE id = 10");
    assert_string_equal(precision, "point");
    free(precision);
    /* v3: the aggregation catalogue and the cached region areas. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('aggregations', 'region_groups')"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('regions') WHERE name = 'area_km2'"), 1);
    /* A row without geometry is left for the geocoder. */
    char *none = query_text(db, "SELECT geocode_method FROM projects WHERE id = 11");
    assert_null(none);
    /* The point itself is intact. */
    char *wkt = query_text(db, "SELECT AsText(geom) FROM projects WHERE id = 10");
    assert_non_null(wkt);
    assert_string_equal(wkt, "POINT(36.8 -1.3)");
    free(wkt);
    assert_int_equal(query_int(db, "SELECT ST_SRID(geom) FROM projects WHERE id = 10"), 4326);
    /* v4: the point is in the typed table and view QGIS reads, as a multipoint. */
    wkt = query_text(db, "SELECT AsText(geom) FROM projects_point WHERE id = 10");
    assert_non_null(wkt);
    assert_string_equal(wkt, "MULTIPOINT(36.8 -1.3)");
    free(wkt);
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_line"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM views_geometry_columns"), 3);
    assert_int_equal(query_int(db, "SELECT hidden FROM geometry_columns_auth WHERE f_table_name = 'projects'"), 1);
    char *pop = query_text(db, "SELECT type FROM pragma_table_info('regions') WHERE name = 'population'");
    assert_string_equal(pop, "BIGINT");
    free(pop);
    fp_store_close(s);

    /* Once upgraded, a read-only open works. */
    s = NULL;
    assert_int_equal(fp_store_open(path, FP_STORE_READONLY, &s, &err), FP_OK);
    assert_int_equal(fp_store_opened_version(s), FP_SCHEMA_VERSION);
    fp_store_close(s);
}

/* v4 -> v5 (data QA): a v4 store keeps its rows and points; projects gets
 * the qa column (empty), the typed views show it, and the findings and fix
 * journal tables exist, empty. */
static void test_upgrade_v4_qa(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "v4.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_store_open_at(NULL, path, FP_STORE_CREATE, 4, &s, &err), FP_OK);
    sqlite3 *db = fpi_store_sqlite(s);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('projects') WHERE name = 'qa'"), 0);
    exec_ok(db, "INSERT INTO imports(id, file, checksum, dataset) VALUES(1, 'p.csv', 'abc', 'd')");
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key, geom) VALUES(7, 1, 'd', 'k',"
                " MakePoint(-1.29, 36.82, 4326))");
    fp_store_close(s);

    s = NULL;
    assert_int_equal(fp_store_open(path, 0, &s, &err), FP_OK);
    db = fpi_store_sqlite(s);
    assert_int_equal(fp_store_opened_version(s), 4);
    assert_int_equal(fp_store_schema_version(s), FP_SCHEMA_VERSION);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('projects') WHERE name = 'qa'"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects WHERE id = 7 AND qa IS NULL"), 1);
    char *wkt = query_text(db, "SELECT AsText(geom) FROM projects WHERE id = 7");
    assert_string_equal(wkt, "POINT(-1.29 36.82)");
    free(wkt);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('projects_point') WHERE name = 'qa'"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_point WHERE id = 7"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM views_geometry_columns"), 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM qa_findings") + query_int(db, "SELECT count(*) FROM qa_fixes"), 0);
    fp_store_close(s);
}

/* v5 -> v6 (the column cache): the table and its three triggers; the
 * triggers drop the part of a row inserted, deleted or changed in a cached
 * column, and keep it for a qa flag; a blob that is not one the store
 * wrote reads as no cache. */
static void test_upgrade_v5_column_cache(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "v5.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fpi_store_open_at(NULL, path, FP_STORE_CREATE, 5, &s, &err), FP_OK);
    sqlite3 *db = fpi_store_sqlite(s);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'projects_columns'"), 0);
    exec_ok(db, "INSERT INTO imports(id, file, checksum, dataset) VALUES(1, 'p.csv', 'abc', 'd')");
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key, geom) VALUES(7, 1, 'd', 'k',"
                " MakePoint(36.82, -1.29, 4326))");
    fp_store_close(s);

    s = NULL;
    assert_int_equal(fp_store_open(path, 0, &s, &err), FP_OK);
    db = fpi_store_sqlite(s);
    assert_int_equal(fp_store_opened_version(s), 5);
    assert_int_equal(fp_store_schema_version(s), 6);
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_columns"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                   " AND name LIKE 'fp_projects_columns_%'"), 5);
    /* No blob: no cache, no error. */
    fp_project_columns *c = (fp_project_columns *)1;
    assert_int_equal(fp_store_project_columns_get(s, 0, &c, &err), FP_OK);
    assert_null(c);
    /* A blob the store did not write (no header): read as no cache. */
    exec_ok(db, "INSERT INTO projects_columns(part, data) VALUES(0, x'00112233')");
    assert_int_equal(fp_store_project_columns_get(s, 0, &c, &err), FP_OK);
    assert_null(c);
    /* A number stored by hand (the column takes any type): no cache either. */
    exec_ok(db, "UPDATE projects_columns SET data = 5 WHERE part = 0");
    c = (fp_project_columns *)1;
    assert_int_equal(fp_store_project_columns_get(s, 0, &c, &err), FP_OK);
    assert_null(c);
    exec_ok(db, "UPDATE projects_columns SET data = x'00112233' WHERE part = 0");
    exec_ok(db, "UPDATE projects SET qa = 'duplicate' WHERE id = 7");
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_columns WHERE part = 0"), 1);
    exec_ok(db, "UPDATE projects SET category = 'x' WHERE id = 7");
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_columns WHERE part = 0"), 0);
    exec_ok(db, "INSERT INTO projects_columns(part, data) VALUES(0, x'00'), (1, x'00'), (2, x'00')");
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key) VALUES(70000, 1, 'd', 'k2')");
    char *left = query_text(db, "SELECT group_concat(part) FROM (SELECT part FROM projects_columns ORDER BY part)");
    assert_string_equal(left, "0,2");
    free(left);
    exec_ok(db, "DELETE FROM projects WHERE id = 7");
    left = query_text(db, "SELECT group_concat(part) FROM (SELECT part FROM projects_columns ORDER BY part)");
    assert_string_equal(left, "2");
    free(left);
    /* An id changed through its rowid alias names no column: both parts dropped. */
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key) VALUES(5, 1, 'd', 'k5')");
    exec_ok(db, "INSERT INTO projects_columns(part, data) VALUES(0, x'00'), (1, x'00'), (3, x'00')");
    exec_ok(db, "UPDATE projects SET rowid = 200000 WHERE id = 5");   /* part 0 -> part 3 */
    left = query_text(db, "SELECT group_concat(part) FROM (SELECT part FROM projects_columns ORDER BY part)");
    assert_string_equal(left, "1,2");
    free(left);
    /* A point moved (geom) drops its part; rewriting a value unchanged does not. */
    exec_ok(db, "UPDATE projects SET category = category WHERE id = 70000");
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_columns WHERE part = 1"), 1);
    exec_ok(db, "UPDATE projects SET geom = MakePoint(1, 2, 4326) WHERE id = 70000");
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects_columns WHERE part = 1"), 0);
    /* REPLACE deletes the row it replaces without delete triggers: the
     * BEFORE triggers drop that row's part (2 for id 131072's key). */
    exec_ok(db, "INSERT INTO projects(id, import_id, dataset, source_key) VALUES(131072, 1, 'd', 'k9')");
    exec_ok(db, "INSERT INTO projects_columns(part, data) VALUES(0, x'00'), (1, x'00'), (2, x'00')");
    exec_ok(db, "INSERT OR REPLACE INTO projects(id, import_id, dataset, source_key) VALUES(10, 1, 'd', 'k9')");
    assert_int_equal(query_int(db, "SELECT count(*) FROM projects WHERE source_key = 'k9' AND id = 10"), 1);
    left = query_text(db, "SELECT group_concat(part) FROM (SELECT part FROM projects_columns ORDER BY part)");
    assert_string_equal(left, "1");
    free(left);
    exec_ok(db, "INSERT INTO projects_columns(part, data) VALUES(0, x'00'), (3, x'00')");
    exec_ok(db, "UPDATE OR REPLACE projects SET id = 200000 WHERE id = 10");   /* replaces the row 200000 */
    left = query_text(db, "SELECT group_concat(part) FROM (SELECT part FROM projects_columns ORDER BY part)");
    assert_string_equal(left, "1");
    free(left);
    fp_store_close(s);
}

/* The column cache as the import writes it: one blob per 65,536 ids with
 * the rows' values; the project count from the blobs, exact with a part
 * missing or unreadable; a real blob cut short reads as no cache. */
static void test_column_cache_written(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "columns.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    sqlite3 *db = fpi_store_sqlite(s);
    exec_ok(db, "INSERT INTO regions(level, code, name, geom) VALUES('country', 'X', 'X',"
                " CastToMultiPolygon(GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))', 4326)))");
    int64_t id, previous, forgotten;
    assert_int_equal(fp_store_begin_bulk(s, &err), FP_OK);
    assert_int_equal(fp_store_import_begin(s, "f.csv", "sum", "d", "t0", &id, &previous, &forgotten, &err), FP_OK);
    fp_store_loader *l;
    assert_int_equal(fp_store_loader_new(s, id, "d", "f.csv", &l, &err), FP_OK);
    /* The loader keeps rows in a batch until fp_store_loader_flush: each
     * row's text stays where it is until then (here: to the end). */
    char (*keys)[16] = calloc(140001, sizeof *keys), (*companies)[16] = calloc(140001, sizeof *companies);
    assert_non_null(keys);
    assert_non_null(companies);
    /* ids 1..140000: parts 0, 1 (every company different: too many to keep) and 2. */
    for (int i = 1; i <= 140000; i++) {
        char *key = keys[i], *company = companies[i];
        snprintf(key, sizeof keys[i], "k%d", i);
        snprintf(company, sizeof companies[i], "c%d", i >> 16 == 1 ? i : i % 7);
        fp_project_record p = { .source_key = key, .company = i % 5 || i >> 16 == 1 ? company : NULL, .category = "x",
                                .is_point = 1, .x = i * 1e-4, .y = -i * 1e-4, .has_year = i % 3, .year = 2000 + i % 20 };
        fp_store_refusal refused;
        assert_int_equal(fp_store_loader_project(l, &p, &refused, &err), FP_OK);
        assert_int_equal(refused, FP_STORE_STORED);
    }
    assert_int_equal(fp_store_loader_finish(l, &err), FP_OK);
    fp_store_loader_free(l);
    free(keys);
    free(companies);
    assert_int_equal(fp_store_commit(s, &err), FP_OK);
    char *parts = query_text(db, "SELECT group_concat(part) FROM (SELECT part FROM projects_columns ORDER BY part)");
    assert_string_equal(parts, "0,1,2");
    free(parts);

    fp_project_columns *c = NULL;
    assert_int_equal(fp_store_project_columns_get(s, 2, &c, &err), FP_OK);
    assert_non_null(c);
    assert_int_equal(c->n, 140000 - 131072 + 1);           /* ids 131072..140000 */
    assert_int_equal(c->offset[0], 0);
    assert_true(c->x[0] == 131072 * 1e-4 && c->y[0] == -131072 * 1e-4);
    assert_int_equal(c->year[0], 131072 % 3 ? 2000 + 131072 % 20 : INT32_MIN);
    assert_int_equal(c->text[FP_COLUMN_CATEGORY].nvalues, 1);
    assert_string_equal(c->text[FP_COLUMN_CATEGORY].values[0], "x");
    assert_int_equal(c->text[FP_COLUMN_COMPANY].code[131075 - 131072] == 0, 131075 % 5 == 0);
    assert_int_equal(c->text[FP_COLUMN_STATUS].nvalues, 0);
    fp_project_columns_free(c);
    /* Part 1: 65,536 companies, one more than a part keeps; the rest kept. */
    assert_int_equal(fp_store_project_columns_get(s, 1, &c, &err), FP_OK);
    assert_non_null(c);
    assert_int_equal(c->n, 65536);
    assert_int_equal(c->text[FP_COLUMN_COMPANY].nvalues, UINT32_MAX);
    assert_int_equal(c->text[FP_COLUMN_CATEGORY].nvalues, 1);
    fp_project_columns_free(c);

    int64_t min, max, count;
    assert_int_equal(fp_store_project_ids(s, &min, &max, &count, &err), FP_OK);
    assert_int_equal(count, 140000);
    /* A part without its blob and one whose blob is unreadable: counted by id range. */
    exec_ok(db, "DELETE FROM projects WHERE id IN (70000, 70001)");   /* drops part 1 (trigger) */
    exec_ok(db, "UPDATE projects_columns SET data = x'0011' WHERE part = 2");
    assert_int_equal(fp_store_project_ids(s, &min, &max, &count, &err), FP_OK);
    assert_int_equal(count, 139998);
    /* Without a count: the same span. */
    int64_t min2 = -1, max2 = -1;
    assert_int_equal(fp_store_project_ids(s, &min2, &max2, NULL, &err), FP_OK);
    assert_true(min2 == min && max2 == max && min == 1 && max == 140000);

    /* Part 0's real blob cut at every length short of whole: no cache, no crash. */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT data FROM projects_columns WHERE part = 0", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int len = sqlite3_column_bytes(q, 0);
    unsigned char *blob = malloc((size_t)len);
    memcpy(blob, sqlite3_column_blob(q, 0), (size_t)len);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE projects_columns SET data = ?1 WHERE part = 0", -1, &q, NULL), SQLITE_OK);
    exec_ok(db, "BEGIN");
    /* Every length within 64 bytes of either end, and 64 between. */
    for (int cut = len; cut >= 0; cut -= cut > len - 64 || cut < 64 ? 1 : (len - 128) / 64 + 1) {
        sqlite3_bind_blob(q, 1, blob, cut, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
        c = NULL;
        assert_int_equal(fp_store_project_columns_get(s, 0, &c, &err), FP_OK);
        /* Only the last section's padding (under 8 bytes) may go. */
        if (cut == len) assert_non_null(c);
        else if (cut < len - 7) assert_null(c);
        if (c) assert_int_equal(c->n, 65535);
        fp_project_columns_free(c);
    }
    sqlite3_finalize(q);
    exec_ok(db, "COMMIT");
    free(blob);
    fp_store_close(s);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "v99.sqlite");
    fp_store *s = NULL;
    fp_error err = {0};
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    exec_ok(fpi_store_sqlite(s), "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    fp_store_close(s);

    s = (fp_store *)1;
    fp_error_clear(&err);
    fp_status st = fp_store_open(path, 0, &s, &err);
    assert_int_equal(st, FP_ERR_STATE);
    assert_int_equal(err.code, FP_ERR_STATE);
    assert_null(s);
    if (!strstr(err.message, "newer")) print_error("message: %s\n", err.message);
    assert_non_null(strstr(err.message, "newer"));
    assert_non_null(strstr(err.message, path));

    /* Nor with FP_STORE_CREATE; the version stays 99. */
    st = fp_store_open(path, FP_STORE_CREATE, &s, &err);
    assert_int_equal(st, FP_ERR_STATE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT value FROM meta WHERE key = 'schema_version'"), 99);
    sqlite3_close(db);
}

static void test_foreign_sqlite_refused(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "other.sqlite");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES('keep me');");
    sqlite3_close(db);

    fp_store *s = (fp_store *)1;
    fp_error err = {0};
    fp_status st = fp_store_open(path, FP_STORE_CREATE, &s, &err);
    assert_int_equal(st, FP_ERR_STATE);
    assert_null(s);
    assert_non_null(strstr(err.message, path));

    st = fp_store_open(path, 0, &s, &err);
    assert_int_equal(st, FP_ERR_STATE);

    /* Untouched: the table and its row are there, and no schema was added. */
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *v = query_text(db, "SELECT x FROM notes");
    assert_string_equal(v, "keep me");
    free(v);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 1);
    sqlite3_close(db);
}

static void test_text_file_refused(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "notes.txt");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    static const char text[] = "this is not a database\nat all, just some text that is long enough "
                               "to look like a header of a hundred bytes or more.................\n";
    fputs(text, f);
    fclose(f);

    fp_store *s = (fp_store *)1;
    fp_error err = {0};
    fp_status st = fp_store_open(path, FP_STORE_CREATE, &s, &err);
    assert_int_not_equal(st, FP_OK);
    assert_null(s);
    assert_non_null(strstr(err.message, path));

    /* Not changed. */
    char buf[512] = {0};
    f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_int_equal(n, strlen(text));
    assert_string_equal(buf, text);
}

static void test_missing_without_create(void **state)
{
    (void)state;
    char path[256];
    db_path(path, sizeof path, "missing.sqlite");
    fp_store *s = (fp_store *)1;
    fp_error err = {0};
    fp_status st = fp_store_open(path, 0, &s, &err);
    assert_int_equal(st, FP_ERR_STATE);
    assert_int_equal(err.code, FP_ERR_STATE);
    assert_null(s);
    assert_non_null(strstr(err.message, "footprint init"));
    assert_non_null(strstr(err.message, path));
    assert_int_not_equal(access(path, F_OK), 0);
}

/* ---------------------------------------------------------------- R*Tree */

static uint64_t lcg_state;

static double lcg_unit(void)    /* [0, 1) */
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / 9007199254740992.0;
}

/* Points (even i) and small boxes (odd i) over the whole lon/lat range. */
static fp_rtree_entry *make_entries(size_t n, uint64_t seed)
{
    fp_rtree_entry *e = calloc(n ? n : 1, sizeof *e);
    assert_non_null(e);
    lcg_state = seed;
    for (size_t i = 0; i < n; i++) {
        double x = -180 + 360 * lcg_unit(), y = -90 + 180 * lcg_unit();
        double w = 0, h = 0;
        if (i % 2) { w = 2 * lcg_unit(); h = 2 * lcg_unit(); }
        if (x + w > 180) x = 180 - w;
        if (y + h > 90) y = 90 - h;
        e[i].id = (sqlite3_int64)(i * 7 + 3);    /* not contiguous */
        e[i].minx = fpi_rtree_round_down(x);
        e[i].maxx = fpi_rtree_round_up(x + w);
        e[i].miny = fpi_rtree_round_down(y);
        e[i].maxy = fpi_rtree_round_up(y + h);
    }
    return e;
}

static sqlite3 *rtree_db(int page_size)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    if (page_size) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA page_size = %d", page_size);
        exec_ok(db, sql);
    }
    exec_ok(db, "CREATE VIRTUAL TABLE idx USING rtree(pkid, xmin, xmax, ymin, ymax)");
    return db;
}

static int node_size(sqlite3 *db)
{
    return (int)query_int(db, "SELECT length(data) FROM idx_node WHERE nodeno = 1");
}

static void expect_rtreecheck_ok(sqlite3 *db)
{
    char *r = query_text(db, "SELECT rtreecheck('idx')");
    assert_non_null(r);
    if (strcmp(r, "ok") != 0) print_error("rtreecheck: %s\n", r);
    assert_string_equal(r, "ok");
    free(r);
}

static void bulk_load(sqlite3 *db, fp_rtree_entry *e, size_t n)
{
    fp_error err = {0};
    exec_ok(db, "BEGIN");
    fp_status st = fpi_rtree_bulk_load(db, "idx", e, n, &err);
    if (st != FP_OK) print_error("bulk load: %s\n", err.message);
    assert_int_equal(st, FP_OK);
    exec_ok(db, "COMMIT");
}

static long brute_count(const fp_rtree_entry *e, size_t n, double x0, double x1, double y0, double y1)
{
    long c = 0;
    for (size_t i = 0; i < n; i++)
        c += e[i].maxx >= x0 && e[i].minx <= x1 && e[i].maxy >= y0 && e[i].miny <= y1;
    return c;
}

static long window_count(sqlite3 *db, double x0, double x1, double y0, double y1)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM idx WHERE xmax >= ? AND xmin <= ? "
                                            "AND ymax >= ? AND ymin <= ?", -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_double(q, 1, x0);
    sqlite3_bind_double(q, 2, x1);
    sqlite3_bind_double(q, 3, y0);
    sqlite3_bind_double(q, 4, y1);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long c = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return c;
}

static int root_depth(sqlite3 *db)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT data FROM idx_node WHERE nodeno = 1", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const unsigned char *b = sqlite3_column_blob(q, 0);
    int depth = b[0] << 8 | b[1];
    sqlite3_finalize(q);
    return depth;
}

/* Every entry is stored with its exact coordinates under its id. */
static void expect_entries_stored(sqlite3 *db, const fp_rtree_entry *e, size_t n, size_t step)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT xmin, xmax, ymin, ymax FROM idx WHERE pkid = ?",
                                        -1, &q, NULL), SQLITE_OK);
    for (size_t i = 0; i < n; i += step) {
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, e[i].id);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_true(sqlite3_column_double(q, 0) == (double)e[i].minx);
        assert_true(sqlite3_column_double(q, 1) == (double)e[i].maxx);
        assert_true(sqlite3_column_double(q, 2) == (double)e[i].miny);
        assert_true(sqlite3_column_double(q, 3) == (double)e[i].maxy);
    }
    sqlite3_finalize(q);
}

static void check_loaded(sqlite3 *db, const fp_rtree_entry *copy, size_t n)
{
    expect_rtreecheck_ok(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM idx"), (sqlite3_int64)n);
    assert_int_equal(query_int(db, "SELECT count(*) FROM idx_rowid"), (sqlite3_int64)n);
    /* Whole world: everything. */
    assert_int_equal(window_count(db, -180, 180, -90, 90), (long)n);
    /* 20 windows of various sizes, from a separate fixed seed. */
    uint64_t saved = lcg_state;
    lcg_state = 12345;
    for (int k = 0; k < 20; k++) {
        double w = k < 5 ? 0.01 : k < 10 ? 1 : k < 15 ? 10 : 60;
        double x0 = -180 + (360 - w) * lcg_unit(), y0 = -90 + (180 - w / 2) * lcg_unit();
        double x1 = x0 + w, y1 = y0 + w / 2;
        long want = brute_count(copy, n, x0, x1, y0, y1);
        long got = window_count(db, x0, x1, y0, y1);
        if (want != got) print_error("window %d [%g,%g]x[%g,%g]: %ld, expected %ld\n", k, x0, x1, y0, y1, got, want);
        assert_int_equal(got, want);
        if (k >= 10 && n >= 20000) assert_true(want > 0);   /* the windows are not all empty */
    }
    /* A window around one entry's exact box finds it. */
    if (n > 0) {
        const fp_rtree_entry *p = &copy[n / 2];
        assert_true(window_count(db, p->minx, p->maxx, p->miny, p->maxy) >= 1);
        assert_int_equal(window_count(db, p->minx, p->maxx, p->miny, p->maxy),
                         brute_count(copy, n, p->minx, p->maxx, p->miny, p->maxy));
    }
    lcg_state = saved;
    expect_entries_stored(db, copy, n, n > 1000 ? 97 : 1);
}

static void run_bulk_case(int page_size, size_t n, uint64_t seed, int *depth_out)
{
    sqlite3 *db = rtree_db(page_size);
    fp_rtree_entry *e = make_entries(n, seed);
    fp_rtree_entry *copy = malloc((n ? n : 1) * sizeof *copy);
    assert_non_null(copy);
    memcpy(copy, e, n * sizeof *e);
    bulk_load(db, e, n);
    check_loaded(db, copy, n);
    if (depth_out) *depth_out = root_depth(db);
    free(e);
    free(copy);
    sqlite3_close(db);
}

static void test_rtree_20000(void **state)
{
    (void)state;
    sqlite3 *db = rtree_db(0);
    int ns = node_size(db);
    int cap = (ns - 4) / 24;
    sqlite3_close(db);
    assert_true(cap >= 2);

    int depth = -1;
    run_bulk_case(0, 20000, 42, &depth);
    /* With capacity M, at least ceil(log_M(n)) levels above the leaves... */
    int min_depth = 0;
    for (double c = cap; c < 20000; c *= cap) min_depth++;
    assert_true(depth >= min_depth);
    assert_true(depth <= min_depth + 1);
}

static void test_rtree_small_nodes(void **state)
{
    (void)state;
    /* Small pages make small nodes, hence a deeper tree from the same data. */
    sqlite3 *db = rtree_db(512);
    int cap = (node_size(db) - 4) / 24;
    sqlite3_close(db);
    assert_true(cap >= 2 && cap < 51);
    int depth = -1;
    run_bulk_case(512, 20000, 7, &depth);
    assert_true(depth >= 3);
}

static void test_rtree_edge_sizes(void **state)
{
    (void)state;
    sqlite3 *db = rtree_db(0);
    int ns = node_size(db);
    size_t cap = (size_t)(ns - 4) / 24;
    sqlite3_close(db);

    int depth = -1;
    run_bulk_case(0, 0, 1, &depth);
    assert_int_equal(depth, 0);
    run_bulk_case(0, 1, 2, &depth);
    assert_int_equal(depth, 0);
    run_bulk_case(0, cap, 3, &depth);         /* exactly one full root leaf */
    assert_int_equal(depth, 0);
    run_bulk_case(0, cap + 1, 4, &depth);     /* one more: two levels */
    assert_int_equal(depth, 1);
    run_bulk_case(0, cap * cap, 5, &depth);   /* a root of full... or more leaves */
    assert_true(depth == 1 || depth == 2);
    run_bulk_case(0, cap * cap + 1, 6, &depth);
    assert_int_equal(depth, 2);
}

static void test_rtree_replaces_content(void **state)
{
    (void)state;
    sqlite3 *db = rtree_db(0);
    /* Rows inserted the ordinary way, some of which collide with the new ids. */
    exec_ok(db, "INSERT INTO idx VALUES(3, 0, 1, 0, 1), (999999, 5, 6, 5, 6)");
    for (int i = 0; i < 300; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO idx VALUES(%d, %d, %d, 1, 2)", 1000000 + i, i % 170, i % 170 + 1);
        exec_ok(db, sql);
    }
    size_t n = 500;
    fp_rtree_entry *e = make_entries(n, 99);
    fp_rtree_entry *copy = malloc(n * sizeof *copy);
    assert_non_null(copy);
    memcpy(copy, e, n * sizeof *e);
    bulk_load(db, e, n);
    check_loaded(db, copy, n);
    assert_int_equal(query_int(db, "SELECT count(*) FROM idx WHERE pkid = 999999"), 0);

    /* And the tree stays usable by ordinary INSERT/DELETE afterwards. */
    exec_ok(db, "INSERT INTO idx VALUES(5000000, 10, 11, 10, 11)");
    exec_ok(db, "DELETE FROM idx WHERE pkid = 3");
    expect_rtreecheck_ok(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM idx"), (sqlite3_int64)n);
    free(e);
    free(copy);
    sqlite3_close(db);
}

static void test_rtree_rounding(void **state)
{
    (void)state;
    const double values[] = { 0.1, -0.1, 0.0, 1.0 / 3, -1.0 / 3, 36.8, -1.3, 179.99999999,
                              -179.99999999, 89.123456789, -89.123456789, 1e-30, -1e-30,
                              123456789.123, -123456789.123, 0.5, -180, 180 };
    sqlite3 *db = rtree_db(0);
    sqlite3_stmt *ins, *sel;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO idx VALUES(?, ?, ?, ?, ?)", -1, &ins, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT xmin, xmax FROM idx WHERE pkid = ?", -1, &sel, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        double x = values[i];
        float lo = fpi_rtree_round_down(x), hi = fpi_rtree_round_up(x);
        if (!((double)lo <= x && x <= (double)hi))
            print_error("x=%.17g down=%.17g up=%.17g\n", x, (double)lo, (double)hi);
        assert_true((double)lo <= x);
        assert_true(x <= (double)hi);
        /* Tight: within a few float steps of x. */
        assert_true((double)hi - (double)lo <= 4 * FLT_EPSILON * fabs(x) + 1e-44);
        if ((double)(float)x == x) {                       /* representable: exact */
            assert_true((double)lo == x);
            assert_true((double)hi == x);
        }
        /* The same as SQLite's own R*Tree stores for an INSERT. */
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_double(ins, 2, x);
        sqlite3_bind_double(ins, 3, x);
        sqlite3_bind_double(ins, 4, 0);
        sqlite3_bind_double(ins, 5, 0);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(sel);
        sqlite3_bind_int64(sel, 1, (sqlite3_int64)i + 1);
        assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
        assert_true(sqlite3_column_double(sel, 0) == (double)lo);
        assert_true(sqlite3_column_double(sel, 1) == (double)hi);
        sqlite3_reset(sel);     /* an open read cursor would lock the R*Tree for the next INSERT */
    }
    /* 0.1 is not a float: strictly between. */
    assert_true((double)fpi_rtree_round_down(0.1) < 0.1);
    assert_true((double)fpi_rtree_round_up(0.1) > 0.1);
    assert_true((double)fpi_rtree_round_down(-0.1) < -0.1);
    assert_true((double)fpi_rtree_round_up(-0.1) > -0.1);
    sqlite3_finalize(ins);
    sqlite3_finalize(sel);
    sqlite3_close(db);
}

static void test_rtree_bad_index(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    fp_rtree_entry e = { 1, 0, 0, 0, 0 };
    fp_error err = {0};
    assert_int_not_equal(fpi_rtree_bulk_load(db, "nosuch", &e, 1, &err), FP_OK);
    assert_non_null(strstr(err.message, "nosuch"));
    sqlite3_close(db);
}

/* ------------------------------------------------ the store's query API --- */

static int count_rows(fp_store *s, const fp_project_filter *f)
{
    fp_rows *r;
    fp_error err = {0};
    assert_int_equal(fp_store_projects(s, f, NULL, 0, &r, &err), FP_OK);
    int n = 0;
    while (fp_rows_next(r)) n++;
    assert_int_equal(fp_rows_status(r, &err), FP_OK);
    fp_rows_free(r);
    return n;
}

static int collect_reject(const fp_reject_row *row, void *user)
{
    char *out = user;
    snprintf(out, 256, "%s|%s|%ld|%ld|%s|%s", row->dataset, row->file, row->line, row->feature, row->reason,
             row->raw ? row->raw : "(null)");
    return 0;
}

/* Projects written through the loader read back through filters; the
 * expected rows are worked out by hand from the five written. */
static void test_project_queries(void **state)
{
    (void)state;
    char path[128];
    db_path(path, sizeof path, "queries.sqlite");
    fp_store *s;
    fp_error err = {0};
    assert_int_equal(fp_store_open(path, FP_STORE_CREATE, &s, &err), FP_OK);
    /* LINESTRING(0 0, 1 1) as little-endian WKB, written out by hand. */
    unsigned char line[41] = { 1, 2, 0, 0, 0, 2, 0, 0, 0 };
    double one = 1.0;
    memcpy(line + 25, &one, 8);
    memcpy(line + 33, &one, 8);
    const char *datasets[] = { "a", "b" };
    for (int d = 0; d < 2; d++) {
        int64_t id, previous, forgotten;
        assert_int_equal(fp_store_begin(s, &err), FP_OK);
        assert_int_equal(fp_store_import_begin(s, "f.csv", d ? "sum-b" : "sum-a", datasets[d], "t0", &id, &previous, &forgotten, &err),
                         FP_OK);
        assert_int_equal(previous, 0);
        fp_store_loader *l;
        assert_int_equal(fp_store_loader_new(s, id, datasets[d], "f.csv", &l, &err), FP_OK);
        fp_store_refusal refused;
        if (d == 0) {
            fp_project_record p1 = { .source_key = "1", .category = "x", .is_point = 1, .x = 10, .y = 10 };
            fp_project_record p2 = { .source_key = "2", .category = "y", .is_point = 1, .x = 20, .y = 20,
                                     .has_year = 1, .year = 2019 };
            fp_project_record p3 = { .source_key = "3", .category = "x", .wkb = line, .wkb_len = sizeof line,
                                     .extra = "{\"k\":\"v\"}" };
            fp_project_record p4 = { .source_key = "4", .place = "Lyon" };   /* to geocode: no location */
            fp_project_record dup = { .source_key = "2", .is_point = 1, .x = 0, .y = 0 };
            assert_int_equal(fp_store_loader_project(l, &p1, &refused, &err), FP_OK);
            assert_int_equal(refused, FP_STORE_STORED);
            assert_int_equal(fp_store_loader_project(l, &p2, &refused, &err), FP_OK);
            assert_int_equal(fp_store_loader_project(l, &p3, &refused, &err), FP_OK);
            assert_int_equal(fp_store_loader_project(l, &p4, &refused, &err), FP_OK);
            assert_int_equal(fp_store_loader_project(l, &dup, &refused, &err), FP_OK);
            assert_int_equal(refused, FP_STORE_DUPLICATE);
            assert_int_equal(fp_store_loader_reject(l, 7, 0, "bad row: why", "a,b", 3, &err), FP_OK);
        } else {
            fp_project_record p5 = { .source_key = "1", .category = "x", .is_point = 1, .x = -70, .y = -30 };
            assert_int_equal(fp_store_loader_project(l, &p5, &refused, &err), FP_OK);
            assert_int_equal(refused, FP_STORE_STORED);
        }
        assert_int_equal(fp_store_loader_finish(l, &err), FP_OK);
        fp_store_loader_free(l);
        assert_int_equal(fp_store_import_end(s, id, "CSV", 5, 4, 1, "t1", &err), FP_OK);
        assert_int_equal(fp_store_commit(s, &err), FP_OK);
    }
    /* The same checksum again: recognised, nothing written. */
    int64_t id, previous, forgotten;
    assert_int_equal(fp_store_import_begin(s, "f.csv", "sum-a", "a", "t2", &id, &previous, &forgotten, &err), FP_OK);
    assert_int_equal(previous, 1);
    assert_int_equal(id, 0);

    int64_t min, max, count;
    assert_int_equal(fp_store_project_ids(s, &min, &max, &count, &err), FP_OK);
    assert_int_equal(min, 1);
    assert_int_equal(max, 5);
    assert_int_equal(count, 5);

    assert_int_equal(count_rows(s, NULL), 5);
    assert_int_equal(count_rows(s, &(fp_project_filter){ .with_geometry = 1 }), 4);
    assert_int_equal(count_rows(s, &(fp_project_filter){ .dataset = "b" }), 1);
    assert_int_equal(count_rows(s, &(fp_project_filter){ .id_min = 2, .id_max = 4 }), 2);
    /* (10 10) and (20 20) lie in the box; the line (0 0)-(1 1) and (-70 -30) do not. */
    assert_int_equal(count_rows(s, &(fp_project_filter){ .has_bbox = 1, .bbox = { 5, 5, 25, 25 } }), 2);
    const char *wf[] = { "category" }, *wv[] = { "x" };
    assert_int_equal(count_rows(s, &(fp_project_filter){ .where_fields = wf, .where_values = wv, .nwhere = 1 }), 3);
    assert_int_equal(count_rows(s, &(fp_project_filter){ .dataset = "a", .where_fields = wf, .where_values = wv,
                                                        .nwhere = 1 }), 2);
    const char *kf[] = { "k" }, *kv[] = { "v" };
    assert_int_equal(count_rows(s, &(fp_project_filter){ .where_fields = kf, .where_values = kv, .nwhere = 1 }), 1);

    /* Values and geometries: fields in the order asked, an extra key too. */
    const char *fields[] = { "category", "year", "k" };
    fp_rows *r;
    assert_int_equal(fp_store_projects(s, &(fp_project_filter){ .dataset = "a", .with_geometry = 1, .order_by_id = 1 },
                                       fields, 3, &r, &err), FP_OK);
    assert_true(fp_rows_next(r));
    fp_geom g;
    assert_int_equal(fp_rows_geom(r, 1, 0, &g), 1);
    assert_true(g.is_point);
    assert_true(g.x == 10 && g.y == 10);
    assert_string_equal(fp_rows_text(r, 2), "x");
    assert_true(fp_rows_is_null(r, 3));
    assert_true(fp_rows_next(r));
    assert_int_equal(fp_rows_int(r, 3), 2019);
    assert_true(fp_rows_next(r));
    assert_int_equal(fp_rows_geom(r, 1, 0, &g), 1);
    assert_false(g.is_point);
    assert_int_equal(g.wkb_len, sizeof line);
    assert_memory_equal(g.wkb, line, sizeof line);
    assert_true(g.bbox[0] == 0 && g.bbox[1] == 0 && g.bbox[2] == 1 && g.bbox[3] == 1);
    assert_string_equal(fp_rows_text(r, 4), "v");
    assert_false(fp_rows_next(r));
    assert_int_equal(fp_rows_status(r, &err), FP_OK);
    fp_rows_free(r);

    char got[256] = "";
    assert_int_equal(fp_store_rejects(s, "a", -1, collect_reject, got, &err), FP_OK);
    assert_string_equal(got, "a|f.csv|7|0|bad row: why|a,b");
    int used;
    assert_int_equal(fp_store_extra_key_used(s, "k", &used, &err), FP_OK);
    assert_int_equal(used, 1);
    assert_int_equal(fp_store_extra_key_used(s, "nope", &used, &err), FP_OK);
    assert_int_equal(used, 0);
    /* The spatial index holds the four located projects (ids 1, 2, 3, 5). */
    assert_int_equal(query_int(fpi_store_sqlite(s), "SELECT count(*) FROM idx_projects_geom"), 4);
    fp_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_new),
        cmocka_unit_test(test_bulk_transaction_foreign_keys),
        cmocka_unit_test(test_upgrade_in_place),
        cmocka_unit_test(test_upgrade_v3_aggregation),
        cmocka_unit_test(test_upgrade_v4_qa),
        cmocka_unit_test(test_upgrade_v5_column_cache),
        cmocka_unit_test(test_column_cache_written),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_foreign_sqlite_refused),
        cmocka_unit_test(test_text_file_refused),
        cmocka_unit_test(test_missing_without_create),
        cmocka_unit_test(test_rtree_20000),
        cmocka_unit_test(test_rtree_small_nodes),
        cmocka_unit_test(test_rtree_edge_sizes),
        cmocka_unit_test(test_rtree_replaces_content),
        cmocka_unit_test(test_rtree_rounding),
        cmocka_unit_test(test_rtree_bad_index),
        cmocka_unit_test(test_project_queries),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
