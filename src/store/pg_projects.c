/*
 * Reading projects on PostGIS: the filtered scan (a server-side cursor, in
 * the store's transaction and so in its snapshot), the id span, per-value
 * counts and `extra` keys.
 *
 * Column names pasted into SQL come only from fp_store_is_project_column's
 * fixed list; extra keys, datasets and every other value are parameters.
 * `extra` is JSON text, read as SQLite's json_extract reads it (booleans as 1 and 0).
 */
#include <stdlib.h>
#include <string.h>
#include "store/pg_internal.h"

/* Appends a field's SQL; an extra key becomes a parameter. */
static void append_field(GString *sql, const char *field, GPtrArray *values)
{
    if (fp_store_is_project_column(field)) {
        g_string_append(sql, field);
    } else {
        /* As SQLite's json_extract reads it (export and facets read it so
         * too): a boolean as 1 or 0, not ->>'s 'true' / 'false', so that
         * `aggregate --group flag` makes the same columns (flag_1, flag_0)
         * and `--where flag=1` selects the same rows on both engines. */
        g_ptr_array_add(values, g_strdup(field));
        g_string_append_printf(sql, "(SELECT CASE jsonb_typeof(j) WHEN 'boolean' THEN CASE WHEN j = 'true'::jsonb THEN '1' "
                                    "ELSE '0' END ELSE j #>> '{}' END FROM (SELECT extra::jsonb -> $%u::text AS j) AS j0)",
                               values->len);
    }
}

/* A field of a binary result: text and integer columns go as they are
 * (fpi_pg_rows_text prints integers as the server would); the one double
 * column, amount, as the server prints it. */
static void append_text_field(GString *sql, const char *field, GPtrArray *values)
{
    if (strcmp(field, "amount")) {
        append_field(sql, field, values);
        return;
    }
    g_string_append(sql, "amount::text");
}

fp_status fpi_pg_projects(fp_store *s, const fp_project_filter *f, const char *const *fields, int nfields,
                         fp_rows **out, fp_error *err)
{
    static const fp_project_filter all = {0};
    if (!f) f = &all;
    *out = NULL;
    /* Binary results (fields_as_text) carry the WKB as bytes, not hex. */
    GString *sql = g_string_new("SELECT id, ST_AsBinary(geom)");
    GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; i < nfields; i++) {
        g_string_append(sql, ", ");
        if (f->fields_as_text) append_text_field(sql, fields[i], values);
        else append_field(sql, fields[i], values);
    }
    g_string_append(sql, " FROM projects WHERE TRUE");
    if (f->dataset) {
        g_ptr_array_add(values, g_strdup(f->dataset));
        g_string_append_printf(sql, " AND dataset = $%u", values->len);
    }
    if (f->with_geometry) g_string_append(sql, " AND geom IS NOT NULL");
    for (int i = 0; i < f->nwhere; i++) {
        g_string_append(sql, " AND coalesce(CAST(");
        append_field(sql, f->where_fields[i], values);
        g_ptr_array_add(values, g_strdup(f->where_values[i] ? f->where_values[i] : ""));
        g_string_append_printf(sql, " AS text), '') = $%u", values->len);
    }
    if (f->id_max > f->id_min) {
        g_ptr_array_add(values, g_strdup_printf("%lld", (long long)f->id_min));
        g_ptr_array_add(values, g_strdup_printf("%lld", (long long)f->id_max));
        g_string_append_printf(sql, " AND id >= $%u AND id < $%u", values->len - 1, values->len);
    }
    if (f->has_bbox) {
        /* The GiST index's boxes: a superset, which callers clip exactly. */
        for (int k = 0; k < 4; k++) g_ptr_array_add(values, g_strdup_printf("%.17g", f->bbox[k]));
        g_string_append_printf(sql, " AND geom && ST_MakeEnvelope($%u, $%u, $%u, $%u, 4326)", values->len - 3,
                               values->len - 2, values->len - 1, values->len);
    }
    if (f->order_by_id) g_string_append(sql, " ORDER BY id");
    *out = fpi_pg_rows_query(s, sql->str, (int)values->len, (const char *const *)values->pdata, "reading projects",
                            (1u << 1) | (f->fields_as_text ? FPI_PG_ROWS_BINARY : 0), 1, err);
    g_string_free(sql, TRUE);
    g_ptr_array_free(values, TRUE);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_project_ids(fp_store *s, int64_t *min, int64_t *max, int64_t *count, fp_error *err)
{
    *min = *max = 0;
    if (count) *count = 0;
    /* min and max each from the primary key's index, as separate
     * subqueries (with count(*) beside them in one SELECT they are taken
     * from a sequential scan: 1M rows 153 -> 49 ms). */
    PGresult *r = fpi_pg_exec(s, "SELECT coalesce((SELECT min(id) FROM projects), 0),"
                                 " coalesce((SELECT max(id) FROM projects), 0)", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading projects", err);
    *min = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *max = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    if (!count) return FP_OK;
    /* The count from the column cache's part sizes where it covers the
     * table (a scan of it otherwise: 1M rows 0.05-0.15 s). */
    int counted = 0;
    fp_status st = fpi_columns_count(s, *min, *max, count, &counted, err);
    if (st || counted) return st;
    r = fpi_pg_exec(s, "SELECT count(*) FROM projects", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading projects", err);
    *count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_project_counts(fp_store *s, const char *field, const char *dataset, fp_rows **out, fp_error *err)
{
    *out = NULL;
    if (!fp_store_is_project_column(field))
        return fp_error_set(err, FP_ERR_USAGE, "cannot count by %s: not a project field", field);
    char *sql = g_strdup_printf("SELECT coalesce(%s::text, '(none)') AS v, count(*) FROM projects"
                                " WHERE ($1::text IS NULL OR dataset = $1) GROUP BY 1 ORDER BY 2 DESC, 1 COLLATE \"C\"",
                                field);
    const char *v[] = { dataset };
    *out = fpi_pg_rows_query(s, sql, 1, v, "counting projects", 0, 0, err);
    g_free(sql);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_extra_key_used(fp_store *s, const char *key, int *used, fp_error *err)
{
    const char *v[] = { key };
    PGresult *r = fpi_pg_exec(s, "SELECT EXISTS(SELECT 1 FROM projects WHERE extra::jsonb ->> $1::text IS NOT NULL)", 1, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading projects", err);
    *used = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_project_values(fp_store *s, const char *column, char ***values, size_t *n, fp_error *err)
{
    *values = NULL;
    *n = 0;
    GPtrArray *a = g_ptr_array_new();
    if (fp_store_is_project_column(column)) {   /* anything else: no values, as on SpatiaLite */
        char *sql = g_strdup_printf("SELECT DISTINCT coalesce(%s::text, '') FROM projects WHERE geom IS NOT NULL", column);
        PGresult *r = fpi_pg_exec(s, sql, 0, NULL);
        g_free(sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            g_ptr_array_free(a, TRUE);
            return fpi_pg_error(s, r, "reading projects", err);
        }
        for (int i = 0; i < PQntuples(r); i++) g_ptr_array_add(a, g_strdup(PQgetvalue(r, i, 0)));
        PQclear(r);
    }
    *n = a->len;
    g_ptr_array_add(a, NULL);
    *values = (char **)g_ptr_array_free(a, FALSE);
    return FP_OK;
}
