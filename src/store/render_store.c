/*
 * What maps and tiles read from the store: the region a map zooms to, the
 * regions drawn as plain land, an aggregation level's regions with the
 * value a choropleth colours them by, the regions an atlas draws, and the
 * largest value of a project column (proportional symbols). Projects
 * themselves come through fp_store_projects.
 *
 * Regions come in the tables' own order (rowid): the order they are drawn
 * in, so borders overlap the same way in maps, raster and vector tiles.
 * Aggregation and column names are quoted identifiers; values are bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "store/pg_internal.h"

fp_status fp_store_region_lookup(fp_store *s, const char *code_or_name, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_region_lookup(s, code_or_name, out, err);
    sqlite3_stmt *q;
    *out = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT AsBinary(geom), name FROM regions WHERE code = ?1 OR lower(name) = lower(?1) "
                                       "ORDER BY level = 'country' DESC LIMIT 1",
                                    "looking up a region", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, code_or_name, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "looking up a region", 0, 1u << 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_region_shapes(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_region_shapes(s, level, out, err);
    sqlite3_stmt *q;
    *out = NULL;
    fp_status st = fpi_store_prepare(s, "SELECT rowid, code, name, AsBinary(geom) FROM regions "
                                       "WHERE level=?1 AND geom IS NOT NULL ORDER BY rowid",
                                    "reading regions", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "reading regions", 0, 1u << 3, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_aggregation_values(fp_store *s, const char *aggregation, const char *level, const char *column,
                                      int flags, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_values(s, aggregation, level, column, flags, out, err);
    *out = NULL;
    /* Geometry and the label point only when asked: a point on the surface
     * of every region costs more than the whole rest of the query. */
    const char *geom = flags & FP_AGG_VALUES_GEOMETRY ? "AsBinary(geom)" : "NULL";
    const char *label = flags & FP_AGG_VALUES_LABEL ? "ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))"
                                                    : "NULL, NULL";
    char *sql = sqlite3_mprintf("SELECT rowid, \"%w\", code, name, %s, %s FROM \"agg_%w\" "
                                "WHERE level=?1 AND geom IS NOT NULL ORDER BY rowid", column, geom, label, aggregation);
    if (!sql) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    sqlite3_stmt *q;
    char what[300];
    snprintf(what, sizeof what, "reading aggregation %s", aggregation);
    fp_status st = fpi_store_prepare(s, sql, what, &q, err);
    sqlite3_free(sql);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "reading an aggregation", 0, 1u << 4, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_aggregation_codes(fp_store *s, const char *aggregation, const char *level, fp_rows **out,
                                     fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_codes(s, aggregation, level, out, err);
    *out = NULL;
    char *sql = sqlite3_mprintf("SELECT code FROM \"agg_%w\" WHERE level=?1 AND projects > 0 AND geom IS NOT NULL "
                                "ORDER BY code", aggregation);
    if (!sql) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading an aggregation", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "reading an aggregation", 0, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_project_max(fp_store *s, const char *column, double *max, fp_error *err)
{
    if (s->pg) return fpi_pg_project_max(s, column, max, err);
    *max = 0;
    if (!fp_store_is_project_column(column))
        return fp_error_set(err, FP_ERR_USAGE, "%s: not a project column", column);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT max(%s) FROM projects WHERE geom IS NOT NULL", column);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading projects", &q, err);
    if (st) return st;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *max = sqlite3_column_double(q, 0);
    else if (rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading projects", err);
    sqlite3_finalize(q);
    return st;
}
