/*
 * Loading a region layer into the store's `regions` table.
 *
 * The layer is read through OGR (any polygon format), reprojected to WGS 84
 * if it is in another CRS, forced to MULTIPOLYGON and written in one
 * transaction. The file's SHA-256 is kept in meta, so loading the same file
 * again is a no-op.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "fp_store.h"
#include "store/pg_internal.h"
#include "common/util.h"
#include "store/regions_file.h"
#include "store/store_internal.h"

static void bind_text_or_null(sqlite3_stmt *q, int col, const char *v)
{
    if (v) sqlite3_bind_text(q, col, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, col);
}

/* The regions' spatial index from their bounding boxes, in one bulk write
 * (rtree_bulk.c), the boxes rounded outwards to float as SQLite's R*Tree
 * rounds them. */
static fp_status index_regions(fp_store *s, long n, fp_error *err)
{
    fp_rtree_entry *all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
    if (!all) return fp_error_set(err, FP_ERR_NOMEM, "out of memory indexing the regions");
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT rowid, MbrMinX(geom), MbrMaxX(geom), MbrMinY(geom), MbrMaxY(geom)"
                                        " FROM regions WHERE geom IS NOT NULL", "indexing the regions", &q, err);
    size_t k = 0;
    int rc = SQLITE_DONE;
    while (!st && k < (size_t)n && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        fp_rtree_entry *e = &all[k++];
        e->id = sqlite3_column_int64(q, 0);
        e->minx = fpi_rtree_round_down(sqlite3_column_double(q, 1));
        e->maxx = fpi_rtree_round_up(sqlite3_column_double(q, 2));
        e->miny = fpi_rtree_round_down(sqlite3_column_double(q, 3));
        e->maxy = fpi_rtree_round_up(sqlite3_column_double(q, 4));
    }
    if (!st) {
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) st = fpi_store_db_error(s, "indexing the regions", err);
        sqlite3_finalize(q);
    }
    if (!st) st = fpi_rtree_bulk_load(s->db, "idx_regions_geom", all, k, err);
    free(all);
    return st;
}

fp_status fp_store_load_regions(fp_store *s, const char *path, fp_regions_result *res, fp_error *err)
{
    if (!s) return fp_error_set(err, FP_ERR_USAGE, "fp_store_load_regions: store is NULL");
    /* NULL: the shipped regions of the store's data folder (fp_store.h). */
    char defpath[4096];
    if (!path) path = fp_data_path(fp_store_context(s), "regions.gpkg", defpath, sizeof defpath);
    if (s->pg) return fpi_pg_load_regions(s, path, res, err);
    fp_regions_result local = {0};
    if (!res) res = &local;
    memset(res, 0, sizeof *res);

    char sha[65];
    fp_status st = fpi_file_sha256(path, sha, err);
    if (st) return st;

    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='regions_sha256'", -1, &q, NULL) == SQLITE_OK) {
        int same = sqlite3_step(q) == SQLITE_ROW &&
                   strcmp((const char *)sqlite3_column_text(q, 0), sha) == 0;
        sqlite3_finalize(q);
        if (same) {
            res->unchanged = 1;
            res->countries = -1;
            res->admin1 = -1;
            if (sqlite3_prepare_v2(s->db, "SELECT sum(level='country'), sum(level='admin1'), "
                                          "sum(level NOT IN ('country', 'admin1')) FROM regions",
                                   -1, &q, NULL) == SQLITE_OK) {
                if (sqlite3_step(q) == SQLITE_ROW) {
                    res->countries = sqlite3_column_int64(q, 0);
                    res->admin1 = sqlite3_column_int64(q, 1);
                    res->other = sqlite3_column_int64(q, 2);
                }
                sqlite3_finalize(q);
            }
            return FP_OK;
        }
    }
    q = NULL;                         /* finalized above; done: finalizes the insert's */

    fpi_region_file *rf = NULL;
    if ((st = fpi_region_file_open(path, 0, &rf, err))) return st;

    GPtrArray *triggers = NULL;
    if ((st = fp_store_begin(s, err)) != FP_OK) goto done;
    /* The spatial index is written once at the end (index_regions), not
     * row by row by SpatiaLite's triggers: 0.1 s of init's 0.6. */
    if ((st = fpi_store_triggers_suspend(s, "regions", &triggers, err)) != FP_OK) goto done;
    if ((st = fpi_store_exec(s, "DELETE FROM regions; DELETE FROM region_groups;", err)) != FP_OK) goto done;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO regions(level, code, iso_a2, name, name_long, parent, continent, subregion, population, geom) "
            "VALUES(?,?,?,?,?,?,?,?,?, CastToMultiPolygon(GeomFromWKB(?, 4326)))",
            -1, &q, NULL) != SQLITE_OK) {
        st = fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
        goto done;
    }
    long n = 0;
    fpi_region_row row;
    int more;
    while ((more = fpi_region_file_next(rf, &row, err)) > 0) {
        sqlite3_reset(q);
        bind_text_or_null(q, 1, row.level);
        bind_text_or_null(q, 2, row.code);
        for (int i = 0; i < 6; i++) bind_text_or_null(q, i + 3, row.text[i]);
        if (row.has_population) sqlite3_bind_int64(q, 9, row.population);
        else sqlite3_bind_null(q, 9);
        sqlite3_bind_blob(q, 10, row.wkb, (int)row.wkb_len, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): %s", path, row.feature, row.code,
                              rc == SQLITE_CONSTRAINT ? "duplicate region code" : sqlite3_errmsg(s->db));
            break;
        }
        if (strcmp(row.level, "country") == 0) res->countries++;
        else if (strcmp(row.level, "admin1") == 0) res->admin1++;
        else res->other++;
        n++;
    }
    if (more < 0) st = err ? err->code : FP_ERR_INPUT;
    if (st == FP_OK && n == 0)
        st = fp_error_set(err, FP_ERR_INPUT, "%s: no regions in the layer", path);
    if (st == FP_OK) st = index_regions(s, n, err);
    if (st == FP_OK) st = fpi_store_triggers_restore(s, &triggers, err);
    /* What the suspended timestamp triggers would have recorded. */
    if (st == FP_OK)
        st = fpi_store_exec(s, "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
                               " last_delete = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                               " WHERE f_table_name = 'regions' AND f_geometry_column = 'geom'", err);
    if (st == FP_OK) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('regions_sha256', '%s')", sha);
        st = fpi_store_exec(s, sql, err);
    }
    if (st == FP_OK) st = fp_store_commit(s, err);
done:
    if (triggers) g_ptr_array_free(triggers, TRUE);
    if (q) sqlite3_finalize(q);
    if (st != FP_OK) fp_store_rollback(s);
    fpi_region_file_free(rf);
    return st;
}
