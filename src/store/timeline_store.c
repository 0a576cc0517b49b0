/*
 * What the web preview's timeline reads (tiles --format mvt): per region
 * of an aggregation's main level and per year, the projects with that
 * year, counted from the aggregation's assignments as its `projects`
 * column counts them (a project once in each region it was assigned to).
 * The tiles add them up into the cumulative per-year properties.
 *
 * The assignment table's name comes from the aggregations table (a quoted
 * identifier); nothing else is pasted into the SQL.
 */
#include <stdio.h>
#include <glib.h>
#include <sqlite3.h>
#include "store/pg_internal.h"

fp_status fp_store_timeline_counts(fp_store *s, const char *aggregation, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_timeline_counts(s, aggregation, out, err);
    *out = NULL;
    char *table;
    fp_status st = fpi_store_assign_table(s, aggregation, &table, err);
    if (st) return st;
    /* Projects without a year have no place on a timeline: left out. */
    char *sql = sqlite3_mprintf("SELECT a.region_code, p.year, count(DISTINCT a.project_id) FROM \"%w\" a "
                                "JOIN projects p ON p.id = a.project_id "
                                "WHERE a.region_code IS NOT NULL AND p.year IS NOT NULL "
                                "GROUP BY a.region_code, p.year ORDER BY a.region_code, p.year", table);
    g_free(table);
    if (!sql) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    sqlite3_stmt *q;
    st = fpi_store_prepare(s, sql, "counting projects per region and year", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    *out = fpi_rows_wrap(s, q, "counting projects per region and year", 0, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}
