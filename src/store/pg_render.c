/*
 * What maps and tiles read on PostGIS (render_store.c's queries): regions
 * and an aggregation level's regions in drawing order, which is the id
 * order (SpatiaLite's rowid: the id is its INTEGER PRIMARY KEY), so borders
 * overlap the same way as on SpatiaLite; codes in byte order (COLLATE "C").
 * Aggregation and column names are quoted identifiers; values are bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/pg_internal.h"

static fp_status rows_or_error(fp_rows *r, fp_error *err)
{
    return r ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_region_lookup(fp_store *s, const char *code_or_name, fp_rows **out, fp_error *err)
{
    const char *v[] = { code_or_name };
    /* A country first; among equals the first stored, as SQLite returns them. */
    *out = fpi_pg_rows_query(s, "SELECT ST_AsBinary(geom), name FROM regions WHERE code = $1 OR lower(name) = lower($1)"
                               " ORDER BY level = 'country' DESC, id LIMIT 1",
                            1, v, "looking up a region", 1u << 0, 0, err);
    return rows_or_error(*out, err);
}

fp_status fpi_pg_region_shapes(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    const char *v[] = { level };
    *out = fpi_pg_rows_query(s, "SELECT id, code, name, ST_AsBinary(geom) FROM regions"
                               " WHERE level = $1 AND geom IS NOT NULL ORDER BY id",
                            1, v, "reading regions", 1u << 3, 0, err);
    return rows_or_error(*out, err);
}

fp_status fpi_pg_aggregation_values(fp_store *s, const char *aggregation, const char *level, const char *column,
                                   int flags, fp_rows **out, fp_error *err)
{
    *out = NULL;
    const char *geom = flags & FP_AGG_VALUES_GEOMETRY ? "ST_AsBinary(geom)" : "NULL::bytea";
    const char *label = flags & FP_AGG_VALUES_LABEL ? "ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))"
                                                    : "NULL::float8, NULL::float8";
    char *table = g_strdup_printf("agg_%s", aggregation);
    char *qt = fpi_pg_ident(s, table), *qc = fpi_pg_ident(s, column);
    char *sql = g_strdup_printf("SELECT id, %s, code, name, %s, %s FROM %s WHERE level = $1 AND geom IS NOT NULL"
                                " ORDER BY id", qc, geom, label, qt);
    PQfreemem(qt);
    PQfreemem(qc);
    g_free(table);
    char what[300];
    snprintf(what, sizeof what, "reading aggregation %s", aggregation);
    const char *v[] = { level };
    *out = fpi_pg_rows_query(s, sql, 1, v, what, 1u << 4, 0, err);
    g_free(sql);
    return rows_or_error(*out, err);
}

fp_status fpi_pg_aggregation_codes(fp_store *s, const char *aggregation, const char *level, fp_rows **out,
                                  fp_error *err)
{
    char *table = g_strdup_printf("agg_%s", aggregation);
    char *qt = fpi_pg_ident(s, table);
    char *sql = g_strdup_printf("SELECT code FROM %s WHERE level = $1 AND projects > 0 AND geom IS NOT NULL"
                                " ORDER BY code COLLATE \"C\"", qt);
    PQfreemem(qt);
    g_free(table);
    const char *v[] = { level };
    *out = fpi_pg_rows_query(s, sql, 1, v, "reading an aggregation", 0, 0, err);
    g_free(sql);
    return rows_or_error(*out, err);
}

fp_status fpi_pg_project_max(fp_store *s, const char *column, double *max, fp_error *err)
{
    *max = 0;
    if (!fp_store_is_project_column(column))
        return fp_error_set(err, FP_ERR_USAGE, "%s: not a project column", column);
    /* NULL (no such value) reads as 0, as sqlite3_column_double gives it. */
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(%s), 0)::float8 FROM projects WHERE geom IS NOT NULL", column);
    PGresult *r = fpi_pg_exec(s, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading projects", err);
    *max = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    return FP_OK;
}
