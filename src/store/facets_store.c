/*
 * What small multiples (render --facet) read: the values a field takes
 * over the page's projects (an aggregation's, of a dataset: the panels,
 * when none are named, and how many projects are in none) and, per panel,
 * the projects per region counted from the aggregation's assignments, so a
 * panel holding every project shows the aggregation's own `projects`
 * column.
 *
 * Column names pasted into SQL come only from fp_store_is_project_column's
 * fixed list, the assignment table's name from the aggregations table (a
 * quoted identifier); extra keys and every value are bound. PostGIS:
 * pg_facets.c, the same values in the same order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include "store/pg_internal.h"

/* The SQL of a field's value (alias p); an extra key's JSON path is the
 * next bound text. */
static void append_field(GString *sql, const char *field, GPtrArray *binds)
{
    if (fp_store_is_project_column(field)) {
        g_string_append_printf(sql, "p.%s", field);
    } else {
        g_string_append(sql, "json_extract(p.extra, ?)");
        g_ptr_array_add(binds, g_strdup_printf("$.\"%s\"", field));
    }
}

/* The page's projects (alias p): " WHERE ..." over the aggregation's
 * assignments and the dataset; the dataset is the next bound text. */
static fp_status append_scope(fp_store *s, GString *sql, const char *aggregation, const char *dataset, GPtrArray *binds,
                              fp_error *err)
{
    g_string_append(sql, " WHERE 1");
    if (aggregation) {
        char *table;
        fp_status st = fpi_store_assign_table(s, aggregation, &table, err);
        if (st) return st;
        char *in = sqlite3_mprintf(" AND p.id IN (SELECT project_id FROM \"%w\")", table);
        g_string_append(sql, in);
        sqlite3_free(in);
        g_free(table);
    }
    if (dataset) {
        g_ptr_array_add(binds, g_strdup(dataset));
        g_string_append_printf(sql, " AND p.dataset = ?%u", binds->len);
    }
    return FP_OK;
}

/* The statement of sql with binds (text) bound from ?1 on. */
static fp_status prepare_bound(fp_store *s, const char *sql, GPtrArray *binds, const char *what, sqlite3_stmt **q,
                               fp_error *err)
{
    fp_status st = fpi_store_prepare(s, sql, what, q, err);
    for (guint i = 0; !st && i < binds->len; i++)
        sqlite3_bind_text(*q, (int)i + 1, g_ptr_array_index(binds, i), -1, SQLITE_TRANSIENT);
    return st;
}

fp_status fp_store_facet_values(fp_store *s, const char *field, const char *aggregation, const char *dataset,
                                fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_facet_values(s, field, aggregation, dataset, out, err);
    *out = NULL;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new("SELECT v, count(*) FROM (SELECT ");
    append_field(sql, field, binds);
    g_string_append(sql, " AS v FROM projects p");
    fp_status st = append_scope(s, sql, aggregation, dataset, binds, err);
    /* Numbers first in numeric order (years), then text in text order. */
    g_string_append(sql, ") WHERE v IS NOT NULL AND CAST(v AS TEXT) <> '' GROUP BY v "
                         "ORDER BY typeof(v) NOT IN ('integer', 'real'), v");
    sqlite3_stmt *q;
    if (!st) st = prepare_bound(s, sql->str, binds, "reading project values", &q, err);
    g_string_free(sql, TRUE);
    if (!st) {
        *out = fpi_rows_wrap(s, q, "reading project values", 0, 0, err);
        if (!*out) st = FP_ERR_NOMEM;
    }
    g_ptr_array_free(binds, TRUE);
    return st;
}

fp_status fp_store_facet_projects(fp_store *s, const char *aggregation, const char *dataset, int64_t *count,
                                  fp_error *err)
{
    if (s->pg) return fpi_pg_facet_projects(s, aggregation, dataset, count, err);
    *count = 0;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new("SELECT count(*) FROM projects p");
    fp_status st = append_scope(s, sql, aggregation, dataset, binds, err);
    sqlite3_stmt *q;
    if (!st) st = prepare_bound(s, sql->str, binds, "counting projects", &q, err);
    g_string_free(sql, TRUE);
    if (!st) {
        if (sqlite3_step(q) == SQLITE_ROW) *count = sqlite3_column_int64(q, 0);
        else st = fpi_store_db_error(s, "counting projects", err);
        sqlite3_finalize(q);
    }
    g_ptr_array_free(binds, TRUE);
    return st;
}

fp_status fp_store_facet_counts(fp_store *s, const char *aggregation, const fp_facet_filter *f, fp_rows **out,
                                fp_error *err)
{
    if (s->pg) return fpi_pg_facet_counts(s, aggregation, f, out, err);
    *out = NULL;
    char *table;
    fp_status st = fpi_store_assign_table(s, aggregation, &table, err);
    if (st) return st;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free), *group_binds = g_ptr_array_new_with_free_func(g_free);
    /* The measure as aggregate sums it: shares, and amount x share with a
     * missing amount adding nothing (total(): 0.0 over none). */
    const char *measure = f->measure == FP_FACET_SHARES   ? "total(a.share)"
                          : f->measure == FP_FACET_AMOUNT ? "total(p.amount * a.share)"
                                                          : "count(DISTINCT a.project_id)";
    char *head = sqlite3_mprintf("SELECT a.region_code, %s FROM \"%w\" a "
                                 "JOIN projects p ON p.id = a.project_id WHERE a.region_code IS NOT NULL AND ", measure, table);
    GString *sql = g_string_new(head);
    sqlite3_free(head);
    g_free(table);
    if (f->value) {
        /* As fp_store_projects compares a field with a value: as text. */
        g_string_append(sql, "coalesce(CAST(");
        append_field(sql, f->field, binds);
        g_string_append(sql, " AS TEXT), '') = ?");
        g_ptr_array_add(binds, g_strdup(f->value));
    } else {
        /* A number in [lo, hi]; NULL and "" are in no range (CAST would make them 0). */
        g_string_append(sql, "CAST(");
        append_field(sql, f->field, binds);
        g_string_append(sql, " AS TEXT) <> '' AND CAST(");
        append_field(sql, f->field, binds);
        g_string_append(sql, " AS REAL) BETWEEN ? AND ?");
    }
    if (f->dataset) g_string_append(sql, " AND p.dataset = ?");
    if (f->group_field) {
        /* A group column's projects: its field's value as text, NULL as "" (FIELD_none). */
        g_string_append(sql, " AND coalesce(CAST(");
        append_field(sql, f->group_field, group_binds);
        g_string_append(sql, " AS TEXT), '') = ?");
        g_ptr_array_add(group_binds, g_strdup(f->group_value ? f->group_value : ""));
    }
    g_string_append(sql, " GROUP BY a.region_code ORDER BY a.region_code");
    sqlite3_stmt *q;
    st = fpi_store_prepare(s, sql->str, "counting a panel's projects", &q, err);
    g_string_free(sql, TRUE);
    if (!st) {
        int k = 1;
        for (guint i = 0; i < binds->len; i++)
            sqlite3_bind_text(q, k++, g_ptr_array_index(binds, i), -1, SQLITE_TRANSIENT);
        if (!f->value) {
            sqlite3_bind_double(q, k++, isfinite(f->lo) ? f->lo : -1e308);
            sqlite3_bind_double(q, k++, isfinite(f->hi) ? f->hi : 1e308);
        }
        if (f->dataset) sqlite3_bind_text(q, k++, f->dataset, -1, SQLITE_TRANSIENT);
        for (guint i = 0; i < group_binds->len; i++)
            sqlite3_bind_text(q, k++, g_ptr_array_index(group_binds, i), -1, SQLITE_TRANSIENT);
        *out = fpi_rows_wrap(s, q, "counting a panel's projects", 0, 0, err);
        if (!*out) st = FP_ERR_NOMEM;
    }
    g_ptr_array_free(binds, TRUE);
    g_ptr_array_free(group_binds, TRUE);
    return st;
}
