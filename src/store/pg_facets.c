/*
 * Small multiples (render --facet) on PostGIS: the values a field takes over
 * the page's projects (an aggregation's, of a dataset) and, per panel, the projects per region counted from an aggregation's
 * assignments, as facets_store.c reads them on SpatiaLite.
 *
 * What keeps the two engines alike:
 *   - a key of `extra` reads as SQLite's json_extract gives it (a string's
 *     text, a number's text, true/false as 1/0, JSON null as NULL), as
 *     pg_export.c reads it;
 *   - values come numbers first in numeric order, then text COLLATE "C";
 *     a field whose values are all numbers comes back as a numeric column
 *     (SQLite gives integer/real values: fp_rows_value_type 'i'/'r'),
 *     any other as text;
 *   - region codes sort COLLATE "C".
 * Column names pasted into SQL come only from fp_store_is_project_column's
 * fixed list, the assignment table's name from the aggregations table
 * (quoted with PQescapeIdentifier); extra keys and every value are bound.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/pg_internal.h"

/* Text that SQLite's CAST(... AS REAL) reads whole as a number; anything
 * else is no number here (PostgreSQL's cast would fail on it). */
#define NUMBER_RE "'^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$'"

/* A project column holding numbers (the others are text). */
static int numeric_column(const char *field)
{
    return !strcmp(field, "year") || !strcmp(field, "amount");
}

/* For an extra key: a join giving each project (alias p) e.v, the key's
 * value as json_extract reads it, and e.num, whether it is a JSON number
 * or boolean (an integer 1/0 in SQLite). The key is the next parameter. */
static void append_extra_join_as(GString *sql, const char *field, GPtrArray *binds, const char *alias);
static void append_extra_join(GString *sql, const char *field, GPtrArray *binds)
{
    append_extra_join_as(sql, field, binds, "e");
}

/* The same under another alias (a second key in one query). */
static void append_extra_join_as(GString *sql, const char *field, GPtrArray *binds, const char *alias)
{
    g_ptr_array_add(binds, g_strdup(field));
    g_string_append_printf(sql,
        ", LATERAL (SELECT CASE json_typeof(j) WHEN 'boolean' THEN CASE WHEN j::text = 'true' THEN '1' ELSE '0' END"
        " WHEN 'null' THEN NULL ELSE j #>> '{}' END AS v,"
        " coalesce(json_typeof(j) IN ('number', 'boolean'), false) AS num"
        " FROM (SELECT p.extra::json -> $%u::text AS j) AS j0) AS %s", binds->len, alias);
}

/* Whether every value of an extra key over the page's projects is a
 * number (a numeric column). */
static fp_status append_scope(fp_store *s, GString *sql, const char *aggregation, const char *dataset, GPtrArray *binds,
                              fp_error *err);
static fp_status extra_all_numbers(fp_store *s, const char *field, const char *aggregation, const char *dataset, int *all,
                                   fp_error *err)
{
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new("SELECT coalesce(bool_and(e.num), true) FROM projects p");
    append_extra_join(sql, field, binds);
    g_string_append(sql, " WHERE e.v IS NOT NULL AND e.v <> ''");
    fp_status st = append_scope(s, sql, aggregation, dataset, binds, err);
    PGresult *r = st ? NULL : fpi_pg_exec(s, sql->str, (int)binds->len, (const char *const *)binds->pdata);
    g_string_free(sql, TRUE);
    g_ptr_array_free(binds, TRUE);
    if (st) return st;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading project values", err);
    *all = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return FP_OK;
}

/* The assignment table of an aggregation (quoted), from the aggregations table. */
static fp_status assign_table(fp_store *s, const char *aggregation, char **table, fp_error *err)
{
    *table = NULL;
    const char *v[] = { aggregation };
    PGresult *r = fpi_pg_exec(s, "SELECT assign_table FROM aggregations WHERE name = $1", 1, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading aggregations", err);
    fp_status st = FP_OK;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        char *q = fpi_pg_ident(s, PQgetvalue(r, 0, 0));
        *table = g_strdup(q);
        PQfreemem(q);
    } else {
        st = fp_error_set(err, FP_ERR_USAGE, "no aggregation '%s' (run `footprint aggregate`)", aggregation);
    }
    PQclear(r);
    return st;
}

/* The page's projects (alias p): " AND ..." over the aggregation's
 * assignments and the dataset (the next parameter), as append_scope in
 * facets_store.c. */
static fp_status append_scope(fp_store *s, GString *sql, const char *aggregation, const char *dataset, GPtrArray *binds,
                              fp_error *err)
{
    if (aggregation) {
        char *table;
        fp_status st = assign_table(s, aggregation, &table, err);
        if (st) return st;
        g_string_append_printf(sql, " AND p.id IN (SELECT project_id FROM %s)", table);
        g_free(table);
    }
    if (dataset) {
        g_ptr_array_add(binds, g_strdup(dataset));
        g_string_append_printf(sql, " AND p.dataset = $%u", binds->len);
    }
    return FP_OK;
}

fp_status fpi_pg_facet_values(fp_store *s, const char *field, const char *aggregation, const char *dataset, fp_rows **out,
                             fp_error *err)
{
    *out = NULL;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new(NULL);
    fp_status st = FP_OK;
    if (fp_store_is_project_column(field)) {
        /* A typed column: numbers in numeric order, text in byte order. */
        g_string_append_printf(sql, "SELECT p.%s AS v, count(*) FROM projects p WHERE p.%s IS NOT NULL", field, field);
        if (!numeric_column(field)) g_string_append_printf(sql, " AND p.%s <> ''", field);
        st = append_scope(s, sql, aggregation, dataset, binds, err);
        g_string_append_printf(sql, " GROUP BY 1 ORDER BY p.%s%s", field, numeric_column(field) ? "" : " COLLATE \"C\"");
    } else {
        /* A column has one type, fixed before the rows are seen: ask first. */
        int all_numbers = 0;
        st = extra_all_numbers(s, field, aggregation, dataset, &all_numbers, err);
        g_string_append(sql, all_numbers ? "SELECT min(e.v)::numeric, count(*) FROM projects p"
                                         : "SELECT min(e.v), count(*) FROM projects p");
        append_extra_join(sql, field, binds);
        g_string_append(sql, " WHERE e.v IS NOT NULL AND e.v <> ''");
        if (!st) st = append_scope(s, sql, aggregation, dataset, binds, err);
        /* Numbers group by value (1 and 1.0 are one value in SQLite);
         * numeric keeps the JSON's digits ("1.5", "2020"). */
        if (all_numbers)
            g_string_append(sql, " GROUP BY e.v::numeric ORDER BY e.v::numeric");
        else
            g_string_append(sql, " GROUP BY e.num, CASE WHEN e.num THEN e.v::numeric END, CASE WHEN e.num THEN NULL ELSE e.v END"
                                 " ORDER BY e.num DESC, CASE WHEN e.num THEN e.v::numeric END, min(e.v) COLLATE \"C\"");
    }
    if (!st)
        *out = fpi_pg_rows_query(s, sql->str, (int)binds->len, (const char *const *)binds->pdata,
                                "reading project values", 0, 0, err);
    g_string_free(sql, TRUE);
    g_ptr_array_free(binds, TRUE);
    if (st) return st;
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_facet_projects(fp_store *s, const char *aggregation, const char *dataset, int64_t *count, fp_error *err)
{
    *count = 0;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new("SELECT count(*) FROM projects p WHERE true");
    fp_status st = append_scope(s, sql, aggregation, dataset, binds, err);
    if (!st) {
        PGresult *r = fpi_pg_exec(s, sql->str, (int)binds->len, (const char *const *)binds->pdata);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) st = fpi_pg_error(s, r, "counting projects", err);
        else {
            *count = g_ascii_strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            PQclear(r);
        }
    }
    g_string_free(sql, TRUE);
    g_ptr_array_free(binds, TRUE);
    return st;
}

fp_status fpi_pg_facet_counts(fp_store *s, const char *aggregation, const fp_facet_filter *f, fp_rows **out,
                             fp_error *err)
{
    *out = NULL;
    char *table;
    fp_status st = assign_table(s, aggregation, &table, err);
    if (st) return st;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new(NULL);
    /* The measure as SpatiaLite's total() gives it: a real, 0 over none. */
    const char *measure = f->measure == FP_FACET_SHARES   ? "coalesce(sum(a.share), 0)::float8"
                          : f->measure == FP_FACET_AMOUNT ? "coalesce(sum(p.amount * a.share), 0)::float8"
                                                          : "count(DISTINCT a.project_id)";
    g_string_append_printf(sql, "SELECT a.region_code, %s FROM %s a"
                                " JOIN projects p ON p.id = a.project_id", measure, table);
    g_free(table);
    int column = fp_store_is_project_column(f->field);
    char *value;
    if (column) value = g_strdup_printf("p.%s", f->field);
    else {
        append_extra_join(sql, f->field, binds);
        value = g_strdup("e.v");
    }
    char *group = NULL;   /* a group column's field: its value as text */
    if (f->group_field && fp_store_is_project_column(f->group_field)) group = g_strdup_printf("p.%s::text", f->group_field);
    else if (f->group_field) {
        append_extra_join_as(sql, f->group_field, binds, "g");
        group = g_strdup("g.v");
    }
    g_string_append(sql, " WHERE a.region_code IS NOT NULL AND ");
    if (f->value) {
        /* As fp_store_projects compares a field with a value: as text. */
        g_ptr_array_add(binds, g_strdup(f->value));
        g_string_append_printf(sql, "coalesce(%s::text, '') = $%u", value, binds->len);
    } else {
        /* A number in [lo, hi]; NULL, "" and text that is no number are in no range. */
        if (column && numeric_column(f->field)) g_string_append_printf(sql, "%s", value);
        else if (column) g_string_append_printf(sql, "CASE WHEN %s ~ " NUMBER_RE " THEN %s::float8 END", value, value);
        else g_string_append_printf(sql, "CASE WHEN e.num OR e.v ~ " NUMBER_RE " THEN e.v::float8 END");
        g_ptr_array_add(binds, g_strdup_printf("%.17g", isfinite(f->lo) ? f->lo : -1e308));
        g_ptr_array_add(binds, g_strdup_printf("%.17g", isfinite(f->hi) ? f->hi : 1e308));
        g_string_append_printf(sql, " BETWEEN $%u::float8 AND $%u::float8", binds->len - 1, binds->len);
    }
    g_free(value);
    if (f->dataset) {
        g_ptr_array_add(binds, g_strdup(f->dataset));
        g_string_append_printf(sql, " AND p.dataset = $%u", binds->len);
    }
    if (group) {
        /* NULL as "" (FIELD_none), as facets_store.c compares it. */
        g_ptr_array_add(binds, g_strdup(f->group_value ? f->group_value : ""));
        g_string_append_printf(sql, " AND coalesce(%s, '') = $%u", group, binds->len);
        g_free(group);
    }
    g_string_append(sql, " GROUP BY a.region_code ORDER BY a.region_code COLLATE \"C\"");
    *out = fpi_pg_rows_query(s, sql->str, (int)binds->len, (const char *const *)binds->pdata,
                            "counting a panel's projects", 0, 0, err);
    g_string_free(sql, TRUE);
    g_ptr_array_free(binds, TRUE);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

/* The timeline's counts per region and year (fp_store_timeline_counts),
 * in SpatiaLite's order: code in byte order, then year. */
fp_status fpi_pg_timeline_counts(fp_store *s, const char *aggregation, fp_rows **out, fp_error *err)
{
    *out = NULL;
    char *table;
    fp_status st = assign_table(s, aggregation, &table, err);
    if (st) return st;
    char *sql = g_strdup_printf("SELECT a.region_code, p.year, count(DISTINCT a.project_id) FROM %s a"
                                " JOIN projects p ON p.id = a.project_id"
                                " WHERE a.region_code IS NOT NULL AND p.year IS NOT NULL"
                                " GROUP BY a.region_code, p.year ORDER BY a.region_code COLLATE \"C\", p.year", table);
    g_free(table);
    *out = fpi_pg_rows_query(s, sql, 0, NULL, "counting projects per region and year", 0, 0, err);
    g_free(sql);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}
