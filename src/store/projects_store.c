/*
 * Reading projects: through a filter (dataset, location, bounding box, id
 * range, field = value), per-value counts, the id span for parallel scans,
 * and reader connections for worker threads.
 *
 * Identifiers pasted into SQL come only from the fixed list below; every
 * value (extra keys' JSON paths included) is bound.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include <spatialite.h>
#include "store/pg_internal.h"

/* Project columns a field may name; anything else is a key of `extra`. */
static const char *const project_columns[] = { "company", "category", "name", "place", "country", "country_code",
                                               "year", "status", "source", "dataset", "geocode_method",
                                               "geocode_precision", "amount", NULL };

int fp_store_is_project_column(const char *f)
{
    for (int i = 0; project_columns[i]; i++)
        if (!strcmp(project_columns[i], f)) return 1;
    return 0;
}

/* Appends the SQL of a field's value; extra keys take a bound JSON path. */
static void append_field(GString *sql, const char *field, GPtrArray *binds)
{
    if (fp_store_is_project_column(field)) {
        g_string_append(sql, field);
    } else {
        g_string_append(sql, "json_extract(extra, ?)");
        g_ptr_array_add(binds, g_strdup_printf("$.\"%s\"", field));
    }
}

fp_status fp_store_projects(fp_store *s, const fp_project_filter *f, const char *const *fields, int nfields,
                            fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_projects(s, f, fields, nfields, out, err);
    static const fp_project_filter all = {0};
    if (!f) f = &all;
    *out = NULL;
    GString *sql = g_string_new("SELECT id, geom");
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);   /* text values, in order */
    for (int i = 0; i < nfields; i++) {
        g_string_append(sql, ", ");
        append_field(sql, fields[i], binds);
    }
    g_string_append(sql, " FROM projects WHERE 1");
    if (f->dataset) {
        g_string_append(sql, " AND dataset = ?");
        g_ptr_array_add(binds, g_strdup(f->dataset));
    }
    if (f->with_geometry) g_string_append(sql, " AND geom IS NOT NULL");
    for (int i = 0; i < f->nwhere; i++) {
        g_string_append(sql, " AND coalesce(CAST(");
        append_field(sql, f->where_fields[i], binds);
        g_string_append(sql, " AS TEXT), '') = ?");
        g_ptr_array_add(binds, g_strdup(f->where_values[i] ? f->where_values[i] : ""));
    }
    int ranged = f->id_max > f->id_min, boxed = f->has_bbox;
    if (ranged) g_string_append(sql, " AND id >= ? AND id < ?");
    /* The R*Tree entries are floats rounded outwards: a superset, which
     * callers clip exactly. */
    if (boxed)
        g_string_append(sql, " AND id IN (SELECT pkid FROM idx_projects_geom WHERE xmax >= ? AND xmin <= ?"
                             " AND ymax >= ? AND ymin <= ?)");
    if (f->order_by_id) g_string_append(sql, " ORDER BY id");
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql->str, "reading projects", &q, err);
    g_string_free(sql, TRUE);
    if (!st) {
        int k = 1;
        for (guint i = 0; i < binds->len; i++)
            sqlite3_bind_text(q, k++, g_ptr_array_index(binds, i), -1, SQLITE_TRANSIENT);
        if (ranged) {
            sqlite3_bind_int64(q, k++, f->id_min);
            sqlite3_bind_int64(q, k++, f->id_max);
        }
        if (boxed) {
            sqlite3_bind_double(q, k++, f->bbox[0]);
            sqlite3_bind_double(q, k++, f->bbox[2]);
            sqlite3_bind_double(q, k++, f->bbox[1]);
            sqlite3_bind_double(q, k++, f->bbox[3]);
        }
        *out = fpi_rows_wrap(s, q, "reading projects", 1u << 1, 0, err);
        if (!*out) st = FP_ERR_NOMEM;
    }
    g_ptr_array_free(binds, TRUE);
    return st;
}

fp_status fp_store_project_ids(fp_store *s, int64_t *min, int64_t *max, int64_t *count, fp_error *err)
{
    if (s->pg) return fpi_pg_project_ids(s, min, max, count, err);
    sqlite3_stmt *q;
    /* min(id) and max(id) are each one step down the table's B-tree. The
     * count comes from the column cache's part sizes where it covers the
     * table, else count(*), a walk of the smallest index (10M rows: 1.2 s). */
    fp_status st = fpi_store_prepare(s, "SELECT (SELECT min(id) FROM projects), (SELECT max(id) FROM projects)",
                                     "reading projects", &q, err);
    if (st) return st;
    *min = *max = 0;
    if (count) *count = 0;
    int any = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        any = sqlite3_column_type(q, 0) != SQLITE_NULL;
        *min = sqlite3_column_int64(q, 0);
        *max = sqlite3_column_int64(q, 1);
    } else {
        st = fpi_store_db_error(s, "reading projects", err);
    }
    sqlite3_finalize(q);
    if (st || !any || !count) return st;
    int counted = 0;
    if ((st = fpi_columns_count(s, *min, *max, count, &counted, err)) || counted) return st;
    if ((st = fpi_store_prepare(s, "SELECT count(*) FROM projects", "reading projects", &q, err))) return st;
    if (sqlite3_step(q) == SQLITE_ROW) *count = sqlite3_column_int64(q, 0);
    else st = fpi_store_db_error(s, "reading projects", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_open_reader(fp_store *s, fp_store **out, fp_error *err)
{
    if (s->pg) return fpi_pg_open_reader(s, out, err);
    *out = NULL;
    fp_store *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(s->path))) {
        free(r);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    }
    r->flags = FP_STORE_READONLY;
    r->busy_ms = s->busy_ms;
    r->ctx = s->ctx;
    r->opened_version = s->opened_version;
    if (sqlite3_open_v2(s->path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fp_status st = fp_error_set(err, FP_ERR_DB, "%s: cannot open for reading: %s", s->path,
                                    r->db ? sqlite3_errmsg(r->db) : "out of memory");
        fp_store_close(r);
        return st;
    }
    sqlite3_busy_timeout(r->db, r->busy_ms);
    /* Pages of the first 768 MiB straight from the page cache, without a
     * read() and a copy each (a third of a 10M-row scan); capped so the
     * mapped pages plus the projects in memory stay under 2 GiB. */
    sqlite3_exec(r->db, "PRAGMA mmap_size=805306368", NULL, NULL, NULL);
    *out = r;
    return FP_OK;
}

void fp_store_reader_unmap(fp_store *r)
{
    if (r && !r->pg) sqlite3_exec(r->db, "PRAGMA mmap_size=0", NULL, NULL, NULL);
}

fp_status fp_store_project_counts(fp_store *s, const char *field, const char *dataset, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_project_counts(s, field, dataset, out, err);
    *out = NULL;
    if (!fp_store_is_project_column(field))
        return fp_error_set(err, FP_ERR_USAGE, "cannot count by %s: not a project field", field);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT coalesce(%s, '(none)'), count(*) FROM projects WHERE (?1 IS NULL OR dataset=?1) "
             "GROUP BY 1 ORDER BY 2 DESC, 1", field);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "counting projects", &q, err);
    if (st) return st;
    if (dataset) sqlite3_bind_text(q, 1, dataset, -1, SQLITE_TRANSIENT);
    *out = fpi_rows_wrap(s, q, "counting projects", 0, 0, err);
    return *out ? FP_OK : FP_ERR_NOMEM;
}

fp_status fp_store_extra_key_used(fp_store *s, const char *key, int *used, fp_error *err)
{
    if (s->pg) return fpi_pg_extra_key_used(s, key, used, err);
    sqlite3_stmt *q;
    *used = 0;
    fp_status st = fpi_store_prepare(s, "SELECT EXISTS(SELECT 1 FROM projects WHERE json_extract(extra, ?1) IS NOT NULL)",
                                    "reading projects", &q, err);
    if (st) return st;
    char *path = g_strdup_printf("$.\"%s\"", key);
    sqlite3_bind_text(q, 1, path, -1, SQLITE_TRANSIENT);
    g_free(path);
    if (sqlite3_step(q) == SQLITE_ROW) *used = sqlite3_column_int(q, 0);
    else st = fpi_store_db_error(s, "reading projects", err);
    sqlite3_finalize(q);
    return st;
}
