/*
 * Geocoding in the store: the rows to place, a region's geometry for the
 * fallback anchors, and the bulk writer of placed points.
 *
 * Bulk writing. SpatiaLite keeps the spatial index, the geometry checks
 * and QGIS's typed tables current with per-row triggers that run SQL
 * prepared anew for every row: 100,000 geocoded rows took 18 s that way,
 * 80% of it in the triggers. Inside the geocode's transaction the writer
 * drops the projects triggers (their SQL kept), updates the rows, and at
 * finish writes the R*Tree entries itself (a point's box is known here),
 * recreates the triggers and brings projects_geom_point up to date for the
 * ids it placed (temp.fp_placed), all before the commit; a failed or
 * killed geocode rolls all of it back, as an import does (imports_store.c).
 */
#include <stdlib.h>
#include <glib.h>
#include <string.h>
#include <sqlite3.h>
#include "store/pg_internal.h"

fp_status fp_store_geocode_rows(fp_store *s, const char *dataset, int redo, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_geocode_rows(s, dataset, redo, out, err);
    *out = NULL;
    sqlite3_stmt *q;
    /* ?2 (redo) also takes rows an earlier geocode placed. */
    fp_status st = fpi_store_prepare(s,
        "SELECT p.id, i.file, p.source_line, p.place, p.country, i.format, p.extra FROM projects p "
        "JOIN imports i ON i.id = p.import_id "
        "WHERE (p.geom IS NULL OR (?2 AND p.geocode_method IS NOT NULL AND p.geocode_method <> 'input')) "
        "AND (?1 IS NULL OR p.dataset=?1) ORDER BY p.id", "reading the rows to geocode", &q, err);
    if (st) return st;
    if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, redo != 0);
    *out = fpi_rows_wrap(s, q, "reading the rows to geocode", 0, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_placed_points(fp_store *s, const char *dataset, int64_t import_id, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_placed_points(s, dataset, import_id, out, err);
    *out = NULL;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s,
        "SELECT id, source_key, X(geom), Y(geom), geocode_method, geocode_precision, geocode_ref FROM projects "
        "WHERE dataset = ?1 AND (?2 = 0 OR import_id = ?2) AND source_key IS NOT NULL AND GeometryType(geom) = 'POINT'",
        "reading placed points", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, dataset, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, import_id);
    *out = fpi_rows_wrap(s, q, "reading placed points", 0, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_gazetteer_placed(fp_store *s, int *any, fp_error *err)
{
    if (s->pg) return fpi_pg_gazetteer_placed(s, any, err);
    *any = 0;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT EXISTS (SELECT 1 FROM projects WHERE geocode_precision = 'city')",
                                     "reading how projects were placed", &q, err);
    if (st) return st;
    if (sqlite3_step(q) == SQLITE_ROW) *any = sqlite3_column_int(q, 0);
    else st = fpi_store_db_error(s, "reading how projects were placed", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_centroid_placed_ids(fp_store *s, const char *dataset, int with_admin1, int64_t **ids, size_t *n,
                                       fp_error *err)
{
    *ids = NULL;
    *n = 0;
    fp_rows *r = NULL;
    fp_status st;
    if (s->pg) {
        st = fpi_pg_centroid_placed_rows(s, dataset, with_admin1, &r, err);
    } else {
        /* A partial index of the few rows placed at a centroid, made by the
         * first aggregation that asks (SQLite keeps it current from then
         * on): without it every aggregation below the country level read
         * the whole table for them, 0.2-0.8 s a million projects. The
         * query repeats the index's condition so the planner uses it. */
        st = fpi_store_exec(s, "CREATE INDEX IF NOT EXISTS projects_centroid_placed ON projects(id)"
                               " WHERE geocode_precision IN ('country', 'admin1')", err);
        if (st) return st;
        sqlite3_stmt *q;
        st = fpi_store_prepare(s,
            "SELECT id, geocode_precision = 'admin1' FROM projects INDEXED BY projects_centroid_placed"
            " WHERE geocode_precision IN ('country', 'admin1') AND geom IS NOT NULL"
            " AND (?1 IS NULL OR dataset = ?1) ORDER BY id",
            "reading the projects placed at a centroid", &q, err);
        if (st) return st;
        if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_TRANSIENT);
        r = fpi_rows_wrap(s, q, "reading the projects placed at a centroid", 0, 0, err);
        if (!r) st = FP_ERR_NOMEM;
    }
    if (st) return st;
    GArray *found = g_array_new(FALSE, FALSE, sizeof(int64_t));
    while (fp_rows_next(r))
        if (with_admin1 || !fp_rows_int64(r, 1)) {
            int64_t id = fp_rows_int64(r, 0);
            g_array_append_val(found, id);
        }
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    if (!st && found->len) {
        *n = found->len;
        *ids = g_memdup2(found->data, found->len * sizeof(int64_t));   /* malloc'd: glib's allocator is malloc */
    }
    g_array_free(found, TRUE);
    return st;
}

fp_status fp_store_region_wkb(fp_store *s, const char *code, unsigned char **wkb, size_t *len, fp_error *err)
{
    if (s->pg) return fpi_pg_region_wkb(s, code, wkb, len, err);
    *wkb = NULL;
    *len = 0;
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, "SELECT AsBinary(geom) FROM regions WHERE code=?", "reading a region", &q, err);
    if (st) return st;
    sqlite3_bind_text(q, 1, code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) > 0) {
        *len = (size_t)sqlite3_column_bytes(q, 0);
        if ((*wkb = malloc(*len))) memcpy(*wkb, sqlite3_column_blob(q, 0), *len);
        else st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = fpi_store_db_error(s, "reading a region", err);
    }
    sqlite3_finalize(q);
    return st;
}

/* ------------------------------------------------------- point writer --- */

struct fp_point_writer {
    fp_store *store;
    sqlite3_stmt *update, *mark;
    GPtrArray *triggers;       /* SQL of the projects triggers dropped for the batch */
    fp_rtree_entry *entries;   /* the placed points' index entries */
    size_t n, cap;
    fp_pg_point_writer *pg;    /* the PostGIS writer (pg_geocode.c), or NULL */
};

fp_status fp_store_point_writer_new(fp_store *s, fp_point_writer **out, fp_error *err)
{
    *out = NULL;
    fp_point_writer *w = calloc(1, sizeof *w);
    if (!w) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    w->store = s;
    if (s->pg) {
        fp_status pst = fpi_pg_point_writer_new(s, &w->pg, err);
        if (pst) { free(w); return pst; }
        *out = w;
        return FP_OK;
    }
    /* The ids placed in this batch, for the typed table and the indexes. */
    fp_status st = fpi_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS fp_placed(id INTEGER PRIMARY KEY);"
                                    "DELETE FROM temp.fp_placed", err);
    if (!st) st = fpi_store_prepare(s, "UPDATE projects SET geom=MakePoint(?1, ?2, 4326), geocode_method=?3, geocode_ref=?4, "
                                      "geocode_precision=?5, country_code=coalesce(?6, country_code) WHERE id=?7",
                                   "storing geocoded rows", &w->update, err);
    if (!st) st = fpi_store_prepare(s, "INSERT OR IGNORE INTO temp.fp_placed(id) VALUES(?1)", "storing geocoded rows",
                                   &w->mark, err);
    if (!st) st = fpi_store_triggers_suspend(s, "projects", &w->triggers, err);
    if (st) { fp_store_point_writer_free(w); return st; }
    *out = w;
    return FP_OK;
}

void fp_store_point_writer_free(fp_point_writer *w)
{
    if (!w) return;
    fpi_pg_point_writer_free(w->pg);
    sqlite3_finalize(w->update);
    sqlite3_finalize(w->mark);
    if (w->triggers) g_ptr_array_free(w->triggers, TRUE);
    free(w->entries);
    free(w);
}

fp_status fp_store_point_writer_set(fp_point_writer *w, const fp_placed_point *p, fp_error *err)
{
    if (w->pg) return fpi_pg_point_writer_set(w->pg, p, err);
    sqlite3_stmt *u = w->update;
    sqlite3_reset(u);
    sqlite3_bind_double(u, 1, p->x);
    sqlite3_bind_double(u, 2, p->y);
    sqlite3_bind_text(u, 3, p->method, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(u, 4, p->ref, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(u, 5, p->precision, -1, SQLITE_TRANSIENT);
    if (p->country_code) sqlite3_bind_text(u, 6, p->country_code, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(u, 6);
    sqlite3_bind_int64(u, 7, p->id);
    if (sqlite3_step(u) != SQLITE_DONE) return fpi_store_db_error(w->store, "storing geocoded rows", err);
    sqlite3_reset(w->mark);
    sqlite3_bind_int64(w->mark, 1, p->id);
    if (sqlite3_step(w->mark) != SQLITE_DONE) return fpi_store_db_error(w->store, "storing geocoded rows", err);
    const double box[4] = { p->x, p->y, p->x, p->y };
    if (fpi_rtree_entries_add(&w->entries, &w->n, &w->cap, p->id, box))
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    return FP_OK;
}

fp_status fp_store_point_writer_finish(fp_point_writer *w, fp_error *err)
{
    if (w->pg) return fpi_pg_point_writer_finish(w->pg, err);
    fp_store *s = w->store;
    /* The placed points' entries, replacing those the ids had. */
    static const char placed[] = "SELECT id FROM temp.fp_placed";
    fp_status st = fpi_rtree_add(s, "idx_projects_geom", w->entries, w->n, placed, "indexing geocoded rows", err);
    if (!st) st = fpi_store_triggers_restore(s, &w->triggers, err);
    /* QGIS's typed tables (schema 4): the placed rows are points, in
     * projects_geom_point only; its own triggers (spatial index) suspended
     * likewise, its index written as the projects' one. */
    if (!st && w->n && fp_store_schema_version(s) >= 4) {
        st = fpi_store_exec(s, "DELETE FROM projects_geom_line WHERE id IN (SELECT id FROM temp.fp_placed);"
                              "DELETE FROM projects_geom_polygon WHERE id IN (SELECT id FROM temp.fp_placed)", err);
        if (!st)
            st = fpi_store_exec_without_triggers(s, "projects_geom_point",
                "DELETE FROM projects_geom_point WHERE id IN (SELECT id FROM temp.fp_placed);"
                "INSERT INTO projects_geom_point(id, geom) SELECT p.id, CastToMultiPoint(p.geom)"
                " FROM temp.fp_placed AS u JOIN projects AS p ON p.id = u.id", err);
        if (!st) st = fpi_rtree_add(s, "idx_projects_geom_point_geom", w->entries, w->n, placed, "indexing geocoded rows", err);
    }
    if (!st && w->n)
        st = fpi_store_exec(s, "UPDATE geometry_columns_time SET last_update = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                              "WHERE f_table_name IN ('projects', 'projects_geom_point') AND f_geometry_column = 'geom'", err);
    /* The column cache's parts of the placed rows (their triggers were
     * suspended); 16 = FP_COLUMNS_PART_BITS. */
    if (!st && w->n && fp_store_schema_version(s) >= 6)
        st = fpi_store_exec(s, "DELETE FROM projects_columns WHERE part IN (SELECT DISTINCT id >> 16 FROM temp.fp_placed)", err);
    if (!st) st = fpi_store_exec(s, "DELETE FROM temp.fp_placed", err);
    return st;
}
